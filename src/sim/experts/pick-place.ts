// A scripted pick-and-place expert from privileged state: plans waypoints (above the object, at the object, lifted,
// above the goal, at the goal, retreat) and drives the common action space toward each in turn with a saturated
// proportional step, closing and opening the gripper at the right waypoints (ACT's scripted-policy pattern).
import type { Env } from '../env.ts';
import type { PrivilegedState, Observation } from '../observation.ts';
import { mujocoSync, idOf } from '../mujoco.ts';
import { quatFromAxisAngle, quatMul, rotationError } from '../control/rotation.ts';

/** Heading (rotation about world z) of a quaternion's x axis. */
const yawOf = (q: readonly number[]) => Math.atan2(2 * (q[0]! * q[3]! + q[1]! * q[2]!), 1 - 2 * (q[2]! * q[2]! + q[3]! * q[3]!));
/** `a` wrapped into [-period/2, period/2). */
const wrap = (a: number, period: number) => a - period * Math.floor(a / period + 0.5);

/**
 * The turn about world z that brings the fingers' closing direction across the object's narrower side: for a box,
 * along its shorter horizontal half-extent (either way round: period pi, or pi/2 for a square box); none for
 * cylinders, spheres and objects the env did not make (a task's own bodies).
 */
export function graspYaw(env: Env, state: PrivilegedState, object: string): number {
  const spec = env.config.objects.find((o) => o.name === object);
  if (!spec || spec.shape !== 'box') return 0;
  const [sx, sy] = spec.size as [number, number, number];
  const mj = mujocoSync();
  const [l, r] = env.embodiment.gripper.fingerBodies.map((b) => idOf(mj, env.model, 'body', b)) as [number, number];
  const xpos = env.data.xpos as Float64Array;
  const closing = Math.atan2(xpos[3 * r + 1]! - xpos[3 * l + 1]!, xpos[3 * r]! - xpos[3 * l]!);
  const across = yawOf(state.objects[object]!.quat) + (sx <= sy ? 0 : Math.PI / 2);
  return wrap(across - closing, Math.abs(sx - sy) < 1e-9 ? Math.PI / 2 : Math.PI);
}

export interface PickPlacePlan {
  object: string;
  goal: [number, number];
  /** height of the object's centre above the table when resting */
  restHeight: number;
  /** turn the gripper about the vertical so the fingers close across a box's narrower side (default true) */
  alignYaw?: boolean;
}

interface Waypoint { pos: [number, number, number]; gripper: number; /** control steps to hold after arrival */ hold: number; tolerance: number }

function waypoints(s: PrivilegedState, plan: PickPlacePlan): Waypoint[] {
  const o = s.objects[plan.object]!.pos;
  const gz = plan.restHeight; // grasp at the object's centre
  const [gx, gy] = plan.goal;
  return [
    { pos: [o[0], o[1], gz + 0.1], gripper: 0, hold: 0, tolerance: 0.01 },
    { pos: [o[0], o[1], gz], gripper: 0, hold: 2, tolerance: 0.006 },
    { pos: [o[0], o[1], gz], gripper: 1, hold: 8, tolerance: 0.02 },
    { pos: [o[0], o[1], gz + 0.12], gripper: 1, hold: 0, tolerance: 0.015 },
    { pos: [gx, gy, gz + 0.12], gripper: 1, hold: 0, tolerance: 0.012 },
    { pos: [gx, gy, gz + 0.012], gripper: 1, hold: 2, tolerance: 0.008 },
    { pos: [gx, gy, gz + 0.012], gripper: 0, hold: 8, tolerance: 0.03 },
    { pos: [gx, gy, gz + 0.12], gripper: 0, hold: 0, tolerance: 0.02 },
  ];
}

/** Runs the expert for one episode from the env's current state; returns whether the object ended at the goal. */
export function runPickPlace(env: Env, start: { observation: Observation; privileged: PrivilegedState }, plan: PickPlacePlan, maxSteps = 200): { success: boolean; steps: number; finalDistance: number } {
  const wps = waypoints(start.privileged, plan);
  let obs = start.observation, priv = start.privileged;
  let k = 0, held = 0, steps = 0;
  const gain = 1.0, maxStep = 0.03, maxTurn = 0.15;
  // the gripper's orientation for the whole episode: the start orientation turned about world z to suit the object
  const yaw = plan.alignYaw === false ? 0 : graspYaw(env, start.privileged, plan.object);
  const orientation = quatMul(quatFromAxisAngle([0, 0, yaw]), start.privileged.eeTarget.quat);
  while (k < wps.length && steps < maxSteps) {
    const w = wps[k]!;
    // step the controller's target toward the waypoint (deltas move the target, see nextTarget in env.ts); arrival
    // is judged on the measured end effector
    const t = priv.eeTarget.pos, e = obs.proprio.eePos;
    const d = [w.pos[0] - t[0], w.pos[1] - t[1], w.pos[2] - t[2]];
    const dist = Math.hypot(w.pos[0] - e[0], w.pos[1] - e[1], w.pos[2] - e[2]);
    const scale = Math.min(1, maxStep / Math.max(1e-9, gain * Math.hypot(...d)));
    const rot = rotationError(orientation, priv.eeTarget.quat);
    const turn = Math.min(1, maxTurn / Math.max(1e-9, Math.hypot(...rot)));
    const r = env.step([gain * d[0]! * scale, gain * d[1]! * scale, gain * d[2]! * scale, rot[0] * turn, rot[1] * turn, rot[2] * turn, w.gripper]);
    obs = r.observation; priv = r.privileged; steps++;
    // the first waypoint (above the object) is reached only once the turn is done too
    const turned = k > 0 || Math.hypot(...rotationError(orientation, obs.proprio.eeQuat)) < 0.05;
    if (dist < w.tolerance && turned) { if (held++ >= w.hold) { k++; held = 0; } }
  }
  const p = priv.objects[plan.object]!.pos;
  const finalDistance = Math.hypot(p[0] - plan.goal[0], p[1] - plan.goal[1]);
  const resting = Math.abs(p[2] - plan.restHeight) < 0.01;
  return { success: k === wps.length && finalDistance < 0.025 && resting && obs.proprio.gripper > 0.5, steps, finalDistance };
}
