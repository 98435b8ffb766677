// Shielded actions for the wire: the shield works in float64, the server sends float32 (openpi '<f4'). Plain
// rounding could push a value one float32 ulp past a limit (a workspace wall, the speed bound); these round so that
// the value stays inside: EE motion components toward zero (the box of allowed deltas holds zero and the speed bound
// is a norm), the gripper and joint targets toward the inside of their range.
import type { ShieldLimits } from './limits.ts';

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);

/** The float32 nearest `v` that is no farther from zero than v (never rounds a magnitude up). */
export function f32TowardZero(v: number): number {
  f32[0] = v;
  if (Math.abs(f32[0]!) > Math.abs(v)) u32[0] = u32[0]! - 1; // one ulp toward zero (same sign, smaller magnitude)
  return f32[0]!;
}

/** The float32 nearest `v` inside [lo, hi] (v itself inside it). */
export function f32Within(v: number, lo: number, hi: number): number {
  f32[0] = v;
  let x = f32[0]!;
  for (let i = 0; i < 4 && (x > hi || x < lo); i++) {
    // step one ulp back toward v's side of the range
    const up = x < lo;
    if (x === 0) { u32[0] = up ? 1 : 0x80000001; } else if ((x > 0) === up) u32[0] = u32[0]! + 1; else u32[0] = u32[0]! - 1;
    x = f32[0]!;
  }
  return x;
}

/** A shielded action as float32, inside the same limits. */
export function toFloat32(a: Float64Array, l: ShieldLimits): Float32Array {
  const n = a.length, out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const v = a[k]!;
    if (k === n - 1) out[k] = f32Within(v, l.gripper.min, l.gripper.max);
    else if (l.mode === 'ee') out[k] = f32TowardZero(v);
    else out[k] = f32Within(v, l.joint.lower[k]!, l.joint.upper[k]!);
  }
  return out;
}
