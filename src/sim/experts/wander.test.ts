// Wander episodes (perception data for the room head): the arm really moves among the objects, above them, with the
// gripper open; the visited objects are drawn without regard to which one the instruction names; a seed replays.
import { describe, expect, it } from 'vitest';
import { createTaskEnv } from '../tasks/registry.ts';
import { seededRandom } from '../random.ts';
import { runWander, wanderWaypoints } from './wander.ts';
import type { PrivilegedState } from '../observation.ts';

describe('wander', () => {
  it('moves the open gripper around above the objects of a real task scene, the same way for a seed', async () => {
    const { env } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0 });
    try {
      const trace = (seed: number) => {
        const start = env.reset(seed);
        const ee: number[][] = [], actions: number[][] = [];
        const r = runWander(env, start, seed, 24, (s, a) => { ee.push(Array.from(s.observation.proprio.eePos)); actions.push(a); });
        return { r, ee, actions, home: Array.from(start.observation.proprio.eePos) };
      };
      const a = trace(3);
      expect(a.r.steps).toBe(24);
      expect(a.ee).toHaveLength(24);
      const far = Math.max(...a.ee.map((p) => Math.hypot(p[0]! - a.home[0]!, p[1]! - a.home[1]!, p[2]! - a.home[2]!)));
      expect(far).toBeGreaterThan(0.05); // it goes somewhere, not a jitter at home
      for (const p of a.ee) expect(p[2]).toBeGreaterThan(0.05); // above the objects
      for (const act of a.actions) expect(act[6]).toBe(0); // gripper open: it never grasps
      const b = trace(3), c = trace(4);
      expect(b.ee).toEqual(a.ee);
      expect(c.ee).not.toEqual(a.ee);
    } finally {
      env.dispose();
    }
  }, 60_000);

  it('visits every object about equally often: the named target is not favoured', () => {
    const pos = (x: number): { pos: [number, number, number]; quat: [number, number, number, number] } => ({ pos: [x, 0, 0.02], quat: [1, 0, 0, 0] });
    const s = { objects: { target: pos(0.3), d1: pos(0.4), d2: pos(0.5) }, task: { target: 'target' } } as unknown as PrivilegedState;
    const wps = wanderWaypoints(s, seededRandom(1), 3000);
    const near = (x: number) => wps.filter((w) => Math.abs((w.pos as number[])[0]! - x) <= 0.06).length / wps.length;
    for (const x of [0.3, 0.4, 0.5]) expect(near(x)).toBeGreaterThan(0.25); // 1/3 each (the scatter bands touch)
    for (const w of wps) {
      const p = w.pos as number[];
      expect(p[2]).toBeGreaterThanOrEqual(0.07);
      expect(p[2]).toBeLessThanOrEqual(0.2);
    }
    expect(() => wanderWaypoints({ objects: {}, task: {} } as unknown as PrivilegedState, seededRandom(1), 1)).toThrow(/no objects/);
  });
});
