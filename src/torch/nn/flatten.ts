// Flatten: merges dims start..end into one (default: everything but the batch dim), as PyTorch's nn.Flatten.
import type { Tensor } from '../tensor.ts';
import { flatten } from '../ops/shape.ts';
import { Module } from './module.ts';

export class Flatten extends Module {
  /** start (default 1) and end (default -1) are inclusive dims, negative counting from the end. */
  constructor(readonly start = 1, readonly end = -1) { super(); }
  forward(x: Tensor): Tensor { return flatten(x, this.start, this.end); } // (B, prod(dims start..end), ...)
}
