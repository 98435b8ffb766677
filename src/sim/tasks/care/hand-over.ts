// Task 'hand-over': hand a named pill bottle or cup (by colour and kind) to the patient and hold it there: the object
// must stay inside the zone above the patient's palm (within a radius of the palm's centre, its bottom clear of the
// palm), grasped and touching nothing else, for 1 s (20 consecutive control steps). The hand moves every episode.
import type { TaskDefinition, TaskInstance } from '../types.ts';
import type { PrivilegedState } from '../../observation.ts';
import { phrase } from '../language.ts';
import { runWaypoints, type Waypoint } from '../../experts/waypoints.ts';
import { overPalm } from '../parts/open-hand.ts';
import { careScene, drawItems, jitterScene, kindOf, layout, placeFurniture, placeItems, type Vec3 } from './scene.ts';
import { graspHeight, preshape } from './grip.ts';

/** Control steps (20 Hz) the object must stay in the zone: 1 s. */
export const HOLD_STEPS = 20;
/** The zone: within ZONE.radius of the palm's centre (x, y), the object's bottom ZONE.low..ZONE.high above the palm. */
export const ZONE = { radius: 0.04, low: 0.008, high: 0.09 } as const;
/** Where the expert holds the object's bottom above the palm. */
const CLEARANCE = 0.03;

const PERSON = ['the patient', 'the resident', 'the person in the bed'];
const HAND = ["the patient's hand", "the patient's palm", "the resident's open hand"];

export const templates = {
  train: [
    '{please}hand the {target} to {person}.',
    '{please}give {person} the {target}.',
    '{pick} the {target} and hold it over {hand}.',
    'Hold the {target} above {hand}.',
    '{person} needs the {target}; hand it over.',
    '{please}pass the {target} to {person} and keep holding it.',
    'Bring the {target} to {hand}.',
  ],
  heldout: [
    'Offer the {target} to {person}.',
    '{person} asked for the {target}: hold it out over their hand.',
    'Present the {target} to {person}, without letting go.',
    'Could {person} have the {target}?',
  ],
} as const;

/**
 * One step in the zone: the target is grasped, within ZONE.radius of the palm's centre and its bottom between
 * ZONE.low and ZONE.high above the palm (so it rests on nothing). s.task: target, palm ([x, y, palm top z]), halfHeight.
 */
export function inHandZone(s: PrivilegedState): boolean {
  const t = s.task, name = t.target as string, o = s.objects[name];
  if (!o || !s.grasped.includes(name)) return false;
  const palm = t.palm as number[], bottom = o.pos[2] - (t.halfHeight as number) - palm[2]!;
  return overPalm(o.pos, palm, ZONE.radius) && bottom >= ZONE.low && bottom <= ZONE.high;
}

/** The success predicate with its per-episode counter: true once inHandZone held HOLD_STEPS steps in a row. */
export function holdCounter(): { step(s: PrivilegedState): boolean; reset(): void; readonly count: number } {
  let n = 0;
  return { step: (s) => (n = inHandZone(s) ? n + 1 : 0) >= HOLD_STEPS, reset: () => { n = 0; }, get count() { return n; } };
}

export const handOver: TaskDefinition = {
  id: 'hand-over',
  sector: 'care',
  summary: "Hand the named pill bottle or cup to the patient: hold it above the patient's palm for 1 s.",
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 300,
  templates,
  scene: (e) => careScene(e),
  create(e, opts): TaskInstance {
    const l = layout(e);
    const counter = holdCounter();
    return {
      episode(rng, env) {
        counter.reset();
        jitterScene(env, rng);
        const { palm } = placeFurniture(env, rng, l);
        const d = drawItems(env, rng);
        const [r, hh] = l.sizes[kindOf(d.target)];
        const goal: Vec3 = [palm[0], palm[1], palm[2] + CLEARANCE + hh];
        const placement = placeItems(rng, l, [d.target, ...d.distractors]);
        const instruction = phrase(rng, templates[opts.phrasing], { target: d.names, person: PERSON, hand: HAND });
        return {
          placement, instruction,
          task: { target: d.target, goal, distractors: d.distractors, colour: d.colours[d.target]!, kind: kindOf(d.target), palm, zoneRadius: ZONE.radius, halfHeight: hh, radius: r, holdSteps: HOLD_STEPS },
        };
      },
      success: (s) => counter.step(s),
      expert(env, start, o) {
        const s = start.privileged, t = s.task, name = t.target as string;
        const p = s.objects[name]!.pos, goal = t.goal as Vec3, palm = t.palm as number[];
        const r = t.radius as number, hh = t.halfHeight as number, pre = preshape(e, r);
        const gz = graspHeight(p[2] - hh, hh), lift = gz - (p[2] - hh);
        const hold = goal[2] - hh + lift, carry = Math.max(hold + 0.04, palm[2] + lift + 0.07);
        const wps: Waypoint[] = [
          { name: 'above object', pos: [p[0], p[1], gz + 0.08], gripper: pre, tolerance: 0.01 },
          { name: 'at object', pos: [p[0], p[1], gz], gripper: pre, tolerance: 0.006, hold: 2 },
          { name: 'close', pos: [p[0], p[1], gz], gripper: 1, tolerance: 0.02, hold: 8 },
          { name: 'lift', pos: [p[0], p[1], carry], gripper: 1, tolerance: 0.015 },
          { name: 'over palm', pos: [goal[0], goal[1], carry], gripper: 1, tolerance: 0.012 },
          { name: 'down to hand', pos: [goal[0], goal[1], hold], gripper: 1, tolerance: 0.01 },
          { name: 'hold', pos: [goal[0], goal[1], hold], gripper: 1, tolerance: 0.03, hold: 2 * HOLD_STEPS },
        ];
        return runWaypoints(env, start, wps, { maxSteps: o.maxSteps, onStep: o.onStep, settle: o.settle });
      },
    };
  },
};
