// A training recipe: the whole loop as one validated file — record expert demonstrations of the sector tasks on the
// chosen arms (LeRobot v3.0 datasets), train the Karakuri VLA on all of them, evaluate it in closed loop on seeds
// disjoint from training with the training phrasings and with held-out ones, and write a per-task table.
// `karakuri recipe recipes/vla-v1.json` runs a file; `npm start` (karakuri pipeline) runs a small embedded one.
// Stages are resumable: complete datasets are reused, a training run resumes from its checkpoint, evaluations rerun.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { TASKS } from '../sim/tasks/registry.ts';
import { collect, joltsTag } from '../data/collect.ts';
import { parseInfo } from '../data/lerobot/meta.ts';
import { train } from '../train/train.ts';
import { TrainConfigFields, checkTrainConfig } from '../train/config.ts';
import { runEval, type EvalResults } from './run.ts';
import { collectTakeovers, takeoverTag } from './takeover.ts';
import { wilson, type Rate } from './stats.ts';
import type { EpisodeOutcome } from './rollout.ts';

const int = (min: number) => z.number().int().min(min);

/** The TrainConfig fields a recipe sets (datasets and out come from the collect stage and the recipe's out). */
const RecipeTrain = TrainConfigFields.omit({ datasets: true, out: true }).superRefine(checkTrainConfig);

/** One round of expert takeovers (collect.takeover). */
const TakeoverRound = z.strictObject({
  model: z.string().min(1),
  episodes: int(1).max(10_000),
  seedStart: int(0).default(2_000_000),
  handover: z.tuple([int(1), int(1)]).default([10, 60]).refine(([lo, hi]) => lo <= hi, { message: 'the handover range [lo, hi] needs lo <= hi' }),
});

export const Recipe = z.strictObject({
  name: z.string().min(1),
  /** Where datasets (data/<arm>, data/<arm>-wander), the training run (run/, the model version in run/model) and reports go. */
  out: z.string().min(1),
  collect: z.strictObject({
    tasks: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    embodiments: z.array(z.string().min(1)).min(1),
    /** Demonstrations per task and arm (the issue's budget: at most 100). */
    episodes: int(1).max(100),
    /** Camera side in pixels (>= 64 for AV1). */
    size: int(64).max(1024).default(96),
    seedStart: int(0).default(0),
    /** DART perturbation of the expert's executed deltas (m, std per step; the recorded actions stay clean); 0 = off. */
    actionNoise: z.number().min(0).max(0.02).default(0),
    /** Sparse DART pushes of the expert's executed deltas (EnvConfig.actionJolts; the recorded actions stay clean). */
    jolts: z.strictObject({ rate: z.number().min(0).max(1), min: z.number().min(0).max(0.05), max: z.number().min(0).max(0.05) })
      .refine((j) => j.min <= j.max, { message: 'min must not exceed max' }).optional(),
    /** Keep only the demonstrations that succeeded (then up to `episodes` per task: the seeds tried). */
    onlySuccess: z.boolean().default(false),
    workers: int(1).optional(),
    /**
     * Perception data for the room head (not demonstrations, so outside the 100-per-task budget): per task and arm,
     * `episodes` wander episodes of `steps` steps (random arm motion among the objects, src/sim/experts/wander.ts) on
     * layouts of their own (seeds from seedStart, each arm the next `episodes` of them), recorded to
     * data/<arm>-wander and drawn as `weight` of the samples.
     */
    wander: z.strictObject({
      episodes: int(1).max(10_000),
      steps: int(1).max(200).default(16),
      seedStart: int(0).default(1_000_000),
      weight: z.number().gt(0).lt(1).default(0.2),
    }).optional(),
    /**
     * Expert takeovers (src/eval/takeover.ts, DAgger-style corrections): per task and arm, `episodes` seeds on which the
     * policy of the model version `model` (resolved from the working directory) acts until a handover step drawn from
     * `handover`, then the task's expert finishes; its successful parts are recorded to data/<arm>-takeover and
     * trained on as demonstrations. They are expert episodes on top of collect.episodes: the recipe's table says so.
     * A list is DAgger's rounds, each from its own model version (usually the one the previous round trained), all
     * aggregated: round 1 to data/<arm>-takeover, round k to data/<arm>-takeover-k.
     */
    takeover: z.union([TakeoverRound, z.array(TakeoverRound).min(1).max(20)]).transform((t) => (Array.isArray(t) ? t : [t])).optional(),
    /**
     * Other recipes' out folders (resolved from the working directory), e.g. the recipe before this one in a chain: a
     * recording this recipe has not made itself but one of them holds complete, with the same provenance, is trained
     * on where it lies instead of being recorded again.
     */
    reuse: z.array(z.string().min(1)).min(1).max(20).optional(),
  }),
  train: RecipeTrain,
  eval: z.strictObject({
    /** Episodes per task and arm with the training phrasings. */
    episodes: int(1),
    /** Episodes per task and arm with held-out phrasings (0: skip). */
    heldoutEpisodes: int(0).default(0),
    seedStart: int(0).default(100_000),
    /** How the action chunks are executed (rollout.ts ChunkMode): the whole chunk unless told (v1-v6 used { execute: 5 }). */
    chunk: z.union([z.strictObject({ execute: int(1) }), z.literal('whole'), z.literal('ensemble')]).default('whole'),
    videos: int(0).default(2),
    workers: int(1).optional(),
  }),
}).superRefine((r, ctx) => {
  if (r.eval.seedStart < r.collect.seedStart + r.collect.episodes) {
    ctx.addIssue({ code: 'custom', path: ['eval', 'seedStart'], message: `must be above the training seeds (${r.collect.seedStart}..${r.collect.seedStart + r.collect.episodes - 1})` });
  }
  const evalEnd = r.eval.seedStart + Math.max(r.eval.episodes, r.eval.heldoutEpisodes);
  const w = r.collect.wander;
  if (w) {
    const wanderEnd = w.seedStart + r.collect.embodiments.length * w.episodes; // each arm its own layouts
    if (w.seedStart < evalEnd && wanderEnd > r.eval.seedStart) {
      ctx.addIssue({ code: 'custom', path: ['collect', 'wander', 'seedStart'], message: `wander seeds ${w.seedStart}..${wanderEnd - 1} overlap the evaluation seeds (${r.eval.seedStart}..${evalEnd - 1})` });
    }
  }
  // (an invalid round leaves collect.takeover untransformed: its own issue is reported, this check waits for it)
  const rounds = Array.isArray(r.collect.takeover) ? r.collect.takeover : [];
  for (const [k, tk] of rounds.entries()) {
    const end = tk.seedStart + tk.episodes;
    if (tk.seedStart < evalEnd && end > r.eval.seedStart) {
      const path = ['collect', 'takeover', ...(rounds.length > 1 ? [k] : []), 'seedStart'];
      ctx.addIssue({ code: 'custom', path, message: `takeover seeds ${tk.seedStart}..${end - 1} overlap the evaluation seeds (${r.eval.seedStart}..${evalEnd - 1})` });
    }
  }
  for (const [i, dir] of (r.collect.reuse ?? []).entries()) {
    if (resolve(dir) === resolve(r.out)) ctx.addIssue({ code: 'custom', path: ['collect', 'reuse', i], message: `'${dir}' is this recipe's own out folder` });
  }
  if (r.collect.tasks !== 'all') for (const [i, t] of r.collect.tasks.entries()) {
    if (!TASKS.has(t)) ctx.addIssue({ code: 'custom', path: ['collect', 'tasks', i], message: `unknown task '${t}' (known: ${[...TASKS.keys()].join(', ')})` });
  }
});
export type Recipe = z.output<typeof Recipe>;
export type RecipeInput = z.input<typeof Recipe>;

export function parseRecipe(input: unknown, where = 'recipe'): Recipe {
  return parseWith(Recipe, input, where, 'recipe');
}

export function loadRecipe(path: string): Recipe {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`recipe ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read it as JSON (${(e as Error).message})`}`);
  }
  return parseRecipe(json, `recipe ${path}`);
}

/** One row of the per-task table: success per arm with each phrasing set, pooled over arms. */
export interface TaskRow {
  task: string; sector: string;
  perArm: Record<string, Rate>;
  both: Rate;
  heldout: Rate | null;
  roomErrorCm: number | null;
}
export interface RecipeResult {
  name: string;
  recipe: Recipe;
  datasets: string[];
  model: string;
  trainSeconds: number;
  collectSeconds: number;
  evalSeconds: number;
  /** The whole run, wall clock (recordings reused from before are not in it). */
  seconds: number;
  rows: TaskRow[];
  /** Mean over tasks of each task's success rate (both arms pooled), with the training phrasings and held out. */
  meanSuccess: number;
  meanHeldout: number | null;
  overall: Rate;
  overallHeldout: Rate | null;
  reports: { train: string; heldout: string | null };
}

export interface RecipeHooks {
  log?: (line: string) => void;
  /** Progress callbacks (the CLI draws bars from them). */
  onCollectStart?: (arm: string, total: number) => void;
  onCollectEpisode?: (arm: string, done: number) => void;
  onCollectEnd?: (arm: string) => void;
  onTrainStart?: () => void;
  onEvalStart?: (phrasing: string, total: number) => void;
  onEvalEpisode?: (phrasing: string, cell: { task: string; embodiment: string }, e: EpisodeOutcome) => void;
  onEvalEnd?: (phrasing: string) => void;
  progressBar?: boolean;
  /** Record every arm afresh (the small pipeline does; the recipe reuses complete datasets). */
  freshData?: boolean;
}

const tasksOf = (r: Recipe, arm: string) => (r.collect.tasks === 'all' ? [...TASKS.keys()] : r.collect.tasks).filter((t) => TASKS.get(t)?.embodiments.includes(arm));

/** What one recording of the recipe is: which arm, tasks, how many seeds from where, by whom, how. */
interface Recording {
  label: string; dir: string; arm: string; tasks: string[]; perTask: number; seedStart: number; size: number;
  actionNoise: number; jolts: { rate: number; min: number; max: number } | null; onlySuccess: boolean; wanderSteps: number | null;
  /** Expert takeovers of this model version's episodes (then not the task expert's own demonstrations). */
  takeover: { model: string; handover: [number, number] } | null;
}

/**
 * A dataset the recipe recorded before, complete and of this recording: nothing staged, every episode counted, the
 * same arm, tasks, policy and perturbation (the writer's provenance) and the same camera size. Returns its episode
 * count, or null when it is not such a dataset.
 */
function completeDataset(want: Recording): number | null {
  const info = join(want.dir, 'meta', 'info.json');
  if (!existsSync(info) || existsSync(join(want.dir, '.staging'))) return null;
  try {
    const i = JSON.parse(readFileSync(info, 'utf8')) as { total_episodes?: number; robot_type?: string; karakuri?: Record<string, string | undefined>; features?: Record<string, { shape?: number[] }> };
    const k = i.karakuri ?? {}, episodes = i.total_episodes ?? 0, seeds = want.tasks.length * want.perTask;
    const scene = i.features?.['observation.images.scene']?.shape;
    // onlySuccess keeps fewer episodes than seeds tried: the provenance says how many were tried
    const count = want.onlySuccess
      ? k.onlySuccess === 'true' && k.seedsPerTask === String(want.perTask) && episodes <= seeds
      : k.onlySuccess === undefined && episodes === seeds;
    const policy = want.takeover ? k.policy === 'takeover' && k.takeoverModel === want.takeover.model && k.handover === takeoverTag(want.takeover.handover)
      : want.wanderSteps === null ? k.policy === undefined : k.policy === 'wander' && k.wanderSteps === String(want.wanderSteps);
    const same = count && policy && i.robot_type === want.arm && k.tasks === want.tasks.join(',') && scene?.[0] === want.size && scene?.[1] === want.size
      && Number(k.actionNoise ?? 0) === want.actionNoise && k.actionJolts === (want.jolts ? joltsTag(want.jolts) : undefined);
    return same ? episodes : null;
  } catch {
    return null;
  }
}

/** The recordings of a recipe: per arm its demonstrations, then (collect.wander) its wander episodes, then (collect.takeover) its expert takeovers. */
function recordings(r: Recipe, out: string): Recording[] {
  const c = r.collect;
  return c.embodiments.flatMap((arm, armIndex) => {
    const tasks = tasksOf(r, arm);
    if (!tasks.length) throw new Error(`recipe ${r.name}: no task of collect.tasks is offered on '${arm}'`);
    const demos: Recording = { label: arm, dir: join(out, 'data', arm), arm, tasks, perTask: c.episodes, seedStart: c.seedStart, size: c.size, actionNoise: c.actionNoise, jolts: c.jolts ?? null, onlySuccess: c.onlySuccess, wanderSteps: null, takeover: null };
    const wander: Recording[] = c.wander ? [{ ...demos, label: `${arm} wander`, dir: join(out, 'data', `${arm}-wander`), perTask: c.wander.episodes, seedStart: c.wander.seedStart + armIndex * c.wander.episodes, actionNoise: 0, jolts: null, onlySuccess: false, wanderSteps: c.wander.steps }] : [];
    const takeover: Recording[] = (c.takeover ?? []).map((tk, k) => {
      const round = k ? `-${k + 1}` : '';
      return { ...demos, label: `${arm} takeover${round}`, dir: join(out, 'data', `${arm}-takeover${round}`), perTask: tk.episodes, seedStart: tk.seedStart, actionNoise: 0, jolts: null, onlySuccess: true, takeover: { model: resolve(tk.model), handover: tk.handover } };
    });
    return [demos, ...wander, ...takeover];
  });
}

const framesOf = (dir: string): number => { const f = join(dir, 'meta', 'info.json'); return parseInfo(readFileSync(f, 'utf8'), f).total_frames; };

/** A complete recording of `rec` in one of the folders of collect.reuse: `rec` moved there, or null. */
function reusedElsewhere(r: Recipe, rec: Recording): Recording | null {
  for (const other of r.collect.reuse ?? []) {
    const there = { ...rec, dir: join(resolve(other), 'data', basename(rec.dir)) };
    if (completeDataset(there) !== null) return there;
  }
  return null;
}

export async function runRecipe(r: Recipe, hooks: RecipeHooks = {}): Promise<RecipeResult> {
  const log = hooks.log ?? (() => {});
  const t0 = performance.now();
  const out = resolve(r.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'recipe.json'), JSON.stringify(r, null, 1));

  // 1. demonstrations (and perception data for the room head)
  const recs: Recording[] = [];
  let collectSeconds = 0;
  for (const wanted of recordings(r, out)) {
    const ownDir = existsSync(wanted.dir) && readdirSync(wanted.dir).length > 0;
    const rec = hooks.freshData || ownDir ? wanted : reusedElsewhere(r, wanted) ?? wanted;
    recs.push(rec);
    const seeds = rec.tasks.length * rec.perTask;
    const kept = hooks.freshData ? null : completeDataset(rec);
    if (kept !== null) {
      log(`  ${rec.label}: ${kept} episodes already recorded in ${rec.dir}${kept < seeds ? ` (the successful ones of ${seeds} seeds)` : ''}, reused`);
      continue;
    }
    if (ownDir && !hooks.freshData) {
      throw new Error(`recipe ${r.name}: ${rec.dir} holds an incomplete or different dataset (want ${seeds} ${rec.wanderSteps === null ? '' : 'wander '}episodes of ${rec.tasks.join(', ')}): repair it (karakuri data repair) or remove it`);
    }
    rmSync(rec.dir, { recursive: true, force: true });
    hooks.onCollectStart?.(rec.label, seeds);
    let done = 0;
    if (rec.takeover) {
      const s = await collectTakeovers({
        model: rec.takeover.model, tasks: rec.tasks, embodiment: rec.arm, episodes: rec.perTask, seedStart: rec.seedStart, handover: rec.takeover.handover, size: rec.size, out: rec.dir, workers: r.collect.workers,
        onEpisode: () => hooks.onCollectEpisode?.(rec.label, ++done),
      }).finally(() => hooks.onCollectEnd?.(rec.label));
      log(`  ${rec.label}: ${s.recorded} expert takeovers recorded of ${s.tried} seeds (the policy ended ${s.policyEnded} before the handover, the expert failed ${s.expertFailed})`);
      collectSeconds += s.seconds;
      continue;
    }
    const s = await collect({
      tasks: rec.tasks, embodiment: rec.arm, episodes: rec.perTask, out: rec.dir, size: rec.size, seedStart: rec.seedStart, workers: r.collect.workers, actionNoise: rec.actionNoise, ...(rec.jolts ? { actionJolts: rec.jolts } : {}), onlySuccess: rec.onlySuccess,
      ...(rec.wanderSteps === null ? {} : { policy: 'wander' as const, wanderSteps: rec.wanderSteps }),
      onEpisode: () => hooks.onCollectEpisode?.(rec.label, ++done),
    }).finally(() => hooks.onCollectEnd?.(rec.label));
    collectSeconds += s.seconds;
  }
  const datasets = recs.map((x) => x.dir);
  // with wander data: it is drawn as collect.wander.weight of the samples, each kind shared among its datasets by frames
  const w = r.collect.wander;
  const frames = w ? recs.map((x) => framesOf(x.dir)) : [];
  const kindFrames = (wander: boolean) => recs.reduce((a, x, i) => a + ((x.wanderSteps !== null) === wander ? frames[i]! : 0), 0);
  const trainSets = recs.map((x, i) => {
    if (!w) return { dir: x.dir, use: 'all' as const };
    const wander = x.wanderSteps !== null;
    return { dir: x.dir, use: wander ? 'room' as const : 'all' as const, weight: ((wander ? w.weight : 1 - w.weight) * frames[i]!) / kindFrames(wander) };
  });

  // 2. training (resumes from its checkpoint when the run folder has one of this config)
  hooks.onTrainStart?.();
  const t = await train({ ...r.train, name: r.train.name ?? r.name, datasets: trainSets, out: join(out, 'run') }, { resume: !hooks.freshData, progressBar: hooks.progressBar ?? false, log });

  // 3. closed-loop evaluation, training phrasings and held-out ones
  const te = performance.now();
  const evalOnce = async (phrasing: 'train' | 'heldout', episodes: number): Promise<EvalResults> => {
    hooks.onEvalStart?.(phrasing, r.collect.embodiments.reduce((n, arm) => n + tasksOf(r, arm).length, 0) * episodes);
    return runEval({
      model: t.versionDir, tasks: r.collect.tasks === 'all' ? undefined : r.collect.tasks, embodiments: r.collect.embodiments, episodes, phrasing,
      seedStart: r.eval.seedStart, chunk: r.eval.chunk, videos: r.eval.videos, workers: r.eval.workers, out: join(out, phrasing === 'train' ? 'eval' : 'eval-heldout'),
      onEpisode: (c, e) => hooks.onEvalEpisode?.(phrasing, c, e),
    }).finally(() => hooks.onEvalEnd?.(phrasing));
  };
  const ev = await evalOnce('train', r.eval.episodes);
  const held = r.eval.heldoutEpisodes > 0 ? await evalOnce('heldout', r.eval.heldoutEpisodes) : null;

  const rows = recipeTable(ev, held);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const pool = (res: EvalResults) => wilson(res.cells.reduce((a, c) => a + c.success.successes, 0), res.cells.reduce((a, c) => a + c.success.n, 0));
  const result: RecipeResult = {
    name: r.name, recipe: r, datasets, model: t.versionDir, trainSeconds: t.seconds, collectSeconds,
    evalSeconds: (performance.now() - te) / 1000, seconds: (performance.now() - t0) / 1000, rows,
    meanSuccess: mean(rows.map((x) => x.both.rate)), meanHeldout: held ? mean(rows.map((x) => x.heldout!.rate)) : null,
    overall: pool(ev), overallHeldout: held ? pool(held) : null,
    reports: { train: join(out, 'eval', 'report.html'), heldout: held ? join(out, 'eval-heldout', 'report.html') : null },
  };
  writeFileSync(join(out, 'results.json'), JSON.stringify(result, null, 1));
  writeFileSync(join(out, 'results.md'), recipeMarkdown(result));
  return result;
}

/** Per task: success on each arm, pooled over arms, held-out phrasings pooled over arms, mean room error. */
export function recipeTable(ev: EvalResults, held: EvalResults | null): TaskRow[] {
  const tasks = [...new Set(ev.cells.map((c) => c.task))];
  return tasks.map((task) => {
    const cells = ev.cells.filter((c) => c.task === task);
    const pooled = (cs: typeof cells) => wilson(cs.reduce((a, c) => a + c.success.successes, 0), cs.reduce((a, c) => a + c.success.n, 0));
    const rooms = cells.map((c) => c.roomErrorCm).filter((x): x is number => x !== null);
    const hc = held?.cells.filter((c) => c.task === task) ?? [];
    return {
      task, sector: TASKS.get(task)?.sector ?? '?',
      perArm: Object.fromEntries(cells.map((c) => [c.embodiment, c.success])),
      both: pooled(cells), heldout: held ? pooled(hc) : null,
      roomErrorCm: rooms.length ? rooms.reduce((a, x) => a + x, 0) / rooms.length : null,
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const frac = (r: Rate) => `${r.successes}/${r.n} (${pct(r.rate)})`;

/** What the table says of a recipe's expert takeovers (none: ''). */
function takeoverText(r: Recipe): string {
  const rounds = r.collect.takeover ?? [];
  const one = (tk: (typeof rounds)[number]) => `${tk.episodes} more seeds per task and arm from the policy of ${tk.model}`;
  if (!rounds.length) return '';
  return rounds.length === 1 ? ` and expert takeovers of ${one(rounds[0]!)} (expert episodes beyond the demonstrations)`
    : ` and ${rounds.length} rounds of expert takeovers (${rounds.map((tk, k) => `round ${k + 1}: ${one(tk)}`).join('; ')}; expert episodes beyond the demonstrations)`;
}

const min = (seconds: number) => (seconds / 60).toFixed(0);

/** The expert episodes a recipe may train on per task and arm: its demonstration seeds and every round's takeover seeds. */
export const expertEpisodes = (r: Recipe): number => r.collect.episodes + (r.collect.takeover ?? []).reduce((a, tk) => a + tk.episodes, 0);

/** The per-task table as Markdown (what BENCHMARKS.md quotes). */
export function recipeMarkdown(x: RecipeResult): string {
  const arms = x.recipe.collect.embodiments;
  const head = ['task', 'sector', ...arms, 'both arms', ...(x.meanHeldout !== null ? ['held-out phrasings'] : []), 'room error (cm)'];
  const lines = [
    `# ${x.name}: per-task closed-loop success`, '',
    `${x.recipe.collect.episodes} demonstrations per task and arm (${arms.join(', ')}, ${x.recipe.collect.size} px)${takeoverText(x.recipe)}, ${x.recipe.train.steps} training steps of batch ${x.recipe.train.batchSize} in ${(x.trainSeconds / 60).toFixed(0)} min; evaluation ${x.recipe.eval.episodes} episodes per task and arm from seed ${x.recipe.eval.seedStart}${x.meanHeldout !== null ? `, held-out phrasings ${x.recipe.eval.heldoutEpisodes} per task and arm` : ''}.`, '',
    `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`,
    ...x.rows.map((r) => `| ${[r.task, r.sector, ...arms.map((a) => (r.perArm[a] ? frac(r.perArm[a]!) : 'n/a')), frac(r.both), ...(r.heldout ? [frac(r.heldout)] : []), r.roomErrorCm === null ? 'n/a' : r.roomErrorCm.toFixed(1)].join(' | ')} |`),
    '',
    `Mean success over the ${x.rows.length} tasks: ${pct(x.meanSuccess)} (pooled ${frac(x.overall)}, 95% CI ${pct(x.overall.lo)} - ${pct(x.overall.hi)})` +
      (x.meanHeldout !== null ? `; held-out phrasings ${pct(x.meanHeldout)} (pooled ${frac(x.overallHeldout!)}), a gap of ${(100 * (x.meanSuccess - x.meanHeldout)).toFixed(0)} points.` : '.'),
    '',
    `Expert episodes per task and arm: at most ${expertEpisodes(x.recipe)}${x.recipe.collect.takeover ? ` (${x.recipe.collect.episodes} demonstration seeds and ${x.recipe.collect.takeover.map((tk) => tk.episodes).join(' + ')} takeover seeds)` : ''}. ` +
      `This run took ${min(x.seconds)} min: recording ${min(x.collectSeconds)}, training ${min(x.trainSeconds)}, evaluation ${min(x.evalSeconds)} (recordings reused from an earlier run are not counted).`,
    '',
  ];
  return lines.join('\n');
}
