// A reusable raised static platform on the work table: a cabinet-like bedside table, a side table, a shelf. One body
// named `name` (track it to read its pose; move it per episode with moveStatic in parts/static-body.ts) with a top
// slab `${name}/top` whose upper face is at z = height, a body under it and a drawer handle facing the arm (-x).
export type Rgba = readonly [number, number, number, number];

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface PlatformSpec {
  name: string;
  /** Centre of the footprint on the table (x, y). */
  pos: [number, number];
  /** Half-extents of the top (m) and the height of its upper face above the table (m). */
  halfX: number;
  halfY: number;
  height: number;
  rgba: Rgba;
  /** Colour of the top slab (default: rgba). */
  topRgba?: Rgba;
}

export function platform(p: PlatformSpec): string {
  const t = 0.01, body = p.height - t;
  return `
    <body name="${p.name}" pos="${f([...p.pos, 0])}">
      <geom name="${p.name}/top" type="box" size="${f([p.halfX, p.halfY, t / 2])}" pos="0 0 ${f([p.height - t / 2])}" rgba="${f(p.topRgba ?? p.rgba)}" friction="1 0.01 0.001"/>
      <geom name="${p.name}/body" type="box" size="${f([p.halfX - 0.006, p.halfY - 0.006, body / 2])}" pos="0 0 ${f([body / 2])}" rgba="${f(p.rgba)}"/>
      <geom name="${p.name}/handle" type="box" size="${f([0.003, Math.min(0.02, p.halfY / 3), 0.003])}" pos="${f([-p.halfX + 0.003, 0, body * 0.6])}" rgba="0.75 0.75 0.78 1" contype="0" conaffinity="0"/>
    </body>`;
}

/** Whether a point's (x, y) lies over a platform's top at `center`, shrunk by `margin` (axis-aligned platforms). */
export function overTop(p: readonly number[], center: readonly number[], top: { halfX: number; halfY: number }, margin = 0): boolean {
  return Math.abs(p[0]! - center[0]!) <= top.halfX - margin && Math.abs(p[1]! - center[1]!) <= top.halfY - margin;
}
