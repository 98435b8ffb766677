import { describe, expect, it } from 'vitest';
import type { EvalResults } from '../eval/run.ts';
import { pairedComparison } from './paired.ts';

/** An evaluation whose cells hold just the episode outcomes (what the pairing reads). */
function evaluation(cells: Array<{ task: string; arm: string; phrasing?: string; seeds: number[]; ok: number[] }>): EvalResults {
  return {
    format: 'karakuri-eval/1', cells: cells.map((c) => ({
      task: c.task, embodiment: c.arm, phrasing: c.phrasing ?? 'train', seeds: c.seeds,
      episodes: c.seeds.map((seed) => ({ seed, success: c.ok.includes(seed), steps: 10, roomErrorCm: null, goalErrorCm: null, phases: null })),
    })),
  } as unknown as EvalResults;
}

describe('paired comparison of two evaluations', () => {
  it('matches episodes by task, arm, phrasing and seed and counts the discordant ones per task and overall', () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const a = evaluation([
      { task: 'cup', arm: 'kara6', seeds, ok: [0, 1] },
      { task: 'cup', arm: 'kara7', seeds, ok: [] },
      { task: 'bin', arm: 'kara6', seeds, ok: [0, 1, 2, 3] },
      { task: 'bin', arm: 'kara6', phrasing: 'heldout', seeds: [100], ok: [100] }, // not in b
    ]);
    const b = evaluation([
      { task: 'cup', arm: 'kara6', seeds, ok: [0, 2, 3, 4, 5, 6, 7, 8, 9] }, // 1 only a, 8 only b, 1 both
      { task: 'cup', arm: 'kara7', seeds: [...seeds, 10], ok: [1] }, // seed 10: not in a
      { task: 'bin', arm: 'kara6', seeds, ok: [0, 1, 2, 3] },
    ]);
    const c = pairedComparison(a, b);
    expect(c.unmatched).toEqual({ a: 1, b: 1 });
    const cup = c.rows.find((r) => r.task === 'cup')!, bin = c.rows.find((r) => r.task === 'bin')!;
    expect(cup).toMatchObject({ n: 20, a: 2, b: 10, onlyA: 1, onlyB: 9, both: 1 });
    expect(cup.p).toBeCloseTo(22 / 1024, 12);
    expect(bin).toMatchObject({ n: 10, a: 4, b: 4, onlyA: 0, onlyB: 0, both: 4, p: 1 });
    expect(c.overall).toMatchObject({ task: 'all', n: 30, a: 6, b: 14, onlyA: 1, onlyB: 9, both: 5 });
  });
  it('refuses evaluations that share no episode', () => {
    const a = evaluation([{ task: 'cup', arm: 'kara6', seeds: [1, 2], ok: [1] }]);
    const b = evaluation([{ task: 'cup', arm: 'kara6', seeds: [3, 4], ok: [3] }]);
    expect(() => pairedComparison(a, b)).toThrow(/share no episode \(same task, arm, phrasing and seed\)/);
  });
});
