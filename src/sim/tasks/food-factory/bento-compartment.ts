// Task bento-compartment: items wait on the (stopped) line; put the named food item into the named compartment of
// a bento box (3 x 2 compartments for the own arms, 2 x 2 for the WidowX). Distractors are other foods, at least one
// of the target's shape and, where there is one, one of a similar colour.
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { PrivilegedState } from '../../observation.ts';
import { pickPlaceWaypoints, runWaypoints, yawFor } from '../../experts/waypoints.ts';
import { phrase, type Templates } from '../language.ts';
import { choose, jitterScene, parked, sample, setColour } from '../randomize.ts';
import { dividedBox, type Compartment } from '../parts/divided-box.ts';
import { runConveyor } from '../parts/conveyor.ts';
import type { TaskDefinition, TaskInstance } from '../types.ts';
import { across, FOODS, fingerRoom, foodObject, footprint, inFile, layout, line, restHeight, restingAt, sceneCamera, shade, type Rgba } from './scene.ts';

const templates: Templates = {
  train: [
    '{please}{put} the {item} {into} the {comp} compartment.',
    '{put} the {item} {into} the {comp} section of the bento box.',
    'Pack the {item} into the {comp} compartment of the bento.',
    'The {item} goes in the {comp} compartment.',
    '{pick} the {item} from the line and {put} it {into} the {comp} compartment.',
    'Fill the {comp} compartment with the {item}.',
    '{please}{put} the {item} {into} the bento box, {comp} compartment.',
  ],
  heldout: [
    'Into the {comp} compartment, drop the {item}.',
    'The bento still needs the {item} in its {comp} slot.',
    'Take the {item} off the conveyor: it belongs in the {comp} part of the lunch box.',
    'Bento assembly: {item} to the {comp} compartment.',
  ],
};

const ROWS = ['front', 'back'] as const;
const ROW_WORDS: Record<string, readonly string[]> = { front: ['front', 'near'], back: ['back', 'far', 'rear'] };
const COL_WORDS: Record<string, readonly string[]> = { left: ['left'], middle: ['middle', 'centre', 'center'], right: ['right'] };
const LACQUER: Rgba[] = [[0.12, 0.1, 0.1, 1], [0.5, 0.08, 0.07, 1], [0.22, 0.14, 0.1, 1]];

/** The compartment grid for an arm. */
function bentoOf(e: EmbodimentSpec) {
  const small = e.id === 'widowx250';
  return dividedBox({
    name: 'bento', pos: layout(e).bento, rows: 2, cols: small ? 2 : 3, cellHalfX: small ? 0.03 : 0.035, cellHalfY: small ? 0.03 : 0.035,
    height: small ? 0.03 : 0.035, rgba: LACQUER[0]!, dividerRgba: [0.75, 0.18, 0.14, 1],
  });
}

/** A compartment's name words: row and column (columns go from the arm's right, -y, to its left). */
export function compartmentName(c: Compartment, cols: number): { row: string; col: string } {
  const col = cols === 3 ? (['right', 'middle', 'left'] as const)[c.col]! : (['right', 'left'] as const)[c.col]!;
  return { row: ROWS[c.row]!, col };
}

/** Inside the goal compartment (its centre within the cell, shrunk by `margin`), resting on its floor, released. */
export function bentoSuccess(s: PrivilegedState, margin = 0.004): boolean {
  const t = s.task.target as string, g = s.task.goal as number[], h = s.task.cellHalf as number[];
  const p = s.objects[t]?.pos;
  if (!p || !g || !h) return false;
  return Math.abs(p[0] - g[0]!) <= h[0]! - margin && Math.abs(p[1] - g[1]!) <= h[1]! - margin && restingAt(s, t, g[2]!);
}

const N_ITEMS = { min: 4, max: 5 };

export const bentoCompartment: TaskDefinition = {
  id: 'bento-compartment',
  sector: 'food-factory',
  summary: 'Put the named food item from the line into the named compartment of a bento box.',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 220,
  templates,
  scene(e) {
    const c = line(e);
    return {
      objects: FOODS.map((k) => foodObject(k, 0, e)),
      staticMjcf: c.mjcf + bentoOf(e).mjcf, actuatorMjcf: c.actuatorMjcf, trackBodies: ['bento', c.belt], sceneCamera: sceneCamera(e),
    };
  },
  create(e, opts): TaskInstance {
    const L = layout(e), bento = bentoOf(e), belt = line(e);
    const objects = FOODS.map((k) => foodObject(k, 0, e));
    const cols = e.id === 'widowx250' ? 2 : 3;
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        runConveyor(env, belt, 0);
        const target = choose(rng, FOODS);
        const sameShape = FOODS.filter((k) => k !== target && k.shape === target.shape);
        const others = FOODS.filter((k) => k !== target && !sameShape.includes(k));
        const n = N_ITEMS.min + Math.floor(rng() * (N_ITEMS.max - N_ITEMS.min + 1));
        const twin = choose(rng, sameShape);
        const rest = sample(rng, [...sameShape.filter((k) => k !== twin), ...others], n - 2);
        const used = sample(rng, [target, twin, ...rest], n);
        // items in a row along the stopped belt, shaded a little; the bento's lacquer varies
        const objs = used.map((k) => objects[FOODS.indexOf(k)]!);
        const ys = inFile(rng, objs.map(footprint), L.lineY, fingerRoom(e));
        const spots = objs.map((o, j) => [L.beltX + across(rng, e, footprint(o)), ys[j]!] as const);
        FOODS.forEach((k, i) => setColour(env, objects[i]!.name, shade(rng, k.rgba)));
        const lacquer = choose(rng, LACQUER);
        for (const g of ['base', 'wall_px', 'wall_nx', 'wall_py', 'wall_ny']) setColour(env, `bento/${g}`, lacquer);
        const placement: Record<string, { pos: [number, number, number]; yaw: number }> = {};
        let parkedI = 0;
        objects.forEach((o) => {
          const j = objs.indexOf(o);
          placement[o.name] = j >= 0 ? { pos: [spots[j]![0], spots[j]![1], L.beltTop + restHeight(o) + 0.002], yaw: (rng() - 0.5) * Math.PI } : parked(parkedI++, restHeight(o));
        });
        const comp = choose(rng, bento.compartments);
        const { row, col } = compartmentName(comp, cols);
        const rowW = ROW_WORDS[row]!, colW = COL_WORDS[col]!;
        const compPhrases = rowW.flatMap((r) => colW.map((c) => `${r} ${c}`));
        const tObj = objects[FOODS.indexOf(target)]!;
        const instruction = phrase(rng, templates[opts.phrasing], { item: target.names, comp: compPhrases });
        return {
          placement, instruction,
          task: {
            target: tObj.name, goal: [comp.center[0], comp.center[1], comp.center[2] + restHeight(tObj)], cellHalf: [comp.halfX, comp.halfY],
            compartment: `${row} ${col}`, kind: target.kind, distractors: objs.filter((o) => o !== tObj).map((o) => o.name),
          },
        };
      },
      success: (s) => bentoSuccess(s),
      expert(env, start, o) {
        const s = start.privileged, t = s.task.target as string, g = s.task.goal as number[];
        const wps = pickPlaceWaypoints(s, { object: t, graspZ: s.objects[t]!.pos[2], carryZ: L.carryZ, place: [g[0]!, g[1]!, g[2]! + 0.015] });
        return runWaypoints(env, start, wps, { ...o, yaw: yawFor(env, s, t) });
      },
    };
  },
};
