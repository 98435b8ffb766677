// Pooling layers over [N, C, H, W] (no parameters): MaxPool2d, AvgPool2d and AdaptiveAvgPool2d, with PyTorch's
// defaults (stride = kernel size, padding 0, floor mode), so a PyTorch nn.Sequential CNN keeps its layer indices.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { maxPool2d, avgPool2d, adaptiveAvgPool2d } from '../ops/nn.ts';
import { Module } from './module.ts';
import { parseOptions } from './options.ts';

const Size = z.union([z.number().int().positive(), z.tuple([z.number().int().positive(), z.number().int().positive()])]);
const Padding = z.union([z.number().int().min(0), z.tuple([z.number().int().min(0), z.number().int().min(0)])]);
type Pair = number | [number, number];

export const Pool2dOptions = z.strictObject({
  stride: Size.optional(),       // default: the kernel size
  padding: Padding.default(0),   // implicit padding on both sides; at most half the kernel
  ceilMode: z.boolean().default(false), // ceil instead of floor when computing the output size
});
export type Pool2dOptions = z.input<typeof Pool2dOptions>;

const half = (p: Pair, k: Pair) => {
  const [ph, pw] = Array.isArray(p) ? p : [p, p];
  const [kh, kw] = Array.isArray(k) ? k : [k, k];
  return ph <= kh / 2 && pw <= kw / 2;
};
function parse(where: string, kernelSize: Pair, options: Pool2dOptions) {
  if (!Size.safeParse(kernelSize).success) throw new RangeError(`${where}: kernelSize must be a positive integer or a pair of them, got ${JSON.stringify(kernelSize)}`);
  const o = parseOptions(Pool2dOptions, options, where);
  if (!half(o.padding, kernelSize)) throw new RangeError(`${where}: padding ${JSON.stringify(o.padding)} must be at most half of kernelSize ${JSON.stringify(kernelSize)}`);
  return { stride: o.stride ?? kernelSize, padding: o.padding, ceilMode: o.ceilMode };
}

/** Max over each kernelSize window: [N, C, H, W] -> [N, C, H', W']. */
export class MaxPool2d extends Module {
  readonly opts: { stride: Pair; padding: Pair; ceilMode: boolean };
  constructor(readonly kernelSize: Pair, options: Pool2dOptions = {}) {
    super();
    this.opts = parse('MaxPool2d', kernelSize, options);
  }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.opts); }
}

/** Mean over each kernelSize window (padding counted as zeros, as PyTorch's count_include_pad=True). */
export class AvgPool2d extends Module {
  readonly opts: { stride: Pair; padding: Pair; ceilMode: boolean };
  constructor(readonly kernelSize: Pair, options: Pool2dOptions = {}) {
    super();
    this.opts = parse('AvgPool2d', kernelSize, options);
  }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.opts); }
}

/** Averages to a fixed outputSize whatever the input size: [N, C, H, W] -> [N, C, oh, ow] (1: global pooling). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
    if (!Size.safeParse(outputSize).success) throw new RangeError(`AdaptiveAvgPool2d: outputSize must be a positive integer or a pair of them, got ${JSON.stringify(outputSize)}`);
  }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
}
