// LayerNorm over the trailing dims, PyTorch's names (weight = gamma, bias = beta) and defaults.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { layerNorm } from '../ops/nn.ts';
import { Module } from './module.ts';
import { ones, zeros } from './init.ts';
import { parseOptions } from './options.ts';

export const LayerNormOptions = z.strictObject({
  eps: z.number().positive().default(1e-5),
  elementwiseAffine: z.boolean().default(true), // learned weight (ones) and bias (zeros)
  bias: z.boolean().default(true),              // false keeps the weight only (PyTorch >= 2.1's bias=False)
});
export type LayerNormOptions = z.input<typeof LayerNormOptions>;
/** @deprecated the LayerNorm options; GroupNorm has its own (GroupNormOptions). */
export type NormOptions = LayerNormOptions;

export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly shape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    this.shape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    if (!this.shape.every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`LayerNorm: normalizedShape must be positive integers, got [${this.shape.join(', ')}]`);
    const o = parseOptions(LayerNormOptions, options, 'LayerNorm');
    this.eps = o.eps;
    this.weight = o.elementwiseAffine ? this.param('weight', ones(this.shape)) : null;
    this.bias = o.elementwiseAffine && o.bias ? this.param('bias', zeros(this.shape)) : null;
  }
  /** x [..., *normalizedShape] -> same shape. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.shape, this.weight, this.bias, this.eps);
  }
}
