// Reusable static scene parts that hold things: an open box (bus bin, reject bin, compartment) and a flat tray with
// a low rim (serving tray, bento tray). Each is MJCF for <worldbody>: one body named `name` (track it to read its pose)
// with named geoms `${name}/base`, `${name}/wall_*`. Sizes are in metres; `pos` is the centre of the base's underside
// (the table top is z = 0).
export type Vec3 = [number, number, number];
export type Rgba = readonly [number, number, number, number];

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface BoxSpec {
  name: string;
  pos: Vec3;
  /** Inner half-extents along x and y, and the wall height. */
  halfX: number;
  halfY: number;
  height: number;
  /** Wall and base thickness (default 0.008). */
  wall?: number;
  rgba: Rgba;
  /** Rotation about the vertical (rad, default 0). */
  yaw?: number;
}

/** An open box: a base and four walls. Inside, objects rest at z = pos.z + wall. */
export function openBox(b: BoxSpec): string {
  const t = b.wall ?? 0.008, h = b.height;
  const wx = b.halfX + t, wy = b.halfY + t;
  const geom = (n: string, p: Vec3, s: Vec3) => `\n      <geom name="${b.name}/${n}" type="box" pos="${f(p)}" size="${f(s)}" rgba="${f(b.rgba)}" friction="1 0.01 0.001"/>`;
  return `
    <body name="${b.name}" pos="${f(b.pos)}" euler="0 0 ${+(b.yaw ?? 0).toFixed(5)}">${geom('base', [0, 0, t / 2], [wx, wy, t / 2])}${geom('wall_px', [b.halfX + t / 2, 0, h / 2], [t / 2, wy, h / 2])}${geom('wall_nx', [-b.halfX - t / 2, 0, h / 2], [t / 2, wy, h / 2])}${geom('wall_py', [0, b.halfY + t / 2, h / 2], [b.halfX, t / 2, h / 2])}${geom('wall_ny', [0, -b.halfY - t / 2, h / 2], [b.halfX, t / 2, h / 2])}
    </body>`;
}

/** A tray: an open box with a low rim (default 1.5 cm). */
export const tray = (b: Omit<BoxSpec, 'height'> & { height?: number }): string => openBox({ ...b, height: b.height ?? 0.015, wall: b.wall ?? 0.006 });

/** Whether a point lies inside an open box's inner footprint (x, y), shrunk by `margin`, given the box's pose. */
export function insideFootprint(p: readonly number[], box: { pos: readonly number[]; yaw?: number; halfX: number; halfY: number }, margin = 0): boolean {
  const c = Math.cos(-(box.yaw ?? 0)), s = Math.sin(-(box.yaw ?? 0));
  const dx = p[0]! - box.pos[0]!, dy = p[1]! - box.pos[1]!;
  const lx = c * dx - s * dy, ly = s * dx + c * dy;
  return Math.abs(lx) <= box.halfX - margin && Math.abs(ly) <= box.halfY - margin;
}
