// Embedding: a [num, dim] table of learned vectors looked up by integer index (weight ~ N(0, 1) as in PyTorch).
import type { Tensor } from '../tensor.ts';
import { embedding } from '../ops/nn.ts';
import { Module } from './module.ts';
import { normal } from './init.ts';

export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    this.weight = this.param('weight', normal([numEmbeddings, embeddingDim]));
  }
  /** indices: int64 of any shape -> [...shape, dim]. */
  forward(indices: Tensor): Tensor {
    return embedding(this.weight, indices);
  }
}
