// EnvConfig.actionNoise, the DART perturbation for recording demonstrations: executed end-effector position deltas
// get seeded Gaussian noise of the configured deviation (rotation and gripper untouched), the same for a seed, and a
// closed-loop expert still solves its task while what it commanded (what a recording keeps) stays clean; and
// EnvConfig.actionJolts, rare centimetre-sized pushes of the executed delta that the expert recovers from.
import { describe, expect, it } from 'vitest';
import { Env } from './env.ts';
import { createTaskEnv } from './tasks/registry.ts';

const cmd = (i: number) => [0.004 * Math.sin(i), 0.003, -0.002 * Math.cos(i), 0, 0, 0.01, i % 2];

async function noisyRun(seed: number, sigma: number, steps: number): Promise<{ executed: number[][]; targets: number[][] }> {
  const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0, actionNoise: sigma });
  try {
    env.reset(seed);
    const executed: number[][] = [], targets: number[][] = [];
    for (let i = 0; i < steps; i++) {
      const r = env.step(cmd(i));
      executed.push(r.info.executedAction ?? cmd(i));
      targets.push([...r.privileged.eeTarget.pos]);
    }
    return { executed, targets };
  } finally {
    env.dispose();
  }
}

describe('actionNoise (DART perturbation)', () => {
  it('perturbs the executed position deltas by N(0, sigma), only those, and the same way for a seed', async () => {
    const sigma = 0.004, n = 120;
    const a = await noisyRun(3, sigma, n), b = await noisyRun(3, sigma, n), c = await noisyRun(4, sigma, n);
    expect(a.executed).toEqual(b.executed);
    expect(a.targets).toEqual(b.targets);
    expect(a.executed).not.toEqual(c.executed);
    const noise = a.executed.flatMap((e, i) => [0, 1, 2].map((k) => e[k]! - cmd(i)[k]!));
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(0.001); // 3.5 standard errors of the mean at n = 360
    expect(std).toBeGreaterThan(0.8 * sigma);
    expect(std).toBeLessThan(1.2 * sigma);
    for (const [i, e] of a.executed.entries()) expect(e.slice(3)).toEqual(cmd(i).slice(3));
    const clean = await noisyRun(3, 0, 3);
    expect(clean.executed).toEqual([0, 1, 2].map(cmd)); // no executedAction without noise: the command itself
  });

  it('is refused in joint mode, naming the setting', async () => {
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, actionMode: 'joint', actionNoise: 0.003 })).rejects.toThrow(/actionNoise .*needs actionMode 'ee'/);
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, actionNoise: 0.5 })).rejects.toThrow(/actionNoise/);
  });

  it('the expert recovers: it still solves the task, from a perturbed path, and its commands stay clean', async () => {
    const { env, task } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0, actionNoise: 0.004 });
    const clean = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0 });
    try {
      let solved = 0;
      for (const seed of [0, 1, 2, 3]) {
        const commanded: number[][] = [], executed: number[][] = [];
        const r = task.expert(env, env.reset(seed), { maxSteps: 200, onStep: (s, a) => { commanded.push([...a]); executed.push(s.info.executedAction!); } });
        const ref = clean.task.expert(clean.env, clean.env.reset(seed), { maxSteps: 200 });
        if (r.success) solved++;
        expect(ref.success).toBe(true);
        // what the expert commanded is not what ran: the recording keeps the command, the arm moved by the other
        expect(commanded.some((c, i) => Math.abs(c[0]! - executed[i]![0]!) > 1e-4)).toBe(true);
        for (const c of commanded) expect(Math.max(...c.slice(0, 3).map(Math.abs))).toBeLessThanOrEqual(0.03 + 1e-9);
      }
      expect(solved).toBeGreaterThanOrEqual(3);
    } finally {
      env.dispose(); clean.env.dispose();
    }
  });
});

describe('actionJolts (sparse DART pushes)', () => {
  async function joltRun(seed: number, jolts: { rate: number; min: number; max: number }, steps: number): Promise<number[][]> {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0, actionJolts: jolts });
    try {
      env.reset(seed);
      return Array.from({ length: steps }, (_, i) => env.step(cmd(i)).info.executedAction!);
    } finally {
      env.dispose();
    }
  }
  it('pushes a share `rate` of the steps by a length in [min, max], position only, the same way for a seed', async () => {
    const j = { rate: 0.2, min: 0.01, max: 0.03 }, n = 300;
    const a = await joltRun(5, j, n), b = await joltRun(5, j, n), c = await joltRun(6, j, n);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const pushes = a.map((e, i) => Math.hypot(...[0, 1, 2].map((k) => e[k]! - cmd(i)[k]!))).filter((d) => d > 1e-12);
    expect(pushes.length / n).toBeGreaterThan(0.13); // 0.2 +- 3 standard deviations (0.023)
    expect(pushes.length / n).toBeLessThan(0.27);
    // the commands are small, so no push here is clipped by the 5 cm delta limit: each is its drawn length
    for (const d of pushes) { expect(d).toBeGreaterThanOrEqual(0.01 - 1e-9); expect(d).toBeLessThanOrEqual(0.03 + 1e-9); }
    for (const [i, e] of a.entries()) expect(e.slice(3)).toEqual(cmd(i).slice(3));
  });
  it('the expert recovers from the pushes on most seeds; bad settings are refused by name', async () => {
    const { env, task } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0, actionJolts: { rate: 0.05, min: 0.01, max: 0.03 } });
    try {
      let solved = 0, pushed = 0;
      for (const seed of [0, 1, 2, 3]) {
        const r = task.expert(env, env.reset(seed), { maxSteps: 200, onStep: (s, a) => { if (Math.hypot(...[0, 1, 2].map((k) => s.info.executedAction![k]! - a[k]!)) >= 0.01) pushed++; } });
        if (r.success) solved++;
      }
      expect(pushed).toBeGreaterThan(4); // ~5% of ~4 x 100 steps
      expect(solved).toBeGreaterThanOrEqual(3);
    } finally {
      env.dispose();
    }
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, actionMode: 'joint', actionJolts: { rate: 0.1, min: 0, max: 0.01 } })).rejects.toThrow(/actionJolts push end-effector deltas; they need actionMode 'ee'/);
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, actionJolts: { rate: 0.1, min: 0.03, max: 0.01 } })).rejects.toThrow(/actionJolts.*min must not exceed max/);
  });
});
