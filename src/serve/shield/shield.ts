// The safety shield: a pure function between a learned policy and the robot, applied to every action before it
// leaves the server (shieldChunk, on each chunk) and again in the robot client (shieldAction, on each executed step).
// It never lets through what its limits forbid. Guarantees, in priority order:
//   1. always: a finite action of the right size; a wrist wrench over its transient limit at any step, over its
//      quasi-static limit for longer than transientMs (ISO/TS 15066: contact under 0.5 s is transient), or unreadable
//      stops the arm (category 2: hold position, gripper unchanged) until resetShield; non-finite actions or state are held (zero EE delta /
//      the last joint targets); the action space's bounds; the workspace box (present EE + delta inside it; when the
//      EE is already outside, no axis moves further out); EE speed and angular speed (norms); joint position limits
//      and joint velocity (against the previous command); the per-step change limit in EE mode (LeRobot's
//      max_relative_target: the delta is goal minus present); the gripper range.
//   2. unless they conflict with 1. on that step (then logged as 'limit-conflict' and only 1. is applied): the
//      acceleration and jerk limits (rate limiting after libfranka's limitRate, in per-step differences at the control
//      rate) and the joint-mode per-step change limit (|target - present joint position|).
// Every intervention is counted in the state and returned with its reason (kind, step, component, value, limit).
// The state is plain data; nothing here mutates its inputs.
import type { Observation } from '../../sim/observation.ts';
import { EE_ACTION_LIMITS, EE_ACTION_NAMES } from '../../sim/action.ts';
import type { ShieldLimits } from './limits.ts';
import { clamp, intersect, isEmpty, projectBoxBall, type Interval } from './project.ts';

export type InterventionKind =
  | 'stopped' | 'wrench-stop' | 'bad-shape' | 'non-finite' | 'missing-state' | 'predicted-joint-limit'
  | 'bounds' | 'relative' | 'workspace' | 'speed' | 'acceleration' | 'jerk' | 'joint-limit' | 'joint-velocity' | 'gripper'
  | 'limit-conflict';

export interface Intervention {
  kind: InterventionKind;
  /** The shield's step count (actions shielded since reset) when it happened. */
  step: number;
  /** Which component ('dx', 'joint 2', 'translation', 'wrench.force', ...). */
  component: string;
  /** The offending value (per step for motion: m, rad; speed as the step's norm in m/s or rad/s). */
  value: number;
  /** The limit it broke: a bound, or an allowed interval. */
  limit: number | [number, number];
}

/** What the robot measured now; the more it gives, the more the shield checks (see each field). */
export interface RobotState {
  /** End-effector position (m, world); needed for the workspace box in EE mode (without it: hold). */
  eePos?: readonly number[];
  /** Arm joint positions (rad); needed in joint mode. */
  jointPos?: readonly number[];
  /** Gripper opening as observed (1 = open, 0 = closed); only used to hold the gripper before any command was sent. */
  gripper?: number;
  /** Wrist force (N) and torque (N m); checked against the stop thresholds when given. */
  wrench?: { force: readonly number[]; torque: readonly number[] };
  /** EE mode: the joint targets the robot's controller predicts for this action, when it can tell (checked against the joint limits). */
  predictedJointTargets?: readonly number[];
}

export interface ShieldState {
  /** Actions shielded since reset. */
  step: number;
  /** Latched stop (wrench): every action is held until resetShield. */
  stop: { reason: string; step: number } | null;
  /** Consecutive steps with the wrench above its quasi-static limit (a stop once longer than transientMs). */
  overload: number;
  /** The last action sent (EE: the 7-D action; joint: arm targets then gripper); null before the first. */
  last: number[] | null;
  /** Rate memory in per-step units: the last motion delta (EE: dpos 3 + drot 3; joint: target change) and its change; null: unknown (no rate limits on the next step). */
  d: number[] | null;
  e: number[] | null;
  /** Interventions so far, by kind. */
  counts: Partial<Record<InterventionKind, number>>;
}

export interface ShieldResult {
  action: Float64Array;
  state: ShieldState;
  interventions: Intervention[];
  /** The output is a hold (zero EE delta / last joint targets, gripper unchanged). */
  held: boolean;
  /** Acceleration and jerk limits were applied on this step (false on holds, limit conflicts and unknown rate memory). */
  rateLimited: boolean;
}

/** The state at a reset: from rest (the first action may only accelerate from zero), or with unknown rate memory. */
export function initialShieldState(limits: ShieldLimits, opts: { fromRest?: boolean } = {}): ShieldState {
  const n = rateDim(limits);
  const rest = opts.fromRest ?? true;
  return { step: 0, stop: null, overload: 0, last: null, d: rest ? new Array(n).fill(0) : null, e: rest ? new Array(n).fill(0) : null, counts: {} };
}

/** Clears a latched stop (an operator's reset); counts and the last command are kept, the arm starts from rest. */
export function resetShield(state: ShieldState, limits: ShieldLimits): ShieldState {
  return { ...initialShieldState(limits), step: state.step, last: state.last, counts: { ...state.counts } };
}

/** The robot state an env Observation gives. */
export function robotStateFromObservation(o: Observation): RobotState {
  return { eePos: o.proprio.eePos, jointPos: Array.from(o.proprio.jointPos), gripper: o.proprio.gripper, wrench: o.wrench };
}

export class ShieldError extends Error {
  constructor(message: string) { super(message); this.name = 'ShieldError'; }
}

/** Steps of a quasi-static overload that still count as a transient contact. */
export const transientSteps = (l: ShieldLimits): number => Math.floor((l.wrench.transientMs * l.controlHz) / 1000);
const rateDim = (l: ShieldLimits) => (l.mode === 'ee' ? 6 : l.joint.lower.length);
const actionDim = (l: ShieldLimits) => (l.mode === 'ee' ? 7 : l.joint.lower.length + 1);
const componentName = (l: ShieldLimits, i: number) => (l.mode === 'ee' ? EE_ACTION_NAMES[i]! : i < l.joint.lower.length ? `joint ${i}` : 'gripper');
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const allFinite = (a: readonly unknown[] | undefined, n: number) => !!a && a.length === n && a.every(finite);
const hypot = (v: readonly number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/** Shields one action for the robot's present state. */
export function shieldAction(action: ArrayLike<number>, robot: RobotState, limits: ShieldLimits, state: ShieldState): ShieldResult {
  const step = state.step + 1;
  const out: Intervention[] = [];
  const note = (kind: InterventionKind, component: string, value: number, limit: number | [number, number]) => out.push({ kind, step, component, value, limit });
  let overload = state.overload;
  const finish = (a: number[], s: Omit<ShieldState, 'counts' | 'step' | 'overload'>, held: boolean, rateLimited: boolean): ShieldResult => {
    const counts = { ...state.counts };
    for (const i of out) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
    return { action: Float64Array.from(a), state: { ...s, step, counts, overload }, interventions: out, held, rateLimited };
  };
  const hold = (stop: ShieldState['stop']): ShieldResult => finish(holdAction(robot, limits, state), { stop, last: holdAction(robot, limits, state), d: new Array(rateDim(limits)).fill(0), e: new Array(rateDim(limits)).fill(0) }, true, false);

  if (state.stop) { note('stopped', state.stop.reason, 0, 0); return hold(state.stop); }
  if (robot.wrench) {
    const w = limits.wrench, f = hypot(robot.wrench.force ?? []), t = hypot(robot.wrench.torque ?? []);
    const readable = allFinite(robot.wrench.force, 3) && allFinite(robot.wrench.torque, 3);
    if (!readable) { note('wrench-stop', 'wrench', NaN, 0); return hold({ reason: 'the wrist wrench is unreadable (not 3 + 3 finite numbers)', step }); }
    if (f > w.transientForce) { note('wrench-stop', 'wrench.force', f, w.transientForce); return hold({ reason: `wrist force ${f} N over the transient limit ${w.transientForce} N`, step }); }
    if (t > w.transientTorque) { note('wrench-stop', 'wrench.torque', t, w.transientTorque); return hold({ reason: `wrist torque ${t} N m over the transient limit ${w.transientTorque} N m`, step }); }
    overload = f > w.maxForce || t > w.maxTorque ? overload + 1 : 0;
    if (overload > transientSteps(limits)) {
      const which = f > w.maxForce ? `force ${f} N over ${w.maxForce} N` : `torque ${t} N m over ${w.maxTorque} N m`;
      note('wrench-stop', f > w.maxForce ? 'wrench.force' : 'wrench.torque', f > w.maxForce ? f : t, f > w.maxForce ? w.maxForce : w.maxTorque);
      return hold({ reason: `wrist ${which} for ${overload} steps (longer than ${w.transientMs} ms)`, step });
    }
  }
  const dim = actionDim(limits);
  const len = action && typeof action === 'object' && typeof action.length === 'number' ? action.length : -1;
  if (len !== dim) { note('bad-shape', 'action', len, dim); return hold(null); }
  for (let i = 0; i < dim; i++) {
    if (!finite(action[i])) { note('non-finite', componentName(limits, i), Number(action[i]), 0); return hold(null); }
  }
  return limits.mode === 'ee' ? shieldEe(Array.from(action), robot, limits, state, note, finish, hold) : shieldJoint(Array.from(action), robot, limits, state, note, finish, hold);
}

type Note = (kind: InterventionKind, component: string, value: number, limit: number | [number, number]) => void;
type Finish = (a: number[], s: Omit<ShieldState, 'counts' | 'step' | 'overload'>, held: boolean, rateLimited: boolean) => ShieldResult;
type Hold = (stop: ShieldState['stop']) => ShieldResult;

/** Stop category 2: zero EE delta (joint mode: the last targets), gripper unchanged. */
function holdAction(robot: RobotState, l: ShieldLimits, s: ShieldState): number[] {
  const g = l.gripper;
  const gripper = s.last ? s.last[s.last.length - 1]! : finite(robot.gripper) ? clamp(1 - robot.gripper, { lo: g.min, hi: g.max }) : g.min;
  if (l.mode === 'ee') return [0, 0, 0, 0, 0, 0, gripper];
  const n = l.joint.lower.length;
  const q = s.last ? s.last.slice(0, n) : allFinite(robot.jointPos, n) ? robot.jointPos!.map((v, k) => clamp(v, { lo: l.joint.lower[k]!, hi: l.joint.upper[k]! })) : null;
  if (!q) throw new ShieldError(`joint mode: no joint targets to hold (nothing sent yet and robot.jointPos is ${robot.jointPos ? `not ${n} finite numbers` : 'missing'})`);
  return [...q, gripper];
}

/** Accel and jerk intervals for a per-step delta given the rate memory (per-step units). */
function rateBox(d: readonly number[], e: readonly number[], A: number, J: number): { accel: Interval[]; jerk: Interval[] } {
  return {
    accel: d.map((v) => ({ lo: v - A, hi: v + A })),
    jerk: d.map((v, k) => ({ lo: v + e[k]! - J, hi: v + e[k]! + J })),
  };
}

/** Notes the worst component of `req` outside `box` under `kind`. */
function noteBox(note: Note, kind: InterventionKind, names: readonly string[], req: readonly number[], box: readonly Interval[], perStepToValue = 1): void {
  let worst = -1, by = 0;
  req.forEach((v, k) => { const i = box[k]!; const o = v < i.lo ? i.lo - v : v > i.hi ? v - i.hi : 0; if (o > by) { by = o; worst = k; } });
  if (worst >= 0) note(kind, names[worst]!, req[worst]! * perStepToValue, [box[worst]!.lo * perStepToValue, box[worst]!.hi * perStepToValue]);
}

/** Notes the worst component whose per-step difference `diff` exceeds +-`bound`, in SI units (times `scale`: m/s^2, m/s^3). */
function noteRate(note: Note, kind: InterventionKind, names: readonly string[], diff: readonly number[], bound: readonly number[], scale: number): void {
  let worst = -1, by = 0;
  diff.forEach((v, k) => { const o = Math.abs(v) - bound[k]!; if (o > by) { by = o; worst = k; } });
  if (worst >= 0) note(kind, names[worst]!, diff[worst]! * scale, bound[worst]! * scale);
}

function shieldEe(a: number[], robot: RobotState, l: ShieldLimits, s: ShieldState, note: Note, finish: Finish, hold: Hold): ShieldResult {
  const dt = 1 / l.controlHz;
  const ws = l.ee.workspace;
  if (ws && !allFinite(robot.eePos, 3)) { note(robot.eePos ? 'non-finite' : 'missing-state', 'state.eePos', robot.eePos ? Number(robot.eePos.find((v) => !finite(v)) ?? NaN) : NaN, 0); return hold(null); }
  if (robot.predictedJointTargets) {
    const q = robot.predictedJointTargets, n = l.joint.lower.length;
    if (q.length !== n) { note('bad-shape', 'state.predictedJointTargets', q.length, n); return hold(null); }
    for (let k = 0; k < n; k++) {
      if (!(finite(q[k]) && q[k]! >= l.joint.lower[k]! && q[k]! <= l.joint.upper[k]!)) { note('predicted-joint-limit', `joint ${k}`, Number(q[k]), [l.joint.lower[k]!, l.joint.upper[k]!]); return hold(null); }
    }
  }
  const rate = s.d !== null && s.e !== null;
  let conflict = false;
  const parts: number[] = [];
  for (const [off, m, bound] of [[0, l.ee.translation, EE_ACTION_LIMITS.pos], [3, l.ee.rotation, EE_ACTION_LIMITS.rot]] as const) {
    const names = EE_ACTION_NAMES.slice(off, off + 3);
    const req = a.slice(off, off + 3);
    const bounds: Interval[] = req.map(() => ({ lo: -bound, hi: bound }));
    const rel: Interval[] = req.map(() => ({ lo: -m.maxRelative, hi: m.maxRelative }));
    let hard = intersect(bounds, rel);
    noteBox(note, 'bounds', names, req, bounds);
    noteBox(note, 'relative', names, req, rel);
    if (off === 0 && ws) {
      const p = robot.eePos!;
      const wsBox: Interval[] = p.map((v, k) => {
        const lo = ws.min[k]!, hi = ws.max[k]!;
        return v < lo ? { lo: 0, hi: hi - v } : v > hi ? { lo: lo - v, hi: 0 } : { lo: lo - v, hi: hi - v };
      });
      noteBox(note, 'workspace', names, req, wsBox);
      hard = intersect(hard, wsBox);
    }
    const radius = m.maxSpeed * dt;
    const speed = hypot(req);
    if (speed > radius) note('speed', off === 0 ? 'translation' : 'rotation', speed / dt, m.maxSpeed);
    let got: number[] | null = null;
    if (rate) {
      const { accel, jerk } = rateBox(s.d!.slice(off, off + 3), s.e!.slice(off, off + 3), m.maxAccel * dt * dt, m.maxJerk * dt * dt * dt);
      got = projectBoxBall(req, intersect(intersect(hard, accel), jerk), radius);
      const dp = s.d!.slice(off, off + 3), ep = s.e!.slice(off, off + 3);
      noteRate(note, 'acceleration', names, req.map((v, k) => v - dp[k]!), accel.map((i, k) => i.hi - dp[k]!), 1 / (dt * dt));
      noteRate(note, 'jerk', names, req.map((v, k) => v - dp[k]! - ep[k]!), jerk.map((i, k) => i.hi - dp[k]! - ep[k]!), 1 / (dt * dt * dt));
      if (!got) { conflict = true; note('limit-conflict', off === 0 ? 'translation' : 'rotation', speed / dt, m.maxSpeed); }
    }
    got ??= projectBoxBall(req, hard, radius);
    if (!got) throw new ShieldError('internal: the hard limits admit no motion (they always admit zero)');
    parts.push(...got);
  }
  const g = l.gripper, gi: Interval = { lo: g.min, hi: g.max };
  if (a[6]! < g.min || a[6]! > g.max) note('gripper', 'gripper', a[6]!, [g.min, g.max]);
  const action = [...parts, clamp(a[6]!, gi)];
  const rateOn = rate && !conflict;
  const d = parts, e = rate ? parts.map((v, k) => v - s.d![k]!) : parts.map(() => 0);
  const A = [l.ee.translation.maxAccel, l.ee.rotation.maxAccel].flatMap((x) => [x, x, x]).map((x) => x * dt * dt);
  return finish(action, { stop: null, last: action, d, e: rateOn ? e : e.map((v, k) => clamp(v, { lo: -A[k]!, hi: A[k]! })) }, false, rateOn);
}

function shieldJoint(a: number[], robot: RobotState, l: ShieldLimits, s: ShieldState, note: Note, finish: Finish, hold: Hold): ShieldResult {
  const dt = 1 / l.controlHz, j = l.joint, n = j.lower.length;
  if (!allFinite(robot.jointPos, n)) {
    note(robot.jointPos ? (robot.jointPos.length !== n ? 'bad-shape' : 'non-finite') : 'missing-state', 'state.jointPos', robot.jointPos ? robot.jointPos.length : NaN, n);
    return hold(null);
  }
  const present = robot.jointPos!;
  const names = Array.from({ length: n }, (_, k) => `joint ${k}`);
  const prev = s.last ? s.last.slice(0, n) : present.map((v, k) => clamp(v, { lo: j.lower[k]!, hi: j.upper[k]! }));
  const req = a.slice(0, n).map((v, k) => v - prev[k]!); // requested change of the target this step
  const limitsBox: Interval[] = prev.map((p, k) => ({ lo: j.lower[k]! - p, hi: j.upper[k]! - p }));
  const velBox: Interval[] = prev.map((_, k) => ({ lo: -j.maxVelocity[k]! * dt, hi: j.maxVelocity[k]! * dt }));
  const relBox: Interval[] = prev.map((p, k) => ({ lo: present[k]! - j.maxRelative[k]! - p, hi: present[k]! + j.maxRelative[k]! - p }));
  noteBox(note, 'joint-limit', names, a.slice(0, n), j.lower.map((lo, k) => ({ lo, hi: j.upper[k]! })));
  noteBox(note, 'joint-velocity', names, req, velBox, 1 / dt);
  noteBox(note, 'relative', names, req, relBox);
  const hard = intersect(limitsBox, velBox);
  const rate = s.d !== null && s.e !== null;
  let soft = intersect(hard, relBox);
  if (rate) {
    const A = j.maxAccel.map((x) => x * dt * dt), J = j.maxJerk.map((x) => x * dt * dt * dt);
    const accel = s.d!.map((v, k) => ({ lo: v - A[k]!, hi: v + A[k]! }));
    const jerk = s.d!.map((v, k) => ({ lo: v + s.e![k]! - J[k]!, hi: v + s.e![k]! + J[k]! }));
    noteRate(note, 'acceleration', names, req.map((v, k) => v - s.d![k]!), A, 1 / (dt * dt));
    noteRate(note, 'jerk', names, req.map((v, k) => v - s.d![k]! - s.e![k]!), J, 1 / (dt * dt * dt));
    soft = intersect(intersect(soft, accel), jerk);
  }
  let conflict = false, box = soft;
  if (isEmpty(soft)) { conflict = true; box = hard; note('limit-conflict', 'joints', 0, 0); }
  if (isEmpty(box)) throw new ShieldError('internal: joint limits and velocity admit no motion (the previous target is inside the limits)');
  const delta = req.map((v, k) => clamp(v, box[k]!));
  const targets = prev.map((p, k) => clamp(p + delta[k]!, { lo: j.lower[k]!, hi: j.upper[k]! }));
  const g = l.gripper;
  if (a[n]! < g.min || a[n]! > g.max) note('gripper', 'gripper', a[n]!, [g.min, g.max]);
  const action = [...targets, clamp(a[n]!, { lo: g.min, hi: g.max })];
  const d = targets.map((q, k) => q - prev[k]!);
  const rateOn = rate && !conflict;
  const A = j.maxAccel.map((x) => x * dt * dt);
  const e = d.map((v, k) => (rate ? v - s.d![k]! : 0));
  return finish(action, { stop: null, last: action, d, e: rateOn ? e : e.map((v, k) => clamp(v, { lo: -A[k]!, hi: A[k]! })) }, false, rateOn);
}

/**
 * A hold the robot client decided (its watchdog: no valid action in time): the shield's own hold (zero EE delta / the
 * last joint targets, gripper unchanged), kept in the state like any output; not an intervention of the shield.
 */
export function holdStep(robot: RobotState, limits: ShieldLimits, state: ShieldState): ShieldResult {
  const a = holdAction(robot, limits, state), n = rateDim(limits);
  return { action: Float64Array.from(a), state: { ...state, step: state.step + 1, last: a, d: new Array(n).fill(0), e: new Array(n).fill(0) }, interventions: [], held: true, rateLimited: false };
}

export interface ChunkResult {
  chunk: Float64Array[];
  state: ShieldState;
  interventions: Intervention[];
}

/**
 * Shields a whole chunk for the present state: each action in turn, the robot assumed to follow the shielded actions
 * (EE position advanced by each delta, joints at each target), so that the whole chunk keeps the workspace and joint
 * limits. The wrench is checked once, on the first action (a stop holds the rest).
 */
export function shieldChunk(chunk: readonly ArrayLike<number>[], robot: RobotState, limits: ShieldLimits, state: ShieldState): ChunkResult {
  let s = state, ee = robot.eePos ? [...robot.eePos] : undefined, q = robot.jointPos;
  const outs: Float64Array[] = [], all: Intervention[] = [];
  chunk.forEach((a, i) => {
    const r = shieldAction(a, i === 0 ? { ...robot, eePos: ee } : { eePos: ee, jointPos: q, gripper: robot.gripper }, limits, s);
    s = r.state;
    outs.push(r.action);
    all.push(...r.interventions);
    if (limits.mode === 'ee') { if (ee) ee = ee.map((v, k) => v + r.action[k]!); } else q = Array.from(r.action.subarray(0, limits.joint.lower.length));
  });
  return { chunk: outs, state: s, interventions: all };
}

/** The state a server uses for each new chunk: the stop latch and counts carried, rate memory unknown (the robot executes only part of each chunk). */
export function chunkStartState(s: ShieldState): ShieldState {
  return { ...s, d: null, e: null };
}

/** One line for logs. */
export function formatIntervention(i: Intervention): string {
  const lim = Array.isArray(i.limit) ? `[${i.limit.map((v) => +v.toPrecision(4)).join(', ')}]` : `${+i.limit.toPrecision(4)}`;
  return `shield step ${i.step}: ${i.kind} on ${i.component}: ${Number.isFinite(i.value) ? +i.value.toPrecision(4) : i.value} (limit ${lim})`;
}
