// The restaurant sector's tasks (cup-on-tray, bowl-to-bin, plate-at-seat): success predicates on hand-built states
// (a bowl on the bin's rim or beside it, a plate at the wrong seat, a same-coloured distractor on the goal), the
// scripted experts on a few seeds per arm, instruction phrasing, and seeded randomization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../env.ts';
import type { PrivilegedState, TaskState } from '../../observation.ts';
import { idOf, mujocoSync } from '../../mujoco.ts';
import { createTaskEnv } from '../registry.ts';
import type { TaskInstance } from '../types.ts';
import { COLOURS } from '../randomize.ts';
import { releasedInBin, restsWithin } from './scene.ts';
import { restaurantTasks } from './index.ts';

const ARMS = ['kara6', 'kara7', 'widowx250'] as const;
const TASK_IDS = ['cup-on-tray', 'bowl-to-bin', 'plate-at-seat'] as const;
const UP: [number, number, number, number] = [1, 0, 0, 0];
/** A cup lying on its side: a quarter turn about x. */
const ON_SIDE: [number, number, number, number] = [Math.SQRT1_2, Math.SQRT1_2, 0, 0];

function state(objects: Record<string, [number, number, number] | { pos: [number, number, number]; quat: [number, number, number, number] }>, task: TaskState, grasped: string[] = []): PrivilegedState {
  return {
    objects: Object.fromEntries(Object.entries(objects).map(([n, o]) => [n, Array.isArray(o) ? { pos: o, quat: UP } : o])),
    grasped, eeTarget: { pos: [0.4, 0, 0.2], quat: [0, 0, 1, 0] }, sensors: {}, task, step: 10,
  };
}

describe('restaurant success predicates (hand-built states)', () => {
  // a serving tray centred at (0.3, -0.28), inner half-extents 7.5 cm, base 6 mm; cups of half-height 4.5 cm
  const trayTask: TaskState = { target: 'cup_1', goal: [0.3, -0.28, 0.051], goalHalf: [0.075, 0.075], distractors: ['cup_0', 'bowl_0'] };
  it('cup-on-tray: the named cup resting upright on the tray, released', () => {
    const away = { cup_0: [0.35, 0.05, 0.045] as [number, number, number], bowl_0: [0.3, 0.1, 0.022] as [number, number, number] };
    expect(restsWithin(state({ ...away, cup_1: [0.31, -0.27, 0.051] }, trayTask))).toBe(true);
    expect(restsWithin(state({ ...away, cup_1: [0.36, -0.33, 0.0512] }, trayTask)), 'near the tray corner, still inside').toBe(true);
    expect(restsWithin(state({ ...away, cup_1: [0.31, -0.27, 0.051] }, trayTask, ['cup_1'])), 'still held').toBe(false);
    expect(restsWithin(state({ ...away, cup_1: [0.31, -0.27, 0.09] }, trayTask)), 'in the air above the tray').toBe(false);
    expect(restsWithin(state({ ...away, cup_1: { pos: [0.31, -0.27, 0.032], quat: ON_SIDE } }, trayTask)), 'lying on its side').toBe(false);
    expect(restsWithin(state({ ...away, cup_1: [0.4, -0.28, 0.045] }, trayTask)), 'beside the tray').toBe(false);
    expect(restsWithin(state({ ...away, cup_1: [0.3, -0.28 + 0.078, 0.06] }, trayTask)), 'on the rim').toBe(false);
  });
  it('cup-on-tray: a distractor on the tray (another cup, or the bowl of the same colour) does not count', () => {
    expect(restsWithin(state({ cup_0: [0.3, -0.28, 0.051], cup_1: [0.35, 0.05, 0.045], bowl_0: [0.3, 0.1, 0.022] }, trayTask))).toBe(false);
    expect(restsWithin(state({ cup_0: [0.35, 0.05, 0.045], cup_1: [0.3, 0.1, 0.045], bowl_0: [0.3, -0.28, 0.028] }, trayTask))).toBe(false);
  });

  // a bus bin centred at (0.3, 0.28): inner half-extents 7.5 cm, 8 mm walls and base, rim at 7 cm; bowls of half-height 2.2 cm
  const binTask: TaskState = { target: 'bowl_2', goal: [0.3, 0.28, 0.03], goalHalf: [0.075, 0.075], rim: 0.07, distractors: ['bowl_0'] };
  const rimX = 0.3 + 0.075 + 0.004; // the middle of the +x wall's top
  it('bowl-to-bin: released inside the footprint below the rim', () => {
    expect(releasedInBin(state({ bowl_0: [0.3, 0, 0.022], bowl_2: [0.3, 0.28, 0.03] }, binTask))).toBe(true);
    expect(releasedInBin(state({ bowl_0: [0.3, 0, 0.022], bowl_2: { pos: [0.35, 0.33, 0.045], quat: [0.98, 0.2, 0, 0] } }, binTask)), 'tilted against a wall inside').toBe(true);
    expect(releasedInBin(state({ bowl_0: [0.3, 0, 0.022], bowl_2: [0.3, 0.28, 0.03] }, binTask, ['bowl_2'])), 'still held inside').toBe(false);
  });
  it('bowl-to-bin: false for a bowl resting on the bin\'s rim or beside it', () => {
    const others = { bowl_0: [0.3, 0, 0.022] as [number, number, number] };
    expect(releasedInBin(state({ ...others, bowl_2: [rimX, 0.28, 0.07 + 0.022] }, binTask)), 'on the +x rim').toBe(false);
    expect(releasedInBin(state({ ...others, bowl_2: [0.3, 0.28 - 0.07, 0.07 + 0.022] }, binTask)), 'on the -y rim, centre over the footprint').toBe(false);
    expect(releasedInBin(state({ ...others, bowl_2: { pos: [rimX - 0.01, 0.28, 0.075], quat: [0.97, 0, 0.25, 0] } }, binTask)), 'tipped on the rim').toBe(false);
    expect(releasedInBin(state({ ...others, bowl_2: [0.3 + 0.075 + 0.05, 0.28, 0.022] }, binTask)), 'on the table beside the bin').toBe(false);
    expect(releasedInBin(state({ ...others, bowl_2: [0.3, 0.28 - 0.075 - 0.045, 0.022] }, binTask)), 'on the table in front of the bin').toBe(false);
    expect(releasedInBin(state({ bowl_0: [0.3, 0.28, 0.03], bowl_2: [0.3, 0.05, 0.022] }, binTask)), 'a distractor bowl in the bin').toBe(false);
  });

  // seats at (0.5, +-0.17), mats 6.5 x 8.5 cm half-extents; plates of half-height 8 mm
  const seatTask = (seat: 'left' | 'right'): TaskState => ({
    target: 'plate_0', seat, goal: [0.5, seat === 'left' ? 0.17 : -0.17, 0.008], goalHalf: [0.065, 0.085], otherSeat: [0.5, seat === 'left' ? -0.17 : 0.17], distractors: ['plate_1'],
  });
  it('plate-at-seat: the plate resting flat on the named placemat, released', () => {
    expect(restsWithin(state({ plate_0: [0.51, 0.16, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('left')))).toBe(true);
    expect(restsWithin(state({ plate_0: [0.49, -0.2, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('right')))).toBe(true);
    expect(restsWithin(state({ plate_0: [0.51, 0.16, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('left'), ['plate_0'])), 'held').toBe(false);
    expect(restsWithin(state({ plate_0: [0.51, 0.16, 0.03], plate_1: [0.33, 0, 0.008] }, seatTask('left'))), 'above the mat').toBe(false);
    expect(restsWithin(state({ plate_0: [0.51, 0.17 + 0.1, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('left'))), 'off the mat\'s edge').toBe(false);
  });
  it('plate-at-seat: false at the wrong seat', () => {
    expect(restsWithin(state({ plate_0: [0.5, -0.17, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('left')))).toBe(false);
    expect(restsWithin(state({ plate_0: [0.5, 0.17, 0.008], plate_1: [0.33, 0, 0.008] }, seatTask('right')))).toBe(false);
    expect(restsWithin(state({ plate_0: [0.33, 0, 0.008], plate_1: [0.5, 0.17, 0.008] }, seatTask('left'))), 'only the other plate at the seat').toBe(false);
  });
});

describe('restaurant task definitions', () => {
  it('are the three tasks, offered on every arm, with enough phrasings', () => {
    expect(restaurantTasks.map((t) => t.id)).toEqual([...TASK_IDS]);
    for (const t of restaurantTasks) {
      expect(t.sector).toBe('restaurant');
      expect([...t.embodiments].sort()).toEqual([...ARMS]);
      expect(t.templates.train.length).toBeGreaterThanOrEqual(6);
      expect(t.templates.heldout.length).toBeGreaterThanOrEqual(3);
      for (const h of t.templates.heldout) expect(t.templates.train).not.toContain(h);
    }
  });
});

const envs = new Map<string, { env: Env; task: TaskInstance; maxSteps: number }>();
const get = (id: string, arm: string) => envs.get(`${id}/${arm}`)!;
beforeAll(async () => {
  for (const id of TASK_IDS) for (const arm of ARMS) {
    const { env, task, definition } = await createTaskEnv(id, { embodiment: arm, width: 0, height: 0 });
    envs.set(`${id}/${arm}`, { env, task, maxSteps: definition.maxSteps });
  }
});
afterAll(() => { for (const e of envs.values()) e.env.dispose(); });

describe('restaurant experts (physical grasps, cameras off)', () => {
  for (const id of TASK_IDS) {
    it.each(ARMS)(`${id} on %s succeeds on seeds 0, 1, 2`, (arm) => {
      const { env, task, maxSteps } = get(id, arm);
      for (const seed of [0, 1, 2]) {
        const start = env.reset(seed);
        const r = task.expert(env, start, { maxSteps });
        expect(r.success, `${id} ${arm} seed ${seed}: ${start.observation.instruction} -> ${JSON.stringify({ steps: r.steps, reached: r.reached })}`).toBe(true);
        expect(r.steps).toBeLessThan(maxSteps * 0.5);
        const target = start.privileged.task.target as string;
        expect(r.last!.privileged.grasped).not.toContain(target);
      }
    });
  }
});

const rgbaOf = (env: Env, geom: string) => Array.from((env.model.geom_rgba as Float32Array).subarray(4 * idOf(mujocoSync(), env.model, 'geom', geom), 4 * idOf(mujocoSync(), env.model, 'geom', geom) + 3));
const colourOf = (env: Env, geom: string) => Object.entries(COLOURS).find(([, c]) => c.slice(0, 3).every((v, k) => Math.abs(v - rgbaOf(env, geom)[k]!) < 1e-3))?.[0];
const onTable = (s: PrivilegedState, n: string) => s.objects[n]!.pos[2] > -0.05;
const SEEDS = Array.from({ length: 30 }, (_, i) => i);

describe('restaurant instructions', () => {
  const NOUN = { 'cup-on-tray': /\b(cup|mug)\b/, 'bowl-to-bin': /\bbowl\b/, 'plate-at-seat': /\bplate\b/ } as const;
  for (const id of TASK_IDS) {
    it(`${id}: vary across seeds, name the target, and held-out phrasings differ from the training ones`, async () => {
      const { env } = get(id, 'kara6');
      const train = SEEDS.map((seed) => { const s = env.reset(seed); return { s, text: s.observation.instruction }; });
      const texts = new Set(train.map((t) => t.text));
      expect(texts.size).toBeGreaterThan(15);
      for (const { s, text } of train) {
        const t = s.privileged.task;
        expect(text).toMatch(NOUN[id]);
        if (id === 'plate-at-seat') {
          expect(text).toMatch(new RegExp(`\\b${t.seat}\\b`));
          expect(text).not.toMatch(new RegExp(`\\b${t.seat === 'left' ? 'right' : 'left'}\\b`));
          if ((t.distractors as string[]).some((d) => d.startsWith('plate'))) expect(text).toContain(`${t.colour} plate`);
        } else {
          expect(text).toContain(`${t.colour}`);
        }
      }
      const held = await createTaskEnv(id, { embodiment: 'kara6', width: 0, height: 0, phrasing: 'heldout' });
      const heldTexts = SEEDS.map((s) => held.env.reset(s).observation.instruction);
      held.env.dispose();
      expect(new Set(heldTexts).size).toBeGreaterThan(10);
      for (const h of heldTexts) expect(texts.has(h), h).toBe(false);
      // same seed, same target, whichever phrasing
      expect(heldTexts.every((h, i) => h.includes(String(train[i]!.s.privileged.task[id === 'plate-at-seat' ? 'seat' : 'colour'])))).toBe(true);
    });
  }
});

describe('restaurant randomization', () => {
  it.each(TASK_IDS)('%s: same seed, same episode; other seeds, other targets, poses and colours', (id) => {
    const { env } = get(id, 'kara7');
    const a = env.reset(7), b = env.reset(7);
    expect(b.observation.instruction).toBe(a.observation.instruction);
    expect(b.privileged.task).toEqual(a.privileged.task);
    expect(b.privileged.objects).toEqual(a.privileged.objects);
    const eps = SEEDS.map((s) => env.reset(s).privileged);
    const targets = new Set(eps.map((p) => p.task.target)), colours = new Set(eps.map((p) => p.task.colour));
    expect(targets.size).toBeGreaterThan(1);
    expect(colours.size).toBeGreaterThan(4);
    const starts = new Set(eps.map((p) => p.objects[p.task.target as string]!.pos.slice(0, 2).map((v) => v.toFixed(3)).join()));
    expect(starts.size).toBe(SEEDS.length);
    const goals = new Set(eps.map((p) => (p.task.goal as number[]).map((v) => v.toFixed(4)).join()));
    expect(goals.size, 'the tray, bin and seats move a little per episode').toBe(SEEDS.length);
    if (id === 'plate-at-seat') expect(new Set(eps.map((p) => p.task.seat))).toEqual(new Set(['left', 'right']));
  });

  it.each(ARMS)('cup-on-tray on %s: the target cup has the named colour; sometimes the bowl on the table shares it', (arm) => {
    const { env } = get('cup-on-tray', arm);
    let shared = 0;
    for (const seed of SEEDS) {
      const p = env.reset(seed).privileged;
      const t = p.task.target as string;
      expect(colourOf(env, t)).toBe(p.task.colour);
      const cupsOnTable = Object.keys(p.objects).filter((n) => n.startsWith('cup_') && onTable(p, n));
      expect(cupsOnTable.length).toBeGreaterThanOrEqual(2);
      expect(new Set(cupsOnTable.map((n) => colourOf(env, n))).size, 'cups on the table have distinct colours').toBe(cupsOnTable.length);
      if (onTable(p, 'bowl_0') && colourOf(env, 'bowl_0') === p.task.colour) shared++;
    }
    expect(shared).toBeGreaterThan(5);
    expect(shared).toBeLessThan(SEEDS.length);
  });

  it('bowl-to-bin: other bowls of other colours; sometimes a cup of the target\'s colour', () => {
    const { env } = get('bowl-to-bin', 'kara6');
    let shared = 0;
    for (const seed of SEEDS) {
      const p = env.reset(seed).privileged;
      expect(colourOf(env, p.task.target as string)).toBe(p.task.colour);
      const bowls = Object.keys(p.objects).filter((n) => n.startsWith('bowl_') && onTable(p, n));
      expect(bowls.length).toBeGreaterThanOrEqual(2);
      expect(bowls.filter((n) => colourOf(env, n) === p.task.colour)).toEqual([p.task.target]);
      if (onTable(p, 'cup_0') && colourOf(env, 'cup_0') === p.task.colour) shared++;
    }
    expect(shared).toBeGreaterThan(5);
  });

  it('plate-at-seat: the plate never starts at its seat; a second plate or another dish sometimes distracts', () => {
    const { env } = get('plate-at-seat', 'kara6');
    let second = 0, extra = 0, fromOtherSeat = 0;
    for (const seed of SEEDS) {
      const p = env.reset(seed).privileged;
      expect(restsWithin(p), `seed ${seed} starts solved`).toBe(false);
      const d = p.task.distractors as string[];
      if (d.some((n) => n.startsWith('plate'))) second++;
      if (d.some((n) => !n.startsWith('plate'))) extra++;
      for (const n of d) expect(onTable(p, n)).toBe(true);
      const o = p.objects[p.task.target as string]!.pos, other = p.task.otherSeat as number[];
      if (Math.hypot(o[0] - other[0]!, o[1] - other[1]!) < 0.03) fromOtherSeat++;
    }
    expect(second).toBeGreaterThan(5);
    expect(extra).toBeGreaterThan(5);
    expect(fromOtherSeat).toBeGreaterThan(0);
  });
});
