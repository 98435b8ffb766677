// The `npm start` job: Karakuri's whole loop at small scale on embedded defaults. Records a few expert
// demonstrations of every sector task on the two own arms (LeRobot v3.0 datasets), trains the Karakuri VLA briefly on
// them, evaluates it in closed loop on seeds disjoint from training, and prints where the datasets, the model version
// and the report are. Every stage shows its progress.
import { join } from 'node:path';
import { rmSync } from 'node:fs';

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

export async function runPipeline(o: PipelineOptions): Promise<{ datasets: string[]; model: string; report: string; successRate: number }> {
  const t0 = performance.now();
  const { TASKS } = await import('../sim/tasks/registry.ts');
  const { collect } = await import('../data/collect.ts');
  const { train } = await import('../train/train.ts');
  const { runEval } = await import('../eval/run.ts');
  const { progressBar } = await import('./progress.ts');
  const stage = (n: number, what: string) => console.log(`\n[${n}/3] ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);

  const datasets: string[] = [];
  stage(1, `recording ${o.episodes} expert demonstrations per task on ${o.embodiments.join(' and ')}`);
  for (const arm of o.embodiments) {
    const tasks = (o.tasks ?? [...TASKS.keys()]).filter((t) => TASKS.get(t)?.embodiments.includes(arm));
    const dir = join(o.out, 'data', arm);
    rmSync(dir, { recursive: true, force: true }); // a fresh recording each run (collect refuses a used folder)
    const bar = progressBar(` ${arm.padEnd(9)} {bar} {value}/{total} episodes | {rate} episodes/s | ETA {eta_formatted}`, 30);
    bar.start(tasks.length * o.episodes, 0, { rate: '0' });
    const ts = performance.now();
    let done = 0;
    await collect({ tasks, embodiment: arm, episodes: o.episodes, out: dir, onEpisode: () => { done++; bar.update(done, { rate: (done / ((performance.now() - ts) / 1000)).toFixed(2) }); } })
      .finally(() => bar.stop());
    datasets.push(dir);
  }

  stage(2, `training the Karakuri VLA for ${o.steps} steps (batch ${o.batchSize})`);
  const runDir = join(o.out, 'run');
  const r = await train({
    datasets: datasets.map((dir) => ({ dir })), out: runDir, batchSize: o.batchSize, steps: o.steps, lr: 3e-4, warmupSteps: Math.min(50, o.steps),
    checkpointEvery: Math.max(1, Math.floor(o.steps / 2)), seed: 0, name: 'karakuri-vla-pipeline',
  }, { resume: false, progressBar: true, log: (l) => console.log(l) });

  stage(3, `closed-loop evaluation: ${o.evalEpisodes} episodes per task and arm, seeds from 100000`);
  const report = join(o.out, 'eval');
  const cells = (o.tasks ?? [...TASKS.keys()]).reduce((n, t) => n + o.embodiments.filter((e) => TASKS.get(t)?.embodiments.includes(e)).length, 0);
  const ebar = progressBar(' {bar} {value}/{total} episodes | {ok} successful | {cell} | ETA {eta_formatted}', 30);
  ebar.start(cells * o.evalEpisodes, 0, { ok: 0, cell: '' });
  let evDone = 0, evOk = 0;
  const ev = await runEval({
    model: r.versionDir, tasks: o.tasks, embodiments: o.embodiments, episodes: o.evalEpisodes, out: report, videos: 1,
    onEpisode: (c, e) => { evDone++; evOk += +e.success; ebar.update(evDone, { ok: evOk, cell: `${c.task} on ${c.embodiment}` }); },
  }).finally(() => ebar.stop());
  for (const c of ev.cells) console.log(`  ${c.task.padEnd(18)} ${c.embodiment.padEnd(9)} ${c.success.successes}/${c.success.n}${c.roomErrorCm !== null ? `  room error ${c.roomErrorCm.toFixed(1)} cm` : ''}`);
  console.log(`\nDone in ${((performance.now() - t0) / 60000).toFixed(1)} min: overall success ${ev.overall.successes}/${ev.overall.n} (a ${o.steps}-step model on ${o.episodes} demonstrations per task: a smoke test of the loop, not the recipe)`);
  console.log(`  datasets:      ${datasets.join(', ')}`);
  console.log(`  model version: ${r.versionDir} (MODEL_CARD.md inside)`);
  console.log(`  loss curve:    ${join(runDir, 'loss.png')}`);
  console.log(`  report:        ${join(report, 'report.html')} (and report.md, results.json, failure videos)`);
  return { datasets, model: r.versionDir, report, successRate: ev.overall.rate };
}
