// A rollout: one episode of an env as recorded data, in the LeRobot frame convention (row t = what the policy saw
// at step t and the action it took then; the observation after the last action is not a row). Columns are typed
// arrays (cheap to send between threads); camera frames are the newest view of each camera per row. The data layer
// turns rollouts into dataset episodes (src/data/record).
import type { Env } from './env.ts';
import { cameraNames, modelCameraPose, type CameraPose } from './render/camera.ts';
import { mountOf, type CameraMount } from './render/camera-mount.ts';
import type { Observation, PrivilegedState, StepResult, TaskState } from './observation.ts';

export interface Rollout {
  embodiment: string;
  instruction: string;
  seed: number;
  success: boolean;
  /** Rows (= actions taken). */
  length: number;
  /** Privileged facts of the episode at reset (target, goal, ...). */
  task: TaskState;
  /**
   * Poses at reset of the cameras fixed to the world (the scene camera: domain randomization moves it per episode, and
   * it stays put within one), by name. Cameras on a moving body (the wrist) are not listed.
   */
  cameraPoses: Record<string, CameraPose>;
  /** The cameras on the end effector's own body (the wrist camera), as poses in its frame (camera-mount.ts), by name. */
  cameraMounts: Record<string, CameraMount>;
  /** Per camera: RGB (H x W x 3) and depth (H x W, metres) per row; empty when cameras are off. */
  cameras: Record<string, { rgb: Uint8Array[]; depth: Float32Array[] }>;
  width: number;
  height: number;
  /** length x n arm joints */
  jointPos: Float32Array;
  jointVel: Float32Array;
  /** length x 3, length x 4 (w x y z), length */
  eePos: Float32Array;
  eeQuat: Float32Array;
  gripper: Float32Array;
  /** length x 6 (force N, torque N m), length x 2 (finger pads, N) */
  wrench: Float32Array;
  touch: Float32Array;
  /** length x 7: the common end-effector action */
  action: Float32Array;
  /** length x (n + 1): joint targets the action amounted to, then the gripper command */
  jointAction: Float32Array;
  /** length x 3: the target object's position and the goal (from privileged.task.target / .goal; NaN when absent) */
  targetPos: Float32Array;
  goalPos: Float32Array;
  /** Simulation time of each row (s). */
  time: Float64Array;
}

/** Collects rows while an episode runs: start() with the reset, then step() with each StepResult and its action. */
export class RolloutRecorder {
  private pending: { o: Observation; p: PrivilegedState } | null = null;
  private rows: { o: Observation; p: PrivilegedState; action: number[]; joint: number[] }[] = [];
  private task: TaskState = {};
  private seed = 0;
  private poses: Record<string, CameraPose> = {};
  private mounts: Record<string, CameraMount> = {};

  constructor(private readonly env: Env) {}

  start(seed: number, reset: { observation: Observation; privileged: PrivilegedState }): void {
    this.rows = [];
    this.seed = seed;
    this.task = reset.privileged.task;
    this.pending = { o: reset.observation, p: reset.privileged };
    this.poses = worldCameraPoses(this.env);
    this.mounts = eeCameraMounts(this.env);
  }

  /** Records the row (previous observation, this action); `r` is what the action led to. */
  step(r: StepResult, action: ArrayLike<number>): void {
    if (!this.pending) throw new Error('RolloutRecorder.step before start');
    this.rows.push({ ...this.pending, action: Array.from(action), joint: r.info.jointTargets });
    this.pending = { o: r.observation, p: r.privileged };
  }

  finish(success: boolean): Rollout {
    const rows = this.rows, T = rows.length, n = this.env.embodiment.armJoints.length;
    const col = (width: number, get: (row: (typeof rows)[number]) => ArrayLike<number>) => {
      const out = new Float32Array(T * width);
      rows.forEach((r, t) => {
        const v = get(r);
        if (v.length !== width) throw new Error(`rollout: row ${t} has ${v.length} values where ${width} were expected`);
        out.set(v, t * width);
      });
      return out;
    };
    const target = typeof this.task.target === 'string' ? this.task.target : null;
    const goal = Array.isArray(this.task.goal) && this.task.goal.length === 3 ? (this.task.goal as number[]) : [NaN, NaN, NaN];
    const cameras: Rollout['cameras'] = {};
    for (const cam of this.env.cameraNames) {
      if (!rows[0]?.o.images[cam]) continue;
      cameras[cam] = { rgb: rows.map((r) => r.o.images[cam]!.at(-1)!.rgb), depth: rows.map((r) => r.o.images[cam]!.at(-1)!.depth) };
    }
    return {
      embodiment: this.env.embodiment.id, instruction: rows[0]?.o.instruction ?? '', seed: this.seed, success, length: T, task: this.task,
      cameraPoses: this.poses, cameraMounts: this.mounts, cameras, width: this.env.config.width, height: this.env.config.height,
      jointPos: col(n, (r) => r.o.proprio.jointPos), jointVel: col(n, (r) => r.o.proprio.jointVel),
      eePos: col(3, (r) => r.o.proprio.eePos), eeQuat: col(4, (r) => r.o.proprio.eeQuat), gripper: col(1, (r) => [r.o.proprio.gripper]),
      wrench: col(6, (r) => [...r.o.wrench.force, ...r.o.wrench.torque]), touch: col(2, (r) => r.o.touch),
      action: col(7, (r) => r.action.slice(0, 7)), jointAction: col(n + 1, (r) => r.joint),
      targetPos: col(3, (r) => (target && r.p.objects[target] ? r.p.objects[target]!.pos : [NaN, NaN, NaN])),
      goalPos: col(3, (r) => (Array.isArray(r.p.task.goal) && r.p.task.goal.length === 3 ? (r.p.task.goal as number[]) : goal)),
      time: Float64Array.from(rows, (r) => r.o.time),
    };
  }
}

/** Current poses of the env's cameras that hang on the world body (not on a moving link), by name. */
export function worldCameraPoses(env: Env): Record<string, CameraPose> {
  const body = env.model.cam_bodyid as Int32Array, out: Record<string, CameraPose> = {};
  cameraNames(env.model).forEach((name, id) => { if (name && body[id] === 0) out[name] = modelCameraPose(env.model, env.data, id); });
  return out;
}

/** The mounts of the env's cameras that hang on the end-effector site's body (and so move rigidly with it), by name. */
export function eeCameraMounts(env: Env): Record<string, CameraMount> {
  const body = env.model.cam_bodyid as Int32Array, eeBody = (env.model.site_bodyid as Int32Array)[env.eeSite()]!, out: Record<string, CameraMount> = {};
  const ee = env.eePose();
  cameraNames(env.model).forEach((name, id) => { if (name && body[id] === eeBody) out[name] = mountOf(ee, modelCameraPose(env.model, env.data, id)); });
  return out;
}

/** Transferable buffers of a rollout (to move it between threads without copying). */
export function rolloutTransfer(r: Rollout): ArrayBuffer[] {
  const bufs = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => { if (a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) bufs.add(a.buffer); };
  for (const c of Object.values(r.cameras)) { c.rgb.forEach(add); c.depth.forEach(add); }
  [r.jointPos, r.jointVel, r.eePos, r.eeQuat, r.gripper, r.wrench, r.touch, r.action, r.jointAction, r.targetPos, r.goalPos, r.time].forEach(add);
  return [...bufs];
}
