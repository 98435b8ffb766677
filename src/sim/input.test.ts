// Bad input at the Env's boundary, beyond bad actions and MJCF (sim.test.ts, env.test.ts): seeds, control rates,
// object sizes, action values that are not numbers, and use after dispose. Each fails with a message that names the
// bad value, before the simulator changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Env } from './env.ts';

describe('Env boundary', () => {
  let env: Env;
  beforeAll(async () => { env = await Env.create({ embodiment: 'kara6', width: 0, height: 0 }); });
  afterAll(() => env.dispose());

  it('seeds are non-negative integers (NaN or 1.5 would silently alias seed 0 or 1)', () => {
    for (const bad of [NaN, 1.5, -1, Infinity, 2 ** 53]) expect(() => env.reset(bad)).toThrow(new RangeError(`reset: seed must be a non-negative integer, got ${bad}`));
    const a = env.reset(2 ** 32 + 3).privileged.objects.cube!.pos, b = env.reset(3).privileged.objects.cube!.pos;
    expect(a).toEqual(b); // the generator takes 32 bits of the seed
  });

  it('actions must be numbers: strings, null and undefined are named, not coerced', () => {
    env.reset(0);
    const time = env.data.time;
    expect(() => env.step(['0.01', 0, 0, 0, 0, 0, 0] as unknown as number[])).toThrow(/action\[0\] \(dx\) is a string \("0\.01"\); actions must be numbers/);
    expect(() => env.step([0, 0, 0, 0, 0, 0, undefined] as unknown as number[])).toThrow(/action\[6\] \(gripper\) is undefined; actions must be numbers/);
    expect(() => env.step(null as unknown as number[])).toThrow(/action must be an array of 7 numbers, got null/);
    expect(env.data.time).toBe(time);
    expect(env.step(new Float32Array([0.01, 0, 0, 0, 0, 0, 0])).info.step).toBe(1); // typed arrays are fine
  });

  it('the control rate must divide the 500 Hz physics rate', async () => {
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, controlHz: 7 })).rejects.toThrow(/controlHz 7 does not divide the physics rate 500 Hz/);
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, controlHz: 1000 })).rejects.toThrow(/controlHz 1000/);
    const e = await Env.create({ embodiment: 'kara6', width: 0, height: 0, controlHz: 50 });
    expect(e.substeps).toBe(10);
    e.reset(0);
    expect(e.step([0, 0, 0, 0, 0, 0, 0]).observation.time - e.reset(0).observation.time).toBeCloseTo(0.02, 12);
    e.dispose();
  });

  it('object sizes match their shape', async () => {
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, objects: [{ name: 'c', shape: 'box', size: [0.02] }] }))
      .rejects.toThrow(/objects\.0\.size: size needs 3 values for a box/);
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, objects: [{ name: 'c', shape: 'sphere', size: [0.02, 0.02] }] }))
      .rejects.toThrow(/objects\.0\.size: .*1 for a sphere/);
  });

  it('a config naming what the world lacks fails after compiling, and the env can be built right again', async () => {
    await expect(Env.create({ embodiment: 'kara6', width: 0, height: 0, trackBodies: ['tray'] })).rejects.toThrow(/no body named 'tray'/);
    const e = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    expect(e.reset(1).privileged.objects.cube!.pos).toEqual(env.reset(1).privileged.objects.cube!.pos);
    e.dispose();
  });

  it('dispose is idempotent and a disposed env says so instead of touching freed memory', async () => {
    const e = await Env.create({ embodiment: 'kara6', width: 0, height: 0 });
    e.reset(0);
    e.dispose();
    expect(() => e.dispose()).not.toThrow();
    expect(() => e.step([0, 0, 0, 0, 0, 0, 0])).toThrow(/Env\.step: this env was disposed/);
    expect(() => e.reset(0)).toThrow(/Env\.reset: this env was disposed/);
  });
});
