// Neural-network functions (PyTorch's torch.nn.functional): convolution, pooling, normalisation, softmax,
// activations, embedding, dropout, attention, image resizing. Losses are in loss.ts.
import { aten, wrap, wrapList, h, hOpt } from './call.ts';
import type { Tensor } from '../tensor.ts';

type Pair = number | [number, number];
const pair = (x: Pair): [number, number] => (Array.isArray(x) ? x : [x, x]);

const CONV2D = aten('conv2d');
export interface Conv2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number }
/** 2-D convolution over [N, C, H, W] with weight [out, in/groups, kh, kw]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, o: Conv2dOptions = {}): Tensor {
  const groups = o.groups ?? 1;
  // libtorch 1.13 keeps groups in a C++ int: 2^32 wraps to 0 and the process dies of SIGFPE (integer division by
  // zero); 2^32 + 4 silently acts as 4. Non-positive values get libtorch's own error.
  if (typeof groups === 'number' && Number.isInteger(groups) && groups > 2 ** 31 - 1) {
    throw new RangeError(`conv2d: groups must be at most 2147483647, got ${groups}`);
  }
  return wrap(CONV2D([h(x, 'conv2d input'), h(weight, 'conv2d weight'), hOpt(bias, 'conv2d bias'),
    pair(o.stride ?? 1), pair(o.padding ?? 0), pair(o.dilation ?? 1), groups]));
}

const MAX_POOL2D = aten('max_pool2d');
const AVG_POOL2D = aten('avg_pool2d');
const ADAPTIVE_AVG = aten('adaptive_avg_pool2d');
const ADAPTIVE_MAX = aten('adaptive_max_pool2d');
export interface Pool2dOptions { stride?: Pair; padding?: Pair; ceilMode?: boolean }
/** A kernel/stride/padding pair for the pooling kernels, which libtorch 1.13 narrows to C++ int: avg_pool2d
 * truncates silently (kernel 2^32 + 2 pools as 2), so values beyond int32 are refused here. */
function poolPair(x: Pair, op: string, what: string): [number, number] {
  const p = pair(x);
  for (const v of p) {
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > 2 ** 31 - 1) throw new RangeError(`${op}: ${what} ${v} is out of range (at most 2147483647)`);
  }
  return p;
}
export const maxPool2d = (x: Tensor, kernel: Pair, o: Pool2dOptions = {}): Tensor =>
  wrap(MAX_POOL2D([h(x, 'max_pool2d'), poolPair(kernel, 'max_pool2d', 'kernel size'), poolPair(o.stride ?? kernel, 'max_pool2d', 'stride'),
    poolPair(o.padding ?? 0, 'max_pool2d', 'padding'), [1, 1], o.ceilMode ?? false]));
export const avgPool2d = (x: Tensor, kernel: Pair, o: Pool2dOptions = {}): Tensor =>
  wrap(AVG_POOL2D([h(x, 'avg_pool2d'), poolPair(kernel, 'avg_pool2d', 'kernel size'), poolPair(o.stride ?? kernel, 'avg_pool2d', 'stride'),
    poolPair(o.padding ?? 0, 'avg_pool2d', 'padding'), o.ceilMode ?? false]));
export const adaptiveAvgPool2d = (x: Tensor, size: Pair): Tensor => wrap(ADAPTIVE_AVG([h(x, 'adaptive_avg_pool2d'), pair(size)]));
export function adaptiveMaxPool2d(x: Tensor, size: Pair): Tensor {
  const [out, idx] = wrapList(ADAPTIVE_MAX([h(x, 'adaptive_max_pool2d'), pair(size)])) as [Tensor, Tensor];
  idx.dispose();
  return out;
}

const LAYER_NORM = aten('layer_norm');
const GROUP_NORM = aten('group_norm');
/** Normalises over the trailing `normalizedShape` dims, then scales and shifts. */
export const layerNorm = (x: Tensor, normalizedShape: number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor =>
  wrap(LAYER_NORM([h(x, 'layer_norm input'), normalizedShape, hOpt(weight, 'layer_norm weight'), hOpt(bias, 'layer_norm bias'), eps]));
/** Normalises [N, C, ...] over groups of channels. */
export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  if (bias && !weight) {
    // libtorch 1.13's group_norm backward fails ("tensor does not have a device") with a bias and no weight: a weight
    // of ones is the same function and differentiates correctly.
    const ones = wrap(ONES_LIKE([h(bias, 'group_norm bias')]));
    try {
      return wrap(GROUP_NORM([h(x, 'group_norm input'), groups, ones.handle, bias.handle, eps]));
    } finally {
      ones.dispose();
    }
  }
  return wrap(GROUP_NORM([h(x, 'group_norm input'), groups, hOpt(weight, 'group_norm weight'), hOpt(bias, 'group_norm bias'), eps]));
}
const ONES_LIKE = aten('ones_like');

const SOFTMAX = aten('softmax', 'int');
const LOG_SOFTMAX = aten('log_softmax', 'int');
export const softmax = (x: Tensor, dim: number): Tensor => wrap(SOFTMAX([h(x, 'softmax'), dim]));
export const logSoftmax = (x: Tensor, dim: number): Tensor => wrap(LOG_SOFTMAX([h(x, 'log_softmax'), dim]));

const EMBEDDING = aten('embedding');
/** Rows of `weight` [num, dim] picked by integer `indices`. */
export const embedding = (weight: Tensor, indices: Tensor): Tensor => wrap(EMBEDDING([h(weight, 'embedding weight'), h(indices, 'embedding indices')]));

const DROPOUT = aten('dropout');
/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training; identity otherwise. */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: p must be in [0, 1], got ${p}`);
  return wrap(DROPOUT([h(x, 'dropout'), p, training]));
}

const UP_BILINEAR = aten('upsample_bilinear2d', 'vec');
const UP_NEAREST = aten('upsample_nearest2d', 'vec');
/** Resizes [N, C, H, W] images to `size` [h, w] ('bilinear' or 'nearest'). */
export function interpolate(x: Tensor, size: [number, number], mode: 'bilinear' | 'nearest' = 'bilinear', alignCorners = false): Tensor {
  if (mode !== 'bilinear' && mode !== 'nearest') throw new TypeError(`interpolate: mode must be 'bilinear' or 'nearest', got '${String(mode)}'`);
  if (!Array.isArray(size) || size.length !== 2) throw new TypeError(`interpolate: size must be [height, width], got ${JSON.stringify(size)}`);
  h(x, 'interpolate');
  const nd = x.ndim;
  if (nd !== 4) throw new RangeError(`interpolate: expected a 4-D [N, C, H, W] input, got a ${nd}-D tensor of shape [${x.shape.join(', ')}]`);
  if (mode === 'nearest') return wrap(UP_NEAREST([h(x, 'interpolate'), size, null]));
  return wrap(UP_BILINEAR([h(x, 'interpolate'), size, alignCorners, null]));
}

/**
 * Scaled dot-product attention: softmax(q k^T / sqrt(d) + mask) v.
 * q: [..., Lq, d], k/v: [..., Lk, d]; mask: boolean (true = may attend) or additive float, broadcastable to [..., Lq, Lk].
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor | null, dropoutP = 0, training = false): Tensor {
  const d = q.size(-1);
  // Every intermediate is freed here, also when an op throws (bad shapes), so calls outside tidy leak nothing.
  const temps: Tensor[] = [];
  const tmp = (t: Tensor): Tensor => { temps.push(t); return t; };
  try {
    const kt = tmp(k.transpose(-2, -1)); // (..., d, Lk)
    let scores = tmp(tmp(q.matmul(kt)).mul(1 / Math.sqrt(d))); // (..., Lq, Lk)
    if (mask) scores = tmp(mask.dtype === 'bool' ? scores.maskedFill(tmp(mask.logicalNot()), -Infinity) : scores.add(mask));
    let attn = tmp(softmax(scores, -1));
    if (dropoutP > 0 && training) attn = tmp(dropout(attn, dropoutP, true));
    return attn.matmul(v); // (..., Lq, d)
  } finally {
    for (const t of temps) t.dispose();
  }
}
