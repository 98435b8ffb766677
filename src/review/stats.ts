// Statistics of the stage-gate review: Fisher's exact test and the two-proportion z test for a version-vs-baseline
// difference in success, the exact McNemar test when both ran on the same seeds, Holm-Bonferroni adjustment over the
// per-task tests, Newcombe's interval for a difference of two rates (the held-out-phrasing gap), and a
// distribution-free interval for a quantile (latency p99) from order statistics. Plain functions of counts and samples; the Wilson interval itself is src/eval/stats.ts's.
import { wilson, type Interval } from '../eval/stats.ts';

const logFact: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFact.length; i <= n; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  return logFact[n]!;
}
const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

function checkCounts(where: string, k: number, n: number): void {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${where}: n must be an integer >= 0, got ${n}`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`${where}: successes must be an integer in 0..n (n = ${n}), got ${k}`);
}

/**
 * Two-sided Fisher exact test of k1/n1 against k2/n2 (the 2x2 table [[k1, n1-k1], [k2, n2-k2]] with its margins
 * fixed): the sum of the hypergeometric probabilities of every table no more likely than the observed one.
 */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  checkCounts('fisherExact (first)', k1, n1);
  checkCounts('fisherExact (second)', k2, n2);
  const N = n1 + n2, K = k1 + k2;
  if (N === 0) return 1;
  const lo = Math.max(0, K - n2), hi = Math.min(n1, K);
  const logP = (a: number) => logChoose(K, a) + logChoose(N - K, n1 - a) - logChoose(N, n1);
  const observed = logP(k1);
  let p = 0;
  // relative tolerance: tables as likely as the observed one (ties in floating point) count as "as extreme"
  for (let a = lo; a <= hi; a++) { const l = logP(a); if (l <= observed + 1e-7) p += Math.exp(l); }
  return Math.min(1, p);
}

/** erfc(x) (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export const normalUpperTail = (z: number) => 0.5 * erfc(z / Math.SQRT2);

export interface ZTest { z: number; p: number }

/** Two-sided two-proportion z test with the pooled variance (no continuity correction); equal and degenerate rates give z = 0, p = 1. */
export function twoProportionZ(k1: number, n1: number, k2: number, n2: number): ZTest {
  checkCounts('twoProportionZ (first)', k1, n1);
  checkCounts('twoProportionZ (second)', k2, n2);
  if (n1 === 0 || n2 === 0) return { z: 0, p: 1 };
  const p = (k1 + k2) / (n1 + n2), se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (k1 / n1 - k2 / n2) / se;
  return { z, p: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

/** Holm-Bonferroni step-down adjusted p-values, in the order given (reject H_i when adjusted[i] <= alpha). */
export function holm(p: readonly number[]): number[] {
  p.forEach((x, i) => { if (!(x >= 0 && x <= 1)) throw new RangeError(`holm: p[${i}] must be a probability in [0, 1], got ${x}`); });
  const m = p.length, order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  const adj = new Array<number>(m);
  let running = 0;
  order.forEach((i, rank) => { running = Math.max(running, Math.min(1, (m - rank) * p[i]!)); adj[i] = running; });
  return adj;
}

export interface Difference extends Interval { diff: number }

/**
 * Newcombe's hybrid score interval (his method 10) for p1 - p2 from two independent rates, built from their 95%
 * Wilson intervals: stays inside [-1, 1] and behaves at 0/n and n/n.
 */
export function newcombeDiff(k1: number, n1: number, k2: number, n2: number): Difference {
  const a = wilson(k1, n1), b = wilson(k2, n2);
  if (n1 === 0 || n2 === 0) return { diff: NaN, lo: -1, hi: 1 };
  const d = a.rate - b.rate;
  return { diff: d, lo: d - Math.sqrt((a.rate - a.lo) ** 2 + (b.hi - b.rate) ** 2), hi: d + Math.sqrt((a.hi - a.rate) ** 2 + (b.rate - b.lo) ** 2) };
}

function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, s);
}

/**
 * Two-sided exact McNemar test for two policies run on the same episodes (seeds): `onlyA` episodes succeeded with
 * the first alone and `onlyB` with the second alone (the episodes both or neither solved carry no information).
 * Under no difference each discordant episode goes either way with probability 1/2: p = 2 P(X <= min) for
 * X ~ Binomial(onlyA + onlyB, 1/2), capped at 1. Paired, it sees differences that Fisher's test of the two rates misses.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  for (const [name, x] of [['onlyA', onlyA], ['onlyB', onlyB]] as const) {
    if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`mcnemarExact: ${name} must be an integer >= 0, got ${x}`);
  }
  const n = onlyA + onlyB;
  return n === 0 ? 1 : Math.min(1, 2 * binomCdf(Math.min(onlyA, onlyB), n, 0.5));
}

export interface QuantileCI { value: number; lo: number; hi: number; n: number }

/**
 * The q-quantile of samples (nearest rank: the ceil(q n)-th smallest) with a distribution-free ~95% interval from
 * order statistics ([x(l), x(u)], the number of samples below the true quantile being Binomial(n, q)). When n is too
 * small for an end (e.g. fewer than 368 samples for the upper end of p99), that end is -Infinity / Infinity.
 */
export function quantileCI(samples: readonly number[], q: number, alpha = 0.05): QuantileCI {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantileCI: q must be in (0, 1), got ${q}`);
  const n = samples.length;
  if (n === 0) return { value: NaN, lo: -Infinity, hi: Infinity, n };
  const x = [...samples].sort((a, b) => a - b);
  const value = x[Math.min(n, Math.max(1, Math.ceil(q * n))) - 1]!;
  // l: the largest rank with P(B <= l - 1) <= alpha/2; u: the smallest rank with P(B >= u) <= alpha/2
  let l = 0;
  for (let r = 1; r <= n; r++) if (binomCdf(r - 1, n, q) <= alpha / 2) l = r; else break;
  let u = n + 1;
  for (let s = n; s >= 1; s--) if (1 - binomCdf(s - 1, n, q) <= alpha / 2) u = s; else break;
  return { value, lo: l >= 1 ? x[l - 1]! : -Infinity, hi: u <= n ? x[u - 1]! : Infinity, n };
}
