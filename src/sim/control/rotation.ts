// Rotations as plain arrays: quaternions (w, x, y, z, MuJoCo's order), axis-angle vectors and 3x3 row-major matrices.
export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];

export function quatMul(a: readonly number[], b: readonly number[]): Quat {
  const [aw, ax, ay, az] = a as Quat, [bw, bx, by, bz] = b as Quat;
  return [aw * bw - ax * bx - ay * by - az * bz, aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw];
}
export const quatConj = (q: readonly number[]): Quat => [q[0]!, -q[1]!, -q[2]!, -q[3]!];

export function quatFromAxisAngle(v: readonly number[]): Quat {
  const angle = Math.hypot(v[0]!, v[1]!, v[2]!);
  if (angle < 1e-12) return [1, 0, 0, 0];
  const s = Math.sin(angle / 2) / angle;
  return [Math.cos(angle / 2), v[0]! * s, v[1]! * s, v[2]! * s];
}

/** The rotation vector (axis * angle, angle in [0, pi]) of a unit quaternion. */
export function axisAngleFromQuat(q: readonly number[]): Vec3 {
  let [w, x, y, z] = q as Quat;
  if (w < 0) { w = -w; x = -x; y = -y; z = -z; }
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [0, 0, 0];
  const angle = 2 * Math.atan2(s, w);
  return [(x / s) * angle, (y / s) * angle, (z / s) * angle];
}

/** Quaternion of a row-major 3x3 rotation matrix (e.g. MuJoCo's site_xmat). */
export function quatFromMat(m: ArrayLike<number>, o = 0): Quat {
  const m00 = m[o]!, m01 = m[o + 1]!, m02 = m[o + 2]!, m10 = m[o + 3]!, m11 = m[o + 4]!, m12 = m[o + 5]!, m20 = m[o + 6]!, m21 = m[o + 7]!, m22 = m[o + 8]!;
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) { const s = Math.sqrt(tr + 1) * 2; q = [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s]; }
  else if (m00 > m11 && m00 > m22) { const s = Math.sqrt(1 + m00 - m11 - m22) * 2; q = [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s]; }
  else if (m11 > m22) { const s = Math.sqrt(1 + m11 - m00 - m22) * 2; q = [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s]; }
  else { const s = Math.sqrt(1 + m22 - m00 - m11) * 2; q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s]; }
  const n = Math.hypot(...q);
  return q.map((v) => v / n) as Quat;
}

/** Orientation error (rotation vector, world frame) that takes `current` to `target`. */
export const rotationError = (target: readonly number[], current: readonly number[]): Vec3 => axisAngleFromQuat(quatMul(target, quatConj(current)));

/** Row-major 3x3 rotation matrix of a unit quaternion (w, x, y, z): the inverse of quatFromMat. */
export function matFromQuat(q: readonly number[]): number[] {
  const [w, x, y, z] = q as Quat;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}
