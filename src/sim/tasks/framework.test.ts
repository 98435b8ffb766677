// The task framework with real MuJoCo: instruction templates, randomization helpers, the env's episode hook
// (placement with yaw, per-episode instruction and task facts, task sensors and actuators), and the waypoint expert.
import { describe, expect, it } from 'vitest';
import { Env, seededRandom } from '../env.ts';
import { phrase, allTemplates } from './language.ts';
import { jitterScene, scatter, sample, setColour, parked, COLOURS } from './randomize.ts';
import { openBox, insideFootprint } from './parts/containers.ts';
import { runWaypoints, type Waypoint } from '../experts/waypoints.ts';
import { idOf, mujocoSync } from '../mujoco.ts';

describe('instruction templates', () => {
  it('fill every slot from the given values or the shared lexicon, tidy spaces and capitalise', () => {
    const rng = seededRandom(1);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = phrase(rng, ['{please}{put} the {colour} {cup} {onto} the tray .', 'the {colour} {cup} goes on the tray'], { colour: 'red', cup: ['cup', 'mug'] });
      expect(s).toMatch(/^[A-Z]/);
      expect(s).toMatch(/red (cup|mug)/);
      expect(s).not.toMatch(/\{|\}|  | \./);
      seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(20); // verbs, nouns, prepositions and the two word orders vary
    expect(phrase(seededRandom(5), ['{put} the {x}'], { x: 'cup' })).toBe(phrase(seededRandom(5), ['{put} the {x}'], { x: 'cup' }));
  });
  it('refuse a slot with no value and an empty template list', () => {
    expect(() => phrase(seededRandom(0), ['put the {colr} cup'], { colour: 'red' })).toThrow(/slot \{colr\} with no value/);
    expect(() => phrase(seededRandom(0), [], {})).toThrow(/no templates/);
  });
  it('list both template sets with their phrasing', () => {
    expect(allTemplates({ train: ['a', 'b'], heldout: ['c'] }).map((t) => t.phrasing)).toEqual(['train', 'train', 'heldout']);
  });
});

describe('randomization helpers', () => {
  it('scatter keeps footprints inside the region, apart and clear of keep-out discs; throws when they cannot fit', () => {
    const region = { center: [0.4, 0] as [number, number], half: [0.1, 0.15] as [number, number] };
    for (let seed = 0; seed < 50; seed++) {
      const radii = [0.03, 0.02, 0.025, 0.04];
      const p = scatter(seededRandom(seed), region, radii, 0.01, [{ at: [0.4, 0], radius: 0.03 }]);
      p.forEach(([x, y], i) => {
        expect(Math.abs(x - 0.4)).toBeLessThanOrEqual(0.1 - radii[i]! + 1e-12);
        expect(Math.abs(y)).toBeLessThanOrEqual(0.15 - radii[i]! + 1e-12);
        expect(Math.hypot(x - 0.4, y)).toBeGreaterThanOrEqual(0.03 + radii[i]! + 0.01 - 1e-12);
        for (let j = 0; j < i; j++) expect(Math.hypot(x - p[j]![0], y - p[j]![1])).toBeGreaterThanOrEqual(radii[i]! + radii[j]! + 0.01 - 1e-12);
      });
    }
    expect(() => scatter(seededRandom(0), region, [0.09, 0.09, 0.09, 0.09])).toThrow(/no room for 4 items/);
  });
  it('sample picks distinct items; parked spots never overlap', () => {
    const s = sample(seededRandom(3), ['a', 'b', 'c', 'd', 'e'], 3);
    expect(new Set(s).size).toBe(3);
    expect(() => sample(seededRandom(3), ['a'], 2)).toThrow(RangeError);
    const spots = Array.from({ length: 20 }, (_, i) => parked(i, 0.02).pos);
    for (let i = 0; i < 20; i++) for (let j = 0; j < i; j++) expect(Math.hypot(spots[i]![0] - spots[j]![0], spots[i]![1] - spots[j]![1])).toBeGreaterThan(0.2);
  });
  it('jitterScene varies lights and the scene camera around the compiled values, not cumulatively', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    const m = env.model, cam = idOf(mujocoSync(), m, 'camera', 'scene');
    const pos0 = Array.from((m.cam_pos as Float64Array).subarray(3 * cam, 3 * cam + 3));
    const dif0 = (m.light_diffuse as Float32Array)[0]!;
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) {
      jitterScene(env, seededRandom(i));
      const p = (m.cam_pos as Float64Array).subarray(3 * cam, 3 * cam + 3);
      p.forEach((v, k) => expect(Math.abs(v - pos0[k]!)).toBeLessThanOrEqual(0.01 + 1e-12));
      const d = (m.light_diffuse as Float32Array)[0]!;
      expect(d).toBeGreaterThanOrEqual(dif0 * 0.7 - 1e-6);
      expect(d).toBeLessThanOrEqual(Math.min(1, dif0 * 1.3) + 1e-6);
      seen.push(d);
    }
    expect(new Set(seen).size).toBeGreaterThan(20);
    jitterScene(env, seededRandom(7)); const a = Array.from(m.cam_quat as Float64Array);
    jitterScene(env, seededRandom(8)); jitterScene(env, seededRandom(7));
    expect(Array.from(m.cam_quat as Float64Array)).toEqual(a); // same episode seed, same scene, whatever came before
    env.dispose();
  });
  it('insideFootprint honours the box yaw and the margin', () => {
    const box = { pos: [0.4, 0, 0], yaw: Math.PI / 2, halfX: 0.1, halfY: 0.03 };
    expect(insideFootprint([0.4, 0.08], box)).toBe(true); // the long side runs along y after the turn
    expect(insideFootprint([0.48, 0], box)).toBe(false);
    expect(insideFootprint([0.4, 0.08], box, 0.03)).toBe(false);
  });
});

const button = `
    <body name="pad" pos="0.45 0.15 0">
      <geom name="pad" type="box" size="0.03 0.03 0.005" pos="0 0 0.005" rgba="0.2 0.2 0.2 1"/>
      <site name="pad/top" type="box" size="0.03 0.03 0.004" pos="0 0 0.01"/>
    </body>
    <body name="sled" pos="0.3 -0.2 0.01">
      <joint name="sled/slide" type="slide" axis="1 0 0" damping="1"/>
      <geom name="sled" type="box" size="0.02 0.02 0.01" mass="0.2" rgba="0.2 0.6 0.2 1"/>
    </body>`;

describe('the env episode hook', () => {
  it('places objects with their yaw, sets the instruction and task facts per episode, reads task sensors and drives task actuators', async () => {
    let drive = 0;
    const env = await Env.create({
      embodiment: 'kara6', width: 0, height: 0, instruction: 'default',
      objects: [{ name: 'weight', shape: 'box', size: [0.02, 0.02, 0.02], mass: 0.5 }, { name: 'spare', shape: 'sphere', size: [0.02] }],
      staticMjcf: button, trackBodies: ['sled'], sensorMjcf: '<touch name="pad_touch" site="pad/top"/>',
      actuatorMjcf: '<velocity name="sled/drive" joint="sled/slide" kv="50"/>',
    }, {
      episode(rng, e) {
        const onPad = rng() < 0.5;
        (e.data.ctrl as Float64Array)[idOf(mujocoSync(), e.model, 'actuator', 'sled/drive')] = drive;
        setColour(e, 'weight', onPad ? COLOURS.red : COLOURS.blue);
        return {
          placement: { weight: { pos: onPad ? [0.45, 0.15, 0.031] : [0.4, -0.05, 0.021], yaw: 0.3 }, spare: parked(0, 0.02) },
          instruction: onPad ? 'the red weight is on the pad' : 'the blue weight is off the pad', task: { onPad, target: 'weight' },
        };
      },
    });
    const seen = new Set<boolean>();
    for (let seed = 0; seed < 12; seed++) {
      const { observation, privileged } = env.reset(seed);
      const onPad = privileged.task.onPad as boolean;
      seen.add(onPad);
      expect(observation.instruction).toBe(onPad ? 'the red weight is on the pad' : 'the blue weight is off the pad');
      expect(privileged.task.target).toBe('weight');
      const q = privileged.objects.weight!.quat;
      expect(2 * Math.atan2(q[3], q[0])).toBeCloseTo(0.3, 2); // the yaw given, not a random one
      expect(privileged.sensors.pad_touch![0]!).toSatisfy((f: number) => (onPad ? f > 3 && f < 7 : f === 0)); // 0.5 kg * g = 4.9 N
      expect(privileged.step).toBe(0);
      expect(privileged.objects.spare!.pos[0]).toBeGreaterThan(3); // parked far away
    }
    expect(seen).toEqual(new Set([true, false]));
    drive = 0.1;
    const x0 = env.reset(0).privileged.objects.sled!.pos[0];
    let r = env.step([0, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 19; i++) r = env.step([0, 0, 0, 0, 0, 0, 0]);
    expect(r.privileged.step).toBe(20);
    expect(r.privileged.objects.sled!.pos[0] - x0).toBeCloseTo(0.1, 1); // 0.1 m/s for 1 s
    env.dispose();
  });
  it('refuses a placement that misses an object or is not finite, naming the object', async () => {
    const objects = [{ name: 'a', shape: 'sphere' as const, size: [0.02] }];
    const env1 = await Env.create({ embodiment: 'kara6', width: 0, height: 0, objects }, { episode: () => ({ placement: {} }) });
    expect(() => env1.reset(0)).toThrow(/no pose for object 'a'/);
    env1.dispose();
    const env2 = await Env.create({ embodiment: 'kara6', width: 0, height: 0, objects }, { episode: () => ({ placement: { a: { pos: [0.4, NaN, 0.02], yaw: 0 } } }) });
    expect(() => env2.reset(0)).toThrow(/placement of object 'a' is not finite/);
    env2.dispose();
  });
});

describe('the waypoint expert', () => {
  it('follows a moving target, moves on when `until` holds or a waypoint times out, and reports how far it got', async () => {
    const env = await Env.create({ embodiment: 'kara7', width: 0, height: 0, staticMjcf: openBox({ name: 'bin', pos: [0.4, 0.2, 0], halfX: 0.05, halfY: 0.05, height: 0.05, rgba: [0.3, 0.3, 0.3, 1] }) });
    const start = env.reset(0);
    const p0 = start.observation.proprio.eePos;
    const moving = (s: { step: number }) => [p0[0] + 0.002 * s.step, p0[1], p0[2] - 0.05] as [number, number, number];
    const log: string[] = [];
    const wps: Waypoint[] = [
      { name: 'follow', pos: (s) => moving(s), gripper: 0, tolerance: 0, until: (s) => s.step >= 30 }, // only `until` ends it
      { name: 'unreachable', pos: [2, 2, 2], gripper: 0, tolerance: 0.001, timeout: 5 },
      { name: 'back', pos: [p0[0], p0[1], p0[2]], gripper: 1, tolerance: 0.005, hold: 3 },
    ];
    let lastFollowError = 1;
    const r = runWaypoints(env, start, wps, {
      maxSteps: 120, settle: 2,
      onStep: (s) => { if (s.privileged.step <= 30) { lastFollowError = Math.hypot(...moving(s.privileged).map((v, k) => v - s.observation.proprio.eePos[k]!)); log.push('f'); } },
    });
    expect(r.reached).toBe(3);
    expect(lastFollowError).toBeLessThan(0.01); // tracking a target moving at 4 cm/s
    expect(r.steps).toBeLessThan(120);
    expect(r.success).toBe(false); // no success predicate in this env
    expect(Math.hypot(...p0.map((v, k) => v - r.last!.observation.proprio.eePos[k]!))).toBeLessThan(0.006);
    expect(r.last!.observation.proprio.gripper).toBeLessThan(0.2); // the last waypoint closed the gripper
    env.dispose();
  });
});
