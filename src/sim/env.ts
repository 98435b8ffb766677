// Env: one simulated robot world behind a gym-style interface. reset(seed) places the arm at home and the objects at
// seeded random poses; step(action) turns a common-space action (or joint targets) into actuator commands through
// the embodiment's controller, advances the physics (500 Hz) by one control period (20 Hz), and returns what the
// policy sees, the privileged ground truth, and whether the episode ended. Deterministic for a seed and actions.
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { mujoco, compileMjcf, idOf, type MainModule, type MjModel, type MjData } from './mujoco.ts';
import { assembleWorld, eeSiteName, ObjectSpec, CAMERAS } from './world.ts';
import { embodiment as lookupEmbodiment, EmbodimentSchema, type EmbodimentSpec } from './embodiments/index.ts';
import { DiffIk } from './control/diff-ik.ts';
import { PositionServos } from './control/servo.ts';
import { quatFromAxisAngle, quatFromMat, quatMul, rotationError } from './control/rotation.ts';
import { checkAction, EE_ACTION_DIM, EE_ACTION_LIMITS, type ActionMode } from './action.ts';
import type { CameraFrame, Observation, PrivilegedState, StepResult, TaskState } from './observation.ts';
import { Renderer } from './render/index.ts';
import { seededRandom } from './random.ts';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

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
  /**
   * DART-style perturbation for recording demonstrations (Laskey et al. 2017): the standard deviation (m) of zero-mean
   * Gaussian noise added to every executed end-effector position delta ('ee' mode; seeded by the reset seed). A
   * closed-loop expert then recovers from the drift, and whoever commanded the action records it clean, so the data
   * shows corrections from states a learner's small errors lead to. 0 (the default) for evaluation.
   */
  actionNoise: z.number().min(0).max(0.02).default(0),
  /**
   * Sparse DART pushes for recording: at each step, with probability `rate`, the executed end-effector position delta
   * gets a push of a uniformly random direction and a length drawn uniformly from [min, max] m ('ee' mode; seeded by
   * the reset seed; the delta stays within its limit). Per-step noise large enough to leave the expert's path by
   * centimetres (actionNoise >= 0.01) makes the experts fail; a rare push shows a centimetre-sized correction from a
   * state the expert would never visit, and the expert, closed loop, still solves the task.
   */
  actionJolts: z.object({ rate: z.number().min(0).max(1), min: z.number().min(0).max(0.05), max: z.number().min(0).max(0.05) }).strict()
    .refine((j) => j.min <= j.max, { message: 'min must not exceed max' }).optional(),
  controlHz: z.number().positive().default(20),
  maxSteps: z.number().int().positive().default(200),
  instruction: z.string().default(''),
  /** A task scene's own MJCF: inside <worldbody>, inside <asset>, and the files (meshes, textures) it refers to. */
  staticMjcf: z.string().optional(),
  assetMjcf: z.string().optional(),
  files: z.record(z.string(), z.union([z.string(), z.instanceof(Uint8Array)])).optional(),
  /** Bodies of staticMjcf whose poses go into the privileged state beside the objects'. */
  trackBodies: z.array(z.string()).default([]),
  sceneCamera: z.object({ pos: Vec3, lookAt: Vec3, fovy: z.number().positive().max(170).optional() }).strict().optional(),
  /** A task's own MJCF inside <sensor> (read into privileged.sensors by name) and <actuator> (e.g. a conveyor's drive). */
  sensorMjcf: z.string().optional(),
  actuatorMjcf: z.string().optional(),
}).strict();
export type EnvConfigInput = z.input<typeof EnvConfig>;
export type EnvConfig = z.output<typeof EnvConfig>;


/** Where an object starts: its position (a random yaw is drawn), or its position and yaw about the vertical (rad). */
export type Placement = [number, number, number] | { pos: [number, number, number]; yaw: number };

/** A task's episode, drawn at reset: where the objects start, the instruction, and what the episode is about. */
export interface EpisodeSetup {
  placement: Record<string, Placement>;
  /** The episode's instruction (else config.instruction). */
  instruction?: string;
  /** Privileged facts of the episode (target object, goal, ...), in privileged.task. */
  task?: TaskState;
}

/**
 * A task's hooks into the env (sector tasks plug in here). episode() (or the older place()) is called at every reset
 * after the arm is at home and before the objects settle: it may also change the model (colours, lights, camera
 * pose) and actuator commands of the task's own actuators. success() is called after every step.
 */
export interface TaskHooks {
  place?(rng: () => number, env: Env): Record<string, Placement>;
  episode?(rng: () => number, env: Env): EpisodeSetup;
  success?(state: PrivilegedState, obs: Observation): boolean;
}

/** How far the end-effector target may lead the measured pose (m, rad): deltas integrate into the target, so a blocked arm must not wind it up. */
export const MAX_TARGET_LEAD = { pos: 0.04, rot: 0.4 };

type Pose = { pos: [number, number, number]; quat: [number, number, number, number] };

/**
 * The common action's semantics: the delta moves the previous end-effector target (not the measured pose, which lags
 * the target while moving; integrating keeps the arm stiff at rest), and the result is kept within MAX_TARGET_LEAD of
 * the measured pose.
 */
export function nextTarget(prev: Pose, measured: Pose, a: ArrayLike<number>): Pose {
  const pos: [number, number, number] = [prev.pos[0] + a[0]!, prev.pos[1] + a[1]!, prev.pos[2] + a[2]!];
  const lead = [pos[0] - measured.pos[0], pos[1] - measured.pos[1], pos[2] - measured.pos[2]];
  const n = Math.hypot(...lead);
  if (n > MAX_TARGET_LEAD.pos) for (let k = 0; k < 3; k++) pos[k] = measured.pos[k]! + (lead[k]! * MAX_TARGET_LEAD.pos) / n;
  let quat = quatMul(quatFromAxisAngle([a[3]!, a[4]!, a[5]!]), prev.quat);
  const err = rotationError(quat, measured.quat);
  const r = Math.hypot(...err);
  if (r > MAX_TARGET_LEAD.rot) quat = quatMul(quatFromAxisAngle(err.map((v) => (v * MAX_TARGET_LEAD.rot) / r)), measured.quat);
  return { pos, quat };
}

/** The physics diverged (MuJoCo reset its state); the env needs reset() before stepping again. */
export class SimulationError extends Error {
  constructor(message: string) { super(message); this.name = 'SimulationError'; }
}

export { seededRandom } from './random.ts';

export class Env {
  readonly config: EnvConfig;
  readonly embodiment: EmbodimentSpec;
  readonly model: MjModel;
  readonly data: MjData;
  readonly substeps: number;
  readonly objectNames: string[];
  /** Bodies whose poses the privileged state holds: the objects, then config.trackBodies. */
  readonly trackedNames: string[];
  /** Set when MuJoCo found the physics diverging; step() refuses until reset(). */
  private diverged: string | null = null;
  /** Total actions clamped since creation (when clampActions is on). */
  clampedTotal = 0;
  private readonly ik: DiffIk;
  private readonly renderer: Renderer | null;
  private readonly ids: {
    ee: number; armQpos: number[]; armDof: number[]; armAct: number[]; lower: number[]; upper: number[];
    gripperAct: number; gripperQpos: number; objBody: number[]; fingerBody: number[]; objQpos: number[]; sensor: Record<string, number>; cams: number[];
  };
  private history: Record<string, CameraFrame[]> = {};
  private stepCount = 0;
  private eeTarget: { pos: [number, number, number]; quat: [number, number, number, number] } = { pos: [0, 0, 0], quat: [1, 0, 0, 0] };
  private lastIk = { posError: 0, rotError: 0 };
  private readonly servos: PositionServos;
  private lastQ: number[] | null = null;
  private lastEeQuat: [number, number, number, number] | null = null;
  /** The perturbation's own random stream (config.actionNoise), reseeded at every reset. */
  private noiseRng: () => number = seededRandom(0);
  private readonly actionBounds: { lower: number[]; upper: number[] };
  /** The current episode's instruction and privileged task facts (from the task's episode hook). */
  private instruction = '';
  private taskState: TaskState = {};
  /** The task's own sensors (sensorMjcf): name -> [address, dimension] in sensordata. */
  private readonly taskSensors: [string, number, number][] = [];

  private constructor(private readonly mj: MainModule, config: EnvConfig, readonly hooks: TaskHooks) {
    this.config = config;
    this.embodiment = typeof config.embodiment === 'string' ? lookupEmbodiment(config.embodiment) : config.embodiment;
    const world = assembleWorld({
      embodiment: this.embodiment, objects: config.objects, staticMjcf: config.staticMjcf, assetMjcf: config.assetMjcf,
      files: config.files, sceneCamera: config.sceneCamera, sensorMjcf: config.sensorMjcf, actuatorMjcf: config.actuatorMjcf,
    });
    this.model = compileMjcf(mj, world.xml, world.files);
    this.data = new mj.MjData(this.model);
    let ik: DiffIk | undefined;
    try {
      this.objectNames = world.objectNames;
      this.trackedNames = [...world.objectNames, ...config.trackBodies];
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
        objBody: this.trackedNames.map((n) => idOf(mj, m, 'body', n)),
        fingerBody: e.gripper.fingerBodies.map((b) => idOf(mj, m, 'body', b)),
        objQpos: this.objectNames.map((n) => (m.jnt_qposadr as Int32Array)[jid(`${n}/free`)]!),
        sensor: Object.fromEntries(['wrist_force', 'wrist_torque', 'touch_left', 'touch_right'].map((n) => [n, sensorAdr[idOf(mj, m, 'sensor', n)]!])),
        cams: [CAMERAS.scene, CAMERAS.wrist].map((c) => idOf(mj, m, 'camera', c)),
      };
      const standard = new Set(Object.values(this.ids.sensor));
      const dims = m.sensor_dim as Int32Array;
      for (let i = 0; i < m.nsensor; i++) {
        if (standard.has(sensorAdr[i]!)) continue;
        const name = mj.mj_id2name(m, mj.mjtObj.mjOBJ_SENSOR.value, i);
        if (name) this.taskSensors.push([name, sensorAdr[i]!, dims[i]!]);
      }
      const dt = m.opt.timestep as number;
      if (config.actionJolts && config.actionMode !== 'ee') throw new Error(`env config: actionJolts push end-effector deltas; they need actionMode 'ee', not '${config.actionMode}'`);
      if (config.actionNoise > 0 && config.actionMode !== 'ee') throw new Error(`env config: actionNoise (${config.actionNoise} m) perturbs end-effector deltas; it needs actionMode 'ee', not '${config.actionMode}'`);
      this.substeps = Math.round(1 / config.controlHz / dt);
      if (this.substeps < 1 || Math.abs(this.substeps * dt * config.controlHz - 1) > 1e-6) {
        throw new Error(`env config: controlHz ${config.controlHz} does not divide the physics rate ${+(1 / dt).toFixed(6)} Hz; use a rate whose period is a whole number of ${dt} s physics steps (e.g. 10, 20, 25, 50)`);
      }
      this.ik = ik = new DiffIk(mj, m, {
        siteId: this.ids.ee, qposAdr: this.ids.armQpos, dofAdr: this.ids.armDof, lower: this.ids.lower, upper: this.ids.upper,
        home: e.home, orientationWeight: e.orientationWeight,
      });
      this.servos = new PositionServos(mj, m, { actuators: this.ids.armAct, dofs: this.ids.armDof });
      const P = EE_ACTION_LIMITS.pos, R = EE_ACTION_LIMITS.rot;
      this.actionBounds = config.actionMode === 'ee'
        ? { lower: [-P, -P, -P, -R, -R, -R, 0], upper: [P, P, P, R, R, R, 1] }
        : { lower: [...this.ids.lower, 0], upper: [...this.ids.upper, 1] };
      this.renderer = config.width > 0 && config.height > 0 ? new Renderer(mj, m, { width: config.width, height: config.height }) : null;
    } catch (err) {
      // a bad name in the description or the task's config: free what was built (the wasm heap is not GC'd)
      ik?.dispose();
      this.data.delete();
      this.model.delete();
      throw err;
    }
  }

  /** Builds an env (loads MuJoCo on first use). Config is validated; unknown keys are rejected. */
  static async create(config: EnvConfigInput, hooks: TaskHooks = {}): Promise<Env> {
    const parsed = parseWith(EnvConfig, config, 'env', 'config');
    return new Env(await mujoco(), parsed, hooks);
  }

  get actionDim(): number { return this.config.actionMode === 'ee' ? EE_ACTION_DIM : this.embodiment.armJoints.length + 1; }
  get cameraNames(): string[] { return [CAMERAS.scene, CAMERAS.wrist]; }

  /** Puts the world in its seeded initial state and returns the first observation. */
  reset(seed: number): { observation: Observation; privileged: PrivilegedState } {
    this.assertLive('reset');
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`reset: seed must be a non-negative integer, got ${seed}`);
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
    const setup: EpisodeSetup = this.hooks.episode?.(rng, this) ?? { placement: this.hooks.place?.(rng, this) ?? this.defaultPlacement(rng) };
    this.instruction = setup.instruction ?? this.config.instruction;
    this.taskState = setup.task ?? {};
    this.objectNames.forEach((n, i) => {
      const p = setup.placement[n];
      if (!p) throw new Error(`task placement gave no pose for object '${n}'`);
      const a = ids.objQpos[i]!;
      const [pos, yaw] = Array.isArray(p) ? [p, (rng() - 0.5) * Math.PI] : [p.pos, p.yaw];
      if (![...pos, yaw].every(Number.isFinite)) throw new Error(`task placement of object '${n}' is not finite: ${JSON.stringify(p)}`);
      qpos.set([pos[0], pos[1], pos[2], Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)], a);
    });
    mj.mj_forward(m, d);
    this.lastQ = null;
    this.servos.command(d, e.home); // hold the home posture against gravity from the first step
    for (let i = 0; i < 50; i++) mj.mj_step(m, d); // let objects settle on the table
    this.stepCount = 0;
    this.diverged = null;
    this.history = {};
    this.lastEeQuat = null;
    this.eeTarget = this.eePose();
    this.noiseRng = seededRandom((seed ^ 0x5bd1e995) >>> 0);
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
    this.assertLive('step');
    const { mj, model: m, data: d, ids, embodiment: e, config } = this;
    if (this.diverged) throw new SimulationError(`${this.diverged}; call reset() before stepping again`);
    const n = e.armJoints.length;
    const mode: ActionMode = config.actionMode;
    const { action: a, clamped } = checkAction(action, mode, this.actionDim, this.actionBounds, config.clampActions);
    this.clampedTotal += clamped;
    const ctrl = d.ctrl as Float64Array;
    let jointTargets: number[];
    let executed: number[] | undefined;
    if (mode === 'ee') {
      const lim = EE_ACTION_LIMITS.pos;
      if (config.actionNoise > 0) {
        for (let i = 0; i < 3; i++) a[i] = Math.min(lim, Math.max(-lim, a[i]! + config.actionNoise * this.gaussian()));
        executed = Array.from(a);
      }
      const jolt = config.actionJolts;
      if (jolt && jolt.rate > 0 && this.noiseRng() < jolt.rate) {
        const dir = [this.gaussian(), this.gaussian(), this.gaussian()], n = Math.hypot(...dir) || 1;
        const len = jolt.min + (jolt.max - jolt.min) * this.noiseRng();
        for (let i = 0; i < 3; i++) a[i] = Math.min(lim, Math.max(-lim, a[i]! + (len * dir[i]!) / n));
      }
      if (jolt) executed = Array.from(a);
      this.eeTarget = nextTarget(this.eeTarget, this.eePose(), a);
      const sol = this.ik.solve(d, this.eeTarget.pos, this.eeTarget.quat);
      this.lastIk = { posError: sol.posError, rotError: sol.rotError };
      const prev = this.lastQ ?? sol.q;
      this.servos.command(d, sol.q, sol.q.map((v, i) => (v - prev[i]!) * this.config.controlHz));
      this.lastQ = sol.q;
      jointTargets = Array.from(sol.q);
    } else {
      this.servos.command(d, a.subarray(0, n));
      jointTargets = Array.from(a.subarray(0, n));
    }
    const g = a[mode === 'ee' ? 6 : n]!;
    jointTargets.push(g);
    ctrl[ids.gripperAct] = e.gripper.open + g * (e.gripper.closed - e.gripper.open);
    const t0 = d.time as number;
    for (let i = 0; i < this.substeps; i++) mj.mj_step(m, d);
    // MuJoCo resets the data (time included) when it finds a non-finite or huge qpos/qvel/qacc: time went back
    if (!((d.time as number) > t0)) {
      this.diverged = `the physics diverged during step ${this.stepCount + 1} (MuJoCo found a non-finite or huge qpos/qvel/qacc and reset its state)`;
      throw new SimulationError(this.diverged);
    }
    if (mode === 'joint') this.eeTarget = this.eePose();
    this.stepCount++;
    const observation = this.observe();
    const privileged = this.privileged();
    const success = this.hooks.success?.(privileged, observation) ?? false;
    return {
      observation, privileged, terminated: success, truncated: !success && this.stepCount >= config.maxSteps,
      info: { step: this.stepCount, ikPosError: this.lastIk.posError, ikRotError: this.lastIk.rotError, success, clampedActions: clamped, jointTargets, ...(executed ? { executedAction: executed } : {}) },
    };
  }

  /** A standard normal draw from the perturbation's stream (Box-Muller). */
  private gaussian(): number {
    const u = 1 - this.noiseRng(), v = this.noiseRng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** The end-effector site's id in the model (its pose is eePose()). */
  eeSite(): number {
    return this.ids.ee;
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
    // q and -q are the same rotation, and which one comes out of the matrix can change as the wrist turns: keep the
    // observed quaternion on the side of the previous one so that it is continuous over an episode
    const last = this.lastEeQuat;
    if (last && ee.quat[0] * last[0] + ee.quat[1] * last[1] + ee.quat[2] * last[2] + ee.quat[3] * last[3] < 0) {
      ee.quat = [-ee.quat[0], -ee.quat[1], -ee.quat[2], -ee.quat[3]];
    }
    this.lastEeQuat = ee.quat;
    const gq = qpos[ids.gripperQpos]!;
    const sd = ids.sensor;
    return {
      embodiment: e.id, instruction: this.instruction,
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
    this.trackedNames.forEach((n, i) => {
      const b = this.ids.objBody[i]!;
      objects[n] = { pos: [xpos[3 * b]!, xpos[3 * b + 1]!, xpos[3 * b + 2]!], quat: [xquat[4 * b]!, xquat[4 * b + 1]!, xquat[4 * b + 2]!, xquat[4 * b + 3]!] };
    });
    const s = this.data.sensordata as Float64Array;
    const sensors: Record<string, number[]> = {};
    for (const [name, adr, dim] of this.taskSensors) sensors[name] = Array.from(s.subarray(adr, adr + dim));
    return {
      objects, grasped: this.grasped(), eeTarget: { pos: [...this.eeTarget.pos], quat: [...this.eeTarget.quat] },
      sensors, task: this.taskState, step: this.stepCount,
    };
  }

  /** Tracked bodies that touch both fingers now (from MuJoCo's contact list). */
  private grasped(): string[] {
    const { model: m, ids } = this;
    // walking the contact list through the bindings costs ~10 us; only do it while both finger pads feel a touch
    const s = this.data.sensordata as Float64Array;
    if (!(s[ids.sensor.touch_left!]! > 0 && s[ids.sensor.touch_right!]! > 0)) return [];
    // cheap test first: contact forces on both finger bodies (cfrc_ext is computed every step for the wrist sensors)
    const ext = this.data.cfrc_ext as Float64Array;
    const loaded = (b: number) => { for (let k = 0; k < 6; k++) if (ext[6 * b + k] !== 0) return true; return false; };
    if (!ids.fingerBody.every(loaded)) return [];
    const bodyOf = m.geom_bodyid as Int32Array;
    const touching = new Map<number, number>(); // tracked index -> bit mask of fingers touched
    const contacts = this.data.contact;
    try {
      for (let i = 0, n = contacts.size(); i < n; i++) {
        const c = contacts.get(i)!;
        const b1 = bodyOf[c.geom1]!, b2 = bodyOf[c.geom2]!;
        c.delete();
        for (const [a, b] of [[b1, b2], [b2, b1]] as const) {
          const f = ids.fingerBody.indexOf(a), o = ids.objBody.indexOf(b);
          if (f >= 0 && o >= 0) touching.set(o, (touching.get(o) ?? 0) | (1 << f));
        }
      }
    } finally {
      contacts.delete();
    }
    return this.trackedNames.filter((_, i) => touching.get(i) === 3);
  }

  private disposed = false;
  private assertLive(what: string): void {
    if (this.disposed) throw new Error(`Env.${what}: this env was disposed`);
  }

  /** Frees the simulator's memory (wasm heap); safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.renderer?.dispose();
    this.ik.dispose();
    this.data.delete();
    this.model.delete();
  }
}
