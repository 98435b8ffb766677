// Gradient checking for tests: compares autograd's gradients of a scalar projection of fn(inputs) with central finite
// differences, input element by input element, in float64. Returns the worst error so tests can state tolerances.
import { Tensor } from '../tensor.ts';
import { tensor } from '../ops/creation.ts';
import { tidy } from '../scope.ts';

export interface GradcheckInput {
  shape: number[];
  /** The values (float64); default: deterministic values in [-1, 1]. */
  values?: number[];
  /** Not differentiated (e.g. integer indices, masks). */
  constant?: Tensor;
}

export interface GradcheckResult { maxAbsError: number; maxRelError: number; checked: number; failures: string[] }

/** Deterministic pseudo-random numbers in [lo, hi) (mulberry32), so failures reproduce. */
export function pseudoRandom(n: number, seed = 1, lo = -1, hi = 1): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296));
  }
  return out;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Checks d/dx of sum(w * fn(x...)) for fixed random w. Passes when for every element
 * |analytic - numeric| <= atol + rtol * |numeric|.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: GradcheckInput[],
  opts: { eps?: number; atol?: number; rtol?: number; seed?: number } = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const values = inputs.map((inp, k) => inp.values ?? pseudoRandom(size(inp.shape), (opts.seed ?? 7) + k));
  let weights: number[] | null = null;

  // Scalar objective with the given values; when `grads` is set, also returns autograd's gradients.
  const evaluate = (vals: number[][], withGrad: boolean): { s: number; grads: number[][] } =>
    tidy(() => {
      const xs = inputs.map((inp, k) => inp.constant ?? tensor(Float64Array.from(vals[k]!), { shape: inp.shape, requiresGrad: withGrad }));
      const out = fn(...xs);
      weights ??= pseudoRandom(out.numel, 99, 0.5, 1.5);
      const w = tensor(Float64Array.from(weights), { shape: out.shape });
      const s = out.to('float64').mul(w).sum();
      if (withGrad) s.backward();
      const grads = inputs.map((inp, k) => {
        if (inp.constant) return [];
        const g = xs[k]!.grad;
        return g ? g.toNumbers() : new Array<number>(size(inp.shape)).fill(0);
      });
      return { s: s.item(), grads };
    });

  const { grads } = evaluate(values, true);
  const result: GradcheckResult = { maxAbsError: 0, maxRelError: 0, checked: 0, failures: [] };
  inputs.forEach((inp, k) => {
    if (inp.constant) return;
    for (let i = 0; i < values[k]!.length; i++) {
      const plus = values.map((v) => [...v]), minus = values.map((v) => [...v]);
      plus[k]![i]! += eps;
      minus[k]![i]! -= eps;
      const numeric = (evaluate(plus, false).s - evaluate(minus, false).s) / (2 * eps);
      const analytic = grads[k]![i]!;
      const abs = Math.abs(analytic - numeric);
      result.maxAbsError = Math.max(result.maxAbsError, abs);
      result.maxRelError = Math.max(result.maxRelError, abs / Math.max(Math.abs(numeric), 1e-12));
      result.checked++;
      if (abs > atol + rtol * Math.abs(numeric) && result.failures.length < 5) {
        result.failures.push(`input ${k} element ${i}: autograd ${analytic}, finite differences ${numeric}`);
      }
    }
  });
  return result;
}
