// The safety shield's limits, as data (zod-validated, per embodiment): the end-effector workspace box, EE speed /
// acceleration / jerk, angular ones, the per-step change limit (LeRobot's max_relative_target), joint position limits
// (from the arm's MJCF), joint velocity / acceleration / jerk (libfranka limitRate's idea), and the wrist wrench
// thresholds that turn into a category-2 stop. defaultShieldLimits(embodiment) fills every field from the embodiment
// spec and its compiled MJCF; a config file or flags may override any part (parseShieldLimits merges and validates).
import { z } from 'zod';
import { parseWith } from '../../validation.ts';
import { assembleWorld } from '../../sim/world.ts';
import { compileMjcf, idOf, mujoco } from '../../sim/mujoco.ts';
import { resolveEmbodiment, type EmbodimentSpec } from '../../sim/embodiments/index.ts';
import { EE_ACTION_LIMITS } from '../../sim/action.ts';
import { deepMerge } from '../../merge.ts';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
const pos = z.number().positive();
const Joints = z.array(z.number()).min(1);

/** A limit on one 3-D quantity, in SI units (m or rad, per second). */
const Motion = z.strictObject({
  /** Largest speed (norm of the 3-D velocity), m/s or rad/s. */
  maxSpeed: pos,
  /** Largest acceleration / jerk per axis, m/s^2, m/s^3 (or rad/...). */
  maxAccel: pos,
  maxJerk: pos,
  /** Largest per-step change of the goal against the present pose, per axis (m or rad; LeRobot's max_relative_target). */
  maxRelative: pos,
});

export const ShieldLimits = z.strictObject({
  embodiment: z.string().min(1),
  /** Control rate the actions are meant for (20 Hz in Karakuri). */
  controlHz: pos.default(20),
  mode: z.enum(['ee', 'joint']).default('ee'),
  ee: z.strictObject({
    /** The box (world frame, m) the end effector must stay in; null: no workspace limit. */
    workspace: z.strictObject({ min: Vec3, max: Vec3 }).nullable(),
    translation: Motion,
    rotation: Motion,
  }),
  joint: z.strictObject({
    lower: Joints,
    upper: Joints,
    maxVelocity: Joints,
    maxAccel: Joints,
    maxJerk: Joints,
    /** Largest |target - present| per joint and step (rad). */
    maxRelative: Joints,
  }),
  gripper: z.strictObject({ min: z.number(), max: z.number() }).default({ min: 0, max: 1 }),
  /**
   * Wrist force (N) and torque (N m) norms: above the transient limits at any step, or above the quasi-static ones
   * for longer than transientMs, the shield stops (hold position until reset).
   */
  wrench: z.strictObject({ maxForce: pos, maxTorque: pos, transientForce: pos, transientTorque: pos, transientMs: z.number().min(0) }),
}).superRefine((l, ctx) => {
  const j = l.joint, n = j.lower.length;
  for (const k of ['upper', 'maxVelocity', 'maxAccel', 'maxJerk', 'maxRelative'] as const) {
    if (j[k].length !== n) ctx.addIssue({ code: 'custom', path: ['joint', k], message: `has ${j[k].length} values for ${n} joints (joint.lower)` });
  }
  j.lower.forEach((lo, i) => { if (!(lo < j.upper[i]!)) ctx.addIssue({ code: 'custom', path: ['joint', 'lower', i], message: `${lo} is not below joint.upper[${i}] = ${j.upper[i]}` }); });
  for (const k of ['maxVelocity', 'maxAccel', 'maxJerk', 'maxRelative'] as const) {
    j[k].forEach((v, i) => { if (!(v > 0)) ctx.addIssue({ code: 'custom', path: ['joint', k, i], message: 'must be positive' }); });
  }
  const w = l.ee.workspace;
  if (w) w.min.forEach((lo, i) => { if (!(lo < w.max[i]!)) ctx.addIssue({ code: 'custom', path: ['ee', 'workspace', 'min', i], message: `${lo} is not below ee.workspace.max[${i}] = ${w.max[i]}` }); });
  if (l.wrench.transientForce < l.wrench.maxForce) ctx.addIssue({ code: 'custom', path: ['wrench', 'transientForce'], message: `is below wrench.maxForce (${l.wrench.maxForce})` });
  if (l.wrench.transientTorque < l.wrench.maxTorque) ctx.addIssue({ code: 'custom', path: ['wrench', 'transientTorque'], message: `is below wrench.maxTorque (${l.wrench.maxTorque})` });
  if (!(l.gripper.min < l.gripper.max)) ctx.addIssue({ code: 'custom', path: ['gripper'], message: 'min must be below max' });
  for (const m of ['translation', 'rotation'] as const) {
    const b = m === 'translation' ? EE_ACTION_LIMITS.pos : EE_ACTION_LIMITS.rot;
    if (l.ee[m].maxRelative > b) ctx.addIssue({ code: 'custom', path: ['ee', m, 'maxRelative'], message: `exceeds the action space's own bound ${b} per step` });
  }
});
export type ShieldLimits = z.output<typeof ShieldLimits>;
export type ShieldLimitsInput = z.input<typeof ShieldLimits>;

/** Validates a whole limits object (a config file, a message); errors name the field. */
export function parseShieldLimits(raw: unknown, where = 'shield limits'): ShieldLimits {
  return parseWith(ShieldLimits, raw, where, 'limits');
}

/**
 * Defaults, with their sources:
 * - EE speed 0.25 m/s: ISO 10218-1 reduced speed (12.5 mm per 20 Hz step). EE acceleration 2.5 m/s^2 and jerk
 *   50 m/s^3 (our choice for 20 Hz: full speed in 2 steps, jerk allows any acceleration change of A in one step).
 * - Angular: 2.5 rad/s (libfranka's Cartesian rotational velocity limit), 25 rad/s^2, 500 rad/s^3.
 * - Per-step change (max_relative_target): 20 mm and 0.2 rad per axis in EE mode; 0.2 rad per joint in joint mode.
 * - Joint velocity 2.0 rad/s, acceleration 10 rad/s^2, jerk 5000 rad/s^3 (below the Panda's 2.175-2.61, 7.5-20,
 *   3750-10000 of libfranka limitRate; at 20 Hz the jerk bound only smooths).
 * - Joint position limits: the arm's MJCF joint ranges (unlimited joints: +-2 pi).
 * - Workspace: the embodiment's object workspace (spec.workspace) widened by 0.12 m (x) and 0.28 m (y), z from
 *   -0.01 m (table top is 0) to 0.5 m; this box holds every scripted expert's end-effector path in the nine tasks.
 * - Wrench stop: 140 N sustained for more than 0.5 s, or 280 N at any step (ISO/TS 15066 quasi-static / transient
 *   limits for hand and fingers; contact shorter than 0.5 s is transient); torque 10 N m sustained or 20 N m at once
 *   (our choice: the experts peak near 6 N m). The simulated experts' contact spikes reach 120 N (one step).
 */
export const DEFAULTS = {
  translation: { maxSpeed: 0.25, maxAccel: 2.5, maxJerk: 50, maxRelative: 0.02 },
  rotation: { maxSpeed: 2.5, maxAccel: 25, maxJerk: 500, maxRelative: 0.2 },
  joint: { maxVelocity: 2.0, maxAccel: 10, maxJerk: 5000, maxRelative: 0.2 },
  workspaceMargin: [0.12, 0.28] as const,
  workspaceZ: [-0.01, 0.5] as const,
  wrench: { maxForce: 140, maxTorque: 10, transientForce: 280, transientTorque: 20, transientMs: 500 },
};

const rangeCache = new Map<string, { lower: number[]; upper: number[] }>();

/** The arm joints' position ranges from the compiled MJCF of the embodiment (cached per id). */
export async function jointRanges(e: EmbodimentSpec): Promise<{ lower: number[]; upper: number[] }> {
  const hit = rangeCache.get(e.id);
  if (hit) return hit;
  const mj = await mujoco();
  const world = assembleWorld({ embodiment: e, objects: [] });
  const m = compileMjcf(mj, world.xml, world.files);
  try {
    const range = m.jnt_range as Float64Array; // jnt_limited (a bool array) has no binding; a range of 0 0 means unlimited
    const lower: number[] = [], upper: number[] = [];
    for (const name of e.armJoints) {
      const j = idOf(mj, m, 'joint', name);
      const lo = range[2 * j]!, hi = range[2 * j + 1]!;
      const has = lo < hi;
      lower.push(has ? lo : -2 * Math.PI);
      upper.push(has ? hi : 2 * Math.PI);
    }
    const r = { lower, upper };
    rangeCache.set(e.id, r);
    return r;
  } finally {
    m.delete();
  }
}

/** The default limits of an embodiment (id or description), with `overrides` merged in and the result validated. */
export async function defaultShieldLimits(embodiment: string | EmbodimentSpec, overrides: DeepPartial<ShieldLimitsInput> = {}): Promise<ShieldLimits> {
  const e = typeof embodiment === 'string' ? resolveEmbodiment(embodiment) : embodiment;
  const { lower, upper } = await jointRanges(e);
  const n = lower.length, fill = (v: number) => Array.from({ length: n }, () => v);
  const c = e.workspace.center, h = e.workspace.halfExtent, [mx, my] = DEFAULTS.workspaceMargin;
  const base: ShieldLimitsInput = {
    embodiment: e.id, controlHz: 20, mode: 'ee',
    ee: {
      workspace: { min: [c[0] - h[0] - mx, c[1] - h[1] - my, DEFAULTS.workspaceZ[0]], max: [c[0] + h[0] + mx, c[1] + h[1] + my, DEFAULTS.workspaceZ[1]] },
      translation: { ...DEFAULTS.translation }, rotation: { ...DEFAULTS.rotation },
    },
    joint: {
      lower, upper, maxVelocity: fill(DEFAULTS.joint.maxVelocity), maxAccel: fill(DEFAULTS.joint.maxAccel),
      maxJerk: fill(DEFAULTS.joint.maxJerk), maxRelative: fill(DEFAULTS.joint.maxRelative),
    },
    gripper: { min: 0, max: 1 },
    wrench: { ...DEFAULTS.wrench },
  };
  return parseShieldLimits(deepMerge(base, overrides), `shield limits of ${e.id}`);
}

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;
