// The restaurant sector's shared scene: a table with a serving tray, a bus bin and two place settings (the seats),
// and loose dishes (cups, bowls, plates: one cylinder each, of different proportions) sized for each arm's gripper.
// Also the pieces the three tasks share: the per-arm layout, moving the static parts a little per episode, the
// success predicates (resting within a footprint; released inside a bin) and the scripted pick-and-place expert.
//
// Frame: the robot's base is at the origin and it faces +x, so from the robot's point of view "left" is +y and
// "right" is -y. The seats are across the table from the robot (the guests face it).
import type { Env } from '../../env.ts';
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { ObjectSpec } from '../../world.ts';
import type { Observation, PrivilegedState } from '../../observation.ts';
import { pickPlaceWaypoints, runWaypoints, yawFor, type ExpertResult, type RunOptions, type Vec3 } from '../../experts/waypoints.ts';
import { openBox, tray } from '../parts/containers.ts';
import { placemat } from '../parts/placemat.ts';
import { moveStatic } from '../parts/static-body.ts';
import { choose, COLOURS, parked, sample, scatter, setColour, type ColourName, type Region, type Rgba } from '../randomize.ts';
import type { Placement } from '../../env.ts';
import type { TaskScene } from '../types.ts';

export type DishKind = 'cup' | 'bowl' | 'plate';
export type Side = 'left' | 'right';

/** A dish: a cylinder (radius, half-height), the end-effector height to grasp it at, its mass. */
export interface Dish { radius: number; halfHeight: number; graspZ: number; mass: number }

export interface Footprint { pos: [number, number]; halfX: number; halfY: number }

export interface Layout {
  dishes: Record<DishKind, Dish>;
  /** Serving tray: inner footprint, rim height and wall/base thickness. */
  tray: Footprint & { rim: number; wall: number };
  /** Bus bin: inner footprint, wall height and wall/base thickness. */
  bin: Footprint & { height: number; wall: number };
  /** The two seats' placemats. */
  seats: Record<Side, Footprint>;
  /** Where loose dishes start, and their least edge-to-edge gap (room for the open fingers). */
  items: Region;
  gap: number;
  /** End-effector height while carrying (clears every dish, the tray rim and the bin's walls). */
  carryZ: number;
  /** The static parts move by up to this much (m, along x and y) each episode. */
  jitter: number;
}

/**
 * Per arm. The own arms' gripper opens to 9 cm (a plate of 8.4 cm fits across it); the WidowX's to about 5.5 cm, so
 * its dishes and the whole layout are smaller and nearer (it reaches x 0.15..0.45 at y up to 0.25 near the table).
 */
const KARA: Layout = {
  dishes: {
    cup: { radius: 0.026, halfHeight: 0.045, graspZ: 0.035, mass: 0.08 },
    bowl: { radius: 0.036, halfHeight: 0.022, graspZ: 0.018, mass: 0.1 },
    plate: { radius: 0.042, halfHeight: 0.008, graspZ: 0.004, mass: 0.12 },
  },
  tray: { pos: [0.3, -0.28], halfX: 0.075, halfY: 0.075, rim: 0.015, wall: 0.006 },
  bin: { pos: [0.3, 0.28], halfX: 0.075, halfY: 0.075, height: 0.07, wall: 0.008 },
  seats: { left: { pos: [0.5, 0.17], halfX: 0.065, halfY: 0.085 }, right: { pos: [0.5, -0.17], halfX: 0.065, halfY: 0.085 } },
  items: { center: [0.33, 0], half: [0.09, 0.16] },
  gap: 0.04,
  carryZ: 0.16,
  jitter: 0.015,
};

const WIDOWX: Layout = {
  dishes: {
    cup: { radius: 0.016, halfHeight: 0.028, graspZ: 0.022, mass: 0.04 },
    bowl: { radius: 0.022, halfHeight: 0.016, graspZ: 0.013, mass: 0.05 },
    plate: { radius: 0.025, halfHeight: 0.007, graspZ: 0.006, mass: 0.05 },
  },
  tray: { pos: [0.22, -0.2], halfX: 0.05, halfY: 0.05, rim: 0.012, wall: 0.006 },
  bin: { pos: [0.22, 0.2], halfX: 0.05, halfY: 0.05, height: 0.045, wall: 0.006 },
  seats: { left: { pos: [0.38, 0.12], halfX: 0.04, halfY: 0.052 }, right: { pos: [0.38, -0.12], halfX: 0.04, halfY: 0.052 } },
  items: { center: [0.26, 0], half: [0.06, 0.11] },
  gap: 0.03,
  carryZ: 0.12,
  jitter: 0.01,
};

export const layout = (e: EmbodimentSpec): Layout => (e.id === 'widowx250' ? WIDOWX : KARA);

/** Colours that dishes come in (named in instructions). */
export const DISH_COLOURS: readonly ColourName[] = ['red', 'green', 'blue', 'yellow', 'white', 'black', 'orange', 'purple', 'pink'];
/** Placemat colours (both seats share one per episode), muted so that no mat looks like a dish colour: linen, sage, slate, mist. */
const MAT_COLOURS: readonly Rgba[] = [[0.88, 0.84, 0.74, 1], [0.58, 0.66, 0.54, 1], [0.42, 0.44, 0.48, 1], [0.66, 0.72, 0.78, 1]];

/** Polite openings for imperative templates (LEXICON.please without "could you", which would want a question mark). */
export const POLITE: readonly string[] = ['', '', 'please '];

export const SIDES: readonly Side[] = ['left', 'right'];
export const STATIC_BODIES = ['tray', 'bin', 'seat_left', 'seat_right'] as const;

/** Dish object names: `${kind}_${i}`. */
export const dishName = (kind: DishKind, i: number): string => `${kind}_${i}`;

/** The scene of a task that uses `counts` dishes of each kind (all static parts are always there). */
export function restaurantScene(e: EmbodimentSpec, counts: Partial<Record<DishKind, number>>): TaskScene {
  const L = layout(e);
  const objects: ObjectSpec[] = [];
  for (const kind of ['cup', 'bowl', 'plate'] as const) {
    const d = L.dishes[kind];
    for (let i = 0; i < (counts[kind] ?? 0); i++) {
      objects.push({ name: dishName(kind, i), shape: 'cylinder', size: [d.radius, d.halfHeight], mass: d.mass, friction: 1.2, rgba: [...COLOURS.white] });
    }
  }
  const t = L.tray, b = L.bin;
  const staticMjcf = [
    tray({ name: 'tray', pos: [t.pos[0], t.pos[1], 0], halfX: t.halfX, halfY: t.halfY, height: t.rim, wall: t.wall, rgba: [0.3, 0.2, 0.12, 1] }),
    openBox({ name: 'bin', pos: [b.pos[0], b.pos[1], 0], halfX: b.halfX, halfY: b.halfY, height: b.height, wall: b.wall, rgba: [0.55, 0.58, 0.62, 1] }),
    ...SIDES.map((s) => placemat({ name: `seat_${s}`, pos: L.seats[s].pos, halfX: L.seats[s].halfX, halfY: L.seats[s].halfY, rgba: MAT_COLOURS[0]! })),
  ].join('');
  const c = e.workspace.center[0], k = e.id === 'widowx250' ? 0.75 : 1; // the camera comes nearer the smaller layout
  return {
    objects, staticMjcf, trackBodies: [...STATIC_BODIES],
    sceneCamera: { pos: [c + 0.5 * k, -0.42 * k, 0.5 * k], lookAt: [c - 0.03, 0, 0], fovy: 50 },
  };
}

/** Where the static parts are this episode (after moveStatics). */
export interface Statics { tray: Footprint & { rim: number; wall: number }; bin: Footprint & { height: number; wall: number }; seats: Record<Side, Footprint> }

/** Moves the tray, the bin and the seats by up to L.jitter and recolours the placemats; returns where they are. */
export function moveStatics(env: Env, rng: () => number, L: Layout): Statics {
  const j = (p: [number, number]): [number, number] => [p[0] + (rng() * 2 - 1) * L.jitter, p[1] + (rng() * 2 - 1) * L.jitter];
  const out: Statics = {
    tray: { ...L.tray, pos: j(L.tray.pos) }, bin: { ...L.bin, pos: j(L.bin.pos) },
    seats: { left: { ...L.seats.left, pos: j(L.seats.left.pos) }, right: { ...L.seats.right, pos: j(L.seats.right.pos) } },
  };
  moveStatic(env, 'tray', [...out.tray.pos, 0]);
  moveStatic(env, 'bin', [...out.bin.pos, 0]);
  const mat = choose(rng, MAT_COLOURS);
  for (const s of SIDES) {
    moveStatic(env, `seat_${s}`, [...out.seats[s].pos, 0]);
    setColour(env, `seat_${s}/mat`, mat);
  }
  return out;
}

/**
 * The dishes of an episode of cup-on-tray and bowl-to-bin: the target dish of `kind` among 1..count-1 others of that
 * kind (all colours different), and most episodes one dish of the `other` kind, which more often than not has the
 * target's colour (so both the colour and the type must be grounded). Places and colours them, parks the unused.
 */
export function dishEpisode(rng: () => number, env: Env, L: Layout, kind: DishKind, other: DishKind, count: number): {
  placement: Record<string, Placement>; colour: ColourName; target: string; distractors: string[];
} {
  const d = L.dishes[kind], o = L.dishes[other], otherName = dishName(other, 0);
  const colours = sample(rng, DISH_COLOURS, count + 1);
  const colour = colours[0]!;
  const n = 2 + Math.floor(rng() * (count - 1)); // the target and 1..count-1 others of its kind
  const withOther = rng() < 0.85, otherShares = rng() < 0.65;
  const names = sample(rng, Array.from({ length: count }, (_, i) => dishName(kind, i)), count);
  const used = names.slice(0, n);
  const items = [...used.map((name) => ({ name, r: d.radius, hh: d.halfHeight })), ...(withOther ? [{ name: otherName, r: o.radius, hh: o.halfHeight }] : [])];
  const at = scatter(rng, L.items, items.map((i) => i.r), L.gap);
  const placement: Record<string, Placement> = {};
  const colourOf: Record<string, ColourName> = {};
  items.forEach((it, k) => { placement[it.name] = { pos: [...at[k]!, it.hh + 0.001], yaw: rng() * Math.PI }; });
  used.forEach((name, k) => { colourOf[name] = colours[k]!; });
  names.slice(n).forEach((name, k) => { placement[name] = parked(k, d.halfHeight); colourOf[name] = colours[n + k]!; });
  if (!withOther) placement[otherName] = parked(count, o.halfHeight);
  colourOf[otherName] = otherShares ? colour : colours[count]!;
  colourDishes(env, colourOf);
  const target = used[0]!;
  return { placement, colour, target, distractors: items.map((i) => i.name).filter((x) => x !== target) };
}

/** Gives every dish of the scene a colour (the model keeps the last episode's colours otherwise). */
export function colourDishes(env: Env, colours: Record<string, ColourName>): void {
  for (const o of env.config.objects) setColour(env, o.name, COLOURS[colours[o.name] ?? 'white']);
}

/** Tilt of an object's axis from the vertical (rad), from its quaternion (w, x, y, z). */
export const tilt = (q: readonly number[]): number => Math.acos(Math.max(-1, Math.min(1, 1 - 2 * (q[1]! * q[1]! + q[2]! * q[2]!))));

/**
 * Placing predicate: the target (s.task.target) rests, upright and released, with its centre within the footprint
 * s.task.goalHalf ([hx, hy]) around s.task.goal ([x, y, z]; z is the centre's height when resting there).
 */
export function restsWithin(s: PrivilegedState): boolean {
  const name = s.task.target as string;
  const o = s.objects[name];
  const goal = s.task.goal as number[] | undefined, half = s.task.goalHalf as number[] | undefined;
  if (!o || !goal || !half) return false;
  return Math.abs(o.pos[0] - goal[0]!) <= half[0]! && Math.abs(o.pos[1] - goal[1]!) <= half[1]!
    && Math.abs(o.pos[2] - goal[2]!) < 0.006 && tilt(o.quat) < 0.15 && !s.grasped.includes(name);
}

/**
 * Bin predicate: the target is released with its centre inside the bin's inner footprint (s.task.goalHalf around
 * s.task.goal) and below the bin's rim (s.task.rim, world z): a dish on the rim or beside the bin does not count.
 */
export function releasedInBin(s: PrivilegedState): boolean {
  const name = s.task.target as string;
  const o = s.objects[name];
  const goal = s.task.goal as number[] | undefined, half = s.task.goalHalf as number[] | undefined, rim = s.task.rim as number | undefined;
  if (!o || !goal || !half || rim === undefined) return false;
  return Math.abs(o.pos[0] - goal[0]!) <= half[0]! && Math.abs(o.pos[1] - goal[1]!) <= half[1]! && o.pos[2] < rim && !s.grasped.includes(name);
}

/**
 * The scripted expert: pick the target dish across its diameter, carry it at L.carryZ, lower it until its bottom is
 * `drop` above its resting place (s.task.goal is where its centre rests), open, retreat.
 */
export function dishExpert(L: Layout, kind: DishKind, env: Env, start: { observation: Observation; privileged: PrivilegedState },
  opts: Omit<RunOptions, 'yaw'>, drop = 0.006): ExpertResult {
  const s = start.privileged;
  const name = s.task.target as string;
  const d = L.dishes[kind];
  const goal = s.task.goal as number[];
  const place: Vec3 = [goal[0]!, goal[1]!, goal[2]! - d.halfHeight + d.graspZ + drop];
  const wps = pickPlaceWaypoints(s, { object: name, graspZ: d.graspZ, carryZ: L.carryZ, place, approach: L.carryZ - d.graspZ });
  return runWaypoints(env, start, wps, { ...opts, yaw: yawFor(env, s, name) });
}
