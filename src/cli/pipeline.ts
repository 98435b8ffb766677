// The `npm start` job and `karakuri recipe`: Karakuri's whole loop (src/eval/recipe.ts) with progress bars for every
// stage. `npm start` runs a small recipe built from embedded defaults (a few demonstrations per task on the two own
// arms, a short training, a few evaluation episodes: a smoke test of the loop, not the recipe); `karakuri recipe FILE`
// runs a recipe file such as recipes/vla-v1.json. Both print where the datasets, the model version and the reports are.
import { join } from 'node:path';
import type { Recipe, RecipeResult } from '../eval/recipe.ts';

export interface PipelineOptions {
  out: string;
  /** Demonstrations per task and arm. */
  episodes: number;
  /** Training steps and batch size. */
  steps: number;
  batchSize: number;
  /** Evaluation episodes per task and arm. */
  evalEpisodes: number;
  tasks?: string[];
  embodiments: string[];
}

export const PIPELINE_DEFAULTS: PipelineOptions = { out: 'out/pipeline', episodes: 4, steps: 400, batchSize: 16, evalEpisodes: 2, embodiments: ['kara6', 'kara7'] };

/** The small embedded recipe behind `npm start`. */
export function pipelineRecipe(o: PipelineOptions): Recipe {
  return {
    name: 'karakuri-vla-pipeline', out: o.out,
    collect: { tasks: o.tasks ?? 'all', embodiments: o.embodiments, episodes: o.episodes, size: 96, seedStart: 0, actionNoise: 0, onlySuccess: false },
    train: {
      model: {}, batchSize: o.batchSize, steps: o.steps, lr: 3e-4, minLr: 0, weightDecay: 0.01, warmupSteps: Math.min(50, o.steps), schedule: 'cosine',
      gradClip: 1, ema: 'off', augmentation: { image: { shift: 4, cropScale: 1, brightness: 0.2, contrast: 0.2, saturation: 0.2 }, instruction: { prob: 0.5 }, historyDrop: 0 },
      sampling: { beforeGrasp: 1 }, checkpointEvery: Math.max(1, Math.floor(o.steps / 2)), evalBatches: 4, seed: 0, workers: 1,
    },
    eval: { episodes: o.evalEpisodes, heldoutEpisodes: 0, seedStart: 100_000, chunk: 'whole', videos: 1 },
  };
}

export async function runPipeline(o: PipelineOptions): Promise<{ datasets: string[]; model: string; report: string; successRate: number }> {
  const r = await runWithProgress(pipelineRecipe(o), true);
  console.log(`  (a ${o.steps}-step model on ${o.episodes} demonstrations per task: a smoke test of the loop, not the recipe)`);
  return { datasets: r.datasets, model: r.model, report: join(o.out, 'eval'), successRate: r.overall.rate };
}

/** Runs a recipe with a progress bar per stage and prints the per-task table and where everything is. */
export async function runWithProgress(recipe: Recipe, freshData = false): Promise<RecipeResult> {
  const { runRecipe } = await import('../eval/recipe.ts');
  const { progressBar } = await import('./progress.ts');
  const t0 = performance.now();
  const stage = (n: number, what: string) => console.log(`\n[${n}/3] ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);
  const c = recipe.collect, e = recipe.eval;
  stage(1, `recording ${c.episodes} expert demonstrations per task on ${c.embodiments.join(' and ')}${c.actionNoise || c.jolts ? ` (DART ${[c.actionNoise ? `noise ${c.actionNoise} m` : '', c.jolts ? `pushes of ${c.jolts.min}-${c.jolts.max} m on ${c.jolts.rate * 100}% of the steps` : ''].filter(Boolean).join(' and ')}${c.onlySuccess ? ', successes kept' : ''})` : ''}${c.wander ? `, then ${c.wander.episodes} wander episodes of ${c.wander.steps} steps per task and arm for the room head` : ''}${c.takeover ? `, then expert takeovers of ${c.takeover.map((tk) => `${tk.episodes} seeds per task and arm from ${tk.model}'s policy`).join(' and ')}` : ''}`);
  let bar: ReturnType<typeof progressBar> | null = null, ts = 0, evOk = 0;
  const r = await runRecipe(recipe, {
    freshData, progressBar: true,
    log: (l) => console.log(l),
    onTrainStart: () => stage(2, `training the Karakuri VLA for ${recipe.train.steps} steps (batch ${recipe.train.batchSize})`),
    onCollectStart: (arm, total) => {
      bar = progressBar(` ${arm.padEnd(13)} {bar} {value}/{total} episodes | {rate} episodes/s | ETA {eta_formatted}`, 30);
      bar.start(total, 0, { rate: '0' });
      ts = performance.now();
    },
    onCollectEpisode: (_, done) => bar?.update(done, { rate: (done / ((performance.now() - ts) / 1000)).toFixed(2) }),
    onCollectEnd: () => bar?.stop(),
    onEvalStart: (phrasing, total) => {
      if (phrasing === 'train') stage(3, `closed-loop evaluation: ${e.episodes} episodes per task and arm, seeds from ${e.seedStart}${e.heldoutEpisodes ? `, then ${e.heldoutEpisodes} with held-out phrasings` : ''}`);
      evOk = 0;
      bar = progressBar(` ${phrasing.padEnd(8)} {bar} {value}/{total} episodes | {ok} successful | {cell} | ETA {eta_formatted}`, 30);
      bar.start(total, 0, { ok: 0, cell: '' });
    },
    onEvalEpisode: (_, cell, ep) => { evOk += +ep.success; bar?.increment(1, { ok: evOk, cell: `${cell.task} on ${cell.embodiment}` }); },
    onEvalEnd: () => bar?.stop(),
  });
  for (const row of r.rows) {
    const arms = Object.entries(row.perArm).map(([a, s]) => `${a} ${s.successes}/${s.n}`).join('  ');
    console.log(`  ${row.task.padEnd(18)} ${arms}${row.heldout ? `  held-out ${row.heldout.successes}/${row.heldout.n}` : ''}${row.roomErrorCm !== null ? `  room error ${row.roomErrorCm.toFixed(1)} cm` : ''}`);
  }
  const out = recipe.out;
  console.log(`\nDone in ${((performance.now() - t0) / 60000).toFixed(1)} min: mean success over tasks ${(100 * r.meanSuccess).toFixed(0)}% (${r.overall.successes}/${r.overall.n})${r.meanHeldout !== null ? `, held-out phrasings ${(100 * r.meanHeldout).toFixed(0)}%` : ''}`);
  console.log(`  datasets:      ${r.datasets.join(', ')}`);
  console.log(`  model version: ${r.model} (MODEL_CARD.md inside)`);
  console.log(`  loss curve:    ${join(out, 'run', 'loss.png')}`);
  console.log(`  report:        ${r.reports.train} (and report.md, results.json, failure videos)${r.reports.heldout ? `; held out: ${r.reports.heldout}` : ''}`);
  console.log(`  table:         ${join(out, 'results.md')}`);
  return r;
}
