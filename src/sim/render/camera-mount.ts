// A camera the arm carries (the wrist camera), as a fixed pose in the end-effector frame. With it, the camera's world
// pose at any recorded frame follows from that frame's end-effector pose (observation.state), so training can place a
// point in the wrist image without replaying the simulator. Only a camera on the end-effector site's own body is
// rigid with it; one behind a joint is not mounted.
import { matFromQuat } from '../control/rotation.ts';
import type { CameraPose, Vec3 } from './camera.ts';

export interface CameraMount {
  /** The camera's position in the end-effector frame (m). */
  offset: Vec3;
  /** Row-major 3x3: the camera's axes (columns) in the end-effector frame. */
  xmat: number[];
  /** Vertical field of view, degrees. */
  fovy: number;
}

/** Row-major a^T b. */
const mulTransA = (a: readonly number[], b: readonly number[]): number[] =>
  Array.from({ length: 9 }, (_, k) => { const i = Math.floor(k / 3), j = k % 3; return a[i]! * b[j]! + a[3 + i]! * b[3 + j]! + a[6 + i]! * b[6 + j]!; });
/** Row-major a b. */
const mul = (a: readonly number[], b: readonly number[]): number[] =>
  Array.from({ length: 9 }, (_, k) => { const i = Math.floor(k / 3), j = k % 3; return a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!; });

/** The mount of a camera seen at world pose `cam` while the end effector was at `ee` (quaternion w, x, y, z). */
export function mountOf(ee: { pos: readonly number[]; quat: readonly number[] }, cam: CameraPose): CameraMount {
  const r = matFromQuat(ee.quat), d = [cam.pos[0] - ee.pos[0]!, cam.pos[1] - ee.pos[1]!, cam.pos[2] - ee.pos[2]!];
  const offset: Vec3 = [0, 1, 2].map((i) => r[i]! * d[0]! + r[3 + i]! * d[1]! + r[6 + i]! * d[2]!) as unknown as Vec3;
  return { offset, xmat: mulTransA(r, cam.xmat), fovy: cam.fovy };
}

/** The world pose of a mounted camera when the end effector is at (eePos, eeQuat). */
export function mountedPose(m: CameraMount, eePos: ArrayLike<number>, eeQuat: ArrayLike<number>): CameraPose {
  const r = matFromQuat(Array.from(eeQuat)), o = m.offset;
  const pos: Vec3 = [0, 1, 2].map((i) => eePos[i]! + r[3 * i]! * o[0] + r[3 * i + 1]! * o[1] + r[3 * i + 2]! * o[2]) as unknown as Vec3;
  return { pos, xmat: mul(r, m.xmat), fovy: m.fovy };
}
