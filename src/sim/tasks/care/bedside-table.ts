// Task 'bedside-table': put a named pill bottle or cup (by colour and kind) on the bedside table, released and
// standing on its top. The other objects on the work table are distractors (one shares the target's kind, others
// often its colour). The table and the patient's hand move a little every episode.
import type { TaskDefinition, TaskInstance } from '../types.ts';
import type { PrivilegedState } from '../../observation.ts';
import { phrase } from '../language.ts';
import { runWaypoints, type Waypoint } from '../../experts/waypoints.ts';
import { overTop } from '../parts/platform.ts';
import { careScene, drawItems, jitterScene, kindOf, layout, placeFurniture, placeItems, type Vec3 } from './scene.ts';
import { graspHeight, preshape } from './grip.ts';

const TABLE = ['bedside table', 'nightstand', 'bedside cabinet', 'night table'];

export const templates = {
  train: [
    '{please}{put} the {target} {onto} the {table}.',
    '{pick} the {target} and {put} it {onto} the {table}.',
    'The {target} goes {onto} the {table}.',
    'Move the {target} over to the {table}.',
    'Set the {target} down on the {table}.',
    'Leave the {target} on the {table}, please.',
    '{please}get the {target} onto the {table}.',
  ],
  heldout: [
    'Onto the {table} with the {target}.',
    'Could the {target} be placed on the {table}?',
    'Tidy the {target} away onto the {table}.',
    'Store the {target} on the {table}.',
  ],
} as const;

/** Upright: the body's z axis within ~25 degrees of the vertical. */
export const upright = (q: readonly number[]): boolean => 1 - 2 * (q[1]! * q[1]! + q[2]! * q[2]!) > 0.9;

/**
 * On the bedside table: released, standing upright with its bottom on the top (within 5 mm), its centre over the
 * top at least half its radius inside the edge. s.task: target, table ([x, y, top z]), tableHalf, halfHeight, radius.
 */
export function onBedsideTable(s: PrivilegedState): boolean {
  const t = s.task, name = t.target as string, o = s.objects[name];
  if (!o || s.grasped.includes(name)) return false;
  const table = t.table as number[], half = t.tableHalf as number[], hh = t.halfHeight as number, r = t.radius as number;
  const bottom = o.pos[2] - hh;
  return upright(o.quat) && Math.abs(bottom - table[2]!) < 0.005 && overTop(o.pos, table, { halfX: half[0]!, halfY: half[1]! }, r / 2);
}

export const bedsideTable: TaskDefinition = {
  id: 'bedside-table',
  sector: 'care',
  summary: 'Put the named pill bottle or cup on the bedside table (released, standing on its top).',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 300,
  templates,
  scene: (e) => careScene(e),
  create(e, opts): TaskInstance {
    const l = layout(e);
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        const { table } = placeFurniture(env, rng, l);
        const d = drawItems(env, rng);
        const [r, hh] = l.sizes[kindOf(d.target)];
        const u = (a: number) => (rng() * 2 - 1) * Math.max(0, a);
        const goal: Vec3 = [table[0] + u(l.bedside.halfX - r - 0.02), table[1] + u(l.bedside.halfY - r - 0.02), table[2] + hh];
        const placement = placeItems(rng, l, [d.target, ...d.distractors]);
        const instruction = phrase(rng, templates[opts.phrasing], { target: d.names, table: TABLE });
        return {
          placement, instruction,
          task: { target: d.target, goal, distractors: d.distractors, colour: d.colours[d.target]!, kind: kindOf(d.target), table, tableHalf: [l.bedside.halfX, l.bedside.halfY], halfHeight: hh, radius: r },
        };
      },
      success: (s) => onBedsideTable(s),
      expert(env, start, o) {
        const s = start.privileged, t = s.task, name = t.target as string;
        const p = s.objects[name]!.pos, goal = t.goal as Vec3, table = t.table as number[];
        const r = t.radius as number, hh = t.halfHeight as number, pre = preshape(e, r);
        const gz = graspHeight(p[2] - hh, hh), lift = gz - (p[2] - hh); // end effector above the object's bottom
        const carry = table[2]! + lift + 0.05, place = table[2]! + lift + 0.003;
        const wps: Waypoint[] = [
          { name: 'above object', pos: [p[0], p[1], gz + 0.08], gripper: pre, tolerance: 0.01 },
          { name: 'at object', pos: [p[0], p[1], gz], gripper: pre, tolerance: 0.006, hold: 2 },
          { name: 'close', pos: [p[0], p[1], gz], gripper: 1, tolerance: 0.02, hold: 8 },
          { name: 'lift', pos: [p[0], p[1], carry], gripper: 1, tolerance: 0.015 },
          { name: 'over table', pos: [goal[0], goal[1], carry], gripper: 1, tolerance: 0.012 },
          { name: 'down to table', pos: [goal[0], goal[1], place], gripper: 1, tolerance: 0.008, hold: 2 },
          { name: 'release', pos: [goal[0], goal[1], place], gripper: pre, tolerance: 0.03, hold: 6 },
          { name: 'retreat', pos: [goal[0], goal[1], carry + 0.03], gripper: pre, tolerance: 0.02 },
        ];
        return runWaypoints(env, start, wps, { maxSteps: o.maxSteps, onStep: o.onStep, settle: o.settle });
      },
    };
  },
};
