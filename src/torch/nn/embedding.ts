// Embedding: a [num, dim] table of learned vectors looked up by integer index; weight ~ N(0, 1) as in PyTorch.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { aten, wrap, h } from '../ops/call.ts';
import { noGrad } from '../autograd.ts';
import { Module } from './module.ts';
import { normal } from './init.ts';
import { parseOptions } from './options.ts';

export const EmbeddingOptions = z.strictObject({
  /** A row that starts at zero and gets no gradient (PyTorch's padding_idx); default none. Negative counts from the end. */
  paddingIdx: z.number().int().optional(),
});
export type EmbeddingOptions = z.input<typeof EmbeddingOptions>;

const EMBEDDING = aten('embedding'); // (weight, indices, padding_idx, scale_grad_by_freq, sparse)

export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    if (!(Number.isInteger(numEmbeddings) && numEmbeddings > 0 && Number.isInteger(embeddingDim) && embeddingDim > 0)) {
      throw new RangeError(`Embedding: numEmbeddings and embeddingDim must be positive integers, got ${numEmbeddings} and ${embeddingDim}`);
    }
    const p = parseOptions(EmbeddingOptions, options, 'Embedding').paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings)) {
      throw new RangeError(`Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${p}`);
    }
    this.paddingIdx = p === undefined ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = this.param('weight', normal([numEmbeddings, embeddingDim]));
    if (this.paddingIdx !== null) noGrad(() => { const row = this.weight.select(0, this.paddingIdx!); row.zero_(); row.dispose(); });
  }
  /** indices: int64 of any shape -> [...shape, dim]. */
  forward(indices: Tensor): Tensor {
    return wrap(EMBEDDING([h(this.weight, 'Embedding weight'), h(indices, 'Embedding indices'), this.paddingIdx ?? -1, false, false]));
  }
}
