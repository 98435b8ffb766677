// Reductions: sum, mean, max/min, argmax, std/var, norms, cumulative sums.
import { aten, wrap, wrapList, h } from './call.ts';
import { native } from '../native.ts';
import type { Tensor } from '../tensor.ts';

const dims = (d: number | number[]): number[] => (Array.isArray(d) ? d : [d]);

const SUM = aten('sum');
const SUM_DIM = aten('sum', 'dim_IntList');
export const sum = (a: Tensor, dim?: number | number[], keepdim = false): Tensor =>
  dim === undefined ? wrap(SUM([h(a, 'sum')])) : wrap(SUM_DIM([h(a, 'sum'), dims(dim), keepdim]));

const MEAN = aten('mean');
const MEAN_DIM = aten('mean', 'dim');
export const mean = (a: Tensor, dim?: number | number[], keepdim = false): Tensor =>
  dim === undefined ? wrap(MEAN([h(a, 'mean')])) : wrap(MEAN_DIM([h(a, 'mean'), dims(dim), keepdim]));

const MAX = aten('max');
const MIN = aten('min');
const MAX_DIM = aten('max', 'dim');
const MIN_DIM = aten('min', 'dim');
const AMAX = aten('amax');
const AMIN = aten('amin');
/** Largest element (a 0-d tensor). */
export const max = (a: Tensor): Tensor => wrap(MAX([h(a, 'max')]));
export const min = (a: Tensor): Tensor => wrap(MIN([h(a, 'min')]));
/** Largest along a dimension: { values, indices }. */
export function maxDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
  const [values, indices] = wrapList(MAX_DIM([h(a, 'max'), dim, keepdim])) as [Tensor, Tensor];
  return { values, indices };
}
export function minDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
  const [values, indices] = wrapList(MIN_DIM([h(a, 'min'), dim, keepdim])) as [Tensor, Tensor];
  return { values, indices };
}
export const amax = (a: Tensor, dim: number | number[], keepdim = false): Tensor => wrap(AMAX([h(a, 'amax'), dims(dim), keepdim]));
export const amin = (a: Tensor, dim: number | number[], keepdim = false): Tensor => wrap(AMIN([h(a, 'amin'), dims(dim), keepdim]));

const ARGMAX = aten('argmax');
const ARGMIN = aten('argmin');
export const argmax = (a: Tensor, dim?: number, keepdim = false): Tensor => wrap(ARGMAX([h(a, 'argmax'), dim ?? null, keepdim]));
export const argmin = (a: Tensor, dim?: number, keepdim = false): Tensor => wrap(ARGMIN([h(a, 'argmin'), dim ?? null, keepdim]));

const STD_DIM = aten('std', 'dim');
const VAR_DIM = aten('var', 'dim');
/**
 * The dims to reduce for std/var: all of them by default, named explicitly. libtorch 1.13's backward for dim=None on
 * a one-element tensor of rank >= 1 returns a 0-d gradient and autograd rejects it ("StdBackward0 returned an invalid
 * gradient ... got [] but expected shape compatible with [1]"); with the dims listed it returns NaN, as PyTorch 2 does.
 */
function statDims(a: Tensor, dim: number | number[] | undefined, what: string): number[] | null {
  if (dim !== undefined) return dims(dim);
  const n = native.shape(h(a, what)).length;
  return n === 0 ? null : Array.from({ length: n }, (_, i) => i);
}
export const std = (a: Tensor, dim?: number | number[], unbiased = true, keepdim = false): Tensor =>
  wrap(STD_DIM([h(a, 'std'), statDims(a, dim, 'std'), unbiased, keepdim]));
export const variance = (a: Tensor, dim?: number | number[], unbiased = true, keepdim = false): Tensor =>
  wrap(VAR_DIM([h(a, 'var'), statDims(a, dim, 'var'), unbiased, keepdim]));

const NORM = aten('norm', 'Scalar');
export const norm = (a: Tensor, p = 2): Tensor => wrap(NORM([h(a, 'norm'), p]));

const CUMSUM = aten('cumsum');
export const cumsum = (a: Tensor, dim: number): Tensor => wrap(CUMSUM([h(a, 'cumsum'), dim]));

const LOGSUMEXP = aten('logsumexp');
export const logsumexp = (a: Tensor, dim: number | number[], keepdim = false): Tensor => wrap(LOGSUMEXP([h(a, 'logsumexp'), dims(dim), keepdim]));

const ALL = aten('all');
const ANY = aten('any');
export const all = (a: Tensor): Tensor => wrap(ALL([h(a, 'all')]));
export const any = (a: Tensor): Tensor => wrap(ANY([h(a, 'any')]));
