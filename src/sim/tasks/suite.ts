// The expert table: every task's scripted expert on every embodiment it is offered on, over a range of seeds, in
// worker threads (EnvPool with the sector-task module), cameras off. Gives success, mean episode length and
// throughput per cell; `karakuri sim experts` prints it and bench/sim/experts.ts records the 100-seed version.
import { resolveEmbodiment } from '../embodiments/index.ts';
import { EnvPool, type EpisodeResult } from '../pool/index.ts';
import { task, taskEnvConfig, TASKS } from './registry.ts';
import type { PoolTaskArgs } from './pool-task.ts';
import type { Sector } from './types.ts';
import type { EnvConfigInput } from '../env.ts';

export interface ExpertCell {
  task: string;
  sector: Sector;
  embodiment: string;
  episodes: number;
  successes: number;
  successRate: number;
  meanSteps: number;
  /** Episodes per minute of wall time with `workers` threads (simulation only, no cameras). */
  episodesPerMinute: number;
  workers: number;
  /** Seeds whose episode failed (to look at them). */
  failedSeeds: number[];
}

export interface SuiteOptions {
  /** Task ids (default all). */
  tasks?: string[];
  /** Limit to these embodiments (default: every embodiment each task is offered on). */
  embodiments?: string[];
  episodes: number;
  /** First seed; episode i uses seed seedStart + i. */
  seedStart?: number;
  workers?: number;
  /** DART perturbation of the executed actions (EnvConfig actionNoise / actionJolts; default none). */
  perturbation?: Pick<EnvConfigInput, 'actionNoise' | 'actionJolts'>;
  onEpisode?: (cell: { task: string; embodiment: string }, r: EpisodeResult) => void;
}

/** The (task, embodiment) cells a suite run covers, in table order. */
export function suiteCells(opts: Pick<SuiteOptions, 'tasks' | 'embodiments'>): { task: string; embodiment: string }[] {
  const ids = opts.tasks ?? [...TASKS.keys()];
  const cells: { task: string; embodiment: string }[] = [];
  for (const id of ids) {
    const def = task(id);
    for (const e of def.embodiments) if (!opts.embodiments || opts.embodiments.includes(e)) cells.push({ task: id, embodiment: e });
  }
  for (const e of opts.embodiments ?? []) {
    if (!cells.some((c) => c.embodiment === e)) throw new Error(`no selected task is offered on embodiment '${e}'`);
  }
  return cells;
}

export async function runExpertSuite(opts: SuiteOptions): Promise<ExpertCell[]> {
  const out: ExpertCell[] = [];
  const seed0 = opts.seedStart ?? 0;
  for (const cell of suiteCells(opts)) {
    const def = task(cell.task);
    const e = resolveEmbodiment(cell.embodiment);
    const pool = await EnvPool.create(taskEnvConfig(def, e, { embodiment: e, width: 0, height: 0, ...opts.perturbation }), {
      workers: opts.workers, taskModule: new URL('./pool-task.ts', import.meta.url), taskArgs: { task: def.id } satisfies PoolTaskArgs,
    });
    try {
      const t0 = performance.now();
      const jobs = Array.from({ length: opts.episodes }, (_, i) => ({ seed: seed0 + i, policy: 'task' as const, maxSteps: def.maxSteps }));
      const results = await pool.runEpisodes(jobs, (r) => opts.onEpisode?.(cell, r));
      const minutes = (performance.now() - t0) / 60000;
      const successes = results.filter((r) => r.success).length;
      out.push({
        task: def.id, sector: def.sector, embodiment: e.id, episodes: results.length, successes,
        successRate: successes / Math.max(1, results.length),
        meanSteps: results.reduce((s, r) => s + r.steps, 0) / Math.max(1, results.length),
        episodesPerMinute: results.length / minutes, workers: pool.size,
        failedSeeds: results.filter((r) => !r.success).map((r) => r.seed),
      });
    } finally {
      await pool.close();
    }
  }
  return out;
}

/** The table as Markdown (README, BENCHMARKS.md). */
export function expertTableMarkdown(cells: ExpertCell[]): string {
  const rows = cells.map((c) => `| ${c.task} | ${c.sector} | ${c.embodiment} | ${c.successes}/${c.episodes} (${(100 * c.successRate).toFixed(0)}%) | ${c.meanSteps.toFixed(1)} | ${c.episodesPerMinute.toFixed(0)} |`);
  return ['| task | sector | embodiment | success | mean steps | episodes/min |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The table as aligned text (terminal). */
export function expertTableText(cells: ExpertCell[]): string {
  const head = ['task', 'sector', 'embodiment', 'success', 'rate', 'mean steps', 'episodes/min'];
  const rows = cells.map((c) => [c.task, c.sector, c.embodiment, `${c.successes}/${c.episodes}`, `${(100 * c.successRate).toFixed(1)}%`, c.meanSteps.toFixed(1), c.episodesPerMinute.toFixed(0)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i >= 3 ? v.padStart(w[i]!) : v.padEnd(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
