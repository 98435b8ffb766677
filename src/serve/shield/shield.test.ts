// The shield on concrete cases: defaults come from the embodiment (MJCF joint ranges, workspace), the ISO reduced
// speed holds (12.5 mm per 20 Hz step), NaN holds, a wrench over threshold stops until reset, the workspace edge,
// joint mode rate limiting, logged reasons, and limit configs validated with errors that name the field.
import { describe, expect, it } from 'vitest';
import { Env } from '../../sim/env.ts';
import { defaultShieldLimits, parseShieldLimits } from './limits.ts';
import { chunkStartState, formatIntervention, initialShieldState, resetShield, shieldAction, shieldChunk } from './shield.ts';

describe('shield limits', () => {
  it('defaults come from the embodiment: joint ranges as the env compiled them, workspace around its object area', async () => {
    const l = await defaultShieldLimits('kara6');
    expect(l.joint.lower).toEqual([-3.1, -2.0, -2.6, -3.1, -2.2, -3.1]);
    expect(l.joint.upper).toEqual([3.1, 2.0, 2.6, 3.1, 2.2, 3.1]);
    expect(l.ee.workspace!.min[0]).toBeCloseTo(0.2);
    expect(l.ee.workspace!.max[1]).toBeCloseTo(0.4);
    expect(l.ee.translation.maxSpeed).toBe(0.25);
    const env = await Env.create({ embodiment: 'widowx250', width: 0, height: 0, actionMode: 'joint' });
    try {
      const w = await defaultShieldLimits('widowx250');
      // the env's own joint-mode action bounds are the MJCF ranges too: the shield agrees with them
      expect(() => env.step([...w.joint.upper, 1])).not.toThrow();
      expect(() => env.step([...w.joint.upper.map((u) => u + 0.01), 1])).toThrow(/outside/);
    } finally { env.dispose(); }
  });

  it('overrides merge, and bad configs are refused naming the field', async () => {
    const l = await defaultShieldLimits('kara7', { ee: { translation: { maxSpeed: 0.1 } }, wrench: { maxForce: 60 } });
    expect(l.ee.translation.maxSpeed).toBe(0.1);
    expect(l.ee.translation.maxAccel).toBe(2.5);
    expect(l.wrench.maxForce).toBe(60);
    await expect(defaultShieldLimits('kara7', { ee: { translation: { maxSpeed: -1 } } })).rejects.toThrow(/ee\.translation\.maxSpeed: .*got -1/);
    expect(() => parseShieldLimits({ ...l, joint: { ...l.joint, upper: [1, 2] } })).toThrow(/joint\.upper: has 2 values for 7 joints/);
    expect(() => parseShieldLimits({ ...l, ee: { ...l.ee, workspace: { min: [1, 0, 0], max: [0, 1, 1] } } })).toThrow(/ee\.workspace\.min\.0/);
    expect(() => parseShieldLimits({ ...l, extra: 1 })).toThrow(/extra/);
  });
});

describe('shieldAction (EE mode, kara6 defaults)', () => {
  const inside = { eePos: [0.4, 0, 0.2], wrench: { force: [0, 0, 5], torque: [0, 0, 0] } };

  it('keeps the reduced speed: a 30 mm expert step becomes at most 12.5 mm, ramped by the acceleration limit, and says why', async () => {
    const l = await defaultShieldLimits('kara6');
    let s = initialShieldState(l);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = shieldAction([0.03, 0, 0, 0, 0, 0, 1], inside, l, s);
      s = r.state;
      sizes.push(r.action[0]!);
      expect(r.action[6]).toBe(1);
      if (i === 0) {
        expect(r.interventions.map((x) => x.kind).sort()).toEqual(['acceleration', 'jerk', 'relative', 'speed']);
        expect(formatIntervention(r.interventions.find((x) => x.kind === 'speed')!)).toBe('shield step 1: speed on translation: 0.6 (limit 0.25)');
        const acc = r.interventions.find((x) => x.kind === 'acceleration')!; // 30 mm in one step from rest: 12 m/s^2
        expect([acc.component, +acc.value.toFixed(9), +(acc.limit as number).toFixed(9)]).toEqual(['dx', 12, 2.5]);
      }
    }
    // from rest: 2.5 m/s^2 adds at most 6.25 mm per step, then 12.5 mm (0.25 m/s)
    expect(sizes.map((v) => +v.toFixed(6))).toEqual([0.00625, 0.0125, 0.0125, 0.0125]);
    expect(s.counts.speed).toBe(4);
  });

  it('holds on NaN or Inf (zero delta, gripper unchanged) and resumes on valid actions', async () => {
    const l = await defaultShieldLimits('kara6');
    let r = shieldAction([0.005, 0, 0, 0, 0, 0, 0.7], inside, l, initialShieldState(l));
    r = shieldAction([NaN, 0, 0, 0, 0, 0, 0], inside, l, r.state);
    expect(Array.from(r.action)).toEqual([0, 0, 0, 0, 0, 0, 0.7]);
    expect(r.held).toBe(true);
    expect(r.interventions[0]).toMatchObject({ kind: 'non-finite', component: 'dx', step: 2 });
    r = shieldAction([0, Infinity, 0, 0, 0, 0, 0], inside, l, r.state);
    expect(r.interventions[0]).toMatchObject({ kind: 'non-finite', component: 'dy' });
    r = shieldAction([0.002, 0, 0, 0, 0, 0, 0], inside, l, r.state);
    expect(r.held).toBe(false);
    expect(r.action[0]).toBeCloseTo(0.002);
    expect(r.state.counts['non-finite']).toBe(2);
  });

  it('a wrench over the transient limit stops at once, over the quasi-static one after 0.5 s; the stop stays until reset', async () => {
    const l = await defaultShieldLimits('kara6');
    const push = (n: number) => ({ ...inside, wrench: { force: [0, 0, n], torque: [0, 0, 0] } });
    // 150 N (over 140 N quasi-static, under 280 N transient): a contact of up to 0.5 s (10 steps at 20 Hz) is allowed
    let r = shieldAction([0.005, 0, 0, 0, 0, 0, 1], inside, l, initialShieldState(l));
    for (let i = 0; i < 10; i++) { r = shieldAction([0, 0, 0, 0, 0, 0, 1], push(150), l, r.state); expect(r.held).toBe(false); }
    r = shieldAction([0.005, 0, 0, 0, 0, 0, 0], push(150), l, r.state);
    expect(r.held).toBe(true);
    expect(Array.from(r.action)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(r.interventions[0]).toMatchObject({ kind: 'wrench-stop', component: 'wrench.force', value: 150, limit: 140 });
    expect(r.state.stop!.reason).toMatch(/for 11 steps \(longer than 500 ms\)/);
    for (let i = 0; i < 3; i++) {
      r = shieldAction([0.005, 0, 0, 0, 0, 0, 0], inside, l, r.state); // force back to normal: still stopped
      expect(r.held).toBe(true);
      expect(r.interventions[0]!.kind).toBe('stopped');
    }
    // the server's per-chunk state keeps the latch too
    expect(shieldChunk([[0.005, 0, 0, 0, 0, 0, 0]], inside, l, chunkStartState(r.state)).chunk[0]![0]).toBe(0);
    r = shieldAction([0.005, 0, 0, 0, 0, 0, 0], inside, l, resetShield(r.state, l));
    expect(r.held).toBe(false);
    expect(r.action[0]).toBeCloseTo(0.005);
    expect(r.state.counts['wrench-stop']).toBe(1);
    expect(r.state.counts.stopped).toBe(3);
    // a short contact under the quasi-static limit again resets the count; 300 N (over 280 N) stops at once
    r = shieldAction([0, 0, 0, 0, 0, 0, 0], push(300), l, r.state);
    expect(r.interventions[0]).toMatchObject({ kind: 'wrench-stop', value: 300, limit: 280 });
    expect(shieldAction([0, 0, 0, 0, 0, 0, 0], { ...inside, wrench: { force: [NaN, 0, 0], torque: [0, 0, 0] } }, l, initialShieldState(l)).state.stop!.reason).toMatch(/unreadable/);
  });

  it('keeps the end effector inside the workspace box, also over a whole chunk', async () => {
    const l = await defaultShieldLimits('kara6');
    const top = l.ee.workspace!.max[2];
    const r = shieldAction([0, 0, 0.01, 0, 0, 0, 0], { eePos: [0.4, 0, top - 0.004] }, l, initialShieldState(l, { fromRest: false }));
    expect(r.action[2]).toBeCloseTo(0.004, 12);
    expect(r.interventions.map((i) => i.kind)).toEqual(['workspace']);
    const c = shieldChunk(Array.from({ length: 10 }, () => [0, 0, 0.01, 0, 0, 0, 0]), { eePos: [0.4, 0, top - 0.03] }, l, initialShieldState(l, { fromRest: false }));
    const z = c.chunk.reduce((p, a) => p + a[2]!, top - 0.03);
    expect(z).toBeLessThanOrEqual(top + 1e-12);
    expect(z).toBeCloseTo(top, 9);
    // no EE position: the workspace cannot be checked, so the shield holds
    const blind = shieldAction([0, 0, 0.01, 0, 0, 0, 0], {}, l, initialShieldState(l));
    expect(blind.held).toBe(true);
    expect(blind.interventions[0]!.kind).toBe('missing-state');
  });
});

describe('shieldAction (joint mode)', () => {
  it('clips to the MJCF joint range and rate-limits the target like limitRate', async () => {
    const l = await defaultShieldLimits('kara6', { mode: 'joint' });
    const q0 = [0, 0.45, 1.75, 0, 0.92, 0];
    let s = initialShieldState(l);
    // ask for joint 2 at 3 rad (range 2.6) at once: velocity 2 rad/s at 20 Hz is 0.1 rad/step, accel 10 rad/s^2 is 0.025 rad/step^2
    const got: number[] = [];
    let q = q0;
    for (let i = 0; i < 8; i++) {
      const r = shieldAction([0, 0.45, 3, 0, 0.92, 0, 0], { jointPos: q }, l, s);
      s = r.state; q = Array.from(r.action.subarray(0, 6)); got.push(q[2]!);
    }
    const steps = got.map((v, i) => +(v - (i ? got[i - 1]! : 1.75)).toFixed(6));
    expect(steps).toEqual([0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(Math.max(...got)).toBeLessThanOrEqual(2.6);
    expect(s.counts['joint-limit']).toBe(8);
  });
});
