// The model card keeps one evaluation per kind: a rerun replaces its own entry, a held-out or diagnostic run is added
// beside the main one, the largest evaluation is shown first, and a malformed evaluations.json is refused by name
// with neither file touched.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addEvaluationToCard, evaluationKey, readCardEvaluations, type CardEvaluation } from './card-evaluations.ts';

const CARD = '# Model card: m\n\nIntro.\n\n## Evaluation\n\nNot evaluated yet.\n\n## Limits\n\n- simulation only\n';

function version(): string {
  const dir = mkdtempSync(join(tmpdir(), 'card-'));
  writeFileSync(join(dir, 'MODEL_CARD.md'), CARD);
  return dir;
}

const cell = (task: string, embodiment: string, phrasing: string, successes: number, episodes: number) =>
  ({ task, embodiment, phrasing, successes, episodes, rate: successes / episodes, lo: 0, hi: 1, meanLength: 40, roomErrorCm: 5 });
const evaluation = (o: Partial<CardEvaluation> & { wins?: number }): CardEvaluation => {
  const phrasing = o.phrasing ?? 'train', n = o.episodesPerCell ?? 25, wins = o.wins ?? 1;
  return {
    createdAt: o.createdAt ?? '2026-12-07T01:00:00Z', phrasing, seedOffset: o.seedOffset ?? 100_000, episodesPerCell: n, chunk: o.chunk ?? 'the whole chunk then re-plan',
    cells: o.cells ?? [cell('cup-on-tray', 'kara6', phrasing, wins, n), cell('cup-on-tray', 'kara7', phrasing, wins, n)],
  };
};
const headings = (dir: string) => readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8').split('\n').filter((l) => l.startsWith('### '));

describe('the model card\'s evaluations', () => {
  it('keeps one entry per kind: reruns replace, other phrasings, chunk modes and subsets are added; the largest is shown first', () => {
    const dir = version();
    addEvaluationToCard(dir, evaluation({ wins: 3 }));
    expect(headings(dir)).toEqual(['### train phrasings, the whole chunk then re-plan: 6/50 (12.0%)']);
    addEvaluationToCard(dir, evaluation({ phrasing: 'heldout', episodesPerCell: 5, wins: 2, createdAt: '2026-12-07T02:00:00Z' }));
    // a diagnostic run on one arm with another chunk mode, newer than both
    addEvaluationToCard(dir, evaluation({ chunk: 'execute 5 then re-plan', episodesPerCell: 12, cells: [cell('cup-on-tray', 'kara6', 'train', 0, 12)], createdAt: '2026-12-07T03:00:00Z' }));
    expect(headings(dir)).toEqual([
      '### train phrasings, the whole chunk then re-plan: 6/50 (12.0%)',
      '### train phrasings, execute 5 then re-plan: 0/12 (0.0%)',
      '### heldout phrasings, the whole chunk then re-plan: 4/10 (40.0%)',
    ]);
    // the same evaluation again, with other numbers: its entry is replaced, the others stay
    addEvaluationToCard(dir, evaluation({ wins: 10, createdAt: '2026-12-07T04:00:00Z' }));
    expect(headings(dir)[0]).toBe('### train phrasings, the whole chunk then re-plan: 20/50 (40.0%)');
    expect(readCardEvaluations(dir)).toHaveLength(3);
    const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
    expect(card.startsWith('# Model card: m\n\nIntro.\n\n## Evaluation\n\n### ')).toBe(true);
    expect(card.endsWith('\n## Limits\n\n- simulation only\n')).toBe(true); // the rest of the card is kept
    expect(card).not.toContain('Not evaluated yet');
    expect(card).toContain('| cup-on-tray | kara7 | train | 10/25 (40.0%) | 0.0% - 100.0% | 40.0 | 5.0 |');
    expect(card).not.toContain('| cup-on-tray | kara7 | train | 3/25');
  });

  it('a kind is its phrasing, chunk execution, seeds, episodes per cell and cells (in any order)', () => {
    const a = evaluation({});
    expect(evaluationKey({ ...a, cells: [...a.cells].reverse(), createdAt: 'later' })).toBe(evaluationKey(a));
    for (const other of [{ phrasing: 'heldout' }, { chunk: 'execute 10 then re-plan' }, { seedOffset: 200_000 }, { episodesPerCell: 24 }, { cells: a.cells.slice(1) }]) {
      expect(evaluationKey({ ...a, ...other })).not.toBe(evaluationKey(a));
    }
  });

  it('a cell without episodes is shown as n/a, and kept as null in evaluations.json', () => {
    const dir = version();
    addEvaluationToCard(dir, evaluation({ cells: [{ ...cell('hand-over', 'kara6', 'train', 0, 1), episodes: 0, rate: null, meanLength: null, roomErrorCm: null }] }));
    expect(readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8')).toContain('| hand-over | kara6 | train | 0/0 (n/a) | 0.0% - 100.0% | n/a | n/a |');
    expect(readCardEvaluations(dir)[0]!.cells[0]!.rate).toBeNull();
  });

  it('refuses a malformed evaluations.json or entry by name, and touches neither file', () => {
    const dir = version();
    addEvaluationToCard(dir, evaluation({}));
    const card = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8');
    writeFileSync(join(dir, 'evaluations.json'), '{"format": "karakuri-card-evaluations/1", "evaluations": [{"createdAt": 3}]}');
    expect(() => addEvaluationToCard(dir, evaluation({ phrasing: 'heldout' }))).toThrow(/evaluations\.json[\s\S]*evaluations\.0\.createdAt/);
    writeFileSync(join(dir, 'evaluations.json'), '{ not json');
    expect(() => addEvaluationToCard(dir, evaluation({}))).toThrow(/evaluations\.json: not valid JSON/);
    expect(readFileSync(join(dir, 'evaluations.json'), 'utf8')).toBe('{ not json');
    expect(readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8')).toBe(card);
    const fresh = version();
    expect(() => addEvaluationToCard(fresh, { ...evaluation({}), episodesPerCell: 0 })).toThrow(/episodesPerCell/);
    expect(readCardEvaluations(fresh)).toEqual([]);
  });
});
