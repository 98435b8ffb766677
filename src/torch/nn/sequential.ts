// Sequential: applies its children in order, named "0", "1", ... as PyTorch's nn.Sequential (so "0.weight" etc.).
import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';

/** Anything with forward(x) -> y: a layer Sequential can hold. */
export interface Layer { forward(x: Tensor): Tensor }
export type LayerModule = Module & Layer;

export class Sequential extends Module {
  readonly layers: LayerModule[];
  constructor(...layers: LayerModule[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.child(String(i), l));
  }
  /** Intermediate tensors are freed as soon as the next one exists (autograd keeps what it needs). */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const l of this.layers) {
      const next = l.forward(y);
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y === x ? x.reshape(...x.shape) : y; // always a new handle the caller owns
  }
}
