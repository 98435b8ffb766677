// Recording datasets from the simulator: the sector tasks' scripted experts (or, for perception data, random arm motion
// among the objects: policy wander) run in worker threads (EnvPool with the
// sector-task module, cameras on), each finished episode comes back as a Rollout and is written to a LeRobot v3.0
// dataset in seed order (a small reorder buffer keeps the dataset the same whatever thread finished first). Every
// episode is durable once written (staged), so a killed run can be repaired up to its last finished episode.
import { resolveEmbodiment } from '../sim/embodiments/index.ts';
import { EnvPool } from '../sim/pool/index.ts';
import { CAMERAS } from '../sim/world.ts';
import { task, taskEnvConfig } from '../sim/tasks/registry.ts';
import type { PoolTaskArgs } from '../sim/tasks/pool-task.ts';
import type { EpisodeResult } from '../sim/pool/index.ts';
import { DatasetWriter } from './lerobot/writer.ts';
import { simFeatures } from './record/sim-features.ts';
import { rolloutToEpisode } from './record/episode.ts';

export interface CollectOptions {
  tasks: string[];
  embodiment: string;
  /** Episodes per task (seeds tried per task with onlySuccess). */
  episodes: number;
  out: string;
  seedStart?: number;
  workers?: number;
  /** Camera width and height (px; >= 64 for AV1). */
  size?: number;
  depth?: boolean;
  /** DART perturbation (EnvConfig.actionNoise, m): the executed deltas get noise, the recorded actions stay the expert's. */
  actionNoise?: number;
  /** Sparse DART pushes (EnvConfig.actionJolts): a share `rate` of the executed deltas is pushed by [min, max] m. */
  actionJolts?: { rate: number; min: number; max: number };
  /** Keep only successful episodes (default: record both, flagged). */
  onlySuccess?: boolean;
  /**
   * Who moves the arm: 'expert' (the task's scripted expert: demonstrations, the default) or 'wander' (random motion
   * among the objects for `wanderSteps` steps: perception data for the room head, not demonstrations; the
   * provenance says policy wander and training refuses its actions).
   */
  policy?: 'expert' | 'wander';
  /** Steps of a wander episode (default 16). */
  wanderSteps?: number;
  contributor?: string;
  license?: string;
  onEpisode?: (info: { task: string; seed: number; success: boolean; steps: number; written: number }) => void;
}

/** How a recording's provenance names its pushes ("rate,min,max"), so that a reuse check can compare them. */
export const joltsTag = (j: { rate: number; min: number; max: number }): string => `${j.rate},${j.min},${j.max}`;

export interface CollectSummary { episodes: number; successes: number; frames: number; seconds: number; dir: string }

export async function collect(o: CollectOptions): Promise<CollectSummary> {
  const e = resolveEmbodiment(o.embodiment);
  const size = o.size ?? 96, fps = 20, seed0 = o.seedStart ?? 0;
  const defs = o.tasks.map(task);
  for (const d of defs) if (!d.embodiments.includes(e.id)) throw new Error(`collect: task '${d.id}' is not offered on embodiment '${e.id}' (it is on: ${d.embodiments.join(', ')})`);
  const wander = o.policy === 'wander', wanderSteps = o.wanderSteps ?? 16;
  if (wander && o.onlySuccess) throw new Error("collect: onlySuccess needs policy 'expert' (a wander episode is not a task attempt, it never succeeds)");
  if (wander && !(Number.isInteger(wanderSteps) && wanderSteps >= 1)) throw new RangeError(`collect: wanderSteps must be a positive integer, got ${wanderSteps}`);
  const cameras = [CAMERAS.scene, CAMERAS.wrist];
  const features = simFeatures(e, { cameras, width: size, height: size, fps, depth: o.depth ?? false });
  const writer = await DatasetWriter.create(o.out, {
    fps, robotType: e.id, features,
    provenance: {
      contributor: o.contributor ?? 'karakuri-sim', license: o.license ?? 'Apache-2.0', source: wander ? 'simulation (MuJoCo, random arm motion among the objects: not demonstrations)' : 'simulation (MuJoCo, scripted experts)',
      ...(wander ? { policy: 'wander', wanderSteps: String(wanderSteps) } : {}),
      ...(o.actionNoise ? { actionNoise: String(o.actionNoise) } : {}),
      ...(o.actionJolts ? { actionJolts: joltsTag(o.actionJolts) } : {}),
      ...(o.onlySuccess ? { onlySuccess: 'true', seedsPerTask: String(o.episodes) } : {}),
      embodiment: e.id, sectors: [...new Set(defs.map((d) => d.sector))].join(','), tasks: defs.map((d) => d.id).join(','),
    },
  });
  const t0 = performance.now();
  let written = 0, successes = 0, frames = 0;
  for (const def of defs) {
    const pool = await EnvPool.create(taskEnvConfig(def, e, { embodiment: e, width: size, height: size, history: 1, actionNoise: o.actionNoise ?? 0, ...(o.actionJolts ? { actionJolts: o.actionJolts } : {}) }), {
      workers: o.workers, taskModule: new URL('../sim/tasks/pool-task.ts', import.meta.url), taskArgs: { task: def.id } satisfies PoolTaskArgs,
    });
    try {
      const jobs = Array.from({ length: o.episodes }, (_, i) => ({ seed: seed0 + i, policy: wander ? 'wander' as const : 'task' as const, maxSteps: wander ? wanderSteps : def.maxSteps, record: true }));
      // write in seed order: results arrive in completion order
      const ready = new Map<number, EpisodeResult>();
      let next = 0;
      let writing = Promise.resolve();
      const flush = async () => {
        while (ready.has(jobs[next]?.seed ?? -1)) {
          const r = ready.get(jobs[next]!.seed)!;
          ready.delete(r.seed);
          next++;
          if (!o.onlySuccess || r.success) {
            await writer.addEpisode(rolloutToEpisode(r.rollout!, { taskId: def.id, sector: def.sector }, { depth: o.depth ?? false }));
            written++; frames += r.rollout!.length; if (r.success) successes++;
          }
          o.onEpisode?.({ task: def.id, seed: r.seed, success: r.success, steps: r.steps, written });
        }
      };
      await pool.runEpisodes(jobs, (r) => {
        ready.set(r.seed, r);
        writing = writing.then(flush);
      });
      await writing;
    } finally {
      await pool.close();
    }
  }
  await writer.finalize();
  return { episodes: written, successes, frames, seconds: (performance.now() - t0) / 1000, dir: o.out };
}
