// A general scripted expert from privileged state: a list of waypoints, each a target for the end effector (fixed,
// or recomputed every step from the state, for moving objects such as a conveyor's), a gripper command, a tolerance
// and a hold. The runner drives the common action space toward each in turn with a saturated proportional step
// (ACT's scripted-policy pattern), keeping the gripper at one orientation for the episode, and stops when the task's
// success predicate ends the episode, when the waypoints run out, or at the step limit.
import type { Env } from '../env.ts';
import type { Observation, PrivilegedState, StepResult } from '../observation.ts';
import { quatFromAxisAngle, quatMul, rotationError } from '../control/rotation.ts';
import { graspYaw } from './pick-place.ts';

export type Vec3 = [number, number, number];

export interface Waypoint {
  /** For logs and tests: what this waypoint is for ("above cup", "release"...). */
  name: string;
  /** Where the end effector goes: a point, or a function of the current state (re-evaluated every step). */
  pos: Vec3 | ((s: PrivilegedState, o: Observation) => Vec3);
  /** Gripper command while heading here: 0 open .. 1 closed. */
  gripper: number;
  /** Arrival radius (m), measured on the end effector. */
  tolerance: number;
  /** Control steps to stay after arrival before moving on (default 0). */
  hold?: number;
  /** Largest step of the target per control step (m; default 0.03). */
  maxStep?: number;
  /** Move on as soon as this is true, arrived or not (e.g. a button's sensor fired). */
  until?: (s: PrivilegedState, o: Observation) => boolean;
  /** Give up on this waypoint after this many steps and move on (default: never). */
  timeout?: number;
}

export interface ExpertResult {
  /** The task's success predicate ended the episode (StepResult.terminated). */
  success: boolean;
  steps: number;
  /** Waypoints completed (all of them when the plan ran to its end). */
  reached: number;
  last: StepResult | null;
}

export interface RunOptions {
  maxSteps: number;
  /** Turn about world z applied to the start orientation for the whole episode (rad; default 0). */
  yaw?: number;
  /** Control steps to keep still after the last waypoint, waiting for the success predicate (default 10). */
  settle?: number;
  /** Called after every step (recording, video). */
  onStep?: (r: StepResult, action: number[]) => void;
}

/** Runs the waypoints from the env's current state (just after reset). */
export function runWaypoints(env: Env, start: { observation: Observation; privileged: PrivilegedState }, wps: readonly Waypoint[], opts: RunOptions): ExpertResult {
  let obs = start.observation, priv = start.privileged, last: StepResult | null = null;
  let k = 0, held = 0, inWp = 0, steps = 0, settle = opts.settle ?? 10;
  const orientation = quatMul(quatFromAxisAngle([0, 0, opts.yaw ?? 0]), start.privileged.eeTarget.quat);
  const maxTurn = 0.15;
  while (steps < opts.maxSteps) {
    const w = wps[Math.min(k, wps.length - 1)];
    if (!w) break;
    if (k >= wps.length && settle-- <= 0) break;
    const goal = typeof w.pos === 'function' ? w.pos(priv, obs) : w.pos;
    // step the controller's target (deltas move the target, see nextTarget in env.ts); arrival is judged on the
    // measured end effector
    const t = priv.eeTarget.pos, e = obs.proprio.eePos;
    const d = [goal[0] - t[0], goal[1] - t[1], goal[2] - t[2]];
    const maxStep = w.maxStep ?? 0.03;
    const scale = Math.min(1, maxStep / Math.max(1e-9, Math.hypot(...d)));
    const rot = rotationError(orientation, priv.eeTarget.quat);
    const turn = Math.min(1, maxTurn / Math.max(1e-9, Math.hypot(...rot)));
    const action = [d[0]! * scale, d[1]! * scale, d[2]! * scale, rot[0] * turn, rot[1] * turn, rot[2] * turn, w.gripper];
    const r = env.step(action);
    opts.onStep?.(r, action);
    last = r; obs = r.observation; priv = r.privileged; steps++;
    if (r.terminated || r.truncated) break;
    if (k >= wps.length) continue;
    inWp++;
    const dist = Math.hypot(goal[0] - e[0], goal[1] - e[1], goal[2] - e[2]);
    // the first waypoint is reached only once the turn is done too
    const turned = k > 0 || Math.hypot(...rotationError(orientation, obs.proprio.eeQuat)) < 0.05;
    const next = () => { k++; held = 0; inWp = 0; };
    if (w.until?.(priv, obs)) next();
    else if (w.timeout !== undefined && inWp >= w.timeout) next();
    else if (dist < w.tolerance && turned && held++ >= (w.hold ?? 0)) next();
  }
  return { success: last?.terminated ?? false, steps, reached: Math.min(k, wps.length), last };
}

export interface PickPlan {
  object: string;
  /** Height of the end effector when grasping (m, world z; usually the object's centre). */
  graspZ: number;
  /** Height to carry at (m, world z), above every obstacle on the way. */
  carryZ: number;
  /** Where to release: the end effector's position when opening the gripper. */
  place: Vec3;
  /** Extra height of the approach above the grasp (m; default 0.1). */
  approach?: number;
}

/** The waypoints of a pick and place: above the object, down, close, lift, over the goal, down, open, retreat. */
export function pickPlaceWaypoints(s: PrivilegedState, p: PickPlan): Waypoint[] {
  const o = s.objects[p.object]!.pos;
  const above = p.graspZ + (p.approach ?? 0.1);
  return [
    { name: 'above object', pos: [o[0], o[1], Math.max(above, p.graspZ + 0.05)], gripper: 0, tolerance: 0.01 },
    { name: 'at object', pos: [o[0], o[1], p.graspZ], gripper: 0, tolerance: 0.006, hold: 2 },
    { name: 'close', pos: [o[0], o[1], p.graspZ], gripper: 1, tolerance: 0.02, hold: 8 },
    { name: 'lift', pos: [o[0], o[1], p.carryZ], gripper: 1, tolerance: 0.015 },
    { name: 'over goal', pos: [p.place[0], p.place[1], p.carryZ], gripper: 1, tolerance: 0.012 },
    { name: 'down to goal', pos: p.place, gripper: 1, tolerance: 0.008, hold: 2 },
    { name: 'release', pos: p.place, gripper: 0, tolerance: 0.03, hold: 8 },
    { name: 'retreat', pos: [p.place[0], p.place[1], p.carryZ], gripper: 0, tolerance: 0.02 },
  ];
}

/** The yaw for grasping `object` across its narrower side (boxes), 0 otherwise. */
export const yawFor = (env: Env, s: PrivilegedState, object: string): number => graspYaw(env, s, object);
