// The milestones file of a stage gate (gates/fy2026.yaml): the suite the review runs (tasks, arms, episodes per cell,
// seeds disjoint from training, phrasings), how latency is measured, how a version is compared with its baseline, and
// the milestones with their thresholds and decision rules. Strict zod schema: unknown keys, wrong types and
// impossible thresholds (a success rate of 1.3, a negative latency, a floor for an arm the suite does not run) are
// errors naming the key path and the problem.
//
// Decision rules (decide.ts): every measured milestone has a point estimate and a 95% interval.
//   lower-bound  (default for a floor "min"): PASS when the interval's lower bound >= min.
//   upper-bound  (default for a ceiling "max"): PASS when the interval's upper bound <= max.
//   point        PASS when the point estimate clears the threshold.
// With a bound rule, a milestone whose point estimate clears the threshold but whose bound does not is CONDITIONAL
// (the evidence is not yet strong enough: more episodes may settle it); a point estimate that misses is FAIL.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { SECTORS, type Sector } from '../sim/tasks/types.ts';
import { TASKS } from '../sim/tasks/registry.ts';
import { EMBODIMENTS } from '../sim/embodiments/index.ts';

export const GATE_FORMAT = 'karakuri-gate/1';
/** Training collects from seed 0 up; evaluation seeds start here or above. */
export const MIN_EVAL_SEED = 100_000;

const rate = (what: string) => z.number({ error: `${what} must be a number` }).min(0, `${what} must be a rate in [0, 1]`).max(1, `${what} must be a rate in [0, 1] (not a percentage)`);

const Floor = z.strictObject({
  min: rate('min'),
  rule: z.enum(['lower-bound', 'point'], { error: "rule of a floor (min) must be 'lower-bound' or 'point' (a floor is judged by its interval's lower bound)" }).default('lower-bound'),
});
const ceilingRule = z.enum(['upper-bound', 'point'], { error: "rule of a ceiling (max...) must be 'upper-bound' or 'point' (a ceiling is judged by its interval's upper bound)" }).default('upper-bound');

export const Milestones = z.strictObject({
  /** Mean success over the suite (train phrasing), every cell's episodes pooled. */
  meanSuccess: Floor,
  /** Success floors per sector (pooled over its tasks and arms). */
  sectorFloors: z.partialRecord(z.enum(SECTORS), Floor).default({}),
  /** Success floors per embodiment (pooled over its tasks), including the third-party arm. */
  embodimentFloors: z.record(z.string(), Floor).default({}),
  /** success(train phrasing) - success(held-out phrasing), in percentage points, on the same seeds. */
  heldoutGap: z.strictObject({
    maxPoints: z.number().min(0, 'maxPoints must be >= 0 (percentage points)').max(100, 'maxPoints is in percentage points: at most 100'),
    /**
     * The gap says something only when the training phrasings succeed: below this pooled success rate (0..1) the
     * milestone is not demonstrated (it fails as "not informative"), so 0% vs 0% does not pass as "no gap".
     */
    minTrainSuccess: z.number().min(0).max(1, 'minTrainSuccess is a rate: at most 1').default(0.25),
    rule: ceilingRule,
  }).optional(),
  /** "Reads the room": mean error of the policy's target-position estimate (cm). */
  roomError: z.strictObject({ maxCm: z.number().positive('maxCm must be > 0 (cm)'), rule: ceilingRule }).optional(),
  /** Policy.infer batch-1 latency, 99th percentile (ms). */
  latencyP99: z.strictObject({ maxMs: z.number().positive('maxMs must be > 0 (ms)').max(10_000, 'maxMs is in milliseconds: at most 10000'), rule: ceilingRule }).optional(),
  /** Actions changed by the safety shield per 1,000 actions of the review's rollouts. */
  shieldInterventions: z.strictObject({
    maxPer1000: z.number().min(0, 'maxPer1000 must be >= 0').max(1000, 'maxPer1000 counts per 1,000 actions: at most 1000'),
    rule: ceilingRule,
  }).optional(),
  /** Breadth of the training data (counted exactly from the model's lineage: no interval, the point rule). */
  dataBreadth: z.strictObject({
    minContributors: z.number().int('minContributors must be a whole number').min(1, 'minContributors must be >= 1').optional(),
    minEmbodiments: z.number().int('minEmbodiments must be a whole number').min(1, 'minEmbodiments must be >= 1').optional(),
    minSectors: z.number().int('minSectors must be a whole number').min(1, 'minSectors must be >= 1').max(SECTORS.length, `minSectors cannot exceed the ${SECTORS.length} sectors`).optional(),
  }).optional(),
});

export const Gate = z.strictObject({
  format: z.literal(GATE_FORMAT, { error: `format must be '${GATE_FORMAT}'` }),
  gate: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'gate must be a lower-case id such as fy2026'),
  title: z.string().min(1),
  description: z.string().optional(),
  suite: z.strictObject({
    tasks: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all'),
    embodiments: z.array(z.string()).min(1),
    episodesPerCell: z.number().int('episodesPerCell must be a whole number').min(1, 'episodesPerCell must be >= 1').max(100_000),
    seedStart: z.number().int().min(MIN_EVAL_SEED, `seedStart must be >= ${MIN_EVAL_SEED}: training collects from seed 0 up, evaluation seeds must be disjoint`),
    phrasings: z.array(z.enum(['train', 'heldout'])).min(1).default(['train', 'heldout']),
    /** Actions executed per chunk before re-planning, or 'ensemble'. */
    chunk: z.union([z.number().int().min(1), z.literal('ensemble')]).default(5),
    /** Seed of the policy's own randomness (flow-matching noise), set before each suite. */
    torchSeed: z.number().int().min(0).default(0),
  }),
  latency: z.strictObject({
    observations: z.number().int().min(1).default(24),
    warmup: z.number().int().min(0).default(20),
    iterations: z.number().int().min(1, 'iterations must be >= 1').default(1000),
    threads: z.number().int().min(1).max(64).default(1),
  }).default({ observations: 24, warmup: 20, iterations: 1000, threads: 1 }),
  comparison: z.strictObject({
    /** fisher / z: the two rates as independent samples; mcnemar: paired, episode by episode on the same seeds (the stronger test, as the review runs the baseline on the version's seeds). */
    test: z.enum(['fisher', 'z', 'mcnemar']).default('fisher'),
    alpha: z.number().gt(0, 'alpha must be in (0, 1)').lt(1, 'alpha must be in (0, 1)').default(0.05),
    correction: z.enum(['holm', 'none']).default('holm'),
    /** What a significant regression of a task does to the overall decision. */
    onRegression: z.enum(['flag', 'conditional', 'no-go']).default('conditional'),
  }).default({ test: 'fisher', alpha: 0.05, correction: 'holm', onRegression: 'conditional' }),
  milestones: Milestones,
}).superRefine((g, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const tasks = g.suite.tasks === 'all' ? [...TASKS.keys()] : g.suite.tasks;
  if (g.suite.tasks !== 'all') g.suite.tasks.forEach((t, i) => { if (!TASKS.has(t)) issue(['suite', 'tasks', i], `unknown task '${t}' (known: ${[...TASKS.keys()].join(', ')})`); });
  g.suite.embodiments.forEach((e, i) => { if (!EMBODIMENTS.has(e)) issue(['suite', 'embodiments', i], `unknown embodiment '${e}' (known: ${[...EMBODIMENTS.keys()].join(', ')})`); });
  for (const e of Object.keys(g.milestones.embodimentFloors)) {
    if (!g.suite.embodiments.includes(e)) issue(['milestones', 'embodimentFloors', e], `a floor for '${e}', which the suite does not run (suite.embodiments: ${g.suite.embodiments.join(', ')})`);
  }
  const sectors = new Set(tasks.filter((t) => TASKS.has(t)).map((t) => TASKS.get(t)!.sector));
  for (const s of Object.keys(g.milestones.sectorFloors)) if (!sectors.has(s as Sector)) issue(['milestones', 'sectorFloors', s], `a floor for sector '${s}', which none of the suite's tasks is in`);
  if (!g.suite.phrasings.includes('train')) issue(['suite', 'phrasings'], "must include 'train' (success milestones are judged on the training phrasings)");
  if (g.milestones.heldoutGap && !g.suite.phrasings.includes('heldout')) issue(['milestones', 'heldoutGap'], "needs 'heldout' in suite.phrasings");
});
export type Gate = z.output<typeof Gate>;
export type GateInput = z.input<typeof Gate>;

export interface LoadedGate { gate: Gate; path: string; sha256: string }

/** Parses and validates a milestones document (YAML text); errors start with `where`. */
export function parseGate(text: string, where: string): Gate {
  let raw: unknown;
  try { raw = YAML.parse(text, { uniqueKeys: true, prettyErrors: true }); } catch (e) { throw new Error(`${where}: not valid YAML: ${(e as Error).message}`); }
  return parseWith(Gate, raw, where, 'milestones file');
}

/** Reads a milestones file; the sha256 of its bytes goes into the review's inputs. */
export function loadGate(path: string): LoadedGate {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) { throw new Error(`milestones file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  return { gate: parseGate(bytes.toString('utf8'), path), path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The suite's task ids in table order. */
export const gateTasks = (g: Gate): string[] => (g.suite.tasks === 'all' ? [...TASKS.keys()] : g.suite.tasks);
