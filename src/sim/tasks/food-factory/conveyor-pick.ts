// Task conveyor-pick: the belt runs (at a seeded speed) and items ride in from upstream at seeded spacings, so they
// reach the arm at seeded times; pick the named item off the moving belt and put it on the tray. The expert
// intercepts: it waits above the line where the item will come, then descends onto the item's current position plus
// a lead, closes while tracking it, and lifts it off.
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { PrivilegedState } from '../../observation.ts';
import { runWaypoints, yawFor, type Vec3, type Waypoint } from '../../experts/waypoints.ts';
import { phrase, type Templates } from '../language.ts';
import { choose, jitterScene, parked, sample, setColour } from '../randomize.ts';
import { insideFootprint, tray } from '../parts/containers.ts';
import { runConveyor } from '../parts/conveyor.ts';
import type { TaskDefinition, TaskInstance } from '../types.ts';
import { across, FOODS, foodObject, footprint, inFile, layout, line, restHeight, restingAt, sceneCamera, shade } from './scene.ts';

const templates: Templates = {
  train: [
    '{please}{pick} the {item} off the conveyor and {put} it {onto} the tray.',
    '{pick} the {item} from the moving belt and {put} it {onto} the tray.',
    'Catch the {item} on the conveyor and set it {onto} the tray.',
    'When the {item} comes by, {put} it {onto} the tray.',
    '{please}{put} the {item} from the line {onto} the tray.',
    'The tray needs the {item} that is riding on the belt.',
  ],
  heldout: [
    'Grab the passing {item} before it gets away, then leave it on the tray.',
    'Onto the tray with the {item} from the running conveyor.',
    'As the line moves, intercept the {item} and drop it {onto} the tray.',
  ],
};

const MAX_STEPS = 300;
const SPEED = { kara: [0.03, 0.045], widowx250: [0.022, 0.032] } as const;
const N_ITEMS = { min: 3, max: 4 };

function trayOf(e: EmbodimentSpec) {
  const small = e.id === 'widowx250';
  return { name: 'tray', pos: layout(e).tray, halfX: small ? 0.05 : 0.06, halfY: small ? 0.05 : 0.06, height: 0.015, wall: 0.006, rgba: [0.3, 0.45, 0.65, 1] as const };
}
/** Where the arm meets items on the line (y), and where items start (y, upstream). */
function windows(e: EmbodimentSpec) {
  return e.id === 'widowx250' ? { pick: [-0.12, 0.14], start: [0.0, 0.34] as [number, number], gap: 0.05 } : { pick: [-0.18, 0.2], start: [0.02, 0.46] as [number, number], gap: 0.06 };
}
const speedRange = (e: EmbodimentSpec) => (e.id === 'widowx250' ? SPEED.widowx250 : SPEED.kara);
const beltOf = (e: EmbodimentSpec) => line(e, (MAX_STEPS / 20) * speedRange(e)[1] + 0.05);

/** The target lies in the tray, resting on its floor, released. */
export function conveyorSuccess(s: PrivilegedState, t: { pos: readonly number[]; halfX: number; halfY: number; wall: number }): boolean {
  const n = s.task.target as string, g = s.task.goal as number[];
  const p = s.objects[n]?.pos;
  return !!p && !!g && insideFootprint(p, t, 0.004) && restingAt(s, n, g[2]!);
}

export const conveyorPick: TaskDefinition = {
  id: 'conveyor-pick',
  sector: 'food-factory',
  summary: 'Pick the named item off the running conveyor onto a tray (the expert must intercept it).',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: MAX_STEPS,
  templates,
  scene(e) {
    const c = beltOf(e);
    return {
      objects: FOODS.map((k) => foodObject(k, 0, e)),
      staticMjcf: c.mjcf + tray(trayOf(e)), actuatorMjcf: c.actuatorMjcf, trackBodies: ['tray', c.belt], sceneCamera: sceneCamera(e),
    };
  },
  create(e, opts): TaskInstance {
    const L = layout(e), tr = trayOf(e), belt = beltOf(e), win = windows(e), [v0, v1] = speedRange(e);
    const objects = FOODS.map((k) => foodObject(k, 0, e));
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const speed = v0 + rng() * (v1 - v0);
        const target = choose(rng, FOODS);
        const twin = choose(rng, FOODS.filter((k) => k !== target && k.shape === target.shape));
        const n = N_ITEMS.min + Math.floor(rng() * (N_ITEMS.max - N_ITEMS.min + 1));
        const used = sample(rng, [target, twin, ...sample(rng, FOODS.filter((k) => k !== target && k !== twin), n - 2)], n);
        const objs = used.map((k) => objects[FOODS.indexOf(k)]!);
        const ys = inFile(rng, objs.map(footprint), win.start, win.gap);
        FOODS.forEach((k, i) => setColour(env, objects[i]!.name, shade(rng, k.rgba)));
        const placement: Record<string, { pos: [number, number, number]; yaw: number }> = {};
        let parkedI = 0;
        objects.forEach((o) => {
          const j = objs.indexOf(o);
          placement[o.name] = j >= 0 ? { pos: [L.beltX + across(rng, e, footprint(o)), ys[j]!, L.beltTop + restHeight(o) + 0.002], yaw: (rng() - 0.5) * Math.PI } : parked(parkedI++, restHeight(o));
        });
        runConveyor(env, belt, speed, objs.map((o) => o.name));
        const tObj = objects[FOODS.indexOf(target)]!;
        return {
          placement,
          instruction: phrase(rng, templates[opts.phrasing], { item: target.names }),
          task: {
            target: tObj.name, goal: [tr.pos[0], tr.pos[1], tr.pos[2] + tr.wall + restHeight(tObj)], speed, direction: [...belt.dir],
            kind: target.kind, distractors: objs.filter((o) => o !== tObj).map((o) => o.name),
          },
        };
      },
      success: (s) => conveyorSuccess(s, tr),
      expert(env, start, o) {
        const s = start.privileged, t = s.task.target as string, g = s.task.goal as number[];
        const v = s.task.speed as number, dir = s.task.direction as number[];
        const graspZ = s.objects[t]!.pos[2], hover = graspZ + 0.07;
        const lead = (sec: number) => (st: PrivilegedState): [number, number] => {
          const p = st.objects[t]!.pos;
          return [p[0] + dir[0]! * v * sec, p[1] + dir[1]! * v * sec];
        };
        const clampY = (y: number) => Math.min(win.pick[1]!, Math.max(win.pick[0]!, y));
        const inWindow = (st: PrivilegedState) => { const y = lead(0.5)(st)[1]; return y <= win.pick[1]! && y >= win.pick[0]!; };
        const onItem = (sec: number, z: number) => (st: PrivilegedState): Vec3 => { const [x, y] = lead(sec)(st); return [x, y, z]; };
        const wps: Waypoint[] = [
          // wait above the line where the item will pass (or above it, with a lead, once it is within reach); only
          // `until` ends this one (tolerance 0: arriving at the waiting point is not enough)
          { name: 'meet item', pos: (st) => { const [x, y] = lead(0.6)(st); return [x, clampY(y), hover]; }, gripper: 0, tolerance: 0,
            until: (st) => inWindow(st) && Math.hypot(...st.eeTarget.pos.slice(0, 2).map((c, k) => c - lead(0.6)(st)[k]!)) < 0.012 },
          { name: 'descend on item', pos: onItem(0.12, graspZ), gripper: 0, tolerance: 0.006, maxStep: 0.02 },
          { name: 'close', pos: onItem(0.1, graspZ), gripper: 1, tolerance: 0.03, hold: 7 },
          { name: 'lift', pos: (st) => [st.objects[t]!.pos[0], st.objects[t]!.pos[1], L.carryZ], gripper: 1, tolerance: 0.015 },
          { name: 'over tray', pos: [g[0]!, g[1]!, L.carryZ], gripper: 1, tolerance: 0.012 },
          { name: 'down to tray', pos: [g[0]!, g[1]!, g[2]! + 0.015], gripper: 1, tolerance: 0.008, hold: 2 },
          { name: 'release', pos: [g[0]!, g[1]!, g[2]! + 0.015], gripper: 0, tolerance: 0.03, hold: 8 },
          { name: 'retreat', pos: [g[0]!, g[1]!, L.carryZ], gripper: 0, tolerance: 0.02 },
        ];
        return runWaypoints(env, start, wps, { ...o, yaw: yawFor(env, s, t) });
      },
    };
  },
};
