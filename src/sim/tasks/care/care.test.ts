// Tests of the care tasks: success predicates on hand-built states (the hand-over's 1 s hold counter, the call
// button read from its sensor and not its position), experts on a few seeds per arm (cameras off), instructions and
// randomization.
import { describe, expect, it } from 'vitest';
import type { PrivilegedState } from '../../observation.ts';
import { runWaypoints } from '../../experts/waypoints.ts';
import { LEXICON, type Templates } from '../language.ts';
import { careTasks } from './index.ts';
import { onBedsideTable } from './bedside-table.ts';
import { HOLD_STEPS, holdCounter, inHandZone, handOver } from './hand-over.ts';
import { nurseCalled } from './nurse-call.ts';
import { NOUNS, type Kind } from './scene.ts';
import { taskEnvCache } from '../test-envs.ts';

type Quat = [number, number, number, number];
const UP: Quat = [1, 0, 0, 0];
const state = (objects: Record<string, [number, number, number] | { pos: [number, number, number]; quat: Quat }>, task: PrivilegedState['task'], grasped: string[] = [], sensors: Record<string, number[]> = {}): PrivilegedState => ({
  objects: Object.fromEntries(Object.entries(objects).map(([k, v]) => [k, Array.isArray(v) ? { pos: v, quat: UP } : v])),
  grasped, eeTarget: { pos: [0.4, 0, 0.2], quat: [1, 0, 0, 0] }, sensors, task, step: 10,
});

const taskEnv = taskEnvCache();

describe('care success predicates (hand-built states)', () => {
  const table = { target: 'cup_a', table: [0.43, -0.24, 0.08], tableHalf: [0.075, 0.065], halfHeight: 0.04, radius: 0.03 };
  it('bedside-table: released, upright, standing on the top, over it', () => {
    expect(onBedsideTable(state({ cup_a: [0.44, -0.23, 0.121] }, table))).toBe(true);
    expect(onBedsideTable(state({ cup_a: [0.44, -0.23, 0.121] }, table, ['cup_a']))).toBe(false); // still held
    expect(onBedsideTable(state({ cup_a: [0.44, -0.23, 0.16] }, table))).toBe(false); // in the air above it
    expect(onBedsideTable(state({ cup_a: [0.4, 0.0, 0.04] }, table))).toBe(false); // on the work table
    expect(onBedsideTable(state({ cup_a: [0.43, -0.17, 0.121] }, table))).toBe(false); // hanging over the edge
    const tipped: Quat = [Math.SQRT1_2, Math.SQRT1_2, 0, 0];
    expect(onBedsideTable(state({ cup_a: { pos: [0.44, -0.23, 0.11], quat: tipped } }, table))).toBe(false); // lying down
    expect(onBedsideTable(state({ cup_b: [0.44, -0.23, 0.121] }, table))).toBe(false); // the other cup
  });

  const zone = { target: 'pill_a', palm: [0.44, 0.27, 0.056], halfHeight: 0.035 };
  const held = (z: number, xy: [number, number] = [0.45, 0.26]) => state({ pill_a: [...xy, z] }, zone, ['pill_a']);
  it('hand-over zone: grasped, above the palm within the radius, touching nothing', () => {
    expect(inHandZone(held(0.056 + 0.03 + 0.035))).toBe(true);
    expect(inHandZone(state({ pill_a: [0.45, 0.26, 0.121] }, zone))).toBe(false); // not grasped (dropped)
    expect(inHandZone(held(0.056 + 0.035))).toBe(false); // resting on the palm
    expect(inHandZone(held(0.3))).toBe(false); // far above
    expect(inHandZone(held(0.121, [0.44, 0.2]))).toBe(false); // 7 cm short of the palm
  });

  it('hand-over needs 20 consecutive in-zone steps: 19 then out is false, and the count restarts', () => {
    const c = holdCounter();
    const inZone = held(0.121), out = held(0.121, [0.44, 0.2]);
    expect(HOLD_STEPS).toBe(20);
    for (let i = 0; i < 19; i++) expect(c.step(inZone)).toBe(false);
    expect(c.step(out)).toBe(false);
    expect(c.count).toBe(0);
    for (let i = 0; i < 19; i++) expect(c.step(inZone)).toBe(false);
    expect(c.step(inZone)).toBe(true); // the 20th in a row
    c.reset();
    expect(c.step(inZone)).toBe(false);
  });

  it("hand-over's instance counter resets at each episode", async () => {
    const { env, task } = await taskEnv('hand-over', 'kara6');
    const s = env.reset(0).privileged;
    const palm = s.task.palm as number[], hh = s.task.halfHeight as number, name = s.task.target as string;
    const inZone = state({ [name]: [palm[0]!, palm[1]!, palm[2]! + 0.03 + hh] }, s.task, [name]);
    for (let i = 0; i < 15; i++) expect(task.success!(inZone, null as never)).toBe(false);
    env.reset(1); // a new episode: the 15 steps do not count
    const s1 = env.reset(0).privileged;
    expect(s1.task).toEqual(s.task);
    for (let i = 0; i < 19; i++) expect(task.success!(inZone, null as never)).toBe(false);
    expect(task.success!(inZone, null as never)).toBe(true);
  });

  const call = { target: 'call_button', sensor: 'call_button/touch', distractor: 'light_switch', distractorSensor: 'light_switch/touch', threshold: 2 };
  const buttons = (callZ: number, switchZ = 0.027) => ({ 'call_button/cap': [0.4, 0, callZ] as [number, number, number], 'light_switch/cap': [0.45, 0.08, switchZ] as [number, number, number] });
  it('nurse-call is read from the call button sensor, not from its position', () => {
    // the cap pushed all the way down but the sensor reads nothing: not a call
    expect(nurseCalled(state(buttons(0.019), call, [], { 'call_button/touch': [0], 'light_switch/touch': [0] }))).toBe(false);
    expect(nurseCalled(state(buttons(0.027), call, [], {}))).toBe(false); // no reading at all
    expect(nurseCalled(state(buttons(0.027), call, [], { 'call_button/touch': [1.9], 'light_switch/touch': [0] }))).toBe(false); // a light touch
    expect(nurseCalled(state(buttons(0.027), call, [], { 'call_button/touch': [2.5], 'light_switch/touch': [0] }))).toBe(true);
    expect(nurseCalled(state(buttons(0.021), call, [], { 'call_button/touch': [6], 'light_switch/touch': [0] }))).toBe(true);
  });

  it('nurse-call: pressing the light switch is not a call, nor is pressing both', () => {
    expect(nurseCalled(state(buttons(0.027, 0.019), call, [], { 'call_button/touch': [0], 'light_switch/touch': [8] }))).toBe(false);
    expect(nurseCalled(state(buttons(0.02, 0.02), call, [], { 'call_button/touch': [5], 'light_switch/touch': [5] }))).toBe(false);
  });
});

const CASES = careTasks.flatMap((t) => t.embodiments.map((e) => [t.id, e] as const));

describe('care experts (cameras off, physical grasps)', () => {
  it.each(CASES)('%s on %s succeeds on seeds 0-1', async (id, arm) => {
    const { env, task } = await taskEnv(id, arm);
    for (const seed of [0, 1]) {
      const start = env.reset(seed);
      let firstInZone = -1, switchMax = 0;
      const r = task.expert(env, start, {
        maxSteps: env.config.maxSteps,
        onStep: (s) => {
          if (id === 'hand-over' && firstInZone < 0 && inHandZone(s.privileged)) firstInZone = s.privileged.step;
          switchMax = Math.max(switchMax, s.privileged.sensors['light_switch/touch']?.[0] ?? 0);
        },
      });
      expect(r.success, `${id} ${arm} seed ${seed}: ${JSON.stringify({ steps: r.steps, reached: r.reached })}`).toBe(true);
      const s = r.last!.privileged;
      if (id === 'hand-over') {
        expect(r.steps - firstInZone + 1, 'held in the zone for 20 steps').toBeGreaterThanOrEqual(HOLD_STEPS);
        expect(s.grasped).toContain(s.task.target);
      }
      if (id === 'bedside-table') expect(s.grasped).not.toContain(s.task.target);
      if (id === 'nurse-call') {
        expect(s.sensors['call_button/touch']![0]).toBeGreaterThanOrEqual(2);
        expect(switchMax).toBeLessThan(2);
      }
    }
  });
});

describe('nurse-call buttons in simulation', () => {
  it.each(['kara6', 'kara7'])('%s: pressing the light switch fires its own sensor, not the call button, and is no call', async (arm) => {
    const { env } = await taskEnv('nurse-call', arm);
    const start = env.reset(5);
    const cap = start.privileged.objects['light_switch/cap']!.pos, top = start.privileged.task.goal as number[];
    let fired = false, callMax = 0, anySuccess = false;
    const r = runWaypoints(env, start, [
      { name: 'above switch', pos: [cap[0], cap[1], top[2]! + 0.06], gripper: 1, tolerance: 0.006 },
      { name: 'press switch', pos: [cap[0], cap[1], top[2]! - 0.02], gripper: 1, tolerance: 0.002, maxStep: 0.01, timeout: 40,
        until: (s) => (fired = (s.sensors['light_switch/touch']![0]! >= 2)) },
      { name: 'lift', pos: [cap[0], cap[1], top[2]! + 0.06], gripper: 1, tolerance: 0.01 },
    ], { maxSteps: 80, onStep: (s) => { callMax = Math.max(callMax, s.privileged.sensors['call_button/touch']![0]!); anySuccess ||= s.info.success; } });
    expect(fired, 'the switch sensor read >= 2 N').toBe(true);
    expect(callMax).toBe(0);
    expect(anySuccess).toBe(false);
    expect(r.success).toBe(false);
  });
});

/** A template as a regular expression: LEXICON slots match their synonyms, the task's own slots anything. */
const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const templateRe = (t: string) => new RegExp(`^${t.split(/(\{\w+\})/).map((part) => {
  const slot = /^\{(\w+)\}$/.exec(part)?.[1];
  if (!slot) return esc(part);
  const lex = (LEXICON as Record<string, readonly string[]>)[slot];
  return lex ? `(?:${lex.map(esc).join('|')})` : '.+';
}).join('').replace(/ /g, '\\s*')}$`, 'i');
const matchesAny = (s: string, ts: readonly string[]) => ts.some((t) => templateRe(t).test(s));

describe('care instructions', () => {
  it.each(careTasks.map((t) => [t.id, t.templates] as const))('%s: at least 6 train and 3 held-out templates, none shared', (_id, t: Templates) => {
    expect(t.train.length).toBeGreaterThanOrEqual(6);
    expect(t.heldout.length).toBeGreaterThanOrEqual(3);
    for (const h of t.heldout) expect(t.train).not.toContain(h);
  });

  it.each(['hand-over', 'bedside-table'])('%s: instructions vary and name the target by colour and kind', async (id) => {
    const { env } = await taskEnv(id, 'kara6');
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const { observation: o, privileged: p } = env.reset(seed);
      seen.add(o.instruction);
      const colour = p.task.colour as string, kind = p.task.kind as Kind;
      expect(NOUNS[kind].some((n) => o.instruction.toLowerCase().includes(`${colour} ${n}`)), o.instruction).toBe(true);
      expect(matchesAny(o.instruction, (id === 'hand-over' ? handOver : careTasks.find((t) => t.id === id)!).templates.train), o.instruction).toBe(true);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });

  it('nurse-call: instructions vary and name the call button (by colour) or the nurse', async () => {
    const { env } = await taskEnv('nurse-call', 'kara6');
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const { observation: o, privileged: p } = env.reset(seed);
      seen.add(o.instruction);
      const text = o.instruction.toLowerCase();
      expect(/call button|nurse/.test(text), o.instruction).toBe(true);
      expect(text).not.toContain(p.task.distractorColour as string); // never the light switch's colour
    }
    expect(seen.size).toBeGreaterThanOrEqual(6);
  });

  it.each(careTasks.map((t) => t.id))('%s: held-out instructions come from held-out templates only', async (id) => {
    const def = careTasks.find((t) => t.id === id)!;
    const { env } = await taskEnv(id, 'kara6', 'heldout');
    for (let seed = 0; seed < 8; seed++) {
      const text = env.reset(seed).observation.instruction;
      expect(matchesAny(text, def.templates.heldout), text).toBe(true);
      expect(matchesAny(text, def.templates.train), text).toBe(false);
    }
  });
});

describe('care randomization', () => {
  const summary = (p: PrivilegedState, instruction: string) => ({
    instruction, task: p.task,
    poses: Object.fromEntries(Object.entries(p.objects).map(([k, v]) => [k, v.pos.map((x) => +x.toFixed(6))])),
  });

  it.each(careTasks.map((t) => t.id))('%s: the same seed gives the same episode (after other seeds), other seeds differ', async (id) => {
    const { env } = await taskEnv(id, 'kara7');
    const first = env.reset(3);
    const a = summary(first.privileged, first.observation.instruction);
    const rgba = Float32Array.from(env.model.geom_rgba as Float32Array);
    env.reset(4);
    const again = env.reset(3);
    expect(summary(again.privileged, again.observation.instruction)).toEqual(a);
    expect(Float32Array.from(env.model.geom_rgba as Float32Array)).toEqual(rgba); // colours are set every episode
    const goals = new Set<string>(), targets = new Set<string>(), colours = new Set<string>(), hands = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const p = env.reset(seed).privileged;
      goals.add(JSON.stringify(p.task.goal)); targets.add(p.task.target as string); colours.add(p.task.colour as string);
      hands.add(p.objects.patient_hand!.pos.map((v) => v.toFixed(3)).join());
    }
    expect(goals.size).toBe(10);
    expect(colours.size).toBeGreaterThanOrEqual(3);
    expect(hands.size).toBe(10); // the patient's hand moves every episode
    if (id !== 'nurse-call') expect(targets.size).toBeGreaterThanOrEqual(3);
  });

  it('hand-over: the goal follows the randomized hand, and distractors share a kind with the target', async () => {
    const { env } = await taskEnv('hand-over', 'widowx250');
    for (let seed = 0; seed < 6; seed++) {
      const p = env.reset(seed).privileged;
      const hand = p.objects.patient_hand!.pos, goal = p.task.goal as number[];
      expect(Math.hypot(goal[0]! - hand[0], goal[1]! - hand[1])).toBeLessThan(1e-9);
      const d = p.task.distractors as string[], target = p.task.target as string;
      expect(d.length).toBeGreaterThanOrEqual(2);
      expect(d.some((n) => n.split('_')[0] === target.split('_')[0])).toBe(true);
      for (const n of [target, ...d]) expect(p.objects[n]!.pos[2]).toBeGreaterThan(0); // on the table, not parked
    }
  });
});
