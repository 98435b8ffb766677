// A static open box divided by inner walls into a grid of compartments (a bento box, a parts tray): rows along x
// (row 0 nearest the arm's base), columns along y (column 0 at the arm's right, -y). One body named `name` with geoms
// `${name}/base`, `${name}/wall_*`, `${name}/div_*`; each compartment has its centre and inner half-extents.
import { openBox, type Rgba, type Vec3 } from './containers.ts';

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface DividedBoxSpec {
  name: string;
  /** Centre of the base's underside (table top is z = 0). */
  pos: Vec3;
  rows: number;
  cols: number;
  /** Inner half-extents of one compartment (x, y), and the wall height. */
  cellHalfX: number;
  cellHalfY: number;
  height: number;
  /** Outer and base wall thickness (default 0.008) and inner divider thickness (default 0.006). */
  wall?: number;
  divider?: number;
  rgba: Rgba;
  dividerRgba?: Rgba;
}

export interface Compartment { row: number; col: number; center: Vec3; halfX: number; halfY: number }

export interface DividedBox { mjcf: string; compartments: Compartment[]; /** z where things rest inside (top of the base). */ floor: number; halfX: number; halfY: number }

export function dividedBox(b: DividedBoxSpec): DividedBox {
  const t = b.wall ?? 0.008, dv = b.divider ?? 0.006;
  const halfX = b.rows * b.cellHalfX + ((b.rows - 1) * dv) / 2;
  const halfY = b.cols * b.cellHalfY + ((b.cols - 1) * dv) / 2;
  const outer = openBox({ name: b.name, pos: b.pos, halfX, halfY, height: b.height, wall: t, rgba: b.rgba });
  const div = b.dividerRgba ?? b.rgba;
  let inner = '';
  for (let r = 1; r < b.rows; r++) {
    const x = -halfX + r * (2 * b.cellHalfX + dv) - dv / 2;
    inner += `\n      <geom name="${b.name}/div_row${r}" type="box" pos="${f([x, 0, t + (b.height - t) / 2])}" size="${f([dv / 2, halfY, (b.height - t) / 2])}" rgba="${f(div)}" friction="1 0.01 0.001"/>`;
  }
  for (let c = 1; c < b.cols; c++) {
    const y = -halfY + c * (2 * b.cellHalfY + dv) - dv / 2;
    inner += `\n      <geom name="${b.name}/div_col${c}" type="box" pos="${f([0, y, t + (b.height - t) / 2])}" size="${f([halfX, dv / 2, (b.height - t) / 2])}" rgba="${f(div)}" friction="1 0.01 0.001"/>`;
  }
  const mjcf = outer.replace(/\n\s*<\/body>\s*$/, `${inner}\n    </body>`);
  const compartments: Compartment[] = [];
  for (let r = 0; r < b.rows; r++) {
    for (let c = 0; c < b.cols; c++) {
      compartments.push({
        row: r, col: c, halfX: b.cellHalfX, halfY: b.cellHalfY,
        center: [b.pos[0] - halfX + b.cellHalfX + r * (2 * b.cellHalfX + dv), b.pos[1] - halfY + b.cellHalfY + c * (2 * b.cellHalfY + dv), b.pos[2] + t],
      });
    }
  }
  return { mjcf, compartments, floor: b.pos[2] + t, halfX, halfY };
}
