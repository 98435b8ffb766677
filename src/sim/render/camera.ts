// Camera poses for the renderer: resolving a model camera by id or name, reading its pose from MjData,
// and building free-camera poses (position + rotation matrix or look-at). MuJoCo convention: the camera
// looks along its local -z axis with +y up; `xmat` is row-major and its columns are the camera axes in world.

import type { MjData, MjModel } from '@mujoco/mujoco';

export type Vec3 = readonly [number, number, number];

/** A camera pose in world coordinates. */
export interface CameraPose {
  pos: Vec3;
  /** Row-major 3x3 rotation, columns = camera x (right), y (up), z (backwards) in world. */
  xmat: readonly number[];
  /** Vertical field of view, degrees. */
  fovy: number;
}

/** A camera not in the model: position plus either a rotation matrix or a look-at target. */
export interface FreeCamera {
  pos: Vec3;
  /** Row-major 3x3 rotation as in MuJoCo's cam_xmat. */
  xmat?: readonly number[];
  /** Point to look at (used when xmat is absent). */
  lookat?: Vec3;
  /** World up for look-at, default +z. */
  up?: Vec3;
  /** Vertical field of view in degrees, default 45 (MuJoCo's default). */
  fovy?: number;
}

export type CameraSpec = number | string | FreeCamera;

/** Names of the model's cameras, index = camera id. */
export function cameraNames(model: MjModel): string[] {
  const names = model.names as Int8Array, adr = model.name_camadr as Int32Array, out: string[] = [];
  for (let i = 0; i < model.ncam; i++) {
    let s = '';
    for (let k = adr[i]!; k < names.length && names[k] !== 0; k++) s += String.fromCharCode(names[k]! & 0xff);
    out.push(s);
  }
  return out;
}

/** Camera id for an id or name; throws an Error naming the camera and listing the model's cameras. */
export function resolveCamera(names: readonly string[], cam: number | string): number {
  const list = () => (names.length ? names.map((n, i) => (n ? `${i} (${n})` : `${i}`)).join(', ') : 'none');
  if (typeof cam === 'number') {
    if (!Number.isInteger(cam) || cam < 0 || cam >= names.length) {
      throw new Error(`render: unknown camera id ${cam}; the model has ${names.length} camera(s): ${list()}`);
    }
    return cam;
  }
  const id = names.indexOf(cam);
  if (id < 0 || cam === '') throw new Error(`render: unknown camera name "${cam}"; the model's cameras: ${list()}`);
  return id;
}

/** Rotation (row-major, columns = camera axes) for a camera at `pos` looking at `target` with world `up`. */
export function lookAtMatrix(pos: Vec3, target: Vec3, up: Vec3 = [0, 0, 1]): number[] {
  let zx = pos[0] - target[0], zy = pos[1] - target[1], zz = pos[2] - target[2];
  const zl = Math.hypot(zx, zy, zz);
  if (zl === 0) throw new Error('render: free camera lookat equals its position');
  zx /= zl; zy /= zl; zz /= zl;
  let xx = up[1] * zz - up[2] * zy, xy = up[2] * zx - up[0] * zz, xz = up[0] * zy - up[1] * zx;
  let xl = Math.hypot(xx, xy, xz);
  if (xl < 1e-9) { // looking along up: pick any perpendicular
    xx = 1; xy = 0; xz = 0;
    if (Math.abs(zx) > 0.9) { xx = 0; xy = 1; }
    const d = xx * zx + xy * zy + xz * zz;
    xx -= d * zx; xy -= d * zy; xz -= d * zz; xl = Math.hypot(xx, xy, xz);
  }
  xx /= xl; xy /= xl; xz /= xl;
  const yx = zy * xz - zz * xy, yy = zz * xx - zx * xz, yz = zx * xy - zy * xx;
  return [xx, yx, zx, xy, yy, zy, xz, yz, zz];
}

/** Pose of a free camera. */
export function freeCameraPose(c: FreeCamera): CameraPose {
  const xmat = c.xmat ?? (c.lookat ? lookAtMatrix(c.pos, c.lookat, c.up) : null);
  if (!xmat || xmat.length !== 9) throw new Error('render: a free camera needs xmat (9 numbers) or lookat');
  const fovy = c.fovy ?? 45;
  if (!(fovy > 0 && fovy < 180)) throw new Error(`render: free camera fovy must be in (0, 180) degrees, got ${fovy}`);
  return { pos: c.pos, xmat, fovy };
}

/** Current pose of model camera `id` (after mj_forward / mj_step). */
export function modelCameraPose(model: MjModel, data: MjData, id: number): CameraPose {
  const p = data.cam_xpos as Float64Array, m = data.cam_xmat as Float64Array, f = model.cam_fovy as Float64Array;
  return {
    pos: [p[3 * id]!, p[3 * id + 1]!, p[3 * id + 2]!],
    xmat: Array.from(m.subarray(9 * id, 9 * id + 9)),
    fovy: f[id]!,
  };
}

/**
 * Where a world point lands in a `width` x `height` image of camera `pose`, as the renderer draws it: u (columns, to
 * the right) and v (rows, downwards) in pixels from the image's top-left corner (pixel centres at +0.5), and the
 * depth along the viewing direction (m; <= 0 means behind the camera, where u and v mean nothing).
 */
export function projectPoint(pose: CameraPose, point: Vec3, width: number, height: number): { u: number; v: number; depth: number } {
  const m = pose.xmat, d = [point[0] - pose.pos[0], point[1] - pose.pos[1], point[2] - pose.pos[2]];
  // camera-frame coordinates: the columns of xmat are the camera's x, y, z axes in world
  const cx = m[0]! * d[0]! + m[3]! * d[1]! + m[6]! * d[2]!;
  const cy = m[1]! * d[0]! + m[4]! * d[1]! + m[7]! * d[2]!;
  const cz = m[2]! * d[0]! + m[5]! * d[1]! + m[8]! * d[2]!;
  const depth = -cz, f = height / 2 / Math.tan((pose.fovy * Math.PI) / 360);
  return { u: width / 2 + (f * cx) / depth, v: height / 2 - (f * cy) / depth, depth };
}
