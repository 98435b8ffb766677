// Loss functions with PyTorch's semantics and reductions: mse, l1, smooth_l1, cross_entropy (class indices or
// probabilities, label smoothing, ignore_index), binary_cross_entropy_with_logits.
import { aten, wrap, wrapList, h, hOpt, type OpFn } from './call.ts';
import { native, type NativeValue, type TensorHandle } from '../native.ts';
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

const BROADCAST = aten('broadcast_tensors');
const sameShape = (a: TensorHandle, b: TensorHandle): boolean => {
  const p = native.shape(a), q = native.shape(b);
  return p.length === q.length && p.every((d, i) => d === q[i]);
};
/**
 * A pointwise loss of input and target. Different shapes are broadcast first, as PyTorch's F.mse_loss/l1_loss/
 * smooth_l1_loss do: libtorch 1.13's kernels accept them unbroadcast but their backward returns wrong gradients
 * (measured: mse 'mean' of [3] against [2, 3] gave twice the true gradient; smooth_l1 [3, 1] against [3] three times).
 */
function pointwiseLoss(op: OpFn, name: string, x: Tensor, target: Tensor, rest: NativeValue[]): Tensor {
  const xh = h(x, `${name} input`), th = h(target, `${name} target`);
  if (sameShape(xh, th)) return wrap(op([xh, th, ...rest]));
  const [bx, bt] = wrapList(BROADCAST([[xh, th]])) as [Tensor, Tensor];
  try {
    return wrap(op([bx.handle, bt.handle, ...rest]));
  } finally {
    bx.dispose();
    bt.dispose();
  }
}

export const mseLoss = (x: Tensor, target: Tensor, reduction?: Reduction): Tensor => pointwiseLoss(MSE, 'mse_loss', x, target, [red(reduction)]);
export const l1Loss = (x: Tensor, target: Tensor, reduction?: Reduction): Tensor => pointwiseLoss(L1, 'l1_loss', x, target, [red(reduction)]);
export const smoothL1Loss = (x: Tensor, target: Tensor, reduction?: Reduction, beta = 1.0): Tensor =>
  pointwiseLoss(SMOOTH_L1, 'smooth_l1_loss', x, target, [red(reduction), beta]);

export interface CrossEntropyOptions { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number }
/** logits [N, C, ...] against int64 class indices [N, ...] or class probabilities [N, C, ...]. */
export const crossEntropy = (logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor =>
  wrap(CE([h(logits, 'cross_entropy input'), h(target, 'cross_entropy target'), hOpt(o.weight, 'cross_entropy weight'),
    red(o.reduction), o.ignoreIndex ?? -100, o.labelSmoothing ?? 0]));

export interface BceOptions { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction }
/** Logits and targets of the same shape (as PyTorch requires: libtorch 1.13 would broadcast, then fail in backward). */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, o: BceOptions = {}): Tensor {
  const xh = h(logits, 'bce_with_logits input'), th = h(target, 'bce_with_logits target');
  if (!sameShape(xh, th)) {
    throw new RangeError(`binary_cross_entropy_with_logits: target size [${native.shape(th).join(', ')}] must be the same as input size [${native.shape(xh).join(', ')}]`);
  }
  return wrap(BCE_LOGITS([xh, th, hOpt(o.weight, 'bce weight'), hOpt(o.posWeight, 'bce pos_weight'), red(o.reduction)]));
}
