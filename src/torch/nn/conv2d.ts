// Conv2d over [N, C, H, W]: weight [out, in/groups, kh, kw] and bias [out], named and initialised as in PyTorch.
import type { Tensor } from '../tensor.ts';
import { conv2d } from '../ops/nn.ts';
import { Module } from './module.ts';
import { kaimingUniform, biasUniform, fans } from './init.ts';

type Pair = number | [number, number];
export interface Conv2dOptions {
  stride?: Pair;   // default 1
  padding?: Pair;  // default 0
  dilation?: Pair; // default 1
  groups?: number; // default 1; in and out channels must both divide by it
  bias?: boolean;  // default true
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: Pair, readonly opts: Conv2dOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    const [kh, kw] = Array.isArray(kernelSize) ? kernelSize : [kernelSize, kernelSize];
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups], ['kernelSize', kh], ['kernelSize', kw]] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    }
    const shape = [outChannels, inChannels / groups, kh, kw];
    this.weight = this.param('weight', kaimingUniform(shape));
    this.bias = opts.bias ?? true ? this.param('bias', biasUniform(outChannels, fans(shape).fanIn)) : null;
  }
  /** x [N, inChannels, H, W] -> [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.opts);
  }
}
