// The evaluations a model version's card shows. `karakuri eval` keeps one per kind of evaluation (phrasing set, chunk
// execution, seeds, episodes per cell and cells): a rerun of the same kind replaces its entry, a different kind (the
// held-out phrasings, a diagnostic run on one arm) is added beside it, so the recipe's main figure is never
// overwritten by a later side run. The entries live in evaluations.json in the version directory (validated when
// read: a malformed file is refused by name and left as it is), and MODEL_CARD.md's Evaluation section is rendered
// from them, the largest evaluation first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { writeFileDurable } from '../files.ts';
import { isRegisteredVersion } from '../registry/manifest.ts';

export const EVALUATIONS_FILE = 'evaluations.json';

const CardCell = z.strictObject({
  task: z.string().min(1), embodiment: z.string().min(1), phrasing: z.string().min(1),
  successes: z.number().int().min(0), episodes: z.number().int().min(0),
  rate: z.number().nullable(), lo: z.number(), hi: z.number(), meanLength: z.number().nullable(), roomErrorCm: z.number().nullable(),
});
/** What the card shows of an evaluation (src/eval/run.ts results). rate and meanLength are null for a cell without episodes. */
export const CardEvaluation = z.strictObject({
  createdAt: z.string().min(1),
  /** 'train' or 'heldout' (src/sim/tasks/language.ts phrasings). */
  phrasing: z.string().min(1),
  seedOffset: z.number().int().min(0),
  episodesPerCell: z.number().int().min(1),
  /** How the chunks were executed, in words. */
  chunk: z.string().min(1),
  cells: z.array(CardCell),
});
export type CardEvaluation = z.output<typeof CardEvaluation>;
const Evaluations = z.strictObject({ format: z.literal('karakuri-card-evaluations/1'), evaluations: z.array(CardEvaluation) });

/** Which entry an evaluation replaces: the same phrasing, chunk execution, seeds, episodes per cell and cells. */
export function evaluationKey(e: CardEvaluation): string {
  const cells = e.cells.map((c) => `${c.task}/${c.embodiment}`).sort().join(',');
  return JSON.stringify([e.phrasing, e.chunk, e.seedOffset, e.episodesPerCell, cells]);
}

/** The evaluations kept for a version directory ([] when it has none). Throws naming the file when it is malformed. */
export function readCardEvaluations(dir: string): CardEvaluation[] {
  const path = join(dir, EVALUATIONS_FILE);
  if (!existsSync(path)) return [];
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
  return parseWith(Evaluations, raw, path, 'evaluations').evaluations;
}

/** Largest evaluation first (most episodes), then the newest. */
const order = (a: CardEvaluation, b: CardEvaluation) => {
  const n = (e: CardEvaluation) => e.cells.reduce((s, c) => s + c.episodes, 0);
  return n(b) - n(a) || (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0);
};

const pct = (x: number | null) => (x !== null && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

function evaluationTable(e: CardEvaluation): string[] {
  const k = e.cells.reduce((s, c) => s + c.successes, 0), n = e.cells.reduce((s, c) => s + c.episodes, 0);
  return [
    `### ${e.phrasing} phrasings, ${e.chunk}: ${k}/${n} (${pct(n ? k / n : null)})`,
    '',
    `Closed loop, ${e.episodesPerCell} episodes per cell, seeds from ${e.seedOffset} (disjoint from training), chunk execution ${e.chunk}; ${e.createdAt}. 95% Wilson intervals.`,
    '',
    '| task | embodiment | phrasing | success | 95% CI | mean length | room error (cm) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...e.cells.map((c) => `| ${c.task} | ${c.embodiment} | ${c.phrasing} | ${c.successes}/${c.episodes} (${pct(c.rate)}) | ${pct(c.lo)} - ${pct(c.hi)} | ${c.meanLength === null ? 'n/a' : c.meanLength.toFixed(1)} | ${c.roomErrorCm === null ? 'n/a' : c.roomErrorCm.toFixed(1)} |`),
  ];
}

/** The body of the card's Evaluation section for these evaluations (each its own table, the largest first). */
export function evaluationSection(evaluations: readonly CardEvaluation[]): string[] {
  if (!evaluations.length) return ['Not evaluated yet: run `karakuri eval` on this directory (closed loop in the simulator, seeds disjoint from training).'];
  return [...evaluations].sort(order).flatMap((e, i) => [...(i ? [''] : []), ...evaluationTable(e)]);
}

/**
 * Keeps an evaluation in a version directory (replacing the entry of the same kind, see evaluationKey) and rewrites
 * its MODEL_CARD.md's Evaluation section from every entry kept. Refuses a registered (immutable) version, and a
 * malformed evaluations.json (named; neither file is touched then).
 */
export function addEvaluationToCard(dir: string, e: CardEvaluation): void {
  if (isRegisteredVersion(dir)) throw new Error(`${dir} is a registered model version (immutable): its model card is not updated; keep evaluation reports outside it`);
  const path = join(dir, 'MODEL_CARD.md');
  if (!existsSync(path)) return;
  const entry = parseWith(CardEvaluation, e, 'addEvaluationToCard', 'evaluation');
  const key = evaluationKey(entry);
  const kept = [...readCardEvaluations(dir).filter((x) => evaluationKey(x) !== key), entry];
  const card = readFileSync(path, 'utf8');
  const start = card.indexOf('## Evaluation\n'), end = card.indexOf('\n## Limits');
  writeFileDurable(join(dir, EVALUATIONS_FILE), `${JSON.stringify({ format: 'karakuri-card-evaluations/1', evaluations: kept }, null, 1)}\n`);
  if (start < 0 || end < start) return;
  writeFileDurable(path, `${card.slice(0, start)}## Evaluation\n\n${evaluationSection(kept).join('\n')}\n${card.slice(end)}`);
}
