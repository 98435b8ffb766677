// Policy latency for the review: Policy.infer at batch 1 on a fixed set of real simulator observations (a few short
// episodes of the suite's first cells, reset on the review's seeds, moved by a fixed motion), in episode order with
// policy.reset() at each episode's start (as a robot would call it: past frames come from the policy's cache), on a
// pinned number of libtorch threads. Returns every call's wall time (ms); the p99 and its interval are decide.ts's.
import * as torch from '../torch/index.ts';
import { Policy } from '../model/policy.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import type { Observation } from '../sim/observation.ts';

export interface LatencyOptions {
  cells: { task: string; embodiment: string }[];
  seedStart: number;
  observations: number;
  warmup: number;
  iterations: number;
  threads: number;
}
export interface LatencyResult { samplesMs: number[]; threads: number; openblasThreads: string | null; observations: number; episodes: number }

const STEPS_PER_EPISODE = 6;

export async function measureLatency(modelDir: string, o: LatencyOptions): Promise<LatencyResult> {
  const policy = await Policy.load(modelDir);
  const before = torch.getNumThreads();
  try {
    const [size] = policy.cfg.vision.imageSize, history = policy.cfg.history;
    const episodes: Observation[][] = [];
    const cells = o.cells.slice(0, 3);
    const envs = await Promise.all(cells.map(async (c) => (await createTaskEnv(c.task, { embodiment: c.embodiment, width: size, height: size, history })).env));
    try {
      for (let i = 0, n = 0; n < o.observations; i++) {
        const env = envs[i % envs.length]!;
        let obs = env.reset(o.seedStart + i).observation;
        const ep: Observation[] = [];
        for (let k = 0; k < STEPS_PER_EPISODE && n < o.observations; k++, n++) {
          ep.push(obs);
          obs = env.step([0.005 * Math.sin(k), 0.004, -0.003, 0, 0, 0, k % 2]).observation;
        }
        episodes.push(ep);
      }
    } finally { for (const e of envs) e.dispose(); }
    const seq = episodes.flatMap((ep) => ep.map((obs, k) => ({ obs, start: k === 0 })));
    torch.setNumThreads(o.threads);
    const call = (i: number) => { const s = seq[i % seq.length]!; if (s.start) policy.reset(); policy.infer(s.obs); };
    for (let i = 0; i < o.warmup; i++) call(i);
    const samplesMs: number[] = [];
    for (let i = 0; i < o.iterations; i++) {
      const t0 = performance.now();
      call(i);
      samplesMs.push(performance.now() - t0);
    }
    return { samplesMs, threads: o.threads, openblasThreads: process.env.OPENBLAS_NUM_THREADS ?? null, observations: seq.length, episodes: episodes.length };
  } finally {
    torch.setNumThreads(before);
    policy.dispose();
  }
}
