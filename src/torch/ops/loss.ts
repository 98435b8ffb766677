// Loss functions with PyTorch's semantics and reductions: mse, l1, smooth_l1, cross_entropy (class indices or
// probabilities, label smoothing, ignore_index), binary_cross_entropy_with_logits.
import { aten, wrap, h, hOpt } from './call.ts';
import type { Tensor } from '../tensor.ts';

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
function red(r: Reduction | undefined): number {
  const v = REDUCTION[r ?? 'mean'];
  if (v === undefined) throw new TypeError(`loss reduction must be 'none', 'mean' or 'sum', got '${String(r)}'`);
  return v;
}

const MSE = aten('mse_loss');
const L1 = aten('l1_loss');
const SMOOTH_L1 = aten('smooth_l1_loss');
const CE = aten('cross_entropy_loss');
const BCE_LOGITS = aten('binary_cross_entropy_with_logits');

export const mseLoss = (x: Tensor, target: Tensor, reduction?: Reduction): Tensor => wrap(MSE([h(x, 'mse_loss input'), h(target, 'mse_loss target'), red(reduction)]));
export const l1Loss = (x: Tensor, target: Tensor, reduction?: Reduction): Tensor => wrap(L1([h(x, 'l1_loss input'), h(target, 'l1_loss target'), red(reduction)]));
export const smoothL1Loss = (x: Tensor, target: Tensor, reduction?: Reduction, beta = 1.0): Tensor =>
  wrap(SMOOTH_L1([h(x, 'smooth_l1_loss input'), h(target, 'smooth_l1_loss target'), red(reduction), beta]));

export interface CrossEntropyOptions { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number }
/** logits [N, C, ...] against int64 class indices [N, ...] or class probabilities [N, C, ...]. */
export const crossEntropy = (logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor =>
  wrap(CE([h(logits, 'cross_entropy input'), h(target, 'cross_entropy target'), hOpt(o.weight, 'cross_entropy weight'),
    red(o.reduction), o.ignoreIndex ?? -100, o.labelSmoothing ?? 0]));

export interface BceOptions { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction }
export const binaryCrossEntropyWithLogits = (logits: Tensor, target: Tensor, o: BceOptions = {}): Tensor =>
  wrap(BCE_LOGITS([h(logits, 'bce_with_logits input'), h(target, 'bce_with_logits target'), hOpt(o.weight, 'bce weight'),
    hOpt(o.posWeight, 'bce pos_weight'), red(o.reduction)]));
