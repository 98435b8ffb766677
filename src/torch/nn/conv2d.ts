// Conv2d over [N, C, H, W]: weight [out, in/groups, kh, kw] and bias [out], named and initialised as in PyTorch.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { conv2d } from '../ops/nn.ts';
import { Module } from './module.ts';
import { kaimingUniform, biasUniform, fans } from './init.ts';
import { parseOptions } from './options.ts';

const pair = (min: number) => z.union([z.number().int().min(min), z.tuple([z.number().int().min(min), z.number().int().min(min)])]);
export const Conv2dOptions = z.strictObject({
  stride: pair(1).default(1),   // an int or [h, w]
  padding: pair(0).default(0),  // zero padding on each side
  dilation: pair(1).default(1),
  groups: z.number().int().positive().default(1), // in and out channels must both divide by it
  bias: z.boolean().default(true),
});
export type Conv2dOptions = z.input<typeof Conv2dOptions>;
type Pair = number | [number, number];

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly opts: z.output<typeof Conv2dOptions>;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const o = (this.opts = parseOptions(Conv2dOptions, options, 'Conv2d'));
    const [kh, kw] = Array.isArray(kernelSize) ? kernelSize : [kernelSize, kernelSize];
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['kernelSize', kh], ['kernelSize', kw]] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % o.groups !== 0 || outChannels % o.groups !== 0) {
      throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${o.groups})`);
    }
    const shape = [outChannels, inChannels / o.groups, kh, kw];
    this.weight = this.param('weight', kaimingUniform(shape)); // U(+-1/sqrt(fan_in)), fan_in = in/groups * kh * kw
    this.bias = o.bias ? this.param('bias', biasUniform(outChannels, fans(shape).fanIn)) : null;
  }
  /** x [N, inChannels, H, W] -> [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.opts);
  }
}
