// Dropout: zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity in eval mode.
import type { Tensor } from '../tensor.ts';
import { dropout } from '../ops/nn.ts';
import { Module } from './module.ts';
import { view } from '../ops/shape.ts';

export class Dropout extends Module {
  /** p: the probability of zeroing an element, in [0, 1) (default 0.5, as PyTorch). */
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, true) : view(x, x.shape); // a new handle on the same data
  }
}
