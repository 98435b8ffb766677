// Random numbers from libtorch's default CPU generator: seeding, uniform/normal samples, integers, permutations,
// and in-place re-initialisation (used by nn initialisers).
import { native } from '../native.ts';
import { aten, wrap, h } from './call.ts';
import { dtypeCode, type DType } from '../dtype.ts';
import type { Tensor } from '../tensor.ts';

/** Seeds libtorch's generator: the same seed gives the same samples, dropout masks and initialisations. */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

const RAND = aten('rand');
const RANDN = aten('randn');
const RANDINT = aten('randint', 'low');
const RANDPERM = aten('randperm');
const NORMAL = aten('normal', 'float_float');
const UNIFORM_ = aten('uniform_');
const NORMAL_ = aten('normal_');
const EMPTY = aten('empty', 'memory_format');

/** Uniform samples in [0, 1). */
export const rand = (shape: number[], dtype: DType = 'float32'): Tensor => wrap(RAND([shape, dtypeCode(dtype)]));
/** Standard normal samples. */
export const randn = (shape: number[], dtype: DType = 'float32'): Tensor => wrap(RANDN([shape, dtypeCode(dtype)]));
/** Integers in [low, high). */
export function randint(low: number, high: number, shape: number[], dtype: DType = 'int64'): Tensor {
  if (!(high > low)) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  return wrap(RANDINT([low, high, shape, dtypeCode(dtype)]));
}
/** A random permutation of 0..n-1 (int64). */
export const randperm = (n: number): Tensor => wrap(RANDPERM([n, dtypeCode('int64')]));
/** Normal samples with the given mean and std. */
export const normal = (mean: number, std: number, shape: number[], dtype: DType = 'float32'): Tensor =>
  wrap(NORMAL([mean, std, shape, null, dtypeCode(dtype)]));
/** Uniform samples in [low, high) (torch.empty(shape).uniform_(low, high)). */
export function uniform(shape: number[], low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  const t = wrap(EMPTY([shape, dtypeCode(dtype)]));
  try {
    return uniform_(t, low, high);
  } catch (err) {
    t.dispose();
    throw err;
  }
}
/** In place: fills `a` with uniform samples in [low, high). */
export function uniform_(a: Tensor, low = 0, high = 1): Tensor {
  native.free(UNIFORM_([h(a, 'uniform_'), low, high]) as number);
  return a;
}
/** In place: fills `a` with normal samples. */
export function normal_(a: Tensor, mean = 0, std = 1): Tensor {
  native.free(NORMAL_([h(a, 'normal_'), mean, std]) as number);
  return a;
}
