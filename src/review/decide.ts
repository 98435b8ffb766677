// The decisions of a stage-gate review, from measurements to PASS / CONDITIONAL / FAIL per milestone and GO /
// CONDITIONAL / NO-GO overall (the rules are described in milestones.ts), and the per-task comparison with a baseline
// version (Fisher exact or two-proportion z, Holm-corrected; a significant drop is a regression). Pure functions of
// counts and samples, so they can be tested on constructed results.
import { meanCI, wilson } from '../eval/stats.ts';
import { fisherExact, holm, newcombeDiff, quantileCI, twoProportionZ } from './stats.ts';
import { discordance, episodeKey, matchOutcomes } from './paired.ts';
import type { Gate } from './milestones.ts';

export type Status = 'pass' | 'conditional' | 'fail';
export type Overall = 'GO' | 'CONDITIONAL' | 'NO-GO';
export type Rule = 'lower-bound' | 'upper-bound' | 'point';
export type Unit = 'rate' | 'points' | 'cm' | 'ms' | 'per1000' | 'count';

export interface Estimate { value: number; lo: number; hi: number; detail: string }

export interface MilestoneResult {
  id: string;
  label: string;
  /** 'min': the value must be at least the threshold; 'max': at most. */
  kind: 'min' | 'max';
  threshold: number;
  unit: Unit;
  rule: Rule;
  /** Point estimate and 95% interval (null: not measured). */
  value: number | null;
  lo: number | null;
  hi: number | null;
  /** What the rule compares with the threshold: the point estimate or the interval's bound. */
  deciding: number | null;
  /** How far `deciding` clears the threshold (positive) or misses it (negative), in the milestone's unit. */
  margin: number | null;
  status: Status;
  /** What was counted (e.g. '412/520 episodes') and, when not PASS, why. */
  detail: string;
}

/** One milestone's decision from its estimate (see milestones.ts for the rules). */
export function judge(m: { id: string; label: string; kind: 'min' | 'max'; threshold: number; unit: Unit; rule: Rule }, est: Estimate | null): MilestoneResult {
  const base = { ...m, value: null, lo: null, hi: null, deciding: null, margin: null };
  if (!est || !Number.isFinite(est.value)) return { ...base, status: 'fail', detail: `not measured${est?.detail ? ` (${est.detail})` : ''}` };
  const clears = (x: number) => (m.kind === 'min' ? x >= m.threshold : x <= m.threshold);
  const marginOf = (x: number) => (m.kind === 'min' ? x - m.threshold : m.threshold - x);
  const bound = m.kind === 'min' ? est.lo : est.hi;
  const deciding = m.rule === 'point' ? est.value : bound;
  let status: Status, why = '';
  if (clears(deciding)) status = 'pass';
  else if (m.rule !== 'point' && clears(est.value)) { status = 'conditional'; why = `the point estimate clears the threshold but the 95% interval's ${m.kind === 'min' ? 'lower' : 'upper'} bound does not`; }
  else { status = 'fail'; why = 'the point estimate misses the threshold'; }
  return { ...m, value: est.value, lo: est.lo, hi: est.hi, deciding, margin: Number.isFinite(deciding) ? marginOf(deciding) : null, status, detail: why ? `${est.detail}; ${why}` : est.detail };
}

// ---------- measurements ----------

export interface CellCount {
  task: string; sector: string; embodiment: string; phrasing: string;
  successes: number; episodes: number;
  /** Per-episode mean room error (cm) of the episodes that had an estimate. */
  roomErrorsCm: number[];
  /** Set when the cell could not be attempted (counted as failed episodes): why. */
  notRun?: string;
  /** Each episode's seed and success (what the paired test, comparison.test 'mcnemar', matches on). */
  outcomes?: Array<{ seed: number; success: boolean }>;
}

export interface Measurements {
  cells: CellCount[];
  /** Policy.infer batch-1 latencies (ms). */
  latencyMs: number[] | null;
  /** Actions the shield saw and how many of them it changed (null: no shield). */
  shield: { actions: number; intervened: number; reasons?: Record<string, number> } | null;
  breadth: { contributors: string[]; embodiments: string[]; sectors: string[]; notes: string[] };
}

const pooled = (cells: CellCount[]) => ({ k: cells.reduce((a, c) => a + c.successes, 0), n: cells.reduce((a, c) => a + c.episodes, 0) });

function rateEstimate(cells: CellCount[]): Estimate | null {
  const { k, n } = pooled(cells);
  if (n === 0) return null;
  const w = wilson(k, n);
  const notRun = cells.filter((c) => c.notRun);
  return { value: w.rate, lo: w.lo, hi: w.hi, detail: `${k}/${n} episodes${notRun.length ? ` (${notRun.length} cell${notRun.length > 1 ? 's' : ''} not run, counted as failed: ${[...new Set(notRun.map((c) => c.embodiment))].join(', ')} unknown to the model)` : ''}` };
}

export interface GateDecision { milestones: MilestoneResult[]; overall: Overall; reasons: string[] }

/** Every milestone of the gate judged on the measurements, and the overall decision (regressions from `comparison`). */
export function decideGate(gate: Gate, m: Measurements, comparison?: Comparison | null): GateDecision {
  const ms = gate.milestones, out: MilestoneResult[] = [];
  const train = m.cells.filter((c) => c.phrasing === 'train');
  out.push(judge({ id: 'meanSuccess', label: 'mean success over the suite', kind: 'min', threshold: ms.meanSuccess.min, unit: 'rate', rule: ms.meanSuccess.rule }, rateEstimate(train)));
  for (const [s, f] of Object.entries(ms.sectorFloors)) {
    out.push(judge({ id: `sectorFloors.${s}`, label: `success floor: ${s}`, kind: 'min', threshold: f!.min, unit: 'rate', rule: f!.rule }, rateEstimate(train.filter((c) => c.sector === s))));
  }
  for (const [e, f] of Object.entries(ms.embodimentFloors)) {
    out.push(judge({ id: `embodimentFloors.${e}`, label: `success floor: ${e}`, kind: 'min', threshold: f.min, unit: 'rate', rule: f.rule }, rateEstimate(train.filter((c) => c.embodiment === e))));
  }
  if (ms.heldoutGap) {
    const a = pooled(train), b = pooled(m.cells.filter((c) => c.phrasing === 'heldout'));
    const d = newcombeDiff(a.k, a.n, b.k, b.n);
    out.push(judge({ id: 'heldoutGap', label: 'held-out phrasing gap', kind: 'max', threshold: ms.heldoutGap.maxPoints, unit: 'points', rule: ms.heldoutGap.rule },
      !a.n || !b.n ? null
        : a.k / a.n < ms.heldoutGap.minTrainSuccess ? { value: NaN, lo: NaN, hi: NaN, detail: `not informative: training-phrasing success ${a.k}/${a.n} is below minTrainSuccess ${ms.heldoutGap.minTrainSuccess}` }
          : { value: 100 * d.diff, lo: 100 * d.lo, hi: 100 * d.hi, detail: `train ${a.k}/${a.n} vs held-out ${b.k}/${b.n} on the same seeds` }));
  }
  if (ms.roomError) {
    const xs = train.flatMap((c) => c.roomErrorsCm), ci = meanCI(xs);
    out.push(judge({ id: 'roomError', label: 'reads-the-room error', kind: 'max', threshold: ms.roomError.maxCm, unit: 'cm', rule: ms.roomError.rule },
      xs.length ? { value: ci.mean, lo: Math.max(0, ci.lo), hi: ci.hi, detail: `mean of ${xs.length} episodes' errors (t interval)` } : { value: NaN, lo: NaN, hi: NaN, detail: 'the policy gave no room estimate' }));
  }
  if (ms.latencyP99) {
    const q = m.latencyMs?.length ? quantileCI(m.latencyMs, 0.99) : null;
    out.push(judge({ id: 'latencyP99', label: 'policy latency p99', kind: 'max', threshold: ms.latencyP99.maxMs, unit: 'ms', rule: ms.latencyP99.rule },
      q ? { value: q.value, lo: q.lo, hi: q.hi, detail: `${q.n} batch-1 calls (order-statistic interval${Number.isFinite(q.hi) ? '' : `: too few calls for an upper bound, >= 368 needed`})` } : null));
  }
  if (ms.shieldInterventions) {
    const s = m.shield, w = s && s.actions > 0 ? wilson(s.intervened, s.actions) : null;
    out.push(judge({ id: 'shieldInterventions', label: 'shield interventions per 1,000 actions', kind: 'max', threshold: ms.shieldInterventions.maxPer1000, unit: 'per1000', rule: ms.shieldInterventions.rule },
      w ? { value: 1000 * w.rate, lo: 1000 * w.lo, hi: 1000 * w.hi, detail: `${s!.intervened} of ${s!.actions} actions changed (Wilson)${Object.keys(s!.reasons ?? {}).length ? `; by reason: ${Object.entries(s!.reasons!).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}` } : { value: NaN, lo: NaN, hi: NaN, detail: s ? 'no actions' : 'no shield was applied' }));
  }
  const b = ms.dataBreadth;
  if (b) {
    const count = (id: string, label: string, threshold: number | undefined, list: string[]) => {
      if (threshold !== undefined) out.push(judge({ id: `dataBreadth.${id}`, label, kind: 'min', threshold, unit: 'count', rule: 'point' }, { value: list.length, lo: list.length, hi: list.length, detail: list.join(', ') || 'none' }));
    };
    count('contributors', 'data breadth: contributors', b.minContributors, m.breadth.contributors);
    count('embodiments', 'data breadth: embodiments', b.minEmbodiments, m.breadth.embodiments);
    count('sectors', 'data breadth: sectors', b.minSectors, m.breadth.sectors);
  }
  const reasons: string[] = [];
  const failed = out.filter((r) => r.status === 'fail'), cond = out.filter((r) => r.status === 'conditional');
  if (failed.length) reasons.push(`${failed.length} milestone${failed.length > 1 ? 's' : ''} failed: ${failed.map((r) => r.id).join(', ')}`);
  if (cond.length) reasons.push(`${cond.length} milestone${cond.length > 1 ? 's' : ''} conditional: ${cond.map((r) => r.id).join(', ')}`);
  const regressions = comparison?.tasks.filter((t) => t.regression) ?? [];
  const policy = gate.comparison.onRegression;
  if (regressions.length) reasons.push(`${regressions.length} significant regression${regressions.length > 1 ? 's' : ''} against the baseline (${regressions.map((t) => t.task).join(', ')}; policy: ${policy})`);
  let overall: Overall = failed.length ? 'NO-GO' : cond.length ? 'CONDITIONAL' : 'GO';
  if (regressions.length && policy === 'no-go') overall = 'NO-GO';
  else if (regressions.length && policy === 'conditional' && overall === 'GO') overall = 'CONDITIONAL';
  return { milestones: out, overall, reasons };
}

// ---------- against a baseline ----------

export interface TaskComparison {
  task: string;
  version: { successes: number; episodes: number; rate: number };
  baseline: { successes: number; episodes: number; rate: number };
  /** version rate - baseline rate, with Newcombe's 95% interval. */
  diff: number; lo: number; hi: number;
  p: number;
  /** After the multiple-comparison correction. */
  pAdjusted: number;
  significant: boolean;
  regression: boolean;
  improvement: boolean;
}
export interface Comparison { test: 'fisher' | 'z' | 'mcnemar'; correction: 'holm' | 'none'; alpha: number; tasks: TaskComparison[] }

/**
 * The exact McNemar p of one task (train phrasing, every arm): the version's and the baseline's episodes matched by
 * arm and seed. Cells that could not be run (notRun) have no episodes to pair and are left out; a task with none
 * run on both sides gets p = 1 (no evidence either way). Throws when a run cell has no per-episode outcomes, or when
 * run cells share no episode: the paired test needs both run on the same seeds.
 */
function pairedP(task: string, version: CellCount[], baseline: CellCount[]): number {
  let skipped = false;
  const seedsOf = (cells: CellCount[]) => {
    const m = new Map<string, boolean>();
    for (const c of cells.filter((x) => x.task === task && x.phrasing === 'train')) {
      if (c.notRun) { skipped = true; continue; }
      if (!c.outcomes) throw new Error(`compareToBaseline: the paired test (mcnemar) needs each episode's outcome, and ${task} on ${c.embodiment} has none`);
      for (const e of c.outcomes) m.set(episodeKey(c.embodiment, 'train', e.seed), e.success);
    }
    return m;
  };
  const pairs = matchOutcomes(seedsOf(version), seedsOf(baseline));
  if (!pairs.length) {
    if (skipped) return 1;
    throw new Error(`compareToBaseline: the paired test (mcnemar) found no episode of ${task} that both the version and the baseline ran (same arm and seed)`);
  }
  return discordance(task, pairs).p;
}

/** Per task (every arm pooled, train phrasing): the version's success against the baseline's on the same seeds. */
export function compareToBaseline(gate: Gate, version: CellCount[], baseline: CellCount[]): Comparison {
  const { test, correction, alpha } = gate.comparison;
  const tasks = [...new Set(version.filter((c) => c.phrasing === 'train').map((c) => c.task))];
  const rows = tasks.map((task) => {
    const a = pooled(version.filter((c) => c.task === task && c.phrasing === 'train')), b = pooled(baseline.filter((c) => c.task === task && c.phrasing === 'train'));
    const p = test === 'mcnemar' ? pairedP(task, version, baseline) : test === 'fisher' ? fisherExact(a.k, a.n, b.k, b.n) : twoProportionZ(a.k, a.n, b.k, b.n).p;
    const d = newcombeDiff(a.k, a.n, b.k, b.n);
    return { task, version: { successes: a.k, episodes: a.n, rate: a.k / a.n }, baseline: { successes: b.k, episodes: b.n, rate: b.n ? b.k / b.n : NaN }, diff: d.diff, lo: d.lo, hi: d.hi, p };
  });
  const adj = correction === 'holm' ? holm(rows.map((r) => r.p)) : rows.map((r) => r.p);
  return {
    test, correction, alpha,
    tasks: rows.map((r, i) => {
      const significant = adj[i]! <= alpha;
      return { ...r, pAdjusted: adj[i]!, significant, regression: significant && r.diff < 0, improvement: significant && r.diff > 0 };
    }),
  };
}
