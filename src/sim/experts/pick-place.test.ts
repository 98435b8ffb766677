// The scripted pick-and-place expert beyond cubes: it turns the gripper about the vertical so the fingers close
// across a box's narrower side (a flat box at a random yaw does not fit the WidowX's 4.4 cm opening the long way).
import { describe, expect, it } from 'vitest';
import { Env } from '../env.ts';
import { mujocoSync, idOf } from '../mujoco.ts';
import { graspYaw, runPickPlace } from './pick-place.ts';

/** Angle between the fingers' closing direction and an object's y axis, folded into [0, pi/2]. */
function closingVsObjectY(env: Env, quat: readonly number[]): number {
  const mj = mujocoSync();
  const [l, r] = env.embodiment.gripper.fingerBodies.map((b) => idOf(mj, env.model, 'body', b)) as [number, number];
  const x = env.data.xpos as Float64Array;
  const closing = Math.atan2(x[3 * r + 1]! - x[3 * l + 1]!, x[3 * r]! - x[3 * l]!);
  const yaw = Math.atan2(2 * (quat[0]! * quat[3]! + quat[1]! * quat[2]!), 1 - 2 * (quat[2]! ** 2 + quat[3]! ** 2));
  const d = Math.abs(((closing - (yaw + Math.PI / 2)) % Math.PI + Math.PI) % Math.PI);
  return Math.min(d, Math.PI - d);
}

describe('pick-and-place expert', () => {
  it('grasps a flat box across its narrow side on the WidowX, whatever its yaw', async () => {
    // 4.5 x 2.2 x 1.8 cm: narrow along its y axis
    const env = await Env.create({ embodiment: 'widowx250', width: 0, height: 0, objects: [{ name: 'bar', shape: 'box', size: [0.0225, 0.011, 0.009] }] });
    for (const seed of [0, 1, 3]) {
      const start = env.reset(seed);
      const o = start.privileged.objects.bar!;
      expect(Math.abs(graspYaw(env, start.privileged, 'bar'))).toBeLessThanOrEqual(Math.PI / 2);
      let aligned = Infinity;
      const step = env.step.bind(env);
      env.step = (a) => {
        const r = step(a);
        if (r.privileged.grasped.includes('bar') && aligned === Infinity) aligned = closingVsObjectY(env, r.privileged.objects.bar!.quat);
        return r;
      };
      const r = runPickPlace(env, start, { object: 'bar', goal: [o.pos[0], o.pos[1] > 0 ? o.pos[1] - 0.1 : o.pos[1] + 0.1], restHeight: o.pos[2] });
      env.step = step;
      expect(r.success, `seed ${seed}: ${JSON.stringify(r)}`).toBe(true);
      expect(aligned, `seed ${seed}: fingers close along the bar's short (y) axis`).toBeLessThan(0.1);
    }
    env.dispose();
  });

  it('does not turn for round objects', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0, objects: [{ name: 'can', shape: 'cylinder', size: [0.02, 0.03] }] });
    const start = env.reset(4);
    expect(graspYaw(env, start.privileged, 'can')).toBe(0);
    env.dispose();
  });
});
