// Task reject-defect: a row of items of one kind waits on the line (the belt is stopped for this check); one of them
// is burnt (dark brown / black). Put the burnt one into the reject bin and nothing else. Other kinds may be on the
// line too; the instruction names the defect ("the burnt one", "the overcooked karaage").
import type { EmbodimentSpec } from '../../embodiments/schema.ts';
import type { PrivilegedState } from '../../observation.ts';
import type { ObjectSpec } from '../../world.ts';
import { pickPlaceWaypoints, runWaypoints, yawFor } from '../../experts/waypoints.ts';
import { phrase, type Templates } from '../language.ts';
import { choose, jitterScene, parked, sample, setColour } from '../randomize.ts';
import { insideFootprint, openBox } from '../parts/containers.ts';
import { runConveyor } from '../parts/conveyor.ts';
import type { TaskDefinition, TaskInstance } from '../types.ts';
import { across, FOODS, fingerRoom, food, foodObject, footprint, inFile, kindOf, layout, line, restHeight, sceneCamera, shade } from './scene.ts';

const templates: Templates = {
  train: [
    '{please}{put} the {defect} {item} {into} the {bin}.',
    'Throw the {defect} {item} {into} the {bin}.',
    '{please}remove the {defect} {item} from the line and drop it {into} the {bin}.',
    'One {kind} is {adj}: {put} it {into} the {bin}.',
    'Reject the {defect} {item}.',
    'Sort out the {defect} {item}; it goes {into} the {bin}.',
    '{pick} the {defect} {item} off the belt and {put} it {into} the {bin}.',
  ],
  heldout: [
    'The {kind} that is {adj} has to go {into} the {bin}.',
    'Get rid of the {defect} {item} by binning it.',
    'Quality check failed on the {defect} {item}: discard it.',
    'Into the {bin} with the {defect} {item}, please.',
  ],
};

const DEFECT = ['burnt', 'defective', 'overcooked', 'charred', 'bad'];
const ADJ = ['burnt', 'overcooked', 'charred', 'defective'];
const BIN = ['reject bin', 'reject box', 'discard bin', 'bin'];
/** Kinds that can come out burnt, and how many copies of each the scene holds. */
const BURNABLE = FOODS.filter((k) => k.burnt);
const COPIES = 4;

function binOf(e: EmbodimentSpec) {
  const small = e.id === 'widowx250';
  return { name: 'reject_bin', pos: layout(e).bin, halfX: small ? 0.05 : 0.06, halfY: small ? 0.05 : 0.06, height: small ? 0.045 : 0.055, wall: 0.008, rgba: [0.25, 0.25, 0.27, 1] as const };
}

/** The defective item lies inside the bin (below its rim, released) and no other item of the episode does. */
export function rejectSuccess(s: PrivilegedState, bin: { pos: readonly number[]; halfX: number; halfY: number; height: number }): boolean {
  const inBin = (n: string) => {
    const p = s.objects[n]?.pos;
    return !!p && insideFootprint(p, bin, 0.004) && p[2] < bin.pos[2]! + bin.height && !s.grasped.includes(n);
  };
  const t = s.task.target as string, others = (s.task.distractors as string[] | undefined) ?? [];
  return inBin(t) && !others.some(inBin);
}

export const rejectDefect: TaskDefinition = {
  id: 'reject-defect',
  sector: 'food-factory',
  summary: 'Remove the burnt item from the stopped line into the reject bin.',
  embodiments: ['kara6', 'kara7', 'widowx250'],
  maxSteps: 220,
  templates,
  scene(e) {
    const c = line(e);
    return {
      objects: BURNABLE.flatMap((k) => Array.from({ length: COPIES }, (_, i) => foodObject(k, i, e))),
      staticMjcf: c.mjcf + openBox(binOf(e)), actuatorMjcf: c.actuatorMjcf, trackBodies: ['reject_bin', c.belt], sceneCamera: sceneCamera(e),
    };
  },
  create(e, opts): TaskInstance {
    const L = layout(e), bin = binOf(e), belt = line(e);
    const objects: ObjectSpec[] = BURNABLE.flatMap((k) => Array.from({ length: COPIES }, (_, i) => foodObject(k, i, e)));
    const byName = new Map(objects.map((o) => [o.name, o]));
    return {
      episode(rng, env) {
        jitterScene(env, rng);
        runConveyor(env, belt, 0);
        const kind = choose(rng, BURNABLE);
        const n = 3 + Math.floor(rng() * (COPIES - 2)); // 3..4 of the kind
        const others = sample(rng, BURNABLE.filter((k) => k !== kind), Math.floor(rng() * 2)); // 0..1 other kind
        const used = [...Array.from({ length: n }, (_, i) => `${kind.kind}_${i}`), ...others.map((k) => `${k.kind}_0`)];
        const target = used[Math.floor(rng() * n)]!;
        const objs = sample(rng, used, used.length).map((u) => byName.get(u)!);
        const ys = inFile(rng, objs.map(footprint), L.lineY, fingerRoom(e));
        const spots = objs.map((o, j) => [L.beltX + across(rng, e, footprint(o)), ys[j]!] as const);
        for (const o of objects) {
          const k = food(kindOf(o.name));
          setColour(env, o.name, shade(rng, o.name === target ? k.burnt! : k.rgba, o.name === target ? 0.15 : 0.06));
        }
        const placement: Record<string, { pos: [number, number, number]; yaw: number }> = {};
        let parkedI = 0;
        for (const o of objects) {
          const j = objs.indexOf(o);
          placement[o.name] = j >= 0 ? { pos: [spots[j]![0], spots[j]![1], L.beltTop + restHeight(o) + 0.002], yaw: (rng() - 0.5) * Math.PI } : parked(parkedI++, restHeight(o));
        }
        const tObj = byName.get(target)!;
        const instruction = phrase(rng, templates[opts.phrasing], { defect: DEFECT, adj: ADJ, bin: BIN, kind: kind.names, item: [...kind.names, 'one', 'item'] });
        return {
          placement, instruction,
          task: {
            target, goal: [bin.pos[0], bin.pos[1], bin.pos[2] + bin.wall + restHeight(tObj)], kind: kind.kind, defect: 'burnt',
            distractors: objs.filter((o) => o !== tObj).map((o) => o.name),
          },
        };
      },
      success: (s) => rejectSuccess(s, bin),
      expert(env, start, o) {
        const s = start.privileged, t = s.task.target as string;
        const rim = bin.pos[2] + bin.height, rest = restHeight(byName.get(t)!);
        const wps = pickPlaceWaypoints(s, { object: t, graspZ: s.objects[t]!.pos[2], carryZ: Math.max(L.carryZ, rim + 2 * rest + 0.04), place: [bin.pos[0], bin.pos[1], rim + rest + 0.015] });
        return runWaypoints(env, start, wps, { ...o, yaw: yawFor(env, s, t) });
      },
    };
  },
};
