// A reusable place setting on the table, visual only (contype="0" conaffinity="0": nothing collides with it): a thin
// placemat with a fork and a knife lying on its two short edges. Marks a seat (a diner's place) or any flat zone that
// a task's predicate checks by footprint. One body named `name` (track it, move it per episode with moveStatic in
// parts/static-body.ts); geoms `${name}/mat`, `${name}/fork`, `${name}/knife` (recolour them with setColour).
export type Rgba = readonly [number, number, number, number];

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface PlacematSpec {
  name: string;
  /** Centre of the mat on the table (x, y); the table top is z = 0. */
  pos: [number, number];
  /** Half-extents of the mat along x and y (m). */
  halfX: number;
  halfY: number;
  rgba: Rgba;
  /** Draw a fork and a knife along the mat's y edges (default true). */
  cutlery?: boolean;
}

/** The mat's thickness (m): thin enough that an object resting on the table over it looks like it rests on the mat. */
export const PLACEMAT_THICKNESS = 0.0012;

/** MJCF for <worldbody>: the place setting's body with visual-only geoms. */
export function placemat(p: PlacematSpec): string {
  const t = PLACEMAT_THICKNESS / 2;
  const vis = 'contype="0" conaffinity="0" group="1"';
  const len = p.halfX * 0.75, w = Math.min(0.006, p.halfY * 0.08), off = p.halfY * 0.82;
  const steel = '0.78 0.8 0.82 1';
  const cutlery = p.cutlery === false ? '' : `
      <geom name="${p.name}/fork" type="box" pos="0 ${f([off])} ${f([2 * t + 0.0005])}" size="${f([len, w, 0.0005])}" rgba="${steel}" ${vis}/>
      <geom name="${p.name}/knife" type="box" pos="0 ${f([-off])} ${f([2 * t + 0.0005])}" size="${f([len, w * 0.8, 0.0005])}" rgba="${steel}" ${vis}/>`;
  return `
    <body name="${p.name}" pos="${f([p.pos[0], p.pos[1], 0])}">
      <geom name="${p.name}/mat" type="box" pos="0 0 ${f([t])}" size="${f([p.halfX, p.halfY, t])}" rgba="${f(p.rgba)}" ${vis}/>${cutlery}
    </body>`;
}
