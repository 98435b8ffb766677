// The simulation core with real MuJoCo: world assembly, determinism, controller accuracy, observations, bad input,
// and pick-and-place by a scripted controller on all three arms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env } from './env.ts';
import { mujoco, compileMjcf, MjcfError } from './mujoco.ts';
import { assembleWorld, injectIntoBody } from './world.ts';
import { EMBODIMENTS, embodiment, parseEmbodiment } from './embodiments/index.ts';
import { runPickPlace } from './experts/pick-place.ts';

const ARMS = ['kara6', 'kara7', 'widowx250'] as const;
const cube = (id: string) => [{ name: 'cube', shape: 'box' as const, size: id === 'widowx250' ? [0.015, 0.015, 0.015] : [0.02, 0.02, 0.02] }];

describe('worlds and embodiments', () => {
  it.each(ARMS)('%s compiles with its cameras, sensors and a position actuator per arm joint', async (id) => {
    const mj = await mujoco();
    const w = assembleWorld({ embodiment: embodiment(id), objects: cube(id) });
    const m = compileMjcf(mj, w.xml, w.files);
    expect(m.ncam).toBe(2);
    expect(m.nsensor).toBe(4);
    expect(m.nu).toBe(embodiment(id).armJoints.length + 1);
    expect(m.opt.timestep).toBeLessThanOrEqual(0.002); // 500 Hz or finer
    m.delete();
  });
  it('own arms differ in DoF and link lengths', () => {
    expect(embodiment('kara6').armJoints).toHaveLength(6);
    expect(embodiment('kara7').armJoints).toHaveLength(7);
    expect(() => embodiment('ur5')).toThrow(/unknown embodiment 'ur5' \(known: kara6, kara7, widowx250\)/);
    expect(EMBODIMENTS.size).toBe(3);
  });
  it('a new arm needs only a description, which is validated', () => {
    const base = { ...embodiment('widowx250') } as Record<string, unknown>;
    expect(() => parseEmbodiment({ ...base, home: [0, 0] }, 'my-arm')).toThrow(/embodiment my-arm: .*home has 2 values for 6 arm joints/);
    expect(() => parseEmbodiment({ ...base, id: 'Bad Id' }, 'my-arm')).toThrow(/id/);
    expect(() => parseEmbodiment({ ...base, extra: 1 }, 'my-arm')).toThrow(/extra/);
  });
});

describe('bad MJCF', () => {
  it('names the element and line of invalid MJCF', async () => {
    const mj = await mujoco();
    expect(() => compileMjcf(mj, '<mujoco>\n<worldbody>\n  <bogus/>\n</worldbody></mujoco>')).toThrow(/Element 'bogus', line 3/);
    expect(() => compileMjcf(mj, '<mujoco><worldbody><geom type="box"/></worldbody></mujoco>')).toThrow(MjcfError);
  });
  it('names a missing mesh file', async () => {
    const mj = await mujoco();
    expect(() => compileMjcf(mj, '<mujoco><asset><mesh file="assets/missing_link.stl"/></asset></mujoco>')).toThrow(/missing_link\.stl/);
  });
  it('names a body missing from an arm description', () => {
    expect(() => injectIntoBody('<mujoco><worldbody><body name="a"></body></worldbody></mujoco>', 'hand', '<site/>')).toThrow(/no body named 'hand'/);
  });
});

describe('Env', () => {
  let env: Env;
  beforeAll(async () => { env = await Env.create({ embodiment: 'kara6', width: 32, height: 24, history: 3 }); });
  afterAll(() => env.dispose());

  it('observations have every modality with the right shapes, privileged state kept apart', () => {
    const { observation: o, privileged } = env.reset(3);
    expect(Object.keys(o.images).sort()).toEqual(['scene', 'wrist']);
    expect(o.images.scene).toHaveLength(3);
    expect(o.images.scene![0]!.rgb).toHaveLength(32 * 24 * 3);
    expect(o.images.wrist![0]!.depth).toHaveLength(32 * 24);
    const d = o.images.scene![2]!.depth;
    expect(Math.min(...d)).toBeGreaterThan(0.2); // metric depth: the scene camera is > 1 m away, nothing is at 0
    expect(o.proprio.jointPos).toHaveLength(6);
    expect(o.proprio.jointVel).toHaveLength(6);
    expect(o.proprio.eeQuat.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 6);
    expect(o.proprio.gripper).toBeGreaterThan(0.9);
    expect(o.embodiment).toBe('kara6');
    expect(o.wrench.force).toHaveLength(3);
    expect(o).not.toHaveProperty('objects');
    expect(Object.keys(privileged.objects)).toEqual(['cube']);
    expect(privileged.objects.cube!.pos[2]).toBeCloseTo(0.02, 2); // resting on the table top (z = 0)
  });

  it('is deterministic: two envs, same seed and actions, bit-identical observations (every field); another seed differs', async () => {
    const other = await Env.create({ embodiment: 'kara6', width: 32, height: 24, history: 3 });
    const run = (e: Env, seed: number) => {
      const out: unknown[] = [e.reset(seed)];
      for (let i = 0; i < 10; i++) out.push(e.step([0.01, -0.005, -0.01, 0, 0.02, 0.05, i > 4 ? 1 : 0]));
      return out;
    };
    const a = run(env, 11), b = run(other, 11), c = run(other, 12);
    expect(b).toEqual(a); // typed arrays compare element by element: images, depth, joints, wrench, touch, privileged
    expect(c).not.toEqual(a);
    other.dispose();
  });

  // Open loop: 6 actions of 1 cm (0.2 m/s) along each axis, then 10 zero actions. The deltas add up in the
  // controller's target, so the arm ends where the sum of the commands says; while moving it lags the commanded path.
  const TRACK = { kara6: { lag: 12, final: 1 }, kara7: { lag: 12, final: 1 }, widowx250: { lag: 25, final: 2 } } as const;
  it.each(ARMS)('%s: commanded vs achieved end-effector displacement (mm)', async (id) => {
    const e = await Env.create({ embodiment: id, width: 0, height: 0 });
    for (const dir of [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, -1], [-0.6, 0.6, 0.5]]) {
      const p0 = e.reset(0).observation.proprio.eePos;
      const achieved = (o: { proprio: { eePos: number[] } }) => o.proprio.eePos.map((v, k) => v - p0[k]!);
      let lag = 0, o;
      for (let i = 1; i <= 6; i++) {
        o = e.step([...dir.map((v) => v * 0.01), 0, 0, 0, 0]).observation;
        lag = Math.max(lag, 1000 * Math.hypot(...achieved(o).map((v, k) => v - dir[k]! * 0.01 * i)));
      }
      for (let i = 0; i < 10; i++) o = e.step([0, 0, 0, 0, 0, 0, 0]).observation;
      const final = 1000 * Math.hypot(...achieved(o!).map((v, k) => v - dir[k]! * 0.06));
      expect(lag, `${id} ${dir}: largest lag behind the commanded path`).toBeLessThan(TRACK[id].lag);
      expect(final, `${id} ${dir}: commanded ${Math.hypot(...dir) * 60} mm, final error`).toBeLessThan(TRACK[id].final);
    }
    e.dispose();
  });

  it.each(ARMS)('%s reaches a goal 11.5 cm away within 2 mm in 25 steps by closed-loop deltas, without ringing', async (id) => {
    const e = await Env.create({ embodiment: id, width: 0, height: 0 });
    for (const feedback of ['target', 'measured'] as const) {
      let r = e.reset(0);
      const start = r.observation.proprio.eePos;
      const goal = [start[0] - 0.06, start[1] + 0.05, start[2] + 0.08];
      const errors: number[] = [];
      for (let i = 0; i < 25; i++) {
        // an expert steps from the controller's target (privileged); a policy only sees the measured pose
        const t = feedback === 'target' ? r.privileged.eeTarget.pos : r.observation.proprio.eePos;
        r = e.step([...goal.map((g, k) => Math.max(-0.02, Math.min(0.02, g - t[k]!))), 0, 0, 0, 0]);
        errors.push(Math.hypot(...goal.map((g, k) => g - r.observation.proprio.eePos[k]!)));
      }
      expect(errors.at(-1)!, `${feedback}: final error`).toBeLessThan(0.002);
      expect(errors[12]!).toBeLessThan(errors[0]! / 2); // steady progress, not a late jump
      const settle = feedback === 'target' ? 16 : 20;
      for (let i = settle; i < 25; i++) expect(errors[i]!, `${feedback}: step ${i}`).toBeLessThan(errors[i - 1]! + 0.0005); // no ringing near the goal
    }
    e.dispose();
  });

  it('holds orientation under pure translation and follows a commanded rotation', () => {
    const { observation } = env.reset(0);
    const q0 = observation.proprio.eeQuat;
    let o = observation;
    for (let i = 0; i < 5; i++) o = env.step([0.01, 0, 0, 0, 0, 0, 0]).observation;
    const dot = Math.abs(q0.reduce((s, v, k) => s + v * o.proprio.eeQuat[k]!, 0));
    expect(2 * Math.acos(Math.min(1, dot))).toBeLessThan(0.05); // < 3 degrees of drift
    for (let i = 0; i < 6; i++) o = env.step([0, 0, 0, 0, 0, 0.1, 0]).observation; // 0.6 rad about world z
    for (let i = 0; i < 10; i++) o = env.step([0, 0, 0, 0, 0, 0, 0]).observation; // the rotation target holds
    const dot2 = Math.abs(q0.reduce((s, v, k) => s + v * o.proprio.eeQuat[k]!, 0));
    expect(2 * Math.acos(Math.min(1, dot2))).toBeCloseTo(0.6 + 0.0, 1);
  });

  it('rejects non-finite and out-of-range actions without touching the simulator state', () => {
    env.reset(5);
    env.step([0.01, 0, 0, 0, 0, 0, 0]);
    const snapshot = Float64Array.from(env.data.qpos as Float64Array);
    const time = env.data.time;
    expect(() => env.step([0, NaN, 0, 0, 0, 0, 0])).toThrow(/action\[1\] \(dy\) is NaN/);
    expect(() => env.step([0, 0, 0, 0, 0, 0, Infinity])).toThrow(/action\[6\] \(gripper\) is Infinity/);
    expect(() => env.step([0.5, 0, 0, 0, 0, 0, 0])).toThrow(/action\[0\] \(dx\) = 0.5 is outside \[-0.05, 0.05\]/);
    expect(() => env.step([0, 0, 0])).toThrow(/3 components; the ee action space of this embodiment has 7/);
    expect(Array.from(env.data.qpos as Float64Array)).toEqual(Array.from(snapshot));
    expect(env.data.time).toBe(time);
  });

  it('clamps and counts out-of-range actions when configured to', async () => {
    const e = await Env.create({ embodiment: 'kara6', width: 0, height: 0, clampActions: true });
    e.reset(0);
    const r = e.step([0.5, 0, 0, 0, 0, 0, 2]);
    expect(r.info.clampedActions).toBe(2);
    expect(e.clampedTotal).toBe(2);
    expect(() => e.step([NaN, 0, 0, 0, 0, 0, 0])).toThrow(/NaN/); // non-finite is never clamped
    e.dispose();
  });

  it('joint-space actions drive the joints to their targets', async () => {
    const e = await Env.create({ embodiment: 'kara7', width: 0, height: 0, actionMode: 'joint' });
    e.reset(0);
    const target = [0.3, 0.5, -0.2, 1.5, 0.1, 0.8, 0.4];
    let o = e.step([...target, 0]).observation;
    for (let i = 0; i < 20; i++) o = e.step([...target, 0]).observation;
    o.proprio.jointPos.forEach((q, i) => expect(q).toBeCloseTo(target[i]!, 1));
    expect(() => e.step([...target.slice(0, 6), 9, 0])).toThrow(/action\[6\] \(joint 6\) = 9 is outside/);
    e.dispose();
  });

  it('rejects bad configs naming the field', async () => {
    await expect(Env.create({ embodiment: 'kara6', width: -1 })).rejects.toThrow(/width/);
    await expect(Env.create({ embodiment: 'kara6', fps: 3 } as never)).rejects.toThrow(/fps/);
    await expect(Env.create({ embodiment: 'nope' })).rejects.toThrow(/unknown embodiment 'nope'/);
  });
});

describe('pick and place by a scripted controller (friction grasp, no welds)', () => {
  it.each(ARMS)('%s picks the cube up and places it 10 cm away', async (id) => {
    const env = await Env.create({ embodiment: id, width: 0, height: 0, objects: cube(id) });
    for (const seed of [0, 1]) {
      const start = env.reset(seed);
      const o = start.privileged.objects.cube!.pos;
      const goal: [number, number] = [o[0], o[1] > 0 ? o[1] - 0.1 : o[1] + 0.1];
      let lifted = false;
      const origStep = env.step.bind(env);
      env.step = (a) => { const r = origStep(a); if (r.privileged.objects.cube!.pos[2] > o[2] + 0.05) lifted = true; return r; };
      const r = runPickPlace(env, start, { object: 'cube', goal, restHeight: o[2] });
      env.step = origStep;
      expect(lifted, `${id} seed ${seed}: the cube was lifted off the table`).toBe(true);
      expect(r.success, `${id} seed ${seed}: ${JSON.stringify(r)}`).toBe(true);
      expect(r.finalDistance).toBeLessThan(0.02);
    }
    env.dispose();
  });
});
