import { describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { EnvPool } from './index.ts';
import { Env } from '../env.ts';

describe('EnvPool', () => {
  it('runs episodes on worker threads across both cores, with the same results as a local env', async () => {
    const pool = await EnvPool.create({ embodiment: 'kara6', width: 0, height: 0 }, { workers: 2 });
    try {
      const jobs = [0, 1, 2, 3].map((seed) => ({ seed, policy: 'pick-place' as const, maxSteps: 200 }));
      const results = await pool.runEpisodes(jobs);
      expect(results.map((r) => r.seed)).toEqual([0, 1, 2, 3]);
      expect(results.every((r) => r.success)).toBe(true);
      const threads = new Set(results.map((r) => r.worker));
      expect(threads.size).toBe(2);
      expect(threads.has(threadId)).toBe(false);
      // lock-step stepping gives exactly what a local env gives
      const [a, b] = await pool.resetAll([7, 7]);
      expect(b!.observation.proprio.jointPos).toEqual(a!.observation.proprio.jointPos);
      const steps = await pool.stepAll([[0.01, 0, 0, 0, 0, 0, 0], [0.01, 0, 0, 0, 0, 0, 0]]);
      const local = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
      local.reset(7);
      const mine = local.step([0.01, 0, 0, 0, 0, 0, 0]);
      expect(Array.from(steps[0]!.observation.proprio.jointPos)).toEqual(Array.from(mine.observation.proprio.jointPos));
      local.dispose();
      // a bad action fails that call with the env's message, and the pool keeps working
      await expect(pool.stepAll([[NaN, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]])).rejects.toThrow(/action\[0\] \(dx\) is NaN/);
      expect((await pool.stepAll([[0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]])).length).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('resets and steps one env alone, as a local env would', async () => {
    const pool = await EnvPool.create({ embodiment: 'kara6', width: 0, height: 0 }, { workers: 2 });
    const local = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    try {
      await pool.resetAll([1, 2]);
      const r = await pool.reset(1, 9);
      expect(r.privileged).toEqual(local.reset(9).privileged);
      const s = await pool.step(1, [0.01, 0, 0, 0, 0, 0, 1]);
      expect(s.observation.proprio.eePos).toEqual(local.step([0.01, 0, 0, 0, 0, 0, 1]).observation.proprio.eePos);
      expect(() => pool.reset(2, 0)).toThrow(/no env 2 \(the pool has 2\)/);
    } finally {
      await pool.close();
      local.dispose();
    }
  });

  it('gives workers a task module: its hooks place objects and decide success, its expert runs the episodes', async () => {
    const pool = await EnvPool.create({ embodiment: 'kara6', width: 0, height: 0 }, { workers: 2, taskModule: new URL('./example-task.ts', import.meta.url) });
    try {
      const starts = await pool.resetAll([1, 2]);
      for (const s of starts) {
        expect(s.privileged.objects.cube!.pos[1]).toBeCloseTo(0.05, 2); // placed by the task's hook, not the default
        expect([0.36, 0.38, 0.4, 0.42].some((x) => Math.abs(s.privileged.objects.cube!.pos[0] - x) < 0.003)).toBe(true);
      }
      const results = await pool.runEpisodes([0, 1].map((seed) => ({ seed, policy: 'task' as const, maxSteps: 200 })));
      expect(results.map((r) => r.success)).toEqual([true, true]);
    } finally {
      await pool.close();
    }
    const bare = await EnvPool.create({ embodiment: 'kara6', width: 0, height: 0 }, { workers: 1 });
    await expect(bare.runEpisodes([{ seed: 0, policy: 'task', maxSteps: 5 }])).rejects.toThrow(/needs a task module/);
    await bare.close();
  });

  it('reports a bad config from the workers', async () => {
    await expect(EnvPool.create({ embodiment: 'nope' }, { workers: 1 })).rejects.toThrow(/unknown embodiment 'nope'/);
  });
});
