// Observations over an episode: the end-effector quaternion stays on one side (q and -q are the same rotation;
// MuJoCo's matrix-to-quaternion choice switches sides as the wrist turns, which a learned policy would see as a jump).
import { describe, expect, it } from 'vitest';
import { Env } from './env.ts';

describe('observation', () => {
  it.each(['kara6', 'widowx250'])('%s: eeQuat is continuous while the wrist turns 3.6 rad, and is the measured orientation', async (id) => {
    const env = await Env.create({ embodiment: id, width: 0, height: 0 });
    let prev = env.reset(0).observation.proprio.eeQuat;
    for (let i = 0; i < 60; i++) {
      const o = env.step([0, 0, 0, 0.02 * Math.sin(i / 9), 0.02 * Math.cos(i / 11), 0.06, 0]).observation;
      const q = o.proprio.eeQuat;
      expect(q.reduce((s, v, k) => s + v * prev[k]!, 0), `step ${i}`).toBeGreaterThan(0.9); // neighbours, not antipodes
      const measured = env.eePose().quat;
      expect(Math.abs(q.reduce((s, v, k) => s + v * measured[k]!, 0))).toBeCloseTo(1, 12); // the same rotation
      prev = q;
    }
    env.dispose();
  });
});
