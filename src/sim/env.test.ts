// Env behaviour beyond the basics in sim.test.ts: recovery from bad actions and diverging physics, grasp detection,
// and the hooks sector tasks plug into (scene MJCF with its own mesh files, tracked bodies, placement, success).
import { describe, expect, it } from 'vitest';
import { Env, SimulationError, type EnvConfigInput } from './env.ts';
import { runPickPlace } from './experts/pick-place.ts';
import { TABLE } from './world.ts';

const fingerprint = (r: ReturnType<Env['step']>) => [
  ...r.observation.proprio.jointPos, ...r.observation.proprio.jointVel, ...r.observation.wrench.force, ...r.observation.touch,
  ...r.observation.images.wrist!.at(-1)!.rgb, ...r.observation.images.scene!.at(-1)!.depth, ...r.privileged.objects.cube!.pos,
];

describe('Env recovery', () => {
  it('after rejected actions the env steps exactly as one that never saw them', async () => {
    const cfg = { embodiment: 'kara7', width: 24, height: 16 } as const;
    const a = await Env.create(cfg), b = await Env.create(cfg);
    a.reset(9); b.reset(9);
    const act = (i: number) => [0.01, -0.004 * i, -0.006, 0, 0.02, 0, i > 3 ? 1 : 0];
    a.step(act(0)); b.step(act(0));
    for (const bad of [[NaN, 0, 0, 0, 0, 0, 0], [0, 0, 0, -Infinity, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1.5], [0.2, 0, 0, 0, 0, 0, 0], [0, 0]]) {
      expect(() => a.step(bad)).toThrow(/action/);
    }
    for (let i = 1; i < 8; i++) expect(fingerprint(a.step(act(i)))).toEqual(fingerprint(b.step(act(i))));
    a.dispose(); b.dispose();
  });

  it('a diverging physics step throws SimulationError, further steps refuse until reset, then all is well', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    env.reset(0);
    env.step([0, 0, 0, 0, 0, 0, 0]);
    (env.data.qvel as Float64Array)[env.model.nv - 1] = 1e12; // the cube spins impossibly fast: MuJoCo resets its data
    expect(() => env.step([0, 0, 0, 0, 0, 0, 0])).toThrow(SimulationError);
    expect(() => env.step([0, 0, 0, 0, 0, 0, 0])).toThrow(/diverged during step 2.*call reset\(\)/);
    const fresh = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    const [x, y] = [env.reset(4), fresh.reset(4)];
    expect(Array.from(x.observation.proprio.jointPos)).toEqual(Array.from(y.observation.proprio.jointPos));
    expect(Array.from(env.step([0.01, 0, 0, 0, 0, 0, 0]).observation.proprio.jointPos))
      .toEqual(Array.from(fresh.step([0.01, 0, 0, 0, 0, 0, 0]).observation.proprio.jointPos));
    env.dispose(); fresh.dispose();
  });
});

describe('grasp detection', () => {
  it.each(['kara6', 'kara7', 'widowx250'])('%s: privileged.grasped names the cube while it is lifted between the fingers (both touch pads feel it), not after release', async (id) => {
    const size = id === 'widowx250' ? 0.015 : 0.02;
    const env = await Env.create({ embodiment: id, width: 0, height: 0, objects: [{ name: 'cube', shape: 'box', size: [size, size, size] }] });
    const start = env.reset(2);
    expect(start.privileged.grasped).toEqual([]);
    const o = start.privileged.objects.cube!.pos;
    const seen: { lifted: boolean; grasped: string[]; touch: number[] }[] = [];
    const step = env.step.bind(env);
    env.step = (a) => { const r = step(a); seen.push({ lifted: r.privileged.objects.cube!.pos[2] > o[2] + 0.03, grasped: r.privileged.grasped, touch: r.observation.touch }); return r; };
    const r = runPickPlace(env, start, { object: 'cube', goal: [o[0], o[1] + (o[1] > 0 ? -0.1 : 0.1)], restHeight: o[2] });
    expect(r.success).toBe(true);
    const lifted = seen.filter((s) => s.lifted);
    expect(lifted.length).toBeGreaterThan(5);
    expect(lifted.every((s) => s.grasped.includes('cube'))).toBe(true);
    expect(lifted.every((s) => s.touch[0]! > 0.1 && s.touch[1]! > 0.1)).toBe(true);
    expect(seen.at(-1)!.grasped).toEqual([]);
    env.dispose();
  });
});

describe('task hooks (what sector tasks plug in)', () => {
  // a tetrahedron as an OBJ file, given to MuJoCo through the VFS
  const obj = 'v 0 0 0\nv 0.06 0 0\nv 0 0.06 0\nv 0 0 0.03\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n';
  const scene: EnvConfigInput = {
    embodiment: 'kara6', width: 32, height: 32,
    assetMjcf: '<mesh name="wedge" file="task/wedge.obj"/>',
    files: { 'task/wedge.obj': obj },
    staticMjcf: '<body name="tray" pos="0.3 0.2 0.005"><geom type="box" size="0.06 0.06 0.005" rgba="0.2 0.5 0.2 1"/></body><body name="wedge" pos="0.3 -0.2 0"><geom type="mesh" mesh="wedge" rgba="0.3 0.3 0.8 1"/></body>',
    trackBodies: ['tray', 'wedge'],
  };

  it('scene MJCF with its own mesh file, tracked bodies, task placement and success predicate', async () => {
    const env = await Env.create(scene, {
      place: (rng) => ({ cube: [0.38 + 0.02 * rng(), 0.0, 0.021] }),
      success: (s) => s.objects.cube!.pos[2] > 0.05,
    });
    const start = env.reset(0);
    expect(start.privileged.objects.tray!.pos).toEqual([0.3, 0.2, 0.005]);
    expect(start.privileged.objects.wedge!.pos).toEqual([0.3, -0.2, 0]);
    expect(start.privileged.objects.cube!.pos[0]).toBeGreaterThanOrEqual(0.379);
    const r0 = env.step([0, 0, 0, 0, 0, 0, 0]);
    expect(r0.terminated).toBe(false);
    // the success hook ends the episode once the expert has lifted the cube
    let ended = -1;
    const step = env.step.bind(env);
    env.step = (a) => { const r = step(a); if (r.terminated && ended < 0) ended = r.info.step; return r; };
    runPickPlace(env, start, { object: 'cube', goal: [0.38, 0.1], restHeight: 0.02 });
    expect(ended).toBeGreaterThan(0);
    env.dispose();
  });

  it('a scene file missing from files is named in the error', async () => {
    await expect(Env.create({ ...scene, files: {} })).rejects.toThrow(/wedge\.obj/);
  });

  it('truncates at maxSteps', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0, maxSteps: 3 });
    env.reset(0);
    expect([1, 2, 3].map(() => env.step([0, 0, 0, 0, 0, 0, 0]).truncated)).toEqual([false, false, true]);
    env.dispose();
  });
});

describe('cameras in observations', () => {
  it.each(['kara6', 'widowx250'])('%s: depth at the centre of each camera is the metric distance to the table top along its optical axis', async (id) => {
    const S = 33; // odd, so the centre pixel's ray is the optical axis
    const env = await Env.create({ embodiment: id, width: S, height: S, objects: [] });
    const { observation: o } = env.reset(0);
    const m = env.model, d = env.data;
    for (const cam of ['scene', 'wrist']) {
      const c = env.cameraNames.indexOf(cam);
      expect(c).toBeGreaterThanOrEqual(0);
      const id = [...Array(m.ncam).keys()].find((k) => (env as unknown as { ids: { cams: number[] } }).ids.cams[c] === k)!;
      const pos = (d.cam_xpos as Float64Array).subarray(3 * id, 3 * id + 3);
      const R = (d.cam_xmat as Float64Array).subarray(9 * id, 9 * id + 9);
      const axis = [-R[2]!, -R[5]!, -R[8]!]; // cameras look along their -z
      expect(axis[2]).toBeLessThan(0); // both look down at the table
      const t = pos[2]! / -axis[2]!; // distance along the axis to the plane of the table top (z = 0)
      const [x, y] = [pos[0]! + t * axis[0]!, pos[1]! + t * axis[1]!];
      const onTable = x > TABLE.back && x < env.embodiment.workspace.center[0] + TABLE.reach && Math.abs(y) < TABLE.halfWidth;
      const expected = onTable ? t : (pos[2]! + TABLE.height) / -axis[2]!; // else the floor
      const depth = o.images[cam]!.at(-1)!.depth[((S - 1) / 2) * S + (S - 1) / 2]!;
      expect(Math.abs(depth - expected), `${id} ${cam}: depth ${depth} vs ${expected}`).toBeLessThan(0.005);
      const rgb = o.images[cam]!.at(-1)!.rgb;
      expect(new Set(Array.from(rgb)).size).toBeGreaterThan(10); // a picture, not a blank frame
    }
    env.dispose();
  });
});
