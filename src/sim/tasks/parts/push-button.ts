// A reusable spring-loaded push button (nurse call, light switch, machine start/stop): a static housing with a cap
// on a vertical slide joint whose `stiffness` pushes it back up, and a touch-sensor zone on the cap's top face.
// `pushButton` gives the MJCF for <worldbody> (one body named `name`, its cap body `${name}/cap`) and for <sensor>
// (`${name}/touch`, the normal force in N pressing on the cap); a task reads it from privileged.sensors.
export type Vec3 = [number, number, number];
export type Rgba = readonly [number, number, number, number];

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export interface ButtonSpec {
  name: string;
  /** Centre of the housing's underside (the table top is z = 0). */
  pos: Vec3;
  /** 'round': a cylindrical cap on a round housing; 'square': a flat rocker-like cap on a wall-plate housing. */
  shape: 'round' | 'square';
  /** Cap radius (round) or half side (square), m. */
  cap: number;
  /** Housing height (m, default 0.02) and cap height above it at rest (m, default 0.012). */
  baseHeight?: number;
  capHeight?: number;
  /** How far the cap can be pushed down (m, default 0.008) and the spring's stiffness (N/m, default 400). */
  travel?: number;
  stiffness?: number;
  rgba: Rgba;
  baseRgba: Rgba;
}

/** The sensor's name of a button (its reading is privileged.sensors[name][0], N). */
export const buttonSensor = (name: string): string => `${name}/touch`;

/** Height of a button's cap top above its housing's underside, at rest. */
export const capTopHeight = (b: Pick<ButtonSpec, 'baseHeight' | 'capHeight'>): number => (b.baseHeight ?? 0.02) + (b.capHeight ?? 0.012);

export function pushButton(b: ButtonSpec): { mjcf: string; sensor: string } {
  const bh = b.baseHeight ?? 0.02, ch = b.capHeight ?? 0.012, travel = b.travel ?? 0.008, k = b.stiffness ?? 400;
  const round = b.shape === 'round';
  const housing = round
    ? `<geom name="${b.name}/base" type="cylinder" size="${f([b.cap * 1.55, bh / 2])}" pos="0 0 ${f([bh / 2])}" rgba="${f(b.baseRgba)}"/>`
    : `<geom name="${b.name}/base" type="box" size="${f([b.cap * 1.5, b.cap * 1.5, bh / 2])}" pos="0 0 ${f([bh / 2])}" rgba="${f(b.baseRgba)}"/>`;
  // the cap reaches down into the housing (parent and child bodies do not collide) so no gap opens when pressed
  const capHalf = (ch + travel) / 2, capZ = ch - capHalf;
  const cap = round
    ? `<geom name="${b.name}/cap" type="cylinder" size="${f([b.cap, capHalf])}" pos="0 0 ${f([capZ])}" rgba="${f(b.rgba)}" mass="0.01"/>`
    : `<geom name="${b.name}/cap" type="box" size="${f([b.cap, b.cap * 0.7, capHalf])}" pos="0 0 ${f([capZ])}" rgba="${f(b.rgba)}" mass="0.01"/>`;
  const pad = round
    ? `<site name="${b.name}/pad" type="cylinder" size="${f([b.cap + 0.002, 0.005])}" pos="0 0 ${f([ch])}" rgba="0 1 0 0.3" group="4"/>`
    : `<site name="${b.name}/pad" type="box" size="${f([b.cap + 0.002, b.cap * 0.7 + 0.002, 0.005])}" pos="0 0 ${f([ch])}" rgba="0 1 0 0.3" group="4"/>`;
  const mjcf = `
    <body name="${b.name}" pos="${f(b.pos)}">
      ${housing}
      <body name="${b.name}/cap" pos="0 0 ${f([bh])}">
        <joint name="${b.name}/press" type="slide" axis="0 0 1" range="${f([-travel, 0.001])}" stiffness="${k}" springref="0.001" damping="2" armature="0.001"/>
        ${cap}
        ${pad}
      </body>
    </body>`;
  return { mjcf, sensor: `\n    <touch name="${buttonSensor(b.name)}" site="${b.name}/pad"/>` };
}

/** A button's reading (N) in a privileged state; 0 when the state has none. */
export const buttonForce = (sensors: Record<string, number[]>, name: string): number => sensors[buttonSensor(name)]?.[0] ?? 0;
