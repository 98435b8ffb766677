// Normalisation layers: LayerNorm over trailing dims and GroupNorm over channel groups, with PyTorch's
// parameter names (weight = gamma, bias = beta) and defaults (eps 1e-5, affine).
import type { Tensor } from '../tensor.ts';
import { layerNorm, groupNorm } from '../ops/nn.ts';
import { Module } from './module.ts';
import { ones, zeros } from './init.ts';

export interface NormOptions {
  eps?: number;               // default 1e-5
  elementwiseAffine?: boolean; // default true: learned weight and bias
}

export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly shape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | number[], opts: NormOptions = {}) {
    super();
    this.shape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', ones(this.shape)) : null;
    this.bias = affine ? this.param('bias', zeros(this.shape)) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.shape, this.weight, this.bias, this.eps);
  }
}

export class GroupNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;
  constructor(readonly numGroups: number, readonly numChannels: number, opts: NormOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', ones([numChannels])) : null;
    this.bias = affine ? this.param('bias', zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
