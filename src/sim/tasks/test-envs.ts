// For the sector tests: task envs (cameras off) built once per task, arm and phrasing and shared by a test file's
// tests, disposed after it.
import { afterAll } from 'vitest';
import type { Env } from '../env.ts';
import { createTaskEnv } from './registry.ts';
import type { TaskInstance } from './types.ts';

/** A `taskEnv(id, arm, phrasing)` for one test file; its envs are disposed when the file's tests are done. */
export function taskEnvCache(): (id: string, arm: string, phrasing?: 'train' | 'heldout') => Promise<{ env: Env; task: TaskInstance }> {
  const cache = new Map<string, { env: Env; task: TaskInstance }>();
  afterAll(() => { for (const r of cache.values()) r.env.dispose(); cache.clear(); });
  return async (id, arm, phrasing = 'train') => {
    const key = `${id}/${arm}/${phrasing}`;
    if (!cache.has(key)) cache.set(key, await createTaskEnv(id, { embodiment: arm, width: 0, height: 0, phrasing }));
    return cache.get(key)!;
  };
}
