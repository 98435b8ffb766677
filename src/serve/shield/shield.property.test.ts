// Property tests of the shield (fast-check): over more than 100,000 random actions, in random episodes with random
// limits and random (often inconsistent, non-finite or missing) robot states, every output is finite, of the right
// size and inside every limit of tier 1 always, and inside the rate limits (tier 2) on every step the shield reports
// as rate-limited; a stop stays latched; every change to an action comes with a logged intervention.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseShieldLimits, type ShieldLimits } from './limits.ts';
import { initialShieldState, shieldAction, shieldChunk, ShieldError, type RobotState, type ShieldResult } from './shield.ts';
import { EE_ACTION_LIMITS } from '../../sim/action.ts';
import { f32TowardZero, f32Within } from './float32.ts';

const TOL = 1e-9;
const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

/** Numbers a model or a broken sensor may produce: small, large, huge, NaN, infinities, -0. */
const wild = (scale: number) => fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -scale, max: scale, noNaN: true }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -1e308, -0, 0, 5e-324) },
);
const posRange = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });

const limitsArb = (n: number) => fc.record({
  mode: fc.constantFrom('ee' as const, 'joint' as const),
  controlHz: fc.constantFrom(10, 20, 50),
  center: fc.tuple(posRange(-1, 1), posRange(-1, 1), posRange(-1, 1)),
  half: fc.tuple(posRange(0.01, 0.5), posRange(0.01, 0.5), posRange(0.01, 0.5)),
  noWorkspace: fc.boolean(),
  tr: fc.record({ maxSpeed: posRange(1e-3, 2), maxAccel: posRange(1e-2, 50), maxJerk: posRange(0.1, 1e4), maxRelative: posRange(1e-3, EE_ACTION_LIMITS.pos) }),
  rot: fc.record({ maxSpeed: posRange(1e-3, 10), maxAccel: posRange(1e-2, 100), maxJerk: posRange(0.1, 1e4), maxRelative: posRange(1e-3, EE_ACTION_LIMITS.rot) }),
  lower: fc.array(posRange(-3, 0), { minLength: n, maxLength: n }),
  span: fc.array(posRange(0.05, 4), { minLength: n, maxLength: n }),
  vel: fc.array(posRange(0.01, 5), { minLength: n, maxLength: n }),
  acc: fc.array(posRange(0.1, 50), { minLength: n, maxLength: n }),
  jerk: fc.array(posRange(1, 1e4), { minLength: n, maxLength: n }),
  rel: fc.array(posRange(0.01, 1), { minLength: n, maxLength: n }),
  gMax: posRange(0.5, 1),
  force: posRange(1, 200),
  torque: posRange(0.1, 20),
  transient: posRange(1, 3),
  transientMs: fc.constantFrom(0, 100, 500),
}).map((r): ShieldLimits => parseShieldLimits({
  embodiment: 'random', controlHz: r.controlHz, mode: r.mode,
  ee: {
    workspace: r.noWorkspace ? null : { min: r.center.map((c, k) => c - r.half[k]!), max: r.center.map((c, k) => c + r.half[k]!) },
    translation: r.tr, rotation: r.rot,
  },
  joint: { lower: r.lower, upper: r.lower.map((l, k) => l + r.span[k]!), maxVelocity: r.vel, maxAccel: r.acc, maxJerk: r.jerk, maxRelative: r.rel },
  gripper: { min: 0, max: r.gMax }, wrench: { maxForce: r.force, maxTorque: r.torque, transientForce: r.force * r.transient, transientTorque: r.torque * r.transient, transientMs: r.transientMs },
}));

/** Mostly ordinary vectors; one in five has wild components (NaN, infinities, huge). */
const vec = (n: number, scale: number) => fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.double({ min: -scale, max: scale, noNaN: true }), { minLength: n, maxLength: n }) },
  { weight: 1, arbitrary: fc.array(wild(scale), { minLength: n, maxLength: n }) },
);
/** A robot state: fields sometimes missing, wrong-sized or wild; the wrench mostly small (so that stops are not all). */
const robotArb = (n: number) => fc.record({
  eePos: fc.option(fc.oneof({ weight: 8, arbitrary: vec(3, 1.5) }, { weight: 1, arbitrary: vec(2, 1) }), { freq: 12 }),
  jointPos: fc.option(fc.oneof({ weight: 8, arbitrary: vec(n, 3.5) }, { weight: 1, arbitrary: vec(n + 1, 1) }), { freq: 12 }),
  gripper: fc.option(wild(1), { freq: 4 }),
  wrench: fc.option(fc.oneof(
    { weight: 300, arbitrary: fc.record({ force: fc.array(posRange(-3, 3), { minLength: 3, maxLength: 3 }), torque: fc.array(posRange(-0.05, 0.05), { minLength: 3, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ force: vec(3, 1e3), torque: vec(3, 1e2) }) },
  ), { freq: 3 }),
}, { requiredKeys: [] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as RobotState);

const actionArb = (dim: number, scale: number) => fc.oneof(
  { weight: 40, arbitrary: vec(dim, scale) },
  { weight: 1, arbitrary: fc.array(wild(scale), { minLength: 0, maxLength: dim + 2 }) },
);

/** A cheap assertion for the hot loop (vitest's expect costs microseconds per call). */
function ok(cond: boolean, what: string): void { if (!cond) throw new Error(`shield property broken: ${what}`); }
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, k) => Object.is(v, b[k]) || v === b[k]);

/** Checks one step's output against every limit; `prev` is the previous output (null before the first). */
function checkStep(l: ShieldLimits, robot: RobotState, input: number[], r: ShieldResult, prev: { out: number[] | null; d: number[]; e: number[]; rate: boolean; first: boolean; stopped: boolean }, over: { n: number }): void {
  const dt = 1 / l.controlHz, a = Array.from(r.action), dim = l.mode === 'ee' ? 7 : l.joint.lower.length + 1;
  ok(Object.is(a.length, dim), 'a.length === dim');
  ok(a.every(Number.isFinite), `finite output ${a}`);
  if (prev.stopped) { ok(r.held, 'held'); ok(r.state.stop !== null, 'r.state.stop !== null'); }
  // the wrench: unreadable or over the transient limits stops at once; over the quasi-static limits only after
  // more consecutive steps than transientMs allows (counted here independently of the shield)
  const w = robot.wrench, lw = l.wrench;
  if (w && !prev.stopped) {
    const f = norm(w.force), t = norm(w.torque);
    const readable = w.force.length === 3 && w.torque.length === 3 && [...w.force, ...w.torque].every(Number.isFinite);
    over.n = readable && (f > lw.maxForce || t > lw.maxTorque) ? over.n + 1 : 0;
    const mustStop = !readable || f > lw.transientForce || t > lw.transientTorque || over.n > Math.floor(lw.transientMs * l.controlHz / 1000);
    ok(mustStop === (r.state.stop !== null), `stop latched exactly when the wrench demands it (f ${f}, t ${t}, over ${over.n})`);
    if (mustStop) ok(r.held, 'held');
  }
  if (input.length !== dim || !input.every(Number.isFinite)) ok(r.held, 'held');
  const g = a[dim - 1]!;
  ok(g >= l.gripper.min, 'g >= l.gripper.min');
  ok(g <= l.gripper.max, 'g <= l.gripper.max');
  if (r.held && prev.out) ok(Object.is(g, prev.out[dim - 1]), 'g === prev.out[dim - 1]'); // gripper unchanged
  let d: number[];
  if (l.mode === 'ee') {
    if (r.held) ok(same(a.slice(0, 6), [0, 0, 0, 0, 0, 0]), 'a.slice(0, 6) equals [0, 0, 0, 0, 0, 0]');
    for (const [off, m, bound] of [[0, l.ee.translation, EE_ACTION_LIMITS.pos], [3, l.ee.rotation, EE_ACTION_LIMITS.rot]] as const) {
      const v = a.slice(off, off + 3);
      for (const x of v) { ok(Math.abs(x) <= bound, 'Math.abs(x) <= bound'); ok(Math.abs(x) <= m.maxRelative, 'Math.abs(x) <= m.maxRelative'); }
      ok(norm(v) <= m.maxSpeed * dt * (1 + TOL), 'norm(v) <= m.maxSpeed * dt * (1 + TOL)');
    }
    const ws = l.ee.workspace;
    if (ws) {
      const p = robot.eePos;
      if (!(p && p.length === 3 && p.every(Number.isFinite))) ok(r.held, 'held');
      else for (let k = 0; k < 3; k++) {
        const x = p[k]! + a[k]!;
        if (p[k]! >= ws.min[k]! && p[k]! <= ws.max[k]!) { ok(x >= ws.min[k]! - TOL, 'x >= ws.min[k]! - TOL'); ok(x <= ws.max[k]! + TOL, 'x <= ws.max[k]! + TOL'); }
        else if (p[k]! < ws.min[k]!) ok(a[k]! >= 0, 'a[k]! >= 0');
        else ok(a[k]! <= 0, 'a[k]! <= 0');
      }
    }
    d = a.slice(0, 6);
  } else {
    const n = l.joint.lower.length, j = l.joint;
    const jp = robot.jointPos;
    const base = prev.out ? prev.out.slice(0, n) : jp && jp.length === n && jp.every(Number.isFinite) ? jp.map((v, k) => Math.min(j.upper[k]!, Math.max(j.lower[k]!, v))) : null;
    if (!(jp && jp.length === n && jp.every(Number.isFinite))) ok(r.held, 'held');
    for (let k = 0; k < n; k++) {
      ok(a[k]! >= j.lower[k]!, 'a[k]! >= j.lower[k]!');
      ok(a[k]! <= j.upper[k]!, 'a[k]! <= j.upper[k]!');
      if (base) ok(Math.abs(a[k]! - base[k]!) <= j.maxVelocity[k]! * dt * (1 + TOL) + TOL, 'Math.abs(a[k]! - base[k]!) <= j.maxVelocity[k]! * dt * (1 + TOL) + TOL');
      if (!r.held && !r.interventions.some((i) => i.kind === 'limit-conflict')) ok(Math.abs(a[k]! - jp![k]!) <= j.maxRelative[k]! + TOL, 'Math.abs(a[k]! - jp![k]!) <= j.maxRelative[k]! + TOL');
    }
    if (r.held && base) ok(same(a.slice(0, n), base), 'a.slice(0, n) equals base');
    d = base ? a.slice(0, n).map((v, k) => v - base[k]!) : a.slice(0, n).map(() => 0);
  }
  if (r.rateLimited) {
    const A = l.mode === 'ee' ? [...Array(3).fill(l.ee.translation.maxAccel), ...Array(3).fill(l.ee.rotation.maxAccel)] : l.joint.maxAccel;
    const J = l.mode === 'ee' ? [...Array(3).fill(l.ee.translation.maxJerk), ...Array(3).fill(l.ee.rotation.maxJerk)] : l.joint.maxJerk;
    d.forEach((v, k) => {
      ok(Math.abs(v - prev.d[k]!) <= A[k]! * dt * dt * (1 + TOL) + 1e-15, 'Math.abs(v - prev.d[k]!) <= A[k]! * dt * dt * (1 + TOL) + 1e-15');
      if (prev.rate || prev.first) ok(Math.abs(v - prev.d[k]! - prev.e[k]!) <= J[k]! * dt * dt * dt * (1 + TOL) + 1e-15, 'Math.abs(v - prev.d[k]! - prev.e[k]!) <= J[k]! * dt * dt * dt * (1 + TOL) + 1e-15');
    });
  }
  // nothing changes without a logged reason
  const changed = input.length !== dim || input.some((v, k) => !(Math.abs(v - a[k]!) <= TOL * Math.max(1, Math.abs(v))));
  if (changed) ok(r.interventions.length > 0, 'r.interventions.length > 0');
  for (const i of r.interventions) { ok(Object.is(i.step, r.state.step), 'i.step === r.state.step'); ok(typeof i.kind === 'string', 'intervention kind'); }
}

const tally = { steps: 0, held: 0, rate: 0, changed: 0 };

/** Runs one random episode through shieldAction, checking every step; returns how many actions were checked. */
function runEpisode(l: ShieldLimits, steps: { action: number[]; robot: RobotState }[]): number {
  let s = initialShieldState(l);
  const n = l.mode === 'ee' ? 6 : l.joint.lower.length;
  let prev = { out: null as number[] | null, d: new Array(n).fill(0), e: new Array(n).fill(0), rate: false, first: true, stopped: false };
  let total = 0;
  const over = { n: 0 };
  for (const { action, robot } of steps) {
    const jp = robot.jointPos;
    if (l.mode === 'joint' && !prev.out && !(jp && jp.length === n && jp.every(Number.isFinite))) {
      // nothing sent yet and no joint positions: there is no position to hold, the shield refuses loudly
      expect(() => shieldAction(action, robot, l, s)).toThrow(ShieldError);
      total++;
      continue;
    }
    const r = shieldAction(action, robot, l, s);
    tally.steps++; if (r.held) tally.held++; if (r.rateLimited) tally.rate++; if (r.interventions.length) tally.changed++;
    checkStep(l, robot, action, r, prev, over);
    const sum = Object.values(r.state.counts).reduce((a, x) => a + x!, 0);
    ok(Object.is(sum, Object.values(s.counts).reduce((a, x) => a + x!, 0) + r.interventions.length), 'sum === Object.values(s.counts).reduce((a, x) => a + x!, 0) + r.interventions.length');
    const a = Array.from(r.action);
    const d = l.mode === 'ee' ? a.slice(0, 6) : prev.out ? a.slice(0, n).map((v, k) => v - prev.out![k]!) : r.state.d!;
    prev = { out: a, d, e: d.map((v, k) => v - prev.d[k]!), rate: r.rateLimited, first: false, stopped: r.state.stop !== null };
    s = r.state;
    total++;
  }
  return total;
}

describe('shield properties (fast-check)', () => {
  it('keeps >= 100,000 random actions inside every limit, whatever the state', () => {
    let checked = 0;
    const t0 = performance.now();
    fc.assert(fc.property(
      fc.integer({ min: 3, max: 7 }).chain((n) => fc.tuple(limitsArb(n), fc.constantFrom(0.01, 0.1, 1, 100)).chain(([l, scale]) => fc.tuple(fc.constant(l),
        fc.array(fc.record({ action: actionArb(l.mode === 'ee' ? 7 : n + 1, l.mode === 'ee' ? scale : 4 * scale), robot: robotArb(n) }), { minLength: 40, maxLength: 60 }))))
      , ([l, steps]) => { checked += runEpisode(l, steps); }), { numRuns: 2100, seed: 7 });
    expect(checked).toBeGreaterThanOrEqual(100_000);
    console.log(`shield property: ${checked} random actions checked in ${((performance.now() - t0) / 1000).toFixed(1)} s; held ${tally.held}, rate-limited ${tally.rate}, with interventions ${tally.changed} of ${tally.steps}`);
    expect(tally.rate).toBeGreaterThan(tally.steps / 4); // most steps are not simply held: the limits themselves are exercised
  }, 60_000);

  it('with a robot that follows its commands, whole chunks keep the workspace and joint limits at every step', () => {
    fc.assert(fc.property(
      fc.integer({ min: 3, max: 7 }).chain((n) => fc.tuple(limitsArb(n), fc.constantFrom(0.01, 0.1, 1)).chain(([l, scale]) => fc.tuple(fc.constant(l),
        fc.array(vec(l.mode === 'ee' ? 7 : n + 1, scale), { minLength: 1, maxLength: 30 }), vec(3, 1), fc.array(posRange(-3, 3), { minLength: n, maxLength: n })))),
      ([l, chunk, p0, q0]) => {
        const ws = l.ee.workspace;
        const eePos = ws ? p0.map((v, k) => (Number.isFinite(v) ? Math.min(ws.max[k]!, Math.max(ws.min[k]!, v)) : ws.min[k]!)) : p0.map(() => 0);
        const r = shieldChunk(chunk, { eePos, jointPos: q0 }, l, initialShieldState(l, { fromRest: false }));
        expect(r.chunk.length).toBe(chunk.length);
        let p = [...eePos];
        for (const a of r.chunk) {
          expect(Array.from(a).every(Number.isFinite)).toBe(true);
          if (l.mode === 'ee') {
            p = p.map((v, k) => v + a[k]!);
            if (ws) p.forEach((v, k) => { expect(v).toBeGreaterThanOrEqual(ws.min[k]! - 1e-9); expect(v).toBeLessThanOrEqual(ws.max[k]! + 1e-9); });
          } else {
            l.joint.lower.forEach((lo, k) => { expect(a[k]!).toBeGreaterThanOrEqual(lo); expect(a[k]!).toBeLessThanOrEqual(l.joint.upper[k]!); });
          }
        }
      }), { numRuns: 1000, seed: 11 });
  }, 30_000);

  it('float32 for the wire never rounds out of the limits', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, min: -1e30, max: 1e30 }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 1e-6, max: 10, noNaN: true }), (v, lo, span) => {
      const z = f32TowardZero(v);
      expect(Math.abs(z)).toBeLessThanOrEqual(Math.abs(v));
      expect(Math.sign(z) === Math.sign(v) || z === 0).toBe(true);
      const x = Math.min(lo + span, Math.max(lo, v));
      const w = f32Within(x, lo, lo + span);
      expect(w).toBeGreaterThanOrEqual(lo);
      expect(w).toBeLessThanOrEqual(lo + span);
      expect(Math.abs(w - x)).toBeLessThanOrEqual(Math.abs(x) * 2.4e-7 + 1e-38);
    }), { numRuns: 5000, seed: 3 });
  });
});
