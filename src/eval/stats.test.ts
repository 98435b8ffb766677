// Wilson intervals and t intervals against published values (Wilson 1927 / Newcombe 1998 tables; R's t.test).
import { describe, expect, it } from 'vitest';
import { meanCI, t975, wilson } from './stats.ts';

describe('wilson', () => {
  it('matches known 95% intervals', () => {
    const cases: [number, number, number, number][] = [
      [0, 10, 0, 0.2775], [5, 10, 0.2366, 0.7634], [10, 10, 0.7225, 1], [81, 100, 0.7222, 0.8749], [1, 10, 0.0179, 0.4042], [15, 148, 0.0624, 0.1605],
    ];
    for (const [k, n, lo, hi] of cases) {
      const r = wilson(k, n);
      expect(r.lo, `${k}/${n} lo`).toBeCloseTo(lo, 4);
      expect(r.hi, `${k}/${n} hi`).toBeCloseTo(hi, 4);
      expect(r.rate).toBe(k / n);
    }
    expect(wilson(0, 10).lo).toBe(0);
    expect(wilson(10, 10).hi).toBe(1);
    expect(wilson(0, 0)).toMatchObject({ lo: 0, hi: 1 });
    expect(Number.isNaN(wilson(0, 0).rate)).toBe(true);
  });
  it('names bad input', () => {
    expect(() => wilson(11, 10)).toThrow(/successes must be an integer in 0\.\.n \(n = 10\), got 11/);
    expect(() => wilson(1, 2.5)).toThrow(/n must be an integer >= 0, got 2.5/);
    expect(() => wilson(1, 2, -1)).toThrow(/z must be/);
  });
});

describe('meanCI', () => {
  it('gives the t interval', () => {
    // R: t.test(c(100, 120, 90, 110, 130))$conf.int = 90.36757 129.63243
    const r = meanCI([100, 120, 90, 110, 130]);
    expect(r.mean).toBe(110);
    expect(r.lo).toBeCloseTo(90.3676, 3);
    expect(r.hi).toBeCloseTo(129.6324, 3);
    expect(meanCI([5])).toMatchObject({ mean: 5, lo: 5, hi: 5, n: 1 });
    expect(meanCI([]).n).toBe(0);
    expect(t975(1)).toBeCloseTo(12.7062, 4);
    expect(t975(40)).toBeCloseTo(2.0211, 3);
    expect(t975(120)).toBeCloseTo(1.9799, 3);
    expect(() => meanCI([1, NaN])).toThrow(/finite numbers/);
  });
});
