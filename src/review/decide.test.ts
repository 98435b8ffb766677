// Decision rules on constructed results: a floor or ceiling that clears with its interval (PASS), one whose point
// estimate clears but whose bound does not (CONDITIONAL), one that misses (FAIL), the point rule, unmeasured
// milestones; the overall GO / CONDITIONAL / NO-GO; the baseline comparison with Holm and the regression policy.
import { describe, expect, it } from 'vitest';
import { wilson } from '../eval/stats.ts';
import { parseWith } from '../validation.ts';
import { compareToBaseline, decideGate, judge, type CellCount, type Measurements } from './decide.ts';
import { fisherExact, holm } from './stats.ts';
import { Gate, type GateInput } from './milestones.ts';

const floor = { id: 'm', label: 'm', kind: 'min' as const, threshold: 0.75, unit: 'rate' as const, rule: 'lower-bound' as const };
const est = (k: number, n: number) => { const w = wilson(k, n); return { value: w.rate, lo: w.lo, hi: w.hi, detail: `${k}/${n}` }; };

describe('judge', () => {
  it('a floor with the lower-bound rule: PASS when the bound clears, CONDITIONAL when only the point does, FAIL otherwise', () => {
    const pass = judge(floor, est(90, 100)); // Wilson [0.826, 0.945]
    expect(pass.status).toBe('pass');
    expect(pass.deciding).toBeCloseTo(wilson(90, 100).lo, 12);
    expect(pass.margin).toBeCloseTo(wilson(90, 100).lo - 0.75, 12);
    const cond = judge(floor, est(80, 100)); // 0.8, Wilson lower bound 0.711
    expect(cond.status).toBe('conditional');
    expect(cond.margin!).toBeLessThan(0);
    expect(cond.detail).toMatch(/point estimate clears the threshold but the 95% interval's lower bound does not/);
    expect(judge(floor, est(70, 100)).status).toBe('fail');
    // the same 80/100 clears on more evidence: 800/1000 has lower bound 0.774
    expect(judge(floor, est(800, 1000)).status).toBe('pass');
  });
  it('the point rule never gives CONDITIONAL; exactly on the threshold clears', () => {
    expect(judge({ ...floor, rule: 'point' }, est(80, 100)).status).toBe('pass');
    expect(judge({ ...floor, rule: 'point' }, est(75, 100)).status).toBe('pass');
    expect(judge({ ...floor, rule: 'point' }, est(74, 100)).status).toBe('fail');
  });
  it('a ceiling with the upper-bound rule (latency, gap, room error, interventions)', () => {
    const ceil = { id: 'lat', label: 'lat', kind: 'max' as const, threshold: 50, unit: 'ms' as const, rule: 'upper-bound' as const };
    expect(judge(ceil, { value: 40, lo: 35, hi: 45, detail: '' })).toMatchObject({ status: 'pass', deciding: 45, margin: 5 });
    expect(judge(ceil, { value: 40, lo: 35, hi: 60, detail: '' })).toMatchObject({ status: 'conditional', deciding: 60, margin: -10 });
    expect(judge(ceil, { value: 40, lo: 35, hi: Infinity, detail: '' })).toMatchObject({ status: 'conditional', margin: null }); // no upper bound yet
    expect(judge(ceil, { value: 55, lo: 50, hi: 60, detail: '' }).status).toBe('fail');
    expect(judge({ ...ceil, rule: 'point' }, { value: 40, lo: 35, hi: 60, detail: '' }).status).toBe('pass');
  });
  it('an unmeasured milestone fails and says so', () => {
    expect(judge(floor, null)).toMatchObject({ status: 'fail', value: null, detail: 'not measured' });
    expect(judge(floor, { value: NaN, lo: NaN, hi: NaN, detail: 'no shield was applied' }).detail).toBe('not measured (no shield was applied)');
  });
});

const gateInput = (over: Partial<GateInput['milestones']> = {}, comparison: GateInput['comparison'] = {}): GateInput => ({
  format: 'karakuri-gate/1', gate: 'test', title: 'test gate',
  suite: { tasks: ['cup-on-tray', 'reject-defect', 'nurse-call'], embodiments: ['kara6', 'widowx250'], episodesPerCell: 100, seedStart: 100000 },
  comparison,
  milestones: {
    meanSuccess: { min: 0.75 },
    sectorFloors: { restaurant: { min: 0.7 }, care: { min: 0.7 } },
    embodimentFloors: { kara6: { min: 0.7 }, widowx250: { min: 0.6 } },
    heldoutGap: { maxPoints: 10 },
    roomError: { maxCm: 5 },
    latencyP99: { maxMs: 50 },
    shieldInterventions: { maxPer1000: 20 },
    dataBreadth: { minContributors: 2, minEmbodiments: 2, minSectors: 3 },
    ...over,
  },
});
const gate = (over: Partial<GateInput['milestones']> = {}, comparison: GateInput['comparison'] = {}) => parseWith(Gate, gateInput(over, comparison), 'test gate');

const cell = (task: string, sector: string, embodiment: string, phrasing: string, successes: number, episodes = 100): CellCount =>
  ({ task, sector, embodiment, phrasing, successes, episodes, roomErrorsCm: Array.from({ length: episodes }, (_, i) => 2 + (i % 5) * 0.5) });
const goodCells = (heldout = 90): CellCount[] => [
  cell('cup-on-tray', 'restaurant', 'kara6', 'train', 92), cell('cup-on-tray', 'restaurant', 'widowx250', 'train', 85),
  cell('reject-defect', 'food-factory', 'kara6', 'train', 90), cell('reject-defect', 'food-factory', 'widowx250', 'train', 84),
  cell('nurse-call', 'care', 'kara6', 'train', 95),
  cell('cup-on-tray', 'restaurant', 'kara6', 'heldout', heldout), cell('cup-on-tray', 'restaurant', 'widowx250', 'heldout', heldout),
  cell('reject-defect', 'food-factory', 'kara6', 'heldout', heldout), cell('reject-defect', 'food-factory', 'widowx250', 'heldout', heldout),
  cell('nurse-call', 'care', 'kara6', 'heldout', heldout),
];
const measured = (over: Partial<Measurements> = {}): Measurements => ({
  cells: goodCells(),
  latencyMs: Array.from({ length: 1000 }, (_, i) => 10 + (i % 100) * 0.2),
  shield: { actions: 20000, intervened: 100 },
  breadth: { contributors: ['acme', 'karakuri-sim'], embodiments: ['kara6', 'widowx250'], sectors: ['care', 'food-factory', 'restaurant'], notes: [] },
  ...over,
});

describe('decideGate', () => {
  it('GO when every milestone passes; the numbers are the pooled counts and their intervals', () => {
    const d = decideGate(gate(), measured());
    expect(d.milestones.filter((m) => m.status !== 'pass').map((m) => `${m.id}: ${m.detail}`)).toEqual([]);
    expect(d.overall).toBe('GO');
    const by = Object.fromEntries(d.milestones.map((m) => [m.id, m]));
    expect(by.meanSuccess!.detail).toBe('446/500 episodes');
    expect(by.meanSuccess!.lo).toBeCloseTo(wilson(446, 500).lo, 12);
    expect(by['sectorFloors.restaurant']!.detail).toBe('177/200 episodes');
    expect(by['embodimentFloors.widowx250']!.detail).toBe('169/200 episodes');
    expect(by.heldoutGap!.value).toBeCloseTo(100 * (446 / 500 - 450 / 500), 10); // -0.8 points: held-out did better
    expect(by.roomError!.value).toBeCloseTo(3, 10);
    expect(by.shieldInterventions!.value).toBeCloseTo(5, 10); // 100 of 20,000 actions
    expect(by.latencyP99!.value).toBeCloseTo(29.6, 10); // nearest rank: the 990th of 1000 (each of 10, 10.2, .., 29.8 ten times)
    expect(by['dataBreadth.sectors']).toMatchObject({ value: 3, status: 'pass', rule: 'point' });
  });
  it('CONDITIONAL when a milestone clears only on its point estimate; NO-GO when one misses', () => {
    // held-out 82/100 per cell: gap 89.2% - 82% = 7.2 points, Newcombe upper bound above 10
    const c = decideGate(gate(), measured({ cells: goodCells(82) }));
    expect(c.milestones.find((m) => m.id === 'heldoutGap')!.status).toBe('conditional');
    expect(c.overall).toBe('CONDITIONAL');
    expect(c.reasons).toEqual(['1 milestone conditional: heldoutGap']);
    // a gap between two failures is no evidence: 3/500 vs 1/500 is "not informative", not a pass
    const low = decideGate(gate(), measured({ cells: goodCells(0).map((x) => (x.phrasing === 'train' ? { ...x, successes: x.task === 'nurse-call' ? 3 : 0 } : x)) }));
    expect(low.milestones.find((m) => m.id === 'heldoutGap')).toMatchObject({ status: 'fail', detail: 'not measured (not informative: training-phrasing success 3/500 is below minTrainSuccess 0.25)' });
    const n = decideGate(gate(), measured({ breadth: { contributors: ['karakuri-sim'], embodiments: ['kara6', 'widowx250'], sectors: ['care', 'food-factory', 'restaurant'], notes: [] } }));
    expect(n.overall).toBe('NO-GO');
    expect(n.milestones.find((m) => m.id === 'dataBreadth.contributors')).toMatchObject({ status: 'fail', value: 1, margin: -1 });
    // nothing measured for the shield and no room estimates: both fail, named
    const u = decideGate(gate(), measured({ shield: null, cells: goodCells().map((x) => ({ ...x, roomErrorsCm: [] })) }));
    expect(u.milestones.filter((m) => m.status === 'fail').map((m) => [m.id, m.detail])).toEqual([
      ['roomError', 'not measured (the policy gave no room estimate)'], ['shieldInterventions', 'not measured (no shield was applied)']]);
  });
  it('a floor for an arm with no episodes is not measured (FAIL)', () => {
    const d = decideGate(gate(), measured({ cells: goodCells().filter((c) => c.embodiment === 'kara6') }));
    expect(d.milestones.find((m) => m.id === 'embodimentFloors.widowx250')).toMatchObject({ status: 'fail', detail: 'not measured' });
  });
});

describe('compareToBaseline', () => {
  const base = [cell('cup-on-tray', 'restaurant', 'kara6', 'train', 20, 50), cell('reject-defect', 'food-factory', 'kara6', 'train', 40, 50), cell('nurse-call', 'care', 'kara6', 'train', 32, 50)];
  const ver = [cell('cup-on-tray', 'restaurant', 'kara6', 'train', 45, 50), cell('reject-defect', 'food-factory', 'kara6', 'train', 10, 50), cell('nurse-call', 'care', 'kara6', 'train', 30, 50),
    cell('nurse-call', 'care', 'kara6', 'heldout', 0, 50)]; // other phrasings are not compared
  it('Fisher per task, Holm-adjusted: the improvement and the regression flagged, the small drop not', () => {
    const c = compareToBaseline(gate(), ver, base);
    expect(c.tasks.map((t) => t.task)).toEqual(['cup-on-tray', 'reject-defect', 'nurse-call']);
    const raw = [fisherExact(45, 50, 20, 50), fisherExact(10, 50, 40, 50), fisherExact(30, 50, 32, 50)];
    expect(c.tasks.map((t) => t.p)).toEqual(raw);
    expect(c.tasks.map((t) => t.pAdjusted)).toEqual(holm(raw));
    expect(c.tasks.map((t) => [t.improvement, t.regression, t.significant])).toEqual([[true, false, true], [false, true, true], [false, false, false]]);
    expect(c.tasks[1]!.diff).toBeCloseTo(-0.6, 12);
    expect(c.tasks[1]!.hi).toBeLessThan(0);
  });
  it("the gate's regression policy: conditional (default), no-go, or only flagged", () => {
    const m = measured();
    expect(decideGate(gate(), m, compareToBaseline(gate(), ver, base))).toMatchObject({ overall: 'CONDITIONAL', reasons: ['1 significant regression against the baseline (reject-defect; policy: conditional)'] });
    const nogo = gate({}, { onRegression: 'no-go' });
    expect(decideGate(nogo, m, compareToBaseline(nogo, ver, base)).overall).toBe('NO-GO');
    const flag = gate({}, { onRegression: 'flag' });
    expect(decideGate(flag, m, compareToBaseline(flag, ver, base)).overall).toBe('GO');
  });
  it('the paired test (mcnemar): episodes matched by arm and seed see what Fisher on the two rates misses', () => {
    const seeded = (c: CellCount, ok: (seed: number) => boolean, seeds = 50): CellCount => {
      const outcomes = Array.from({ length: seeds }, (_, i) => ({ seed: 1000 + i, success: ok(1000 + i) }));
      return { ...c, successes: outcomes.filter((e) => e.success).length, episodes: seeds, outcomes };
    };
    // the baseline solves seeds 1000-1019; the version those and 1020-1029 too: 10 discordant episodes, all the version's
    const b = [seeded(cell('cup-on-tray', 'restaurant', 'kara6', 'train', 0), (s) => s < 1020)];
    const v = [seeded(cell('cup-on-tray', 'restaurant', 'kara6', 'train', 0), (s) => s < 1030), cell('cup-on-tray', 'restaurant', 'kara6', 'heldout', 0)];
    const paired = compareToBaseline(gate({}, { test: 'mcnemar' }), v, b);
    expect(paired.test).toBe('mcnemar');
    expect(paired.tasks[0]).toMatchObject({ task: 'cup-on-tray', improvement: true, regression: false });
    expect(paired.tasks[0]!.p).toBeCloseTo(2 / 1024, 12);
    expect(fisherExact(30, 50, 20, 50)).toBeGreaterThan(0.05);
    expect(compareToBaseline(gate(), v, b).tasks[0]!.significant).toBe(false);
    // another arm's or another seed's episodes are not paired; with none in common, or no outcomes, it says so
    const otherSeeds = [seeded(cell('cup-on-tray', 'restaurant', 'kara7', 'train', 0), (s) => s < 1020)];
    expect(() => compareToBaseline(gate({}, { test: 'mcnemar' }), v, otherSeeds)).toThrow(/found no episode of cup-on-tray that both the version and the baseline ran \(same arm and seed\)/);
    expect(() => compareToBaseline(gate({}, { test: 'mcnemar' }), ver, base)).toThrow(/needs each episode's outcome, and cup-on-tray on kara6 has none/);
    // a cell that could not be run has nothing to pair: left out, and a task with nothing else gets p = 1
    const notRun = { ...cell('cup-on-tray', 'restaurant', 'kara7', 'train', 0, 50), notRun: 'the model has no kara7 statistics' };
    expect(compareToBaseline(gate({}, { test: 'mcnemar' }), [...v, notRun], b).tasks[0]!.p).toBeCloseTo(2 / 1024, 12);
    expect(compareToBaseline(gate({}, { test: 'mcnemar' }), [notRun], otherSeeds).tasks[0]).toMatchObject({ p: 1, significant: false });
  });
  it('the z test instead of Fisher, and no correction', () => {
    const g = gate({}, { test: 'z', correction: 'none' });
    const c = compareToBaseline(g, ver, base);
    expect(c.tasks[2]!.pAdjusted).toBe(c.tasks[2]!.p);
    expect(c.tasks[2]!.p).toBeGreaterThan(0.5);
  });
});
