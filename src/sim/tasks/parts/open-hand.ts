// A reusable static human hand, palm up, resting on a cushion with its forearm (a patient's hand on a bed edge, a
// customer's open hand): skin-coloured boxes for the palm and fingers, a capsule forearm. One body named `name`
// whose origin is under the palm's centre on the table (track it for the palm's pose; move it with moveStatic). The
// fingers point along the body's -y, the forearm runs along +y. Things handed over are held above the palm.
export type Rgba = readonly [number, number, number, number];

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

export const SKIN: Rgba = [0.87, 0.68, 0.55, 1];

export interface HandSpec {
  name: string;
  /** Overall scale (1: an adult hand, palm 8 x 9 cm). */
  scale?: number;
  /** Height of the cushion under the hand (m, default 0.04). */
  cushion?: number;
  skin?: Rgba;
  cushionRgba?: Rgba;
}

/** Height of the palm's upper face above the table. */
export const palmTop = (h: Pick<HandSpec, 'scale' | 'cushion'>): number => (h.cushion ?? 0.04) + 0.016 * (h.scale ?? 1);

/** Half-extents of the palm (x across, y along the fingers). */
export const palmHalf = (h: Pick<HandSpec, 'scale'>): [number, number] => [0.04 * (h.scale ?? 1), 0.045 * (h.scale ?? 1)];

export function openHand(h: HandSpec): string {
  const s = h.scale ?? 1, c = h.cushion ?? 0.04, skin = f(h.skin ?? SKIN), cu = f(h.cushionRgba ?? [0.62, 0.74, 0.86, 1]);
  const [px, py] = palmHalf(h), t = 0.008 * s, z = c + t;
  const geom = (n: string, attrs: string) => `\n      <geom name="${h.name}/${n}" ${attrs}/>`;
  const fingers = [-0.75, -0.25, 0.25, 0.75].map((k, i) => {
    const len = [0.026, 0.033, 0.035, 0.031][i]! * s;
    return geom(`finger${i}`, `type="box" size="${f([0.0085 * s, len, 0.0065 * s])}" pos="${f([k * px * 0.95, -py - len + 0.004, c + 0.0065 * s])}" rgba="${skin}"`);
  }).join('');
  return `
    <body name="${h.name}">${geom('cushion', `type="box" size="${f([0.075 * s, 0.11 * s, c / 2])}" pos="${f([0, 0.01 * s, c / 2])}" rgba="${cu}"`)}${geom('palm', `type="box" size="${f([px, py, t])}" pos="${f([0, 0, z])}" rgba="${skin}"`)}${fingers}${geom('thumb', `type="box" size="${f([0.009 * s, 0.026 * s, 0.007 * s])}" pos="${f([px + 0.012 * s, -0.012 * s, c + 0.007 * s])}" euler="0 0 0.7" rgba="${skin}"`)}${geom('forearm', `type="capsule" size="${f([0.026 * s])}" fromto="${f([0, py * 0.8, z, 0, py + 0.16 * s, z + 0.01])}" rgba="${skin}"`)}${geom('sleeve', `type="capsule" size="${f([0.031 * s])}" fromto="${f([0, py + 0.1 * s, z + 0.005, 0, py + 0.2 * s, z + 0.015])}" rgba="0.55 0.7 0.75 1"`)}
    </body>`;
}

/** Whether a point's (x, y) is within `radius` of the palm's centre (the hand body's position). */
export const overPalm = (p: readonly number[], hand: readonly number[], radius: number): boolean => Math.hypot(p[0]! - hand[0]!, p[1]! - hand[1]!) <= radius;
