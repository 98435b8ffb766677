// Env: one simulated robot world behind a gym-style interface. reset(seed) places the arm at home and the objects at
// seeded random poses; step(action) turns a common-space action (or joint targets) into actuator commands through
// the embodiment's controller, advances the physics (500 Hz) by one control period (20 Hz), and returns what the
// policy sees, the privileged ground truth, and whether the episode ended. Deterministic for a seed and actions.
import { z } from 'zod';
import { mujoco, compileMjcf, idOf, type MainModule, type MjModel, type MjData } from './mujoco.ts';
import { assembleWorld, eeSiteName, ObjectSpec, CAMERAS } from './world.ts';
import { embodiment as lookupEmbodiment, EmbodimentSchema, type EmbodimentSpec } from './embodiments/index.ts';
import { DiffIk } from './control/diff-ik.ts';
import { quatFromAxisAngle, quatFromMat, quatMul } from './control/rotation.ts';
import { checkAction, EE_ACTION_DIM, EE_ACTION_LIMITS, type ActionMode } from './action.ts';
import type { CameraFrame, Observation, PrivilegedState, StepResult } from './observation.ts';
import { Renderer } from './render/index.ts';

export const EnvConfig = z.object({
  /** A registered embodiment id (src/sim/embodiments) or a whole description (a Menagerie-style arm as data). */
  embodiment: z.union([z.string(), EmbodimentSchema]),
  objects: z.array(ObjectSpec).default([{ name: 'cube', shape: 'box', size: [0.02, 0.02, 0.02], rgba: [0.85, 0.2, 0.15, 1], mass: 0.05, friction: 1.2 }]),
  /** Camera resolution; 0 turns cameras off (physics-only rollouts). */
  width: z.number().int().min(0).max(1024).default(96),
  height: z.number().int().min(0).max(1024).default(96),
  /** Frames of video history per camera in each observation. */
  history: z.number().int().min(1).max(16).default(2),
  actionMode: z.enum(['ee', 'joint']).default('ee'),
  /** Clamp out-of-range actions (counted in info.clampedActions) instead of throwing. */
  clampActions: z.boolean().default(false),
  controlHz: z.number().positive().default(20),
  maxSteps: z.number().int().positive().default(200),
  instruction: z.string().default(''),
  staticMjcf: z.string().optional(),
}).strict();
export type EnvConfigInput = z.input<typeof EnvConfig>;
export type EnvConfig = z.output<typeof EnvConfig>;

/** Sag compensation: integral gain per control step, and the joint speed (rad/s) under which it integrates. */
const SAG_GAIN = 0.3;
const SAG_SETTLED_SPEED = 0.1;

/** A task's hooks into the env: where objects start and when the episode succeeded (sector tasks plug in here). */
export interface TaskHooks {
  place?(rng: () => number, env: Env): Record<string, [number, number, number]>;
  success?(state: PrivilegedState, obs: Observation): boolean;
}

/** Seeded uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Env {
  readonly config: EnvConfig;
  readonly embodiment: EmbodimentSpec;
  readonly model: MjModel;
  readonly data: MjData;
  readonly substeps: number;
  readonly objectNames: string[];
  /** Total actions clamped since creation (when clampActions is on). */
  clampedTotal = 0;
  private readonly ik: DiffIk;
  private readonly renderer: Renderer | null;
  private readonly ids: {
    ee: number; armQpos: number[]; armDof: number[]; armAct: number[]; lower: number[]; upper: number[];
    gripperAct: number; gripperQpos: number; objBody: number[]; objQpos: number[]; sensor: Record<string, number>; cams: number[];
  };
  private history: Record<string, CameraFrame[]> = {};
  private stepCount = 0;
  private eeTarget: { pos: [number, number, number]; quat: [number, number, number, number] } = { pos: [0, 0, 0], quat: [1, 0, 0, 0] };
  private lastIk = { posError: 0, rotError: 0 };
  /** Integral of joint tracking error: cancels steady sag of position-controlled arms under gravity (e.g. WidowX). */
  private jointBias: Float64Array = new Float64Array(0);
  private lastJointTarget: Float64Array | null = null;
  private readonly actionBounds: { lower: number[]; upper: number[] };

  private constructor(private readonly mj: MainModule, config: EnvConfig, readonly hooks: TaskHooks) {
    this.config = config;
    this.embodiment = typeof config.embodiment === 'string' ? lookupEmbodiment(config.embodiment) : config.embodiment;
    const world = assembleWorld({ embodiment: this.embodiment, objects: config.objects, staticMjcf: config.staticMjcf });
    this.model = compileMjcf(mj, world.xml, world.files);
    this.data = new mj.MjData(this.model);
    this.objectNames = world.objectNames;
    const m = this.model, e = this.embodiment;
    const jid = (n: string) => idOf(mj, m, 'joint', n);
    const armJ = e.armJoints.map(jid);
    const range = m.jnt_range as Float64Array;
    const sensorAdr = m.sensor_adr as Int32Array;
    this.ids = {
      ee: idOf(mj, m, 'site', eeSiteName(this.embodiment)),
      armQpos: armJ.map((j) => (m.jnt_qposadr as Int32Array)[j]!),
      armDof: armJ.map((j) => (m.jnt_dofadr as Int32Array)[j]!),
      armAct: e.armActuators.map((a) => idOf(mj, m, 'actuator', a)),
      lower: armJ.map((j) => range[2 * j]!),
      upper: armJ.map((j) => range[2 * j + 1]!),
      gripperAct: idOf(mj, m, 'actuator', e.gripper.actuator),
      gripperQpos: (m.jnt_qposadr as Int32Array)[jid(e.gripper.joints[0]!)]!,
      objBody: this.objectNames.map((n) => idOf(mj, m, 'body', n)),
      objQpos: this.objectNames.map((n) => (m.jnt_qposadr as Int32Array)[jid(`${n}/free`)]!),
      sensor: Object.fromEntries(['wrist_force', 'wrist_torque', 'touch_left', 'touch_right'].map((n) => [n, sensorAdr[idOf(mj, m, 'sensor', n)]!])),
      cams: [CAMERAS.scene, CAMERAS.wrist].map((c) => idOf(mj, m, 'camera', c)),
    };
    this.substeps = Math.max(1, Math.round(1 / config.controlHz / (m.opt.timestep as number)));
    this.ik = new DiffIk(mj, m, {
      siteId: this.ids.ee, qposAdr: this.ids.armQpos, dofAdr: this.ids.armDof, lower: this.ids.lower, upper: this.ids.upper,
      home: e.home, orientationWeight: e.orientationWeight,
    });
    const P = EE_ACTION_LIMITS.pos, R = EE_ACTION_LIMITS.rot;
    this.actionBounds = config.actionMode === 'ee'
      ? { lower: [-P, -P, -P, -R, -R, -R, 0], upper: [P, P, P, R, R, R, 1] }
      : { lower: [...this.ids.lower, 0], upper: [...this.ids.upper, 1] };
    this.renderer = config.width > 0 && config.height > 0 ? new Renderer(mj, m, { width: config.width, height: config.height }) : null;
  }

  /** Builds an env (loads MuJoCo on first use). Config is validated; unknown keys are rejected. */
  static async create(config: EnvConfigInput, hooks: TaskHooks = {}): Promise<Env> {
    const parsed = EnvConfig.safeParse(config);
    if (!parsed.success) throw new Error(`env config: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return new Env(await mujoco(), parsed.data, hooks);
  }

  get actionDim(): number { return this.config.actionMode === 'ee' ? EE_ACTION_DIM : this.embodiment.armJoints.length + 1; }
  get cameraNames(): string[] { return [CAMERAS.scene, CAMERAS.wrist]; }

  /** Puts the world in its seeded initial state and returns the first observation. */
  reset(seed: number): { observation: Observation; privileged: PrivilegedState } {
    const { mj, model: m, data: d, ids, embodiment: e } = this;
    mj.mj_resetData(m, d);
    const rng = seededRandom(seed);
    const qpos = d.qpos as Float64Array, ctrl = d.ctrl as Float64Array;
    ids.armQpos.forEach((a, i) => { qpos[a] = e.home[i]!; });
    ids.armAct.forEach((a, i) => { ctrl[a] = e.home[i]!; });
    ctrl[ids.gripperAct] = e.gripper.open;
    e.gripper.joints.forEach((jn) => {
      const j = idOf(mj, m, 'joint', jn);
      const adr = (m.jnt_qposadr as Int32Array)[j]!;
      const r = m.jnt_range as Float64Array;
      qpos[adr] = Math.abs(r[2 * j + 1]!) > Math.abs(r[2 * j]!) ? r[2 * j + 1]! : r[2 * j]!; // fingers start open
    });
    const placed = this.hooks.place?.(rng, this) ?? this.defaultPlacement(rng);
    this.objectNames.forEach((n, i) => {
      const p = placed[n];
      if (!p) throw new Error(`task placement gave no pose for object '${n}'`);
      const a = ids.objQpos[i]!;
      const yaw = (rng() - 0.5) * Math.PI;
      qpos.set([p[0], p[1], p[2], Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)], a);
    });
    mj.mj_forward(m, d);
    for (let i = 0; i < 50; i++) mj.mj_step(m, d); // let objects settle on the table
    this.stepCount = 0;
    this.history = {};
    this.jointBias = new Float64Array(e.armJoints.length);
    this.lastJointTarget = null;
    this.eeTarget = this.eePose();
    const observation = this.observe();
    return { observation, privileged: this.privileged() };
  }

  private defaultPlacement(rng: () => number): Record<string, [number, number, number]> {
    const { center, halfExtent } = this.embodiment.workspace;
    const out: Record<string, [number, number, number]> = {};
    const taken: [number, number][] = [];
    const sizes = this.config.objects.map((o) => o.size);
    this.objectNames.forEach((n, i) => {
      const s = sizes[i]!;
      const height = this.config.objects[i]!.shape === 'box' ? s[2] ?? s[0]! : this.config.objects[i]!.shape === 'cylinder' ? s[1] ?? s[0]! : s[0]!;
      let x = 0, y = 0;
      for (let tries = 0; tries < 100; tries++) {
        x = center[0] + (rng() * 2 - 1) * halfExtent[0];
        y = center[1] + (rng() * 2 - 1) * halfExtent[1];
        if (taken.every(([tx, ty]) => Math.hypot(tx - x, ty - y) > 0.08)) break;
      }
      taken.push([x, y]);
      out[n] = [x, y, height + 0.002];
    });
    return out;
  }

  /** Applies one action for one control period. Invalid actions throw before anything changes. */
  step(action: ArrayLike<number>): StepResult {
    const { mj, model: m, data: d, ids, embodiment: e, config } = this;
    const n = e.armJoints.length;
    const mode: ActionMode = config.actionMode;
    const { action: a, clamped } = checkAction(action, mode, this.actionDim, this.actionBounds, config.clampActions);
    this.clampedTotal += clamped;
    const ctrl = d.ctrl as Float64Array;
    if (mode === 'ee') {
      const cur = this.eePose();
      this.eeTarget = {
        pos: [cur.pos[0] + a[0]!, cur.pos[1] + a[1]!, cur.pos[2] + a[2]!],
        quat: quatMul(quatFromAxisAngle([a[3]!, a[4]!, a[5]!]), this.eeTarget.quat),
      };
      const sol = this.ik.solve(d, this.eeTarget.pos, this.eeTarget.quat);
      this.lastIk = { posError: sol.posError, rotError: sol.rotError };
      const qpos = d.qpos as Float64Array;
      const last = this.lastJointTarget;
      ids.armAct.forEach((act, i) => {
        // integrate only near rest: transient lag is not sag, and integrating it makes the arm ring
        const settled = Math.abs((d.qvel as Float64Array)[ids.armDof[i]!]!) < SAG_SETTLED_SPEED;
        if (last && settled) this.jointBias[i] = Math.max(-0.3, Math.min(0.3, this.jointBias[i]! + SAG_GAIN * (last[i]! - qpos[ids.armQpos[i]!]!)));
        ctrl[act] = Math.min(ids.upper[i]!, Math.max(ids.lower[i]!, sol.q[i]! + this.jointBias[i]!));
      });
      this.lastJointTarget = Float64Array.from(sol.q);
    } else {
      ids.armAct.forEach((act, i) => { ctrl[act] = a[i]!; });
    }
    const g = a[mode === 'ee' ? 6 : n]!;
    ctrl[ids.gripperAct] = e.gripper.open + g * (e.gripper.closed - e.gripper.open);
    for (let i = 0; i < this.substeps; i++) mj.mj_step(m, d);
    if (mode === 'joint') this.eeTarget = this.eePose();
    this.stepCount++;
    const observation = this.observe();
    const privileged = this.privileged();
    const success = this.hooks.success?.(privileged, observation) ?? false;
    return {
      observation, privileged, terminated: success, truncated: !success && this.stepCount >= config.maxSteps,
      info: { step: this.stepCount, ikPosError: this.lastIk.posError, ikRotError: this.lastIk.rotError, success, clampedActions: clamped },
    };
  }

  /** Current end-effector pose (world). */
  eePose(): { pos: [number, number, number]; quat: [number, number, number, number] } {
    const s = this.ids.ee;
    const p = this.data.site_xpos as Float64Array;
    return { pos: [p[3 * s]!, p[3 * s + 1]!, p[3 * s + 2]!], quat: quatFromMat(this.data.site_xmat as Float64Array, 9 * s) };
  }

  /** Renders one camera now (RGB + depth), e.g. for snapshots. */
  render(camera: string | number): CameraFrame {
    if (!this.renderer) throw new Error('this env was created with cameras off (width/height 0)');
    const r = this.renderer.render(this.data, camera);
    return { rgb: r.rgb.slice(), depth: r.depth.slice() };
  }

  private observe(): Observation {
    const { data: d, ids, embodiment: e, config } = this;
    const qpos = d.qpos as Float64Array, qvel = d.qvel as Float64Array, s = d.sensordata as Float64Array;
    if (this.renderer) {
      for (const cam of this.cameraNames) {
        const frame = this.render(cam);
        const h = (this.history[cam] ??= []);
        if (h.length === 0) for (let i = 0; i < config.history - 1; i++) h.push(frame); // pad with the first frame
        h.push(frame);
        while (h.length > config.history) h.shift();
      }
    }
    const ee = this.eePose();
    const gq = qpos[ids.gripperQpos]!;
    const sd = ids.sensor;
    return {
      embodiment: e.id, instruction: config.instruction,
      images: Object.fromEntries(Object.entries(this.history).map(([k, v]) => [k, [...v]])),
      proprio: {
        jointPos: Float64Array.from(ids.armQpos, (a) => qpos[a]!), jointVel: Float64Array.from(ids.armDof, (a) => qvel[a]!),
        eePos: ee.pos, eeQuat: ee.quat,
        gripper: Math.min(1, Math.max(0, (gq - e.gripper.closed) / (e.gripper.open - e.gripper.closed))),
      },
      wrench: {
        force: [s[sd.wrist_force!]!, s[sd.wrist_force! + 1]!, s[sd.wrist_force! + 2]!],
        torque: [s[sd.wrist_torque!]!, s[sd.wrist_torque! + 1]!, s[sd.wrist_torque! + 2]!],
      },
      touch: [s[sd.touch_left!]!, s[sd.touch_right!]!],
      time: d.time as number,
    };
  }

  private privileged(): PrivilegedState {
    const xpos = this.data.xpos as Float64Array, xquat = this.data.xquat as Float64Array;
    const objects: PrivilegedState['objects'] = {};
    this.objectNames.forEach((n, i) => {
      const b = this.ids.objBody[i]!;
      objects[n] = { pos: [xpos[3 * b]!, xpos[3 * b + 1]!, xpos[3 * b + 2]!], quat: [xquat[4 * b]!, xquat[4 * b + 1]!, xquat[4 * b + 2]!, xquat[4 * b + 3]!] };
    });
    return { objects, eeTarget: { pos: [...this.eeTarget.pos], quat: [...this.eeTarget.quat] } };
  }

  dispose(): void {
    this.renderer?.dispose();
    this.ik.dispose();
    this.data.delete();
    this.model.delete();
  }
}
