// Linear: y = x W^T + b, weight [out, in] and bias [out] named and initialised as in PyTorch.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { linear } from '../ops/linalg.ts';
import { Module } from './module.ts';
import { kaimingUniform, biasUniform } from './init.ts';
import { parseOptions } from './options.ts';

export const LinearOptions = z.strictObject({
  /** Add a learned bias (default true). */
  bias: z.boolean().default(true),
});
export type LinearOptions = z.input<typeof LinearOptions>;

const Features = z.tuple([z.number().int().positive(), z.number().int().positive()]);

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    if (!Features.safeParse([inFeatures, outFeatures]).success) {
      throw new RangeError(`Linear: inFeatures and outFeatures must be positive integers, got ${inFeatures} and ${outFeatures}`);
    }
    const o = parseOptions(LinearOptions, options, 'Linear');
    this.weight = this.param('weight', kaimingUniform([outFeatures, inFeatures])); // U(+-1/sqrt(in))
    this.bias = o.bias ? this.param('bias', biasUniform(outFeatures, inFeatures)) : null;
  }
  /** x [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
