// The controllers on their own, with real MuJoCo: the null-space pull of the differential IK on the redundant kara7,
// best-effort orientation on a 5-DoF arm, joint limits and the bounded target lead when the goal is out of reach,
// and what the servos' gravity feed-forward buys on the WidowX (kp = 50, no gravity compensation in its MJCF).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mujoco, compileMjcf, idOf, type MainModule, type MjModel, type MjData } from '../mujoco.ts';
import { assembleWorld, eeSiteName } from '../world.ts';
import { embodiment, type EmbodimentInput } from '../embodiments/index.ts';
import { ownArmMjcf } from '../embodiments/own-arm.ts';
import { Env, MAX_TARGET_LEAD, nextTarget } from '../env.ts';
import { DiffIk } from './diff-ik.ts';
import { PositionServos } from './servo.ts';
import { quatFromMat, rotationError } from './rotation.ts';

/** A compiled world of a registered arm with its joint, dof and actuator addresses. */
async function armWorld(id: string) {
  const mj = await mujoco();
  const e = embodiment(id);
  const w = assembleWorld({ embodiment: e, objects: [] });
  const m = compileMjcf(mj, w.xml, w.files);
  const d = new mj.MjData(m);
  const j = e.armJoints.map((n) => idOf(mj, m, 'joint', n));
  const range = m.jnt_range as Float64Array;
  return {
    mj, m, d, e,
    site: idOf(mj, m, 'site', eeSiteName(e)),
    qposAdr: j.map((k) => (m.jnt_qposadr as Int32Array)[k]!),
    dofAdr: j.map((k) => (m.jnt_dofadr as Int32Array)[k]!),
    act: e.armActuators.map((n) => idOf(mj, m, 'actuator', n)),
    lower: j.map((k) => range[2 * k]!), upper: j.map((k) => range[2 * k + 1]!),
  };
}

/** Positions, orientations and the motion subspaces the Jacobian needs (mj_jacSite reads cdof, from mj_comPos). */
function fk(mj: MainModule, m: MjModel, d: MjData): void {
  mj.mj_kinematics(m, d);
  mj.mj_comPos(m, d);
}

function sitePose(mj: MainModule, m: MjModel, d: MjData, site: number) {
  fk(mj, m, d);
  const p = d.site_xpos as Float64Array;
  return { pos: [p[3 * site]!, p[3 * site + 1]!, p[3 * site + 2]!], quat: quatFromMat(d.site_xmat as Float64Array, 9 * site) };
}

describe('differential IK', () => {
  let w: Awaited<ReturnType<typeof armWorld>>;
  beforeAll(async () => { w = await armWorld('kara7'); });
  afterAll(() => { w.d.delete(); w.m.delete(); });

  it('pulls the redundant kara7 toward its home posture in the null space, without moving the end effector', () => {
    const { mj, m, d, e, site, qposAdr } = w;
    const ik = new DiffIk(mj, m, { siteId: site, qposAdr, dofAdr: w.dofAdr, lower: w.lower, upper: w.upper, home: e.home, orientationWeight: e.orientationWeight });
    const qpos = () => d.qpos as Float64Array; // re-read: creating the IK's scratch data may have grown the wasm heap
    // the same end-effector pose, reached with the upper arm rolled: move there from home by IK with no null-space pull
    const noPull = new DiffIk(mj, m, { siteId: site, qposAdr, dofAdr: w.dofAdr, lower: w.lower, upper: w.upper, home: e.home, orientationWeight: e.orientationWeight }, { nullGain: 0 });
    qposAdr.forEach((a, i) => { qpos()[a] = e.home[i]! + (i === 2 ? 0.5 : 0); });
    const target = sitePose(mj, m, d, site);
    const distHome = () => Math.hypot(...qposAdr.map((a, i) => qpos()[a]! - e.home[i]!));
    const start = distHome();
    for (let k = 0; k < 60; k++) {
      const q = ik.solve(d, target.pos, target.quat).q;
      qposAdr.forEach((a, i) => { qpos()[a] = q[i]!; });
      fk(mj, m, d);
    }
    const end = sitePose(mj, m, d, site);
    // the posture moved toward home along the arm's one-dimensional self-motion (0.5 -> 0.35 rad from home here; the
    // rest of the way would move the tool)...
    expect(distHome()).toBeLessThan(0.75 * start);
    expect(1000 * Math.hypot(...end.pos.map((v, k) => v - target.pos[k]!))).toBeLessThan(1); // ...with the tool still (mm)
    expect(Math.hypot(...rotationError(target.quat, end.quat))).toBeLessThan(0.01);
    // without the pull, the posture stays where it was
    qposAdr.forEach((a, i) => { qpos()[a] = e.home[i]! + (i === 2 ? 0.5 : 0); });
    fk(mj, m, d);
    for (let k = 0; k < 60; k++) {
      const q = noPull.solve(d, target.pos, target.quat).q;
      qposAdr.forEach((a, i) => { qpos()[a] = q[i]!; });
      fk(mj, m, d);
    }
    expect(distHome()).toBeGreaterThan(0.99 * start);
    ik.dispose(); noPull.dispose();
  });

  it('never returns joint targets outside the joint limits, even for a goal far out of reach', () => {
    const { mj, m, d, e, site, qposAdr } = w;
    const ik = new DiffIk(mj, m, { siteId: site, qposAdr, dofAdr: w.dofAdr, lower: w.lower, upper: w.upper, home: e.home, orientationWeight: e.orientationWeight }, { maxStep: 1 });
    const qpos = d.qpos as Float64Array;
    qposAdr.forEach((a, i) => { qpos[a] = e.home[i]!; });
    fk(mj, m, d);
    const quat = sitePose(mj, m, d, site).quat;
    for (let k = 0; k < 40; k++) {
      const { q } = ik.solve(d, [3, -2, -1], quat);
      q.forEach((v, i) => { expect(v).toBeGreaterThanOrEqual(w.lower[i]!); expect(v).toBeLessThanOrEqual(w.upper[i]!); });
      qposAdr.forEach((a, i) => { qpos[a] = q[i]!; });
      fk(mj, m, d);
    }
    ik.dispose();
  });
});

describe('common action space on arms of other shapes', () => {
  // A 5-DoF arm (yaw, shoulder, elbow, wrist pitch, wrist roll; like many low-cost arms): it can put the tool anywhere
  // in its workspace but not in every orientation, so orientation is best effort and position must not suffer.
  const Z: [number, number, number] = [0, 0, 1], Y: [number, number, number] = [0, 1, 0];
  const kara5: EmbodimentInput = {
    id: 'kara5', maker: 'test: a 5-DoF arm',
    mjcf: { xml: ownArmMjcf({ id: 'kara5', baseHeight: 0.1, color: [0.3, 0.7, 0.3], links: [
      { pos: [0, 0, 0], axis: Z, range: [-3.1, 3.1], length: 0.08, radius: 0.045, kp: 300 },
      { pos: [0, 0, 0.08], axis: Y, range: [-2.0, 2.0], length: 0.3, radius: 0.04, kp: 400 },
      { pos: [0, 0, 0.3], axis: Y, range: [-2.6, 2.6], length: 0.28, radius: 0.035, kp: 300 },
      { pos: [0, 0, 0.28], axis: Y, range: [-2.2, 2.2], length: 0.05, radius: 0.03, kp: 100 },
      { pos: [0, 0, 0.05], axis: Z, range: [-3.1, 3.1], length: 0.03, radius: 0.028, kp: 60 },
    ] }) },
    armJoints: [1, 2, 3, 4, 5].map((i) => `kara5/j${i}`), armActuators: [1, 2, 3, 4, 5].map((i) => `kara5/a${i}`),
    home: [0, 0.45, 1.75, 0.92, 0],
    endEffector: { site: 'kara5/tcp' },
    gripper: {
      actuator: 'kara5/gripper', open: 0.045, closed: 0, joints: ['kara5/left_finger', 'kara5/right_finger'],
      fingerBodies: ['kara5/left_finger', 'kara5/right_finger'], padPos: [[0, 0.006, 0.03], [0, -0.006, 0.03]], padSize: [0.013, 0.008, 0.031],
    },
    wrist: { body: 'kara5/hand', cameraPos: [0.05, 0, 0], cameraLookAt: [0, 0, 0.16], cameraUp: [1, 0, 0] },
    orientationWeight: 0.2,
  };

  it('a 5-DoF arm tracks moves and the rotations it can make; one it cannot make costs no position', async () => {
    const env = await Env.create({ embodiment: kara5, width: 0, height: 0 });
    const run = (a: number[]) => {
      const p0 = env.reset(0).observation.proprio.eePos;
      let r;
      for (let i = 0; i < 6; i++) r = env.step(a);
      for (let i = 0; i < 10; i++) r = env.step([0, 0, 0, 0, 0, 0, 0]);
      const mm = 1000 * Math.hypot(...r!.observation.proprio.eePos.map((v, k) => v - p0[k]! - 6 * a[k]!));
      return { mm, rot: r!.info.ikRotError };
    };
    for (const a of [[0.01, 0, 0], [0, 0.01, 0], [0, 0, -0.01], [0, 0, 0, 0, 0.05, 0], [0, 0, 0, 0, 0, 0.05]]) {
      const r = run([...a, 0, 0, 0, 0, 0, 0, 0].slice(0, 7));
      expect(r.mm, `5-DoF ${a}: final position error (mm)`).toBeLessThan(1);
      expect(r.rot, `5-DoF ${a}: final orientation error (rad)`).toBeLessThan(0.02);
    }
    // tilting the downward tool sideways (about world x) needs a joint this arm does not have
    const tilt = run([0, 0, 0, 0.05, 0, 0, 0]);
    expect(tilt.rot).toBeGreaterThan(0.25); // of 0.3 rad commanded: not achieved...
    expect(tilt.mm).toBeLessThan(2); // ...and the position held anyway
    env.dispose();
  });

  it('a goal out of reach saturates the joints and keeps the target within its lead, so the arm comes back when told', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0, maxSteps: 1000 });
    let r = env.reset(0) as ReturnType<Env['step']> | ReturnType<Env['reset']>;
    for (let i = 0; i < 40; i++) {
      const before = r.observation.proprio.eePos;
      r = env.step([0.05, 0, 0.05, 0, 0, 0, 0]); // 2 m out and up, far beyond the 0.7 m reach
      // the target may lead the pose it was set from by MAX_TARGET_LEAD at most
      const lead = Math.hypot(...r.privileged.eeTarget.pos.map((v, k) => v - before[k]!));
      expect(lead).toBeLessThanOrEqual(MAX_TARGET_LEAD.pos + 1e-9);
    }
    const far = r.observation.proprio.eePos;
    const ctrl = env.data.ctrl as Float64Array, range = env.model.actuator_ctrlrange as Float64Array;
    for (let a = 0; a < env.model.nu; a++) { expect(ctrl[a]).toBeGreaterThanOrEqual(range[2 * a]!); expect(ctrl[a]).toBeLessThanOrEqual(range[2 * a + 1]!); }
    // commanded 12 x 2.8 cm back: a target wound up 2.8 m out would not come back at all; this one does (the first
    // centimetres slowly: the stretched arm is at a singularity, where damped least squares moves gently)
    for (let i = 0; i < 12; i++) r = env.step([-0.02, 0, -0.02, 0, 0, 0, 0]);
    const back = r.observation.proprio.eePos;
    expect(Math.hypot(...far.map((v, k) => v - back[k]!)), 'moved back (m)').toBeGreaterThan(0.15);
    env.dispose();
  });
});

describe('nextTarget (how end-effector deltas move the target)', () => {
  const rest = { pos: [0.4, 0, 0.2] as [number, number, number], quat: [1, 0, 0, 0] as [number, number, number, number] };
  it('adds deltas to the previous target while it stays within the lead of the measured pose', () => {
    const t = nextTarget(rest, rest, [0.01, -0.02, 0.005, 0, 0, 0.1, 0]);
    expect(t.pos.map((v) => +v.toFixed(12))).toEqual([0.41, -0.02, 0.205]);
    expect(2 * Math.acos(t.quat[0])).toBeCloseTo(0.1, 12);
  });
  it('cuts a target that would lead the measured pose by more than MAX_TARGET_LEAD (position and rotation)', () => {
    const prev = { pos: [0.43, 0, 0.2] as [number, number, number], quat: rest.quat };
    const t = nextTarget(prev, rest, [0.03, 0, 0, 0, 0, 0.5, 0]);
    expect(t.pos[0]).toBeCloseTo(0.4 + MAX_TARGET_LEAD.pos, 12);
    expect(Math.hypot(...rotationError(t.quat, rest.quat))).toBeCloseTo(MAX_TARGET_LEAD.rot, 12);
  });
});

describe('position servos', () => {
  it('with gravity feed-forward the WidowX (kp 50, no gravcomp) holds its joint targets; plain position control sags', async () => {
    const w = await armWorld('widowx250');
    const { mj, m, d, e, qposAdr, act } = w;
    const servos = new PositionServos(mj, m, { actuators: act, dofs: w.dofAdr });
    const target = e.home;
    const worst = (feedForward: boolean) => {
      mj.mj_resetData(m, d);
      const qpos = d.qpos as Float64Array;
      qposAdr.forEach((a, i) => { qpos[a] = target[i]!; });
      mj.mj_forward(m, d);
      for (let k = 0; k < 40; k++) { // 2 s at 20 Hz
        if (feedForward) servos.command(d, target);
        else act.forEach((a, i) => { (d.ctrl as Float64Array)[a] = target[i]!; });
        for (let s = 0; s < 25; s++) mj.mj_step(m, d);
      }
      return Math.max(...qposAdr.map((a, i) => Math.abs((d.qpos as Float64Array)[a]! - target[i]!)));
    };
    const held = worst(true), sagged = worst(false);
    expect(held).toBeLessThan(0.01); // rad
    expect(sagged).toBeGreaterThan(5 * held);
    d.delete(); m.delete();
  });

  it('refuses actuators that are not position servos', async () => {
    const mj = await mujoco();
    const m = compileMjcf(mj, `<mujoco><worldbody><body><joint name="j"/><geom size="0.1"/></body></worldbody>
      <actuator><motor name="m" joint="j"/></actuator></mujoco>`);
    expect(() => new PositionServos(mj, m, { actuators: [0], dofs: [0] })).toThrow(/actuator 'm' is not a position servo/);
    m.delete();
  });
});
