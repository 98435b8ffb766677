// The review's significance tests against values worked by hand or taken from textbook tables.
import { describe, expect, it } from 'vitest';
import { fisherExact, holm, mcnemarExact, newcombeDiff, normalUpperTail, quantileCI, twoProportionZ } from './stats.ts';

describe('Fisher exact (two-sided)', () => {
  it("Fisher's lady tasting tea: 3 of 4 vs 1 of 4 gives p = 34/70 = 0.4857", () => {
    // tables with the margins fixed: a = 0..4, P(a) = C(4,a) C(4,4-a) / C(8,4) = 1, 16, 36, 16, 1 over 70;
    // as or less likely than P(3) = 16/70: a = 0, 1, 3, 4 -> 34/70
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(34 / 70, 10);
    expect(fisherExact(4, 4, 0, 4)).toBeCloseTo(2 / 70, 10); // the perfect taster: 1/70 each tail
    expect(fisherExact(2, 4, 2, 4)).toBeCloseTo(1, 10);
  });
  it('the textbook table [[1, 9], [11, 3]] gives p = 0.002759 (R fisher.test)', () => {
    expect(fisherExact(1, 10, 11, 14)).toBeCloseTo(0.0027594, 6);
  });
  it('symmetric in the two groups; degenerate and bad counts', () => {
    expect(fisherExact(11, 14, 1, 10)).toBeCloseTo(fisherExact(1, 10, 11, 14), 12);
    expect(fisherExact(0, 0, 0, 0)).toBe(1);
    expect(fisherExact(5, 5, 5, 5)).toBe(1);
    expect(() => fisherExact(6, 5, 0, 5)).toThrow(/successes must be an integer in 0\.\.n \(n = 5\), got 6/);
  });
});

describe('exact McNemar test (paired)', () => {
  it('1 vs 9 discordant episodes: p = 2 (1 + 10) / 1024 = 0.021484; symmetric; balanced or none give 1', () => {
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExact(9, 1)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(0, 6)).toBeCloseTo(2 / 64, 12);
  });
  it('62 vs 29 (v11 against v10 on the same 450 seeds): p = 0.000705 (2 P(X <= 29), X ~ Binomial(91, 1/2))', () => {
    expect(mcnemarExact(62, 29)).toBeCloseTo(0.000705341, 6);
  });
  it('bad counts name the argument', () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(/mcnemarExact: onlyA must be an integer >= 0, got -1/);
    expect(() => mcnemarExact(2, 1.5)).toThrow(/onlyB must be an integer >= 0, got 1\.5/);
  });
});

describe('two-proportion z test', () => {
  it('45/100 vs 30/100: pooled p = 0.375, se = sqrt(0.375 * 0.625 * 0.02) = 0.068465, z = 2.1909, p = 0.02846', () => {
    const r = twoProportionZ(45, 100, 30, 100);
    expect(r.z).toBeCloseTo(0.15 / Math.sqrt(0.375 * 0.625 * 0.02), 10);
    expect(r.z).toBeCloseTo(2.1909, 4);
    expect(r.p).toBeCloseTo(0.02846, 4);
  });
  it('normal tail: P(Z > 1.959964) = 0.025, P(Z > 0) = 0.5; equal rates give p = 1', () => {
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 7);
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(twoProportionZ(10, 10, 10, 10)).toEqual({ z: 0, p: 1 });
  });
});

describe('Holm-Bonferroni', () => {
  it('step-down adjusted p-values in the given order', () => {
    // sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06
    const adj = holm([0.01, 0.04, 0.03, 0.005]);
    expect(adj[0]).toBeCloseTo(0.03, 12);
    expect(adj[1]).toBeCloseTo(0.06, 12);
    expect(adj[2]).toBeCloseTo(0.06, 12);
    expect(adj[3]).toBeCloseTo(0.02, 12);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
    expect(() => holm([0.1, 1.2])).toThrow(/p\[1\] must be a probability/);
  });
});

describe('Newcombe interval for a difference of rates', () => {
  it("Newcombe (1998) example: 56/70 - 48/80 = 0.2, 95% CI 0.0524 to 0.3339", () => {
    const d = newcombeDiff(56, 70, 48, 80);
    expect(d.diff).toBeCloseTo(0.2, 10);
    expect(d.lo).toBeCloseTo(0.0524, 4);
    expect(d.hi).toBeCloseTo(0.3339, 4);
  });
  it('stays within [-1, 1] at the extremes', () => {
    const d = newcombeDiff(10, 10, 0, 10);
    expect(d.diff).toBe(1);
    expect(d.hi).toBeLessThanOrEqual(1);
    expect(d.lo).toBeGreaterThan(0.5);
  });
});

describe('quantile interval from order statistics', () => {
  it('the median of 100 samples: the 40th and 61st order statistics (the classic table)', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, given unsorted
    const q = quantileCI(xs, 0.5);
    expect(q.value).toBe(50);
    expect([q.lo, q.hi]).toEqual([40, 61]);
  });
  it('p99: no upper bound from 200 samples, one from 1000', () => {
    const xs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const small = quantileCI(xs(200), 0.99);
    expect(small.value).toBe(198);
    expect(small.hi).toBe(Infinity);
    const big = quantileCI(xs(1000), 0.99);
    expect(big.value).toBe(990);
    expect(big.lo).toBeGreaterThanOrEqual(982);
    expect(big.lo).toBeLessThan(990);
    expect(big.hi).toBeGreaterThan(990);
    expect(big.hi).toBeLessThanOrEqual(997);
  });
});
