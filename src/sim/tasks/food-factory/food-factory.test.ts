// Tests of the food-factory tasks: success predicates on hand-built states, experts on a few seeds per arm (cameras
// off), instructions and randomization, and that the conveyor really carries things (and the reject predicate
// refuses a normal item binned instead of the burnt one).
import { afterAll, describe, expect, it } from 'vitest';
import { Env } from '../../env.ts';
import { embodiment } from '../../embodiments/index.ts';
import type { PrivilegedState } from '../../observation.ts';
import { pickPlaceWaypoints, runWaypoints, yawFor } from '../../experts/waypoints.ts';
import { runConveyor } from '../parts/conveyor.ts';
import { bentoSuccess } from './bento-compartment.ts';
import { rejectSuccess } from './reject-defect.ts';
import { conveyorSuccess } from './conveyor-pick.ts';
import { foodFactoryTasks } from './index.ts';
import { food, foodObject, layout, line, restHeight, FOODS } from './scene.ts';
import { taskEnvCache } from '../test-envs.ts';

type Objs = Record<string, [number, number, number]>;
const state = (objects: Objs, task: PrivilegedState['task'], grasped: string[] = []): PrivilegedState => ({
  objects: Object.fromEntries(Object.entries(objects).map(([k, pos]) => [k, { pos, quat: [1, 0, 0, 0] as [number, number, number, number] }])),
  grasped, eeTarget: { pos: [0.4, 0, 0.2], quat: [1, 0, 0, 0] }, sensors: {}, task, step: 10,
});

const taskEnv = taskEnvCache();
const envs: Env[] = []; // envs a test builds itself
afterAll(() => envs.forEach((e) => e.dispose()));

describe('food-factory success predicates (hand-built states)', () => {
  it('bento-compartment: in the named compartment, resting and released', () => {
    const task = { target: 'karaage_0', goal: [0.33, -0.1, 0.026], cellHalf: [0.035, 0.035] };
    expect(bentoSuccess(state({ karaage_0: [0.34, -0.09, 0.027] }, task))).toBe(true);
    expect(bentoSuccess(state({ karaage_0: [0.34, -0.09, 0.027] }, task, ['karaage_0'])), 'still held').toBe(false);
    expect(bentoSuccess(state({ karaage_0: [0.33, -0.03, 0.027] }, task)), 'in the next compartment').toBe(false);
    expect(bentoSuccess(state({ karaage_0: [0.33, -0.1, 0.08] }, task)), 'above the box, not in it').toBe(false);
    expect(bentoSuccess(state({ karaage_0: [0.5, 0.1, 0.048], tomato_0: [0.33, -0.1, 0.026] }, task)), 'another item in the goal').toBe(false);
  });
  it('reject-defect: the burnt item in the bin, and no normal one', () => {
    const bin = { pos: [0.32, -0.17, 0], halfX: 0.06, halfY: 0.06, height: 0.055 };
    const task = { target: 'karaage_2', distractors: ['karaage_0', 'karaage_1', 'onigiri_0'] };
    const line = { karaage_0: [0.5, 0.1, 0.048], karaage_1: [0.5, 0.2, 0.048], onigiri_0: [0.5, -0.1, 0.05] } as Objs;
    expect(rejectSuccess(state({ ...line, karaage_2: [0.33, -0.16, 0.026] }, task), bin)).toBe(true);
    expect(rejectSuccess(state({ ...line, karaage_2: [0.33, -0.16, 0.026] }, task, ['karaage_2']), bin), 'still held').toBe(false);
    expect(rejectSuccess(state({ ...line, karaage_2: [0.5, 0, 0.048] }, task), bin), 'still on the line').toBe(false);
    expect(rejectSuccess(state({ ...line, karaage_2: [0.5, 0, 0.048], karaage_1: [0.32, -0.17, 0.026] }, task), bin), 'a normal one binned instead').toBe(false);
    expect(rejectSuccess(state({ ...line, karaage_2: [0.33, -0.16, 0.026], karaage_1: [0.3, -0.19, 0.026] }, task), bin), 'a normal one binned too').toBe(false);
    expect(rejectSuccess(state({ ...line, karaage_2: [0.33, -0.16, 0.1] }, task), bin), 'above the bin').toBe(false);
  });
  it('conveyor-pick: on the tray, resting and released', () => {
    const tray = { pos: [0.31, -0.12, 0], halfX: 0.06, halfY: 0.06, wall: 0.006 };
    const task = { target: 'maki_0', goal: [0.31, -0.12, 0.022] };
    expect(conveyorSuccess(state({ maki_0: [0.3, -0.1, 0.022] }, task), tray)).toBe(true);
    expect(conveyorSuccess(state({ maki_0: [0.3, -0.1, 0.022] }, task, ['maki_0']), tray), 'still held').toBe(false);
    expect(conveyorSuccess(state({ maki_0: [0.5, -0.1, 0.046] }, task), tray), 'still on the belt').toBe(false);
    expect(conveyorSuccess(state({ maki_0: [0.31, -0.12, 0.09] }, task), tray), 'hovering over the tray').toBe(false);
  });
});

const ARMS = ['kara6', 'kara7', 'widowx250'] as const;
/** Whether an instruction could come from a template (loosely: its fixed words in order, each slot any run without punctuation). */
const fits = (template: string, text: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^.,:;?!]*?').replace(/\s+/g, '\\s*')}$`, 'i').test(text);
describe('food-factory experts (cameras off)', () => {
  for (const def of foodFactoryTasks) {
    it.each(ARMS)(`${def.id} on %s: the expert succeeds`, async (arm) => {
      expect(def.embodiments).toContain(arm);
      const { env, task } = await taskEnv(def.id, arm);
      for (const seed of [0, 1]) {
        const start = env.reset(seed);
        const r = task.expert(env, start, { maxSteps: def.maxSteps });
        expect(r.success, `${def.id} ${arm} seed ${seed}: ${JSON.stringify({ steps: r.steps, reached: r.reached })}`).toBe(true);
        expect(r.steps).toBeLessThan(def.maxSteps);
      }
    }, 30_000);
  }
});

describe('food-factory instructions and randomization', () => {
  it('instructions vary, name the target, and held-out phrasings differ from training ones', async () => {
    for (const def of foodFactoryTasks) {
      expect(def.templates.train.length).toBeGreaterThanOrEqual(6);
      expect(def.templates.heldout.length).toBeGreaterThanOrEqual(3);
      expect(def.templates.heldout.filter((t) => def.templates.train.includes(t))).toEqual([]);
      const { env } = await taskEnv(def.id, 'kara6');
      const { env: held } = await taskEnv(def.id, 'kara6', 'heldout');
      const said = new Set<string>(), heldSaid = new Set<string>();
      for (let seed = 0; seed < 12; seed++) {
        const { observation: o, privileged: p } = env.reset(seed);
        said.add(o.instruction);
        const k = food(p.task.kind as string);
        const text = o.instruction.toLowerCase();
        if (def.id !== 'reject-defect') expect(k.names.some((n) => text.includes(n)), `${def.id} ${seed}: "${o.instruction}" names the ${k.kind}`).toBe(true);
        if (def.id === 'bento-compartment') {
          const [row, col] = (p.task.compartment as string).split(' ') as [string, string];
          const rowWords = { front: ['front', 'near'], back: ['back', 'far', 'rear'] }[row]!;
          const colWords = { left: ['left'], right: ['right'], middle: ['middle', 'centre', 'center'] }[col]!;
          expect(rowWords.some((w) => text.includes(`${w} `)) && colWords.some((w) => text.includes(w)), `"${o.instruction}" names the ${row} ${col} compartment`).toBe(true);
        }
        if (def.id === 'reject-defect') expect(text, 'names the defect').toMatch(/burnt|defective|overcooked|charred|bad/);
        const h = held.reset(seed).observation.instruction;
        heldSaid.add(h);
        expect(def.templates.heldout.some((t) => fits(t, h)), `heldout "${h}" comes from a held-out template`).toBe(true);
      }
      // held-out sentence forms: their fixed words differ from every training template's, and no sentence is shared
      const skeleton = (t: string) => t.replace(/\{\w+\}/g, ' ').toLowerCase().replace(/[^a-z:;,]+/g, ' ').trim();
      const trainSkeletons = new Set(def.templates.train.map(skeleton));
      for (const t of def.templates.heldout) expect(trainSkeletons.has(skeleton(t)), `heldout "${t}"`).toBe(false);
      expect([...heldSaid].filter((h) => said.has(h))).toEqual([]);
      expect(said.size, `${def.id}: distinct instructions over 12 seeds`).toBeGreaterThanOrEqual(8);
    }
  });
  it('different seeds draw different targets, poses and colours; the same seed the same episode', async () => {
    const mjColour = (env: Env) => Array.from(env.model.geom_rgba as Float32Array);
    for (const def of foodFactoryTasks) {
      const { env } = await taskEnv(def.id, 'kara7');
      const a = env.reset(3), colA = mjColour(env);
      const b = env.reset(4), colB = mjColour(env);
      const a2 = env.reset(3), colA2 = mjColour(env);
      expect(a2.privileged.objects).toEqual(a.privileged.objects);
      expect(a2.privileged.task).toEqual(a.privileged.task);
      expect(a2.observation.instruction).toBe(a.observation.instruction);
      expect(colA2).toEqual(colA);
      expect(colB).not.toEqual(colA);
      expect(b.privileged.objects).not.toEqual(a.privileged.objects);
      const targets = new Set<string>();
      for (let seed = 0; seed < 10; seed++) targets.add(env.reset(seed).privileged.task.target as string);
      expect(targets.size, `${def.id}: targets over 10 seeds`).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('the conveyor and the reject bin', () => {
  it('an item on the running belt advances by speed x time while the arm is idle; one on the table stays', async () => {
    const e = embodiment('kara6'), L = layout(e), c = line(e, 0.3), speed = 0.04;
    const onBelt = foodObject(food('tamagoyaki'), 0, e), onTable = foodObject(food('onigiri'), 0, e);
    const env = await Env.create({ embodiment: e, width: 0, height: 0, objects: [onBelt, onTable], staticMjcf: c.mjcf, actuatorMjcf: c.actuatorMjcf, trackBodies: [c.belt] }, {
      episode(_rng, env) {
        runConveyor(env, c, speed, [onBelt.name]);
        return { placement: { [onBelt.name]: { pos: [L.beltX, 0.15, L.beltTop + restHeight(onBelt) + 0.002], yaw: 0.3 }, [onTable.name]: { pos: [0.3, 0.15, restHeight(onTable) + 0.002], yaw: 0 } } };
      },
    });
    envs.push(env);
    const s0 = env.reset(0).privileged;
    let s = s0;
    for (let i = 0; i < 60; i++) s = env.step([0, 0, 0, 0, 0, 0, 0]).privileged; // 3 s
    const moved = (n: string) => s.objects[n]!.pos.map((v, k) => v - s0.objects[n]!.pos[k]!);
    const d = moved(onBelt.name);
    expect(d[1]).toBeCloseTo(-speed * 3, 2); // downstream is -y, within 5 mm
    expect(Math.abs(d[0]!)).toBeLessThan(0.003);
    expect(Math.abs(d[2]!)).toBeLessThan(0.002);
    expect(Math.hypot(...moved(onTable.name))).toBeLessThan(0.002);
    expect(moved(c.belt)[1]).toBeCloseTo(-speed * 3, 2);
  });
  it('conveyor-pick: items on the belt ride along at the episode speed; in the stopped-line tasks they stay', async () => {
    for (const [id, moving] of [['conveyor-pick', true], ['reject-defect', false]] as const) {
      const { env } = await taskEnv(id, 'kara6');
      const s0 = env.reset(5).privileged;
      let s = s0;
      for (let i = 0; i < 40; i++) s = env.step([0, 0, 0, 0, 0, 0, 0]).privileged; // 2 s
      const speed = moving ? (s0.task.speed as number) : 0;
      for (const n of [s0.task.target as string, ...(s0.task.distractors as string[])]) {
        expect(s.objects[n]!.pos[1] - s0.objects[n]!.pos[1], `${id}: ${n}`).toBeCloseTo(-speed * 2, 2);
      }
    }
  });
  it('reject-defect is not done when a normal item is binned instead of the burnt one', async () => {
    const { env } = await taskEnv('reject-defect', 'kara6');
    const start = env.reset(2);
    const s = start.privileged, normal = (s.task.distractors as string[]).find((n) => n.startsWith(`${s.task.kind}_`))!;
    expect(normal).toBeDefined();
    const bin = s.objects.reject_bin!.pos;
    const wps = pickPlaceWaypoints(s, { object: normal, graspZ: s.objects[normal]!.pos[2], carryZ: 0.16, place: [bin[0], bin[1], 0.09] });
    const r = runWaypoints(env, start, wps, { maxSteps: 200, yaw: yawFor(env, s, normal) });
    const p = r.last!.privileged.objects[normal]!.pos;
    expect(Math.hypot(p[0] - bin[0], p[1] - bin[1]), 'the normal item went into the bin').toBeLessThan(0.05);
    expect(p[2]).toBeLessThan(0.05);
    expect(r.success).toBe(false);
    expect(r.last!.info.success).toBe(false);
  });
  it('every food kind has a distinct name; burnt colours are dark', () => {
    expect(new Set(FOODS.flatMap((k) => k.names)).size).toBe(FOODS.flatMap((k) => k.names).length);
    for (const k of FOODS) if (k.burnt) expect(Math.max(...k.burnt.slice(0, 3))).toBeLessThan(0.35);
  });
});
