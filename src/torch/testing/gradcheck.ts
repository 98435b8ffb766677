// Gradient checking for tests: compares autograd's gradients of a scalar projection of fn(inputs) with central finite
// differences, input element by input element, in float64. Returns the worst error so tests can state tolerances.
//
// What it checks, for every differentiable input x_k and every element i:
//   analytic = d/dx_k[i] of S(x) = sum_j w_j * out_j(x) (one backward pass; w fixed pseudo-random weights in [0.5, 1.5),
//              so every output element contributes with a different weight),
//   numeric  = (S(x + eps e_i) - S(x - eps e_i)) / (2 eps),
// and passes when |analytic - numeric| <= atol + rtol * |numeric|. A NaN on one side only always fails (NaN compares
// false, so a naive check would pass it); NaN on both sides agrees. It also fails, with a message, when a gradient has
// the wrong shape or dtype, or when an output is not float64 (an op computing in float32 makes the differences noise).
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

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |numeric| (default 1e-3). */
  rtol?: number;
  /** Seed of the default input values (default 7). */
  seed?: number;
}

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
const MAX_FAILURES = 5;

/**
 * Checks autograd's gradient of fn against central finite differences for every element of every non-constant
 * input. fn may return one tensor or several (each gets its own weights). See the file header for the exact test.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor | Tensor[],
  inputs: GradcheckInput[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const values = inputs.map((inp, k) => {
    const v = inp.values ?? pseudoRandom(size(inp.shape), (opts.seed ?? 7) + k);
    if (!inp.constant && v.length !== size(inp.shape)) {
      throw new RangeError(`gradcheck: input ${k} has ${v.length} values for shape [${inp.shape.join(', ')}]`);
    }
    return v;
  });
  const result: GradcheckResult = { maxAbsError: 0, maxRelError: 0, checked: 0, failures: [] };
  const fail = (msg: string) => { if (result.failures.length < MAX_FAILURES) result.failures.push(msg); };
  let weights: number[][] | null = null;

  // The scalar objective at the given values; with withGrad, also autograd's gradients (null: no gradient reached it).
  const evaluate = (vals: number[][], withGrad: boolean): { s: number; grads: (number[] | null)[] } =>
    tidy(() => {
      const xs = inputs.map((inp, k) => inp.constant ?? tensor(Float64Array.from(vals[k]!), { shape: inp.shape, requiresGrad: withGrad }));
      const r = fn(...xs);
      const outs = Array.isArray(r) ? r : [r];
      weights ??= outs.map((o, j) => pseudoRandom(o.numel, 99 + j, 0.5, 1.5));
      let s: Tensor | null = null;
      outs.forEach((o, j) => {
        if (withGrad && o.dtype !== 'float64') fail(`output ${j} is ${o.dtype}, not float64: the op does not compute in the inputs' precision`);
        const w = tensor(Float64Array.from(weights![j]!), { shape: o.shape });
        const term = o.to('float64').mul(w).sum();
        s = s ? s.add(term) : term;
      });
      if (!s) throw new Error('gradcheck: fn returned no tensors');
      const total = s as Tensor;
      if (withGrad && total.requiresGrad) total.backward();
      const grads = inputs.map((inp, k) => {
        if (inp.constant || !withGrad) return null;
        const g = xs[k]!.grad;
        if (!g) return null;
        if (g.shape.join() !== inp.shape.join()) fail(`input ${k}: gradient shape [${g.shape.join(', ')}] differs from the input's [${inp.shape.join(', ')}]`);
        if (g.dtype !== 'float64') fail(`input ${k}: gradient dtype ${g.dtype}, expected float64`);
        return g.toNumbers();
      });
      return { s: total.item(), grads };
    });

  const { grads } = evaluate(values, true);
  inputs.forEach((inp, k) => {
    if (inp.constant) return;
    for (let i = 0; i < values[k]!.length; i++) {
      const plus = values.map((v) => [...v]), minus = values.map((v) => [...v]);
      plus[k]![i]! += eps;
      minus[k]![i]! -= eps;
      const numeric = (evaluate(plus, false).s - evaluate(minus, false).s) / (2 * eps);
      const analytic = grads[k] ? grads[k]![i]! : 0; // no gradient at all means zero
      result.checked++;
      const bothNaN = Number.isNaN(analytic) && Number.isNaN(numeric);
      if (bothNaN) continue;
      const abs = Math.abs(analytic - numeric);
      const ok = abs <= atol + rtol * Math.abs(numeric); // false for any NaN, and for an undefined (missing) element
      if (!ok) fail(`input ${k} element ${i}: autograd ${analytic}, finite differences ${numeric}`);
      if (!Number.isNaN(abs)) {
        result.maxAbsError = Math.max(result.maxAbsError, abs);
        result.maxRelError = Math.max(result.maxRelError, abs / Math.max(Math.abs(numeric), 1e-12));
      } else {
        result.maxAbsError = result.maxRelError = NaN;
      }
    }
  });
  return result;
}
