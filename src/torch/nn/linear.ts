// Linear: y = x W^T + b, weight [out, in] and bias [out] named as in PyTorch.
import type { Tensor } from '../tensor.ts';
import { linear } from '../ops/linalg.ts';
import { Module } from './module.ts';
import { kaimingUniform, biasUniform } from './init.ts';

export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new RangeError(`Linear: inFeatures and outFeatures must be positive integers, got ${inFeatures} and ${outFeatures}`);
    }
    this.weight = this.param('weight', kaimingUniform([outFeatures, inFeatures]));
    this.bias = opts.bias ?? true ? this.param('bias', biasUniform(outFeatures, inFeatures)) : null;
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
