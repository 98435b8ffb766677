// A training recipe: the whole loop as one validated file — record expert demonstrations of the sector tasks on the
// chosen arms (LeRobot v3.0 datasets), train the Karakuri VLA on all of them, evaluate it in closed loop on seeds
// disjoint from training with the training phrasings and with held-out ones, and write a per-task table.
// `karakuri recipe recipes/vla-v1.json` runs a file; `npm start` (karakuri pipeline) runs a small embedded one.
// Stages are resumable: complete datasets are reused, a training run resumes from its checkpoint, evaluations rerun.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { TASKS } from '../sim/tasks/registry.ts';
import { collect } from '../data/collect.ts';
import { train } from '../train/train.ts';
import { TrainConfigFields, checkTrainConfig } from '../train/config.ts';
import { runEval, type EvalResults } from './run.ts';
import { wilson, type Rate } from './stats.ts';
import type { EpisodeOutcome } from './rollout.ts';

const int = (min: number) => z.number().int().min(min);

/** The TrainConfig fields a recipe sets (datasets and out come from the collect stage and the recipe's out). */
const RecipeTrain = TrainConfigFields.omit({ datasets: true, out: true }).superRefine(checkTrainConfig);

export const Recipe = z.strictObject({
  name: z.string().min(1),
  /** Where datasets (data/<arm>), the training run (run/, the model version in run/model) and reports go. */
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
    /** Keep only the demonstrations that succeeded (then up to `episodes` per task: the seeds tried). */
    onlySuccess: z.boolean().default(false),
    workers: int(1).optional(),
  }),
  train: RecipeTrain,
  eval: z.strictObject({
    /** Episodes per task and arm with the training phrasings. */
    episodes: int(1),
    /** Episodes per task and arm with held-out phrasings (0: skip). */
    heldoutEpisodes: int(0).default(0),
    seedStart: int(0).default(100_000),
    chunk: z.union([z.strictObject({ execute: int(1) }), z.literal('ensemble')]).default({ execute: 5 }),
    videos: int(0).default(2),
    workers: int(1).optional(),
  }),
}).superRefine((r, ctx) => {
  if (r.eval.seedStart < r.collect.seedStart + r.collect.episodes) {
    ctx.addIssue({ code: 'custom', path: ['eval', 'seedStart'], message: `must be above the training seeds (${r.collect.seedStart}..${r.collect.seedStart + r.collect.episodes - 1})` });
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

/**
 * A dataset the recipe recorded before, complete and of this recipe: nothing staged, every episode counted, the same
 * arm, the same tasks and perturbation (the writer's provenance) and the same camera size.
 */
function completeDataset(dir: string, want: { episodes: number; perTask: number; arm: string; tasks: string[]; size: number; actionNoise: number; onlySuccess: boolean }): boolean {
  const info = join(dir, 'meta', 'info.json');
  if (!existsSync(info) || existsSync(join(dir, '.staging'))) return false;
  try {
    const i = JSON.parse(readFileSync(info, 'utf8')) as { total_episodes?: number; robot_type?: string; karakuri?: { tasks?: string; actionNoise?: string; onlySuccess?: string; seedsPerTask?: string }; features?: Record<string, { shape?: number[] }> };
    const scene = i.features?.['observation.images.scene']?.shape;
    // onlySuccess keeps fewer episodes than seeds tried: the provenance says how many were tried
    const count = want.onlySuccess
      ? i.karakuri?.onlySuccess === 'true' && i.karakuri.seedsPerTask === String(want.perTask) && (i.total_episodes ?? 0) <= want.episodes
      : i.karakuri?.onlySuccess === undefined && i.total_episodes === want.episodes;
    return count && i.robot_type === want.arm && i.karakuri?.tasks === want.tasks.join(',') && scene?.[0] === want.size && scene?.[1] === want.size
      && Number(i.karakuri?.actionNoise ?? 0) === want.actionNoise;
  } catch {
    return false;
  }
}

export async function runRecipe(r: Recipe, hooks: RecipeHooks = {}): Promise<RecipeResult> {
  const log = hooks.log ?? (() => {});
  const out = resolve(r.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'recipe.json'), JSON.stringify(r, null, 1));

  // 1. demonstrations
  const datasets: string[] = [];
  let collectSeconds = 0;
  for (const arm of r.collect.embodiments) {
    const tasks = tasksOf(r, arm);
    if (!tasks.length) throw new Error(`recipe ${r.name}: no task of collect.tasks is offered on '${arm}'`);
    const dir = join(out, 'data', arm);
    const want = tasks.length * r.collect.episodes;
    if (!hooks.freshData && completeDataset(dir, { episodes: want, perTask: r.collect.episodes, arm, tasks, size: r.collect.size, actionNoise: r.collect.actionNoise, onlySuccess: r.collect.onlySuccess })) {
      log(`  ${arm}: ${want} episodes already recorded in ${dir}, reused`);
    } else {
      if (existsSync(dir) && readdirSync(dir).length && !hooks.freshData) {
        throw new Error(`recipe ${r.name}: ${dir} holds an incomplete or different dataset (want ${want} episodes of ${tasks.join(', ')}): repair it (karakuri data repair) or remove it`);
      }
      rmSync(dir, { recursive: true, force: true });
      hooks.onCollectStart?.(arm, want);
      let done = 0;
      const s = await collect({
        tasks, embodiment: arm, episodes: r.collect.episodes, out: dir, size: r.collect.size, seedStart: r.collect.seedStart, workers: r.collect.workers, actionNoise: r.collect.actionNoise, onlySuccess: r.collect.onlySuccess,
        onEpisode: () => hooks.onCollectEpisode?.(arm, ++done),
      }).finally(() => hooks.onCollectEnd?.(arm));
      collectSeconds += s.seconds;
    }
    datasets.push(dir);
  }

  // 2. training (resumes from its checkpoint when the run folder has one of this config)
  hooks.onTrainStart?.();
  const t = await train({ ...r.train, name: r.train.name ?? r.name, datasets: datasets.map((dir) => ({ dir })), out: join(out, 'run') }, { resume: !hooks.freshData, progressBar: hooks.progressBar ?? false, log });

  // 3. closed-loop evaluation, training phrasings and held-out ones
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
    name: r.name, recipe: r, datasets, model: t.versionDir, trainSeconds: t.seconds, collectSeconds, rows,
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

/** The per-task table as Markdown (what BENCHMARKS.md quotes). */
export function recipeMarkdown(x: RecipeResult): string {
  const arms = x.recipe.collect.embodiments;
  const head = ['task', 'sector', ...arms, 'both arms', ...(x.meanHeldout !== null ? ['held-out phrasings'] : []), 'room error (cm)'];
  const lines = [
    `# ${x.name}: per-task closed-loop success`, '',
    `${x.recipe.collect.episodes} demonstrations per task and arm (${arms.join(', ')}, ${x.recipe.collect.size} px), ${x.recipe.train.steps} training steps of batch ${x.recipe.train.batchSize} in ${(x.trainSeconds / 60).toFixed(0)} min; evaluation ${x.recipe.eval.episodes} episodes per task and arm from seed ${x.recipe.eval.seedStart}${x.meanHeldout !== null ? `, held-out phrasings ${x.recipe.eval.heldoutEpisodes} per task and arm` : ''}.`, '',
    `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`,
    ...x.rows.map((r) => `| ${[r.task, r.sector, ...arms.map((a) => (r.perArm[a] ? frac(r.perArm[a]!) : 'n/a')), frac(r.both), ...(r.heldout ? [frac(r.heldout)] : []), r.roomErrorCm === null ? 'n/a' : r.roomErrorCm.toFixed(1)].join(' | ')} |`),
    '',
    `Mean success over the ${x.rows.length} tasks: ${pct(x.meanSuccess)} (pooled ${frac(x.overall)}, 95% CI ${pct(x.overall.lo)} - ${pct(x.overall.hi)})` +
      (x.meanHeldout !== null ? `; held-out phrasings ${pct(x.meanHeldout)} (pooled ${frac(x.overallHeldout!)}), a gap of ${(100 * (x.meanSuccess - x.meanHeldout)).toFixed(0)} points.` : '.'),
    '',
  ];
  return lines.join('\n');
}
