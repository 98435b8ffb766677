// The care room shared by the care tasks: a bed edge with the patient's open hand on a cushion, a bedside table (a
// raised static platform), pill bottles and cups as free objects, and (nurse-call) a spring-loaded call button with
// a light-switch distractor. Laid out per arm (kara6/kara7 around x = 0.4; the smaller WidowX around x = 0.3), with
// helpers to colour and scatter the objects and to move the static parts each episode.
import type { Env } from '../../env.ts';
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { ObjectSpec } from '../../world.ts';
import type { TaskScene } from '../types.ts';
import { COLOURS, choose, jitterScene, parked, sample, scatter, setColour, type ColourName, type Region } from '../randomize.ts';
import { platform } from '../parts/platform.ts';
import { openHand, palmTop } from '../parts/open-hand.ts';
import { pushButton, capTopHeight, type ButtonSpec } from '../parts/push-button.ts';
import { moveStatic } from '../parts/static-body.ts';

export type Vec3 = [number, number, number];
export type Kind = 'pill' | 'cup';

/** The free objects of every care scene: two pill bottles and two cups (an episode uses some, parks the rest). */
export const ITEMS: readonly { name: string; kind: Kind }[] = [
  { name: 'pill_a', kind: 'pill' }, { name: 'pill_b', kind: 'pill' }, { name: 'cup_a', kind: 'cup' }, { name: 'cup_b', kind: 'cup' },
];

/** Nouns an instruction may use for each kind of object. */
export const NOUNS: Record<Kind, readonly string[]> = {
  pill: ['pill bottle', 'medicine bottle', 'pill container', 'bottle of pills'],
  cup: ['cup', 'mug', 'drinking cup'],
};

/** Colours the objects are drawn from (each names itself in instructions). */
export const ITEM_COLOURS: readonly ColourName[] = ['red', 'green', 'blue', 'yellow', 'white', 'orange', 'purple', 'pink'];

export interface CareLayout {
  /** Where the free objects start. */
  items: Region;
  bedside: { center: [number, number]; jitter: number; halfX: number; halfY: number; height: number };
  /** The palm's nominal centre, how far it may move (x, y) and turn (rad), and the hand's scale. */
  hand: { center: [number, number]; jitter: [number, number]; yaw: number; scale: number; cushion: number };
  /** Where the call button and the light switch go (nurse-call). */
  buttons: Region;
  /** Cylinder sizes [radius, half-height] of the objects. */
  sizes: Record<Kind, [number, number]>;
  /** The mattress along the far side (+y) of the table. */
  bed: { x: [number, number]; y0: number; height: number };
  camera: { pos: Vec3; lookAt: Vec3; fovy: number };
}

/** Where things go for an arm: kara6/kara7 (workspace centre x = 0.4) or the WidowX 250 (x = 0.3, smaller gripper). */
export function layout(e: EmbodimentSpec): CareLayout {
  if (e.id === 'widowx250') {
    return {
      items: { center: [0.29, 0.0], half: [0.06, 0.075] },
      bedside: { center: [0.3, -0.19], jitter: 0.015, halfX: 0.06, halfY: 0.055, height: 0.06 },
      hand: { center: [0.3, 0.225], jitter: [0.03, 0.02], yaw: 0.25, scale: 0.85, cushion: 0.03 },
      buttons: { center: [0.3, 0.0], half: [0.05, 0.09] },
      sizes: { pill: [0.014, 0.03], cup: [0.018, 0.028] },
      bed: { x: [0.12, 0.6], y0: 0.34, height: 0.07 },
      camera: { pos: [0.85, -0.5, 0.55], lookAt: [0.28, 0.03, 0.04], fovy: 45 },
    };
  }
  return {
    items: { center: [0.41, 0.0], half: [0.1, 0.1] },
    bedside: { center: [0.43, -0.24], jitter: 0.02, halfX: 0.075, halfY: 0.065, height: 0.08 },
    hand: { center: [0.44, 0.275], jitter: [0.05, 0.025], yaw: 0.35, scale: 1, cushion: 0.04 },
    buttons: { center: [0.44, 0.02], half: [0.08, 0.1] },
    sizes: { pill: [0.019, 0.035], cup: [0.03, 0.04] },
    bed: { x: [0.22, 0.72], y0: 0.38, height: 0.08 },
    camera: { pos: [1.0, -0.55, 0.65], lookAt: [0.42, 0.03, 0.04], fovy: 45 },
  };
}

/** The nurse-call button and the light switch beside it (shapes and sizes; colours are set per episode). */
export const CALL_BUTTON: Omit<ButtonSpec, 'pos' | 'rgba'> = { name: 'call_button', shape: 'round', cap: 0.02, baseRgba: [0.92, 0.92, 0.9, 1], stiffness: 400, travel: 0.008 };
export const LIGHT_SWITCH: Omit<ButtonSpec, 'pos' | 'rgba'> = { name: 'light_switch', shape: 'square', cap: 0.019, baseRgba: [0.85, 0.85, 0.82, 1], stiffness: 400, travel: 0.008 };
/** The press that rings (N on the cap's touch sensor). */
export const PRESS_THRESHOLD = 2;

export const BUTTON_TOP = capTopHeight(CALL_BUTTON);
export const palmTopOf = (l: CareLayout): number => palmTop({ scale: l.hand.scale, cushion: l.hand.cushion });

/** The care room for an arm; `buttons` adds the call button and the light switch (with their touch sensors). */
export function careScene(e: EmbodimentSpec, opts: { buttons?: boolean } = {}): TaskScene {
  const l = layout(e);
  const objects: ObjectSpec[] = ITEMS.map((it) => ({
    name: it.name, shape: 'cylinder', size: l.sizes[it.kind], mass: it.kind === 'pill' ? 0.04 : 0.06, friction: 1.2, rgba: [...COLOURS.white],
  }));
  const bedX = (l.bed.x[0] + l.bed.x[1]) / 2, bedHx = (l.bed.x[1] - l.bed.x[0]) / 2, bedHy = (0.55 - l.bed.y0) / 2;
  let staticMjcf = platform({ name: 'bedside_table', pos: l.bedside.center, halfX: l.bedside.halfX, halfY: l.bedside.halfY, height: l.bedside.height, rgba: [0.6, 0.45, 0.3, 1], topRgba: [0.85, 0.8, 0.72, 1] })
    + openHand({ name: 'patient_hand', scale: l.hand.scale, cushion: l.hand.cushion })
    + `
    <body name="bed" pos="${bedX} ${l.bed.y0 + bedHy} 0">
      <geom name="bed/mattress" type="box" size="${bedHx} ${bedHy} ${l.bed.height / 2}" pos="0 0 ${l.bed.height / 2}" rgba="0.95 0.95 0.97 1"/>
      <geom name="bed/blanket" type="box" size="${bedHx + 0.002} ${bedHy * 0.6} 0.006" pos="0 ${bedHy * 0.4} ${l.bed.height}" rgba="0.45 0.6 0.8 1"/>
    </body>`;
  let sensorMjcf: string | undefined;
  const trackBodies = ['bedside_table', 'patient_hand'];
  if (opts.buttons) {
    const a = pushButton({ ...CALL_BUTTON, pos: [l.buttons.center[0], l.buttons.center[1] - 0.06, 0], rgba: COLOURS.red });
    const b = pushButton({ ...LIGHT_SWITCH, pos: [l.buttons.center[0], l.buttons.center[1] + 0.06, 0], rgba: COLOURS.white });
    staticMjcf += a.mjcf + b.mjcf;
    sensorMjcf = a.sensor + b.sensor;
    trackBodies.push('call_button', 'call_button/cap', 'light_switch', 'light_switch/cap');
  }
  return { objects, staticMjcf, trackBodies, sceneCamera: l.camera, ...(sensorMjcf ? { sensorMjcf } : {}) };
}

const u = (rng: () => number, a: number) => (rng() * 2 - 1) * a;

/** Moves the bedside table and the patient's hand for an episode; returns the table-top centre and the palm's pose. */
export function placeFurniture(env: Env, rng: () => number, l: CareLayout): { table: Vec3; palm: Vec3; yaw: number } {
  const tx = l.bedside.center[0] + u(rng, l.bedside.jitter), ty = l.bedside.center[1] + u(rng, l.bedside.jitter);
  moveStatic(env, 'bedside_table', [tx, ty, 0]);
  const hx = l.hand.center[0] + u(rng, l.hand.jitter[0]), hy = l.hand.center[1] + u(rng, l.hand.jitter[1]), yaw = u(rng, l.hand.yaw);
  moveStatic(env, 'patient_hand', [hx, hy, 0], yaw);
  return { table: [tx, ty, l.bedside.height], palm: [hx, hy, palmTopOf(l)], yaw };
}

export interface ItemsDraw {
  target: string;
  /** The other objects on the table this episode. */
  distractors: string[];
  colours: Record<string, ColourName>;
  /** The instruction's words for the target: "blue mug" etc. (one per noun synonym). */
  names: string[];
}

/**
 * Draws the episode's objects: a target of a random kind and colour, the other object of its kind in another colour
 * (so the colour matters), and one or both objects of the other kind, in any colours (a shared colour makes the
 * kind matter). Colours every object (parked ones too: the model is compiled once).
 */
export function drawItems(env: Env, rng: () => number): ItemsDraw {
  const target = choose(rng, ITEMS);
  const same = ITEMS.find((i) => i.kind === target.kind && i.name !== target.name)!;
  const others = ITEMS.filter((i) => i.kind !== target.kind);
  const [tc, sc] = sample(rng, ITEM_COLOURS, 2) as [ColourName, ColourName];
  const colours: Record<string, ColourName> = { [target.name]: tc, [same.name]: sc };
  // the other kind: often the target's colour (the noun then grounds it)
  for (const o of others) colours[o.name] = rng() < 0.4 ? tc : choose(rng, ITEM_COLOURS);
  for (const [n, c] of Object.entries(colours)) setColour(env, n, COLOURS[c]);
  const kept = rng() < 0.5 ? others : sample(rng, others, 1);
  return { target: target.name, distractors: [same.name, ...kept.map((k) => k.name)], colours, names: NOUNS[target.kind].map((n) => `${tc} ${n}`) };
}

/** Standing placements of the episode's objects scattered in the items region; the rest parked. */
export function placeItems(rng: () => number, l: CareLayout, used: readonly string[], gap = 0.03): Record<string, { pos: Vec3; yaw: number }> {
  const kindOf = (n: string) => ITEMS.find((i) => i.name === n)!.kind;
  const spots = scatter(rng, l.items, used.map((n) => l.sizes[kindOf(n)][0]), gap);
  const out: Record<string, { pos: Vec3; yaw: number }> = {};
  used.forEach((n, i) => { out[n] = { pos: [...spots[i]!, l.sizes[kindOf(n)][1] + 0.001], yaw: 0 }; });
  ITEMS.forEach((it, i) => { out[it.name] ??= parked(i, l.sizes[it.kind][1]); });
  return out;
}

export const kindOf = (name: string): Kind => ITEMS.find((i) => i.name === name)!.kind;
export { jitterScene };
