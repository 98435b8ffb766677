// GroupNorm over channel groups of [N, C, ...], PyTorch's names (weight, bias: per channel) and defaults.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { groupNorm } from '../ops/nn.ts';
import { Module } from './module.ts';
import { ones, zeros } from './init.ts';
import { parseOptions } from './options.ts';

export const GroupNormOptions = z.strictObject({
  eps: z.number().positive().default(1e-5),
  affine: z.boolean().default(true), // learned per-channel weight (ones) and bias (zeros)
});
export type GroupNormOptions = z.input<typeof GroupNormOptions>;

export class GroupNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;
  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    if (!(Number.isInteger(numGroups) && numGroups > 0 && numChannels % numGroups === 0)) {
      throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    const o = parseOptions(GroupNormOptions, options, 'GroupNorm');
    this.eps = o.eps;
    const affine = o.affine;
    this.weight = affine ? this.param('weight', ones([numChannels])) : null;
    this.bias = affine ? this.param('bias', zeros([numChannels])) : null;
  }
  /** x [N, C, ...] -> same shape. */
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
