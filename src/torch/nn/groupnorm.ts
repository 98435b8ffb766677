// GroupNorm over channel groups of [N, C, ...], PyTorch's names (weight, bias: per channel) and defaults.
import type { Tensor } from '../tensor.ts';
import { groupNorm } from '../ops/nn.ts';
import { Module } from './module.ts';
import { ones, zeros } from './init.ts';

export interface GroupNormOptions {
  eps?: number;     // default 1e-5
  affine?: boolean; // default true: learned per-channel weight (ones) and bias (zeros)
  /** Accepted as a synonym of affine (the name LayerNorm uses). */
  elementwiseAffine?: boolean;
}

export class GroupNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;
  constructor(readonly numGroups: number, readonly numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (!(Number.isInteger(numGroups) && numGroups > 0 && numChannels % numGroups === 0)) {
      throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', ones([numChannels])) : null;
    this.bias = affine ? this.param('bias', zeros([numChannels])) : null;
  }
  /** x [N, C, ...] -> same shape. */
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
