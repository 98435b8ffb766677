// The common action space (DESIGN.md): end-effector delta position (3, m, world frame), delta rotation (3, axis-angle,
// rad, world frame) and gripper (1; 0 = open, 1 = closed) at 20 Hz; and the joint-space alternative (arm joint targets
// in rad, then the gripper). Deltas move the controller's end-effector target (env.ts nextTarget), so N actions of
// 1 cm move the hand N cm. Validation names the bad component.
export const EE_ACTION_NAMES = ['dx', 'dy', 'dz', 'drx', 'dry', 'drz', 'gripper'] as const;
export const EE_ACTION_DIM = 7;

/** Largest accepted component magnitudes of one end-effector action (per 20 Hz step). */
export const EE_ACTION_LIMITS = { pos: 0.05, rot: 0.5, gripper: [0, 1] as const };

export type ActionMode = 'ee' | 'joint';

export class ActionError extends Error {
  constructor(message: string) { super(message); this.name = 'ActionError'; }
}

/**
 * Checks an action. Non-finite values always throw. Out-of-range values throw, or with clamp=true are clamped and
 * counted. Returns the (possibly clamped) copy and how many components were clamped.
 */
export function checkAction(action: ArrayLike<number>, mode: ActionMode, dim: number, bounds: { lower: number[]; upper: number[] }, clamp: boolean): { action: Float64Array; clamped: number } {
  if (action === null || typeof action !== 'object' || typeof action.length !== 'number') throw new ActionError(`action must be an array of ${dim} numbers, got ${action === null ? 'null' : typeof action}`);
  if (action.length !== dim) throw new ActionError(`action has ${action.length} components; the ${mode} action space of this embodiment has ${dim}`);
  const out = Float64Array.from(action);
  let clamped = 0;
  for (let i = 0; i < dim; i++) {
    const v = out[i]!;
    const name = mode === 'ee' ? EE_ACTION_NAMES[i] : i < dim - 1 ? `joint ${i}` : 'gripper';
    const raw: unknown = action[i];
    if (typeof raw !== 'number') throw new ActionError(`action[${i}] (${name}) is ${raw === undefined ? 'undefined' : `a ${typeof raw} (${JSON.stringify(raw)})`}; actions must be numbers`);
    if (!Number.isFinite(v)) throw new ActionError(`action[${i}] (${name}) is ${v}; actions must be finite`);
    const lo = bounds.lower[i]!, hi = bounds.upper[i]!;
    if (v < lo || v > hi) {
      if (!clamp) throw new ActionError(`action[${i}] (${name}) = ${v} is outside [${lo}, ${hi}]`);
      out[i] = Math.min(hi, Math.max(lo, v));
      clamped++;
    }
  }
  return { action: out, clamped };
}
