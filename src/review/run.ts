// `karakuri review`: the annual stage-gate review of a model version against a gate's milestones file. Runs the
// gate's suite closed loop (src/eval/run.ts runEval, the env pool, pinned seeds disjoint from training, the train and
// the held-out phrasings on the same seeds) behind the safety shield, counting its interventions; measures Policy.infer
// batch-1 latency on pinned threads; reads data breadth from the lineage; decides every milestone and the gate; with a
// baseline version, compares per task (Fisher / z, Holm). Writes review.json, review.md and review.html (report.ts)
// into `out` (never into a model version) and the per-phrasing evaluation reports below it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../torch/index.ts';
import { runEval, type EvalResults } from '../eval/run.ts';
import type { EpisodeOutcome } from '../eval/rollout.ts';
import { suiteCells } from '../sim/tasks/suite.ts';
import { TASKS } from '../sim/tasks/registry.ts';
import { gitInfo, type GitInfo } from '../train/version.ts';
import { registryRoot, resolveModel, type ModelRef } from '../registry/registry.ts';
import { loadGate, gateTasks, type Gate } from './milestones.ts';
import { compareToBaseline, decideGate, type CellCount, type Comparison, type GateDecision } from './decide.ts';
import { dataBreadth, type Breadth } from './breadth.ts';
import { measureLatency, type LatencyResult } from './latency.ts';
import { shieldHook, type ReviewShield, type ShieldFactory, type ShieldTally } from './shield.ts';
import { quantileCI } from './stats.ts';
import { writeReviewReport } from './report.ts';

export const REVIEW_FORMAT = 'karakuri-review/1';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ReviewOptions {
  /** Registry name (fy2026.1) or model version directory. */
  model: string;
  /** Milestones file path, or a gate id looked up as gates/<id>.yaml in the repository. */
  gate: string;
  baseline?: string;
  registry?: string;
  out: string;
  /** Small-run overrides of the gate's suite (recorded; the review is then marked as not the gate's own). */
  episodes?: number;
  tasks?: string[];
  embodiments?: string[];
  maxSteps?: number;
  latencyIterations?: number;
  workers?: number;
  envsPerWorker?: number;
  videos?: number;
  /** The shield for each arm (default: src/serve/shield's defaults); null runs without one (not measured). */
  shield?: ShieldFactory | null;
  onEpisode?: (who: 'version' | 'baseline', phrasing: string, cell: { task: string; embodiment: string }, e: EpisodeOutcome) => void;
  log?: (line: string) => void;
}

export interface ModelInput extends ModelRef { ref: string }
export interface Review {
  format: string;
  createdAt: string;
  seconds: number;
  /** True when the suite ran exactly as the gate file says (no overrides) on registered (hash-verified) versions. */
  official: boolean;
  /** Why it is not official (empty when it is). */
  unofficial: string[];
  inputs: {
    model: ModelInput;
    baseline: ModelInput | null;
    gate: { id: string; title: string; path: string; sha256: string };
    suite: { tasks: string[]; embodiments: string[]; episodesPerCell: number; seedStart: number; seeds: [number, number]; phrasings: string[]; chunk: number | 'ensemble'; torchSeed: number; maxSteps: number | null };
    overrides: Record<string, unknown>;
    code: GitInfo;
    node: string;
    shield: Record<string, unknown> | null;
  };
  cells: CellCount[];
  baselineCells: CellCount[] | null;
  latency: (Omit<LatencyResult, 'samplesMs'> & { p50: number; p99: number; p99lo: number; p99hi: number; samplesMs: number[] }) | null;
  shield: ShieldTally | null;
  breadth: Breadth;
  decision: GateDecision;
  comparison: Comparison | null;
}

/** A gate id (fy2026) -> gates/fy2026.yaml in the repository; a path is used as it is. */
export function gatePath(g: string): string {
  if (/\.ya?ml$/i.test(g) || existsSync(g)) return resolve(g);
  return join(REPO, 'gates', `${g}.yaml`);
}

function cellCounts(r: EvalResults): CellCount[] {
  return r.cells.map((c) => ({
    task: c.task, sector: TASKS.get(c.task)!.sector, embodiment: c.embodiment, phrasing: c.phrasing, successes: c.success.successes, episodes: c.success.n,
    roomErrorsCm: c.episodes.map((e) => e.roomErrorCm).filter((x): x is number => x !== null),
    outcomes: c.episodes.map((e) => ({ seed: e.seed, success: e.success })),
  }));
}

/** The arms a model version has normalization statistics for (the ones it can drive). */
function trainedEmbodiments(dir: string): string[] {
  const path = join(dir, 'normalization.json');
  try { return Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { embodiments: Record<string, unknown> }).embodiments ?? {}); } catch (e) { throw new Error(`${path}: cannot read the model's embodiments (${(e as Error).message})`); }
}

async function defaultShields(): Promise<ShieldFactory> {
  const { reviewShield } = await import('./serve-shield.ts');
  return reviewShield;
}

export async function runReview(o: ReviewOptions): Promise<Review> {
  const t0 = performance.now(), log = o.log ?? (() => {});
  const root = registryRoot(o.registry);
  const model: ModelInput = { ref: o.model, ...resolveModel(o.model, root) };
  const baseline: ModelInput | null = o.baseline ? { ref: o.baseline, ...resolveModel(o.baseline, root) } : null;
  const loaded = loadGate(gatePath(o.gate));
  const g: Gate = loaded.gate;
  const out = resolve(o.out);
  for (const m of [model, baseline]) if (m && `${out}/`.startsWith(`${m.dir}/`)) throw new Error(`review: --out ${out} is inside the model version ${m.dir}: write the review elsewhere`);
  mkdirSync(out, { recursive: true });

  const overrides: Record<string, unknown> = {};
  if (o.episodes !== undefined) overrides.episodes = o.episodes;
  if (o.tasks) overrides.tasks = o.tasks;
  if (o.embodiments) overrides.embodiments = o.embodiments;
  if (o.maxSteps !== undefined) overrides.maxSteps = o.maxSteps;
  if (o.latencyIterations !== undefined) overrides.latencyIterations = o.latencyIterations;
  for (const t of o.tasks ?? []) if (!TASKS.has(t)) throw new Error(`review: unknown task '${t}' (known: ${[...TASKS.keys()].join(', ')})`);
  const tasks = o.tasks ?? gateTasks(g), embodiments = o.embodiments ?? g.suite.embodiments;
  const episodes = o.episodes ?? g.suite.episodesPerCell, seedStart = g.suite.seedStart;
  const cells = suiteCells({ tasks, embodiments });
  const chunk = g.suite.chunk === 'ensemble' ? 'ensemble' as const : { execute: g.suite.chunk };

  // the shield of every arm in the suite
  const factory = o.shield === undefined ? await defaultShields() : o.shield;
  const shields = new Map<string, ReviewShield>();
  if (factory) for (const e of new Set(cells.map((c) => c.embodiment))) shields.set(e, await factory(e));
  const tally: ShieldTally | null = factory ? { actions: 0, intervened: 0, reasons: {} } : null;

  // a cell on an arm the model has no statistics for cannot be attempted: it counts as failed (0 of its episodes), marked
  const suite = async (who: 'version' | 'baseline', m: ModelInput, phrasing: 'train' | 'heldout', t: ShieldTally | null): Promise<CellCount[]> => {
    const known = trainedEmbodiments(m.dir), runnable = embodiments.filter((e) => known.includes(e));
    const runCells = cells.filter((c) => runnable.includes(c.embodiment));
    log(`${who} ${m.name}: ${phrasing} phrasing, ${runCells.length} cells x ${episodes} episodes`);
    let ran: CellCount[] = [];
    if (runCells.length) {
      torch.manualSeed(g.suite.torchSeed);
      const r = await runEval({
        model: m.dir, tasks: [...new Set(runCells.map((c) => c.task))], embodiments: runnable, episodes, seedStart, phrasing, chunk, out: join(out, who === 'version' ? `eval-${phrasing}` : `baseline-${phrasing}`),
        workers: o.workers ?? 1, envsPerWorker: o.envsPerWorker ?? 4, videos: o.videos ?? 0, updateCard: false, ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
        onEpisode: (c, e) => o.onEpisode?.(who, phrasing, c, e),
        ...(t && shields.size ? { filterAction: shieldHook(shields, t) } : {}),
      });
      ran = cellCounts(r);
    }
    return cells.map((c) => ran.find((x) => x.task === c.task && x.embodiment === c.embodiment) ?? {
      task: c.task, sector: TASKS.get(c.task)!.sector, embodiment: c.embodiment, phrasing, successes: 0, episodes, roomErrorsCm: [],
      notRun: `not run: ${m.name} has no normalization statistics for ${c.embodiment} (it knows ${known.join(', ')}); counted as ${episodes} failed episodes`,
    });
  };
  const counts: CellCount[] = [];
  for (const ph of g.suite.phrasings) counts.push(...await suite('version', model, ph, tally));
  // the baseline runs the train phrasing on the same seeds behind the same shield (its interventions are not counted)
  const baselineCells = baseline ? await suite('baseline', baseline, 'train', { actions: 0, intervened: 0, reasons: {} }) : null;

  let latency: Review['latency'] = null;
  if (g.milestones.latencyP99 && cells.some((c) => trainedEmbodiments(model.dir).includes(c.embodiment))) {
    log(`latency: ${o.latencyIterations ?? g.latency.iterations} batch-1 calls on ${g.latency.threads} thread(s)`);
    const known = trainedEmbodiments(model.dir);
    const l = await measureLatency(model.dir, { cells: cells.filter((c) => known.includes(c.embodiment)), seedStart, observations: g.latency.observations, warmup: g.latency.warmup, iterations: o.latencyIterations ?? g.latency.iterations, threads: g.latency.threads });
    const q = quantileCI(l.samplesMs, 0.99);
    latency = { ...l, p50: quantileCI(l.samplesMs, 0.5).value, p99: q.value, p99lo: q.lo, p99hi: q.hi };
  }
  const breadth = dataBreadth(model.dir);
  const unofficial = [
    ...(Object.keys(overrides).length ? [`the suite was overridden (${Object.entries(overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`] : []),
    ...[model, baseline].filter((m): m is ModelInput => !!m && !m.registered).map((m) => `${m.ref} is not a registered version (its content cannot be verified against a manifest)`),
  ];
  const comparison = baselineCells ? compareToBaseline(g, counts, baselineCells) : null;
  const decision = decideGate(g, { cells: counts, latencyMs: latency?.samplesMs ?? null, shield: tally, breadth }, comparison);
  const review: Review = {
    format: REVIEW_FORMAT, createdAt: new Date().toISOString(), seconds: 0, official: unofficial.length === 0, unofficial,
    inputs: {
      model, baseline, gate: { id: g.gate, title: g.title, path: loaded.path, sha256: loaded.sha256 },
      suite: { tasks, embodiments, episodesPerCell: episodes, seedStart, seeds: [seedStart, seedStart + episodes - 1], phrasings: g.suite.phrasings, chunk: g.suite.chunk, torchSeed: g.suite.torchSeed, maxSteps: o.maxSteps ?? null },
      overrides, code: gitInfo(), node: process.version,
      shield: shields.size ? Object.fromEntries([...shields].map(([e, s]) => [e, s.describe])) : null,
    },
    cells: counts, baselineCells, latency, shield: tally, breadth, decision, comparison,
  };
  review.seconds = (performance.now() - t0) / 1000;
  writeReviewReport(out, review);
  return review;
}

/**
 * What must be identical when the same review is run twice: everything but the timestamps, durations and the latency
 * measurement (wall-clock times vary run to run; the latency milestone's decision can therefore differ too).
 */
export function reproducibleView(r: Review): unknown {
  const { createdAt: _c, seconds: _s, latency: _l, decision, ...rest } = r;
  return { ...rest, decision: { ...decision, milestones: decision.milestones.filter((m) => m.id !== 'latencyP99') } };
}
