// A conveyor belt that really moves things: a static frame (bed, side rails, end rollers, legs) and a belt body on a
// slide joint along the line, driven at a set speed by a velocity actuator. Things lying on the belt are carried by
// contact friction. The belt body is long enough for an episode's travel (it runs past the frame's upstream end at
// the start and comes out at the downstream end); dark cross stripes on it show the motion on camera.
// mj_resetData zeroes ctrl, so a task calls runConveyor() in its episode hook at every reset.
import type { Env } from '../../env.ts';
import { idOf, mujocoSync } from '../../mujoco.ts';

export type Vec3 = [number, number, number];
const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface ConveyorSpec {
  name: string;
  /** Centre of the frame on the table (x, y); the table top is z = 0. */
  center: [number, number];
  /** Direction of travel in the table plane (rad about z; 0 = toward -y, i.e. from the arm's left to its right). */
  yaw?: number;
  /** Belt half-width (across the line) and the frame's half-length (along it). */
  halfWidth: number;
  halfLength: number;
  /** Height of the belt's top surface above the table. */
  top: number;
  /** How far the belt may travel in an episode (m): the belt is that much longer upstream. */
  travel: number;
  /** Belt mass (kg, default 12) and actuator velocity gain (N s/m, default 1500): heavy and stiff so loads do not slow it. */
  mass?: number;
  kv?: number;
  beltRgba?: readonly number[];
  frameRgba?: readonly number[];
}

export interface Conveyor {
  spec: ConveyorSpec;
  /** MJCF for <worldbody> and <actuator>. */
  mjcf: string;
  actuatorMjcf: string;
  /** The belt body (track it to read how far it moved), its slide joint and its drive. */
  belt: string;
  joint: string;
  actuator: string;
  /** Unit direction of travel in the world (x, y). */
  dir: [number, number];
  /** World point on the belt's centre line at `s` metres downstream of the frame's centre, on the belt's top. */
  at(s: number, across?: number): Vec3;
}

const THICK = 0.008;

export function conveyor(spec: ConveyorSpec): Conveyor {
  const yaw = spec.yaw ?? 0;
  // local frame: +y local is upstream; the belt moves toward local -y
  const dir: [number, number] = [Math.sin(yaw), -Math.cos(yaw)];
  const { halfWidth: hw, halfLength: hl, top, travel } = spec;
  const belt = `${spec.name}/belt`, joint = `${spec.name}/slide`, actuator = `${spec.name}/drive`;
  const frame = spec.frameRgba ?? [0.62, 0.64, 0.68, 1];
  const beltRgba = spec.beltRgba ?? [0.2, 0.42, 0.32, 1];
  const bedTop = top - THICK - 0.002; // a 2 mm gap under the belt: it touches nothing static
  const g = (n: string, type: string, p: Vec3, s: number[], rgba: readonly number[], extra = '') =>
    `\n      <geom name="${spec.name}/${n}" type="${type}" pos="${f(p)}" size="${f(s)}" rgba="${f(rgba)}"${extra}/>`;
  const rail = 0.008, railH = 0.006; // rails stand just above the belt at its sides
  let frameGeoms = g('bed', 'box', [0, 0, bedTop / 2], [hw, hl, bedTop / 2], frame);
  for (const side of [1, -1]) {
    frameGeoms += g(`rail_${side > 0 ? 'l' : 'r'}`, 'box', [side * (hw + rail + 0.003), 0, (top + railH) / 2], [rail, hl, (top + railH) / 2], frame);
  }
  for (const end of [1, -1]) {
    frameGeoms += g(`roller_${end > 0 ? 'up' : 'down'}`, 'cylinder', [0, end * hl, top - THICK / 2 - 0.002], [THICK / 2 + 0.003, hw], [0.35, 0.36, 0.38, 1], ' euler="0 1.5708 0" contype="0" conaffinity="0"');
  }
  // the belt: from the frame's downstream end to `travel` beyond its upstream end
  const lo = -hl, hi = hl + travel, len = (hi - lo) / 2, mid = (hi + lo) / 2;
  let stripes = '';
  for (let y = lo + 0.02; y < hi; y += 0.05) {
    stripes += `\n        <geom type="box" pos="${f([0, y, THICK / 2 + 0.0004])}" size="${f([hw * 0.96, 0.005, 0.0004])}" rgba="0.1 0.14 0.12 1" contype="0" conaffinity="0" mass="0.0001"/>`;
  }
  const mjcf = `
    <body name="${spec.name}" pos="${f([...spec.center, 0])}" euler="0 0 ${+yaw.toFixed(5)}">${frameGeoms}
      <body name="${belt}" pos="${f([0, 0, top - THICK / 2])}">
        <joint name="${joint}" type="slide" axis="0 -1 0" damping="0"/>
        <geom name="${belt}" type="box" pos="${f([0, mid, 0])}" size="${f([hw, len, THICK / 2])}" rgba="${f(beltRgba)}" mass="${spec.mass ?? 12}" friction="1.2 0.01 0.001" condim="4"/>${stripes}
      </body>
    </body>`;
  const actuatorMjcf = `\n    <velocity name="${actuator}" joint="${joint}" kv="${spec.kv ?? 1500}"/>`;
  const c = spec.center;
  const at = (s: number, across = 0): Vec3 => [c[0] + dir[0] * s - dir[1] * across, c[1] + dir[1] * s + dir[0] * across, top];
  return { spec, mjcf, actuatorMjcf, belt, joint, actuator, dir, at };
}

/**
 * Sets the belt running at `speed` (m/s; 0 stops it, the drive then holds it still) from this reset on: the drive's
 * command, and the belt's velocity and that of the items lying on it (`riders`, objects of the env) so nothing has
 * to catch up. Call it from the episode hook (after mj_resetData, before the env places and settles the objects).
 */
export function runConveyor(env: Env, c: Conveyor, speed: number, riders: readonly string[] = []): void {
  const mj = mujocoSync(), m = env.model, d = env.data;
  (d.ctrl as Float64Array)[idOf(mj, m, 'actuator', c.actuator)] = speed;
  const dofAdr = m.jnt_dofadr as Int32Array, qvel = d.qvel as Float64Array;
  qvel[dofAdr[idOf(mj, m, 'joint', c.joint)]!] = speed;
  for (const r of riders) {
    const a = dofAdr[idOf(mj, m, 'joint', `${r}/free`)]!;
    qvel[a] = speed * c.dir[0];
    qvel[a + 1] = speed * c.dir[1];
  }
}
