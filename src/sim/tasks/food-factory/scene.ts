// The food-factory sector's shared scene: the food items (one primitive each: onigiri, tamagoyaki, sushi, karaage,
// ...) with their names and synonyms, their burnt colours, the conveyor line, and where things stand for each arm
// (the own arms reach x 0.25..0.55; the WidowX is smaller and works nearer its base). Left and right are the arm's
// (+y is left); "front" is the side nearest the arm.
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { ObjectSpec } from '../../world.ts';
import type { PrivilegedState } from '../../observation.ts';
import { conveyor, type Conveyor } from '../parts/conveyor.ts';
import type { Vec3 } from '../parts/containers.ts';

export type Rgba = [number, number, number, number];

export interface FoodKind {
  kind: string;
  /** What an instruction may call it (first = canonical). */
  names: readonly string[];
  shape: 'box' | 'cylinder' | 'sphere';
  /** MuJoCo size at the own arms' scale (the WidowX's items are smaller). */
  size: number[];
  rgba: Rgba;
  /** Its colour when burnt (kinds that can be). */
  burnt?: Rgba;
}

export const FOODS: readonly FoodKind[] = [
  { kind: 'onigiri', names: ['onigiri', 'rice ball'], shape: 'box', size: [0.02, 0.016, 0.02], rgba: [0.95, 0.95, 0.92, 1], burnt: [0.24, 0.17, 0.1, 1] },
  { kind: 'tamagoyaki', names: ['tamagoyaki', 'rolled omelette', 'egg roll'], shape: 'box', size: [0.024, 0.015, 0.015], rgba: [0.98, 0.84, 0.28, 1], burnt: [0.3, 0.18, 0.07, 1] },
  { kind: 'karaage', names: ['karaage', 'fried chicken', 'piece of fried chicken'], shape: 'sphere', size: [0.018], rgba: [0.78, 0.5, 0.2, 1], burnt: [0.16, 0.09, 0.05, 1] },
  { kind: 'salmon', names: ['salmon sushi', 'salmon nigiri'], shape: 'box', size: [0.022, 0.013, 0.012], rgba: [0.98, 0.52, 0.32, 1] },
  { kind: 'tuna', names: ['tuna sushi', 'tuna nigiri'], shape: 'box', size: [0.022, 0.013, 0.012], rgba: [0.78, 0.1, 0.16, 1] },
  { kind: 'tomato', names: ['cherry tomato', 'tomato'], shape: 'sphere', size: [0.016], rgba: [0.88, 0.12, 0.1, 1] },
  { kind: 'maki', names: ['maki roll', 'sushi roll'], shape: 'cylinder', size: [0.016, 0.016], rgba: [0.1, 0.16, 0.1, 1] },
  { kind: 'shumai', names: ['shumai', 'dumpling'], shape: 'cylinder', size: [0.016, 0.014], rgba: [0.93, 0.84, 0.6, 1], burnt: [0.26, 0.18, 0.1, 1] },
];

export const food = (kind: string): FoodKind => {
  const k = FOODS.find((x) => x.kind === kind);
  if (!k) throw new Error(`unknown food '${kind}'`);
  return k;
};

/** Item sizes per arm: the WidowX's gripper opens less. */
export const itemScale = (e: EmbodimentSpec): number => (e.id === 'widowx250' ? 0.72 : 1);

/** The object of one food item: `${kind}_${i}`. */
export function foodObject(k: FoodKind, i: number, e: EmbodimentSpec): ObjectSpec {
  const s = itemScale(e);
  return { name: `${k.kind}_${i}`, shape: k.shape, size: k.size.map((v) => +(v * s).toFixed(5)), rgba: k.rgba, mass: 0.03, friction: 1.5 };
}

/** Height of an item's centre above what it rests on (upright cylinders, flat boxes). */
export function restHeight(o: ObjectSpec): number {
  return o.shape === 'box' ? o.size[2]! : o.shape === 'cylinder' ? o.size[1]! : o.size[0]!;
}
/** Radius of an item's footprint (for spacing). */
export function footprint(o: ObjectSpec): number {
  return o.shape === 'box' ? Math.hypot(o.size[0]!, o.size[1]!) : o.size[0]!;
}
/** The kind of an object named `${kind}_${i}`. */
export const kindOf = (name: string): string => name.replace(/_\d+$/, '');

/** Where the line and the containers stand for an arm. */
export interface Layout {
  /** The conveyor's centre line (x) and its belt's top (z). */
  beltX: number;
  beltTop: number;
  beltHalfWidth: number;
  /** Span of the line (y) where items are laid out and where the arm picks them. */
  lineY: [number, number];
  /** Where the bento box, reject bin and tray stand (centre of their base's underside). */
  bento: Vec3;
  bin: Vec3;
  tray: Vec3;
  /** Carry height over everything (m). */
  carryZ: number;
}

export function layout(e: EmbodimentSpec): Layout {
  if (e.id === 'widowx250') {
    return { beltX: 0.335, beltTop: 0.025, beltHalfWidth: 0.04, lineY: [-0.2, 0.2], bento: [0.2, -0.06, 0], bin: [0.2, -0.12, 0], tray: [0.2, -0.1, 0], carryZ: 0.12 };
  }
  return { beltX: 0.5, beltTop: 0.03, beltHalfWidth: 0.05, lineY: [-0.28, 0.3], bento: [0.33, -0.1, 0], bin: [0.32, -0.17, 0], tray: [0.31, -0.12, 0], carryZ: 0.14 };
}

/** The line's conveyor for an arm; `travel` is how far the belt may run in an episode. */
export function line(e: EmbodimentSpec, travel = 0.05): Conveyor {
  const L = layout(e);
  return conveyor({ name: 'line', center: [L.beltX, 0], halfWidth: L.beltHalfWidth, halfLength: 0.5, top: L.beltTop, travel });
}

/** The scene camera: above the table's front right corner, looking back over the line at the arm, so no item hides behind the arm. */
export function sceneCamera(e: EmbodimentSpec): { pos: Vec3; lookAt: Vec3; fovy: number } {
  const L = layout(e), s = e.id === 'widowx250' ? 0.75 : 1;
  return { pos: [L.beltX + 0.3 * s, -0.62 * s, 0.8 * s], lookAt: [L.beltX - 0.1 * s, 0.02, 0], fovy: 55 };
}

/** A colour shaded by up to +-`amount` (same factor on r, g, b), from the episode's rng. */
export function shade(rng: () => number, c: readonly number[], amount = 0.08): Rgba {
  const k = 1 + (rng() * 2 - 1) * amount;
  return [Math.min(1, c[0]! * k), Math.min(1, c[1]! * k), Math.min(1, c[2]! * k), 1];
}

/** Whether an object rests at height `z0` (its centre, within `tol`) and is not held. */
export function restingAt(s: PrivilegedState, name: string, z0: number, tol = 0.012): boolean {
  const p = s.objects[name]?.pos;
  return !!p && Math.abs(p[2] - z0) < tol && !s.grasped.includes(name);
}

/** Room to leave between items along the line: the open fingers reach past an item's sides. */
export const fingerRoom = (e: EmbodimentSpec): number => (e.id === 'widowx250' ? 0.035 : 0.05);

/**
 * Centres (along the line, y) for items of footprint `radii` in single file within [lo, hi], in the given order, at
 * least `gap` apart edge to edge; the slack is spread at random. Throws when they cannot fit (a layout bug).
 */
export function inFile(rng: () => number, radii: readonly number[], [lo, hi]: readonly [number, number], gap: number): number[] {
  const need = radii.reduce((a, r) => a + 2 * r, 0) + (radii.length - 1) * gap;
  const free = hi - lo - need;
  if (free < 0) throw new Error(`inFile: ${radii.length} items need ${need.toFixed(3)} m of line, there is ${(hi - lo).toFixed(3)}`);
  const cuts = radii.map(() => rng() * free).sort((a, b) => a - b);
  let at = lo;
  return radii.map((r, i) => { const y = at + cuts[i]! - (i > 0 ? cuts[i - 1]! : 0) + r; at = y + r + gap; return y; });
}

/** Across-the-belt offset for an item of footprint `r`: a little off centre, clear of the rails. */
export const across = (rng: () => number, e: EmbodimentSpec, r: number): number =>
  (rng() * 2 - 1) * Math.max(0, Math.min(0.012, layout(e).beltHalfWidth - r - 0.008));
