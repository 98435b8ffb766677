// Statistics for evaluation reports: the Wilson score interval for a success rate (95% by default; well behaved at
// 0/n and n/n, unlike the normal approximation) and a mean with a Student-t confidence interval (episode lengths).

/** z for a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054;

export interface Interval { lo: number; hi: number }
export interface Rate extends Interval { successes: number; n: number; rate: number }

/** Wilson score interval of successes / n at confidence given by z (default 95%); n = 0 gives rate NaN and [0, 1]. */
export function wilson(successes: number, n: number, z = Z95): Rate {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`wilson: n must be an integer >= 0, got ${n}`);
  if (!(Number.isInteger(successes) && successes >= 0 && successes <= n)) throw new RangeError(`wilson: successes must be an integer in 0..n (n = ${n}), got ${successes}`);
  if (!(z > 0 && Number.isFinite(z))) throw new RangeError(`wilson: z must be a finite number > 0, got ${z}`);
  if (n === 0) return { successes, n, rate: NaN, lo: 0, hi: 1 };
  const p = successes / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // exact ends at 0/n and n/n (rounding would otherwise leave 1e-17 off)
  return { successes, n, rate: p, lo: successes === 0 ? 0 : Math.max(0, centre - half), hi: successes === n ? 1 : Math.min(1, centre + half) };
}

/** 0.975 quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423];

/** The 0.975 quantile of Student's t with df degrees of freedom (table to 30, Cornish-Fisher beyond: error < 1e-4). */
export function t975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`t975: df must be an integer >= 1, got ${df}`);
  if (df <= 30) return T975[df - 1]!;
  const z = Z95;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df) + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
}

export interface MeanCI extends Interval { mean: number; std: number; n: number }

/** Mean, sample std and 95% confidence interval (mean +- t * std / sqrt(n)); n = 1 gives [mean, mean], n = 0 NaNs. */
export function meanCI(values: readonly number[]): MeanCI {
  const n = values.length;
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError(`meanCI: values must be finite numbers, got [${values.slice(0, 8).join(', ')}${n > 8 ? ', ...' : ''}]`);
  if (n === 0) return { mean: NaN, std: NaN, n, lo: NaN, hi: NaN };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n === 1) return { mean, std: 0, n, lo: mean, hi: mean };
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (t975(n - 1) * std) / Math.sqrt(n);
  return { mean, std, n, lo: mean - half, hi: mean + half };
}
