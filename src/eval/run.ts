// `karakuri eval`: a model version (or any BatchPolicy) judged closed loop over tasks x embodiments x episodes, on
// seeds disjoint from training (seedStart, default 100000: episode i of a cell uses seedStart + i, recorded), with
// instructions phrased from the 'train' or the 'heldout' templates. Per cell: success with a 95% Wilson interval,
// mean episode length with a t interval, the reads-the-room error in cm (target, and goal when the policy estimates
// it), the failure funnel (cellPhases: came near the target, held it, lifted it, left it near the goal), videos of a
// few failures. Writes results.json, report.md, report.html and a success bar chart per cell (PNG + HTML + JSON), and
// the model card's Evaluation section.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { writeBarChart, barChartSvg, type BarSpec } from '../report/bars.ts';
import { suiteCells } from '../sim/tasks/suite.ts';
import { Policy } from '../model/policy.ts';
import { addEvaluationToCard, type CardEvaluation } from '../train/card-evaluations.ts';
import { meanCI, wilson, type MeanCI, type Rate } from './stats.ts';
import { rolloutCell, type ActContext, type BatchPolicy, type ChunkMode, type EpisodeOutcome } from './rollout.ts';
import type { Observation } from '../sim/observation.ts';
import { isRegisteredVersion } from '../registry/manifest.ts';
import { BatchedPolicy } from './policy.ts';

export const EvalOptions = z.strictObject({
  /** A model version directory (src/train/version.ts); or pass `policy` instead. */
  model: z.string().min(1).optional(),
  tasks: z.array(z.string()).min(1).optional(),
  /** Default: the embodiments the model was trained on (normalization.json), else every arm each task is offered on. */
  embodiments: z.array(z.string()).min(1).optional(),
  episodes: z.number().int().min(1),
  seedStart: z.number().int().min(0).default(100_000),
  phrasing: z.enum(['train', 'heldout']).default('train'),
  /** How each action chunk is executed (rollout.ts ChunkMode); default the whole chunk, then a new one. */
  chunk: z.union([z.strictObject({ execute: z.number().int().min(1) }), z.literal('whole'), z.literal('ensemble'), z.strictObject({ ensemble: z.strictObject({ m: z.number().min(0) }) })]).default('whole'),
  out: z.string().min(1),
  /** Camera size and frames per observation (default: the model's). */
  size: z.number().int().min(8).optional(),
  history: z.number().int().min(1).optional(),
  maxSteps: z.number().int().min(1).optional(),
  workers: z.number().int().min(1).default(1),
  envsPerWorker: z.number().int().min(1).default(4),
  /** Failure videos per cell. */
  videos: z.number().int().min(0).default(3),
  /** Write the evaluation into the model's MODEL_CARD.md (default true with `model`). */
  updateCard: z.boolean().optional(),
});
export type EvalOptionsInput = z.input<typeof EvalOptions> & {
  policy?: BatchPolicy; onEpisode?: (cell: { task: string; embodiment: string }, e: EpisodeOutcome) => void;
  /** Optional per-step hook on every action before it is executed (rollout.ts CellOptions.filterAction), e.g. a safety shield. */
  filterAction?: (cell: { task: string; embodiment: string }, ctx: ActContext, action: number[], obs: Observation) => number[];
};

export interface CellResult {
  task: string; embodiment: string; phrasing: string;
  success: Rate;
  length: MeanCI;
  /** Mean over episodes of each episode's mean room error (cm); null when the policy gives no room estimate. */
  roomErrorCm: number | null;
  /** The same for the goal estimate (models with roomGoal); null otherwise. */
  goalErrorCm: number | null;
  /** How far the episodes got (rollout.ts EpisodePhases), as fractions of the episodes with a target; null when none has one. */
  phases: CellPhases | null;
  seeds: number[];
  episodes: EpisodeOutcome[];
}
/** A cell's failure funnel: of the episodes with a tracked target, how many came near it, held it and lifted it. */
export interface CellPhases {
  /** Episodes the funnel counts (those whose task has a tracked target). */
  n: number;
  /** Median over episodes of the closest end-effector distance to the target (cm). */
  medianClosestCm: number;
  /** Fraction whose end effector came within REACHED_CM of the target. */
  reached: number;
  /** Fraction that ever held the target in the fingers. */
  grasped: number;
  /** Fraction that lifted the target by at least LIFTED_CM. */
  lifted: number;
  /** Median, over the episodes that lifted it, of the target's final horizontal distance from the goal (cm); null when none did. */
  liftedGoalCm: number | null;
}
export const REACHED_CM = 3;
export const LIFTED_CM = 2;

export function cellPhases(eps: EpisodeOutcome[]): CellPhases | null {
  const ph = eps.map((e) => e.phases).filter((p) => p !== null);
  if (!ph.length) return null;
  const median = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b), m = v.length >> 1; return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2; };
  const goals = ph.filter((p) => p.liftCm >= LIFTED_CM && p.goalCm !== null).map((p) => p.goalCm!);
  const frac = (f: (p: (typeof ph)[number]) => boolean) => ph.filter(f).length / ph.length;
  return {
    n: ph.length, medianClosestCm: median(ph.map((p) => p.closestCm)),
    reached: frac((p) => p.closestCm <= REACHED_CM), grasped: frac((p) => p.grasped), lifted: frac((p) => p.liftCm >= LIFTED_CM),
    liftedGoalCm: goals.length ? median(goals) : null,
  };
}

export interface EvalResults {
  format: string;
  model: string | null;
  createdAt: string;
  options: Omit<z.output<typeof EvalOptions>, 'out'> & { size: number; history: number };
  /** Seeds are seedStart + i (training collects from seed 0 up; keep seedStart above any training seed). */
  seedOffset: number;
  cells: CellResult[];
  overall: Rate;
  seconds: number;
}

/** The format tag of an evaluation's results.json. */
const EVAL_FORMAT = 'karakuri-eval/1';

/** Reads an evaluation's results.json (what runEval writes), refusing a file of another format. */
export function readEvalResults(path: string): EvalResults {
  let r: EvalResults;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as EvalResults;
  } catch (e) {
    throw new Error(`${path}: cannot read it as an evaluation's results.json (${(e as Error).message})`);
  }
  if (r?.format !== EVAL_FORMAT) throw new Error(`${path} is not a karakuri eval result (format ${String(r?.format)})`);
  return r;
}

export const chunkName = (c: ChunkMode) => (c === 'whole' ? 'the whole chunk then re-plan' : c === 'ensemble' ? 'temporal ensemble (m = 0.01)' : 'ensemble' in c ? `temporal ensemble (m = ${c.ensemble.m})` : `execute ${c.execute} then re-plan`);
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

export async function runEval(input: EvalOptionsInput): Promise<EvalResults> {
  const { policy: given, onEpisode, filterAction, ...rest } = input;
  const o = parseWith(EvalOptions, rest, 'runEval', 'options');
  if (!given && !o.model) throw new Error('runEval: give a model directory (model) or a policy');
  if (o.model && isRegisteredVersion(o.model) && `${resolve(o.out)}/`.startsWith(`${resolve(o.model)}/`)) throw new Error(`runEval: out ${resolve(o.out)} is inside the registered model version ${resolve(o.model)}, which is immutable: write the report elsewhere`);
  const t0 = performance.now();
  let owned: Policy | null = null;
  let size = o.size, history = o.history, trained: string[] | undefined;
  if (o.model) {
    owned = await Policy.load(o.model);
    size ??= owned.cfg.vision.imageSize[0];
    history ??= owned.cfg.history;
    const norm = JSON.parse(readFileSync(join(o.model, 'normalization.json'), 'utf8')) as { embodiments: Record<string, unknown> };
    trained = Object.keys(norm.embodiments);
  }
  const policy = given ?? new BatchedPolicy(owned!);
  size ??= 96; history ??= 2;
  const out = resolve(o.out);
  mkdirSync(join(out, 'videos'), { recursive: true });
  const cells: CellResult[] = [];
  try {
    const list = suiteCells({ tasks: o.tasks, embodiments: o.embodiments ?? trained });
    for (const cell of list) {
      const seeds = Array.from({ length: o.episodes }, (_, i) => o.seedStart + i);
      const eps = await rolloutCell(policy, {
        task: cell.task, embodiment: cell.embodiment, seeds, phrasing: o.phrasing, chunk: o.chunk, size, history, maxSteps: o.maxSteps,
        workers: o.workers, envsPerWorker: o.envsPerWorker, videos: o.videos, videoDir: join(out, 'videos'), onEpisode: (e) => onEpisode?.(cell, e),
        filterAction: filterAction && ((ctx, a, obs) => filterAction(cell, ctx, a, obs)),
      });
      const meanOf = (xs: (number | null)[]) => { const v = xs.filter((x): x is number => x !== null); return v.length ? v.reduce((a, x) => a + x, 0) / v.length : null; };
      cells.push({
        task: cell.task, embodiment: cell.embodiment, phrasing: o.phrasing, seeds,
        success: wilson(eps.filter((e) => e.success).length, eps.length), length: meanCI(eps.map((e) => e.steps)),
        roomErrorCm: meanOf(eps.map((e) => e.roomErrorCm)), goalErrorCm: meanOf(eps.map((e) => e.goalErrorCm)), phases: cellPhases(eps), episodes: eps,
      });
    }
  } finally {
    owned?.dispose();
  }
  const k = cells.reduce((a, c) => a + c.success.successes, 0), n = cells.reduce((a, c) => a + c.success.n, 0);
  const { out: _o, ...opts } = o;
  const results: EvalResults = {
    format: EVAL_FORMAT, model: o.model ? resolve(o.model) : null, createdAt: new Date().toISOString(),
    options: { ...opts, size, history }, seedOffset: o.seedStart, cells, overall: wilson(k, n), seconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
  writeReport(out, results);
  // a registered version is immutable (its manifest would refuse it): its card is never updated. The results are
  // stored by now, so a card that cannot be updated (a malformed evaluations.json) is said, not thrown.
  if (o.model && (o.updateCard ?? true) && existsSync(join(o.model, 'MODEL_CARD.md')) && !isRegisteredVersion(o.model)) {
    try { addEvaluationToCard(o.model, cardEvaluation(results)); } catch (e) { process.stderr.write(`karakuri eval: results are in ${out}, but the model card was not updated: ${(e as Error).message}\n`); }
  }
  return results;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function cardEvaluation(r: EvalResults): CardEvaluation {
  return {
    createdAt: r.createdAt, phrasing: r.options.phrasing, seedOffset: r.seedOffset, episodesPerCell: r.options.episodes, chunk: chunkName(r.options.chunk),
    cells: r.cells.map((c) => ({
      task: c.task, embodiment: c.embodiment, phrasing: c.phrasing, successes: c.success.successes, episodes: c.success.n, rate: finiteOrNull(c.success.rate),
      lo: c.success.lo, hi: c.success.hi, meanLength: finiteOrNull(c.length.mean), roomErrorCm: c.roomErrorCm,
    })),
  };
}

function writeReport(out: string, r: EvalResults): void {
  // one bar per (task, embodiment) cell, whiskers = the 95% Wilson interval, coloured by embodiment (a cell with no
  // episodes has rate NaN: drawn as 0 with the whole [0, 1] interval)
  const spec: BarSpec = {
    title: `success per cell (${r.options.phrasing} phrasing), 95% Wilson`, valueLabel: 'success rate', percent: true,
    bars: r.cells.map((c) => ({ label: `${c.task} / ${c.embodiment}`, value: Number.isFinite(c.success.rate) ? c.success.rate : 0, lo: c.success.lo, hi: c.success.hi, group: c.embodiment })),
  };
  if (spec.bars.length) writeBarChart(join(out, 'success'), spec);
  const rows = r.cells.map((c, i) => [String(i + 1), c.task, c.embodiment, c.phrasing, `${c.success.successes}/${c.success.n} (${pct(c.success.rate)})`, `${pct(c.success.lo)} - ${pct(c.success.hi)}`,
    `${c.length.mean.toFixed(1)} (${c.length.lo.toFixed(1)} - ${c.length.hi.toFixed(1)})`, c.roomErrorCm === null ? 'n/a' : `${c.roomErrorCm.toFixed(1)}${c.goalErrorCm === null ? '' : ` / ${c.goalErrorCm.toFixed(1)}`}`,
    c.phases ? `${c.phases.medianClosestCm.toFixed(1)} / ${pct(c.phases.reached)} / ${pct(c.phases.grasped)} / ${pct(c.phases.lifted)} / ${c.phases.liftedGoalCm === null ? '-' : c.phases.liftedGoalCm.toFixed(1)}` : 'n/a',
    c.episodes.filter((e) => e.video).map((e) => `[seed ${e.seed}](videos/${e.video!.split('/').at(-1)})`).join(' ') || '-']);
  const head = ['#', 'task', 'embodiment', 'phrasing', 'success', '95% CI', 'mean length (95% CI)', r.cells.some((c) => c.goalErrorCm !== null) ? 'room error (cm): target / goal' : 'room error (cm)', `closest (cm) / reached <= ${REACHED_CM} cm / grasped / lifted >= ${LIFTED_CM} cm / then off the goal (cm)`, 'failure videos'];
  const md = [
    `# Evaluation${r.model ? ` of \`${r.model}\`` : ''}`, '',
    `${r.createdAt}; ${r.options.episodes} episodes per cell, seeds ${r.seedOffset}..${r.seedOffset + r.options.episodes - 1} (disjoint from training), ${r.options.phrasing} phrasings, chunks: ${chunkName(r.options.chunk)}; ${r.options.size}x${r.options.size} cameras. ${r.seconds.toFixed(0)} s.`, '',
    `Overall: ${r.overall.successes}/${r.overall.n} (${pct(r.overall.rate)}, 95% CI ${pct(r.overall.lo)} - ${pct(r.overall.hi)}).`, '',
    `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((x) => `| ${x.join(' | ')} |`), '',
    ...(spec.bars.length ? ['![success per cell](success.png)', ''] : []),
  ].join('\n');
  writeFileSync(join(out, 'report.md'), md);
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  const cellHtml = (x: string) => esc(x).replace(/\[seed (\d+)\]\((videos\/[^)]+)\)/g, '<a href="$2">seed $1</a>');
  const svg = spec.bars.length ? barChartSvg(spec) : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Evaluation</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style></head><body>
<h2>Evaluation${r.model ? ` of ${esc(r.model)}` : ''}</h2>
<p>${esc(`${r.createdAt}; ${r.options.episodes} episodes per cell, seeds from ${r.seedOffset}, ${r.options.phrasing} phrasings, ${chunkName(r.options.chunk)}.`)} Overall ${r.overall.successes}/${r.overall.n} (${pct(r.overall.rate)}, 95% CI ${pct(r.overall.lo)} - ${pct(r.overall.hi)}).</p>
<table><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>
${rows.map((x) => `<tr>${x.map((v) => `<td>${cellHtml(v)}</td>`).join('')}</tr>`).join('\n')}</table>
${svg}</body></html>`;
  writeFileSync(join(out, 'report.html'), html);
}
