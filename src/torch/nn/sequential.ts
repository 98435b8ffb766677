// Sequential containers and the small building blocks used inside them: activation layers, Flatten, and an MLP
// (Linear -> activation -> ... -> Linear) with PyTorch-style child names ("0", "1", ...).
import type { Tensor } from '../tensor.ts';
import { relu, gelu, silu, tanh } from '../ops/arithmetic.ts';
import { flatten } from '../ops/shape.ts';
import { Module } from './module.ts';
import { Linear } from './linear.ts';
import { Dropout } from './dropout.ts';

/** Anything with forward(x) -> y: a layer Sequential can hold. */
export interface Layer { forward(x: Tensor): Tensor }
export type LayerModule = Module & Layer;

/** Applies its children in order; intermediate tensors are freed as soon as the next one exists. */
export class Sequential extends Module {
  readonly layers: LayerModule[];
  constructor(...layers: LayerModule[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.child(String(i), l));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    for (const l of this.layers) {
      const next = l.forward(y);
      if (y !== x) y.dispose(); // autograd keeps what it needs; our handle is no longer used
      y = next;
    }
    return y === x ? x.reshape(...x.shape) : y; // always a new handle the caller owns
  }
}

export type ActivationName = 'relu' | 'gelu' | 'gelu_tanh' | 'silu' | 'tanh';
export function activation(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'relu': return relu(x);
    case 'gelu': return gelu(x);
    case 'gelu_tanh': return gelu(x, 'tanh');
    case 'silu': return silu(x);
    case 'tanh': return tanh(x);
  }
}

/** An activation function as a parameter-free layer. */
export class Activation extends Module {
  constructor(readonly fn: ActivationName) { super(); }
  forward(x: Tensor): Tensor { return activation(this.fn, x); }
}
export const ReLU = () => new Activation('relu');
export const GELU = () => new Activation('gelu');
export const SiLU = () => new Activation('silu');

/** Flattens dims start..end (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly start = 1, readonly end = -1) { super(); }
  forward(x: Tensor): Tensor { return flatten(x, this.start, this.end); }
}

export interface MLPOptions {
  activation?: ActivationName; // default 'relu'
  dropout?: number;            // default 0: none
}

/** sizes = [in, hidden..., out]: Linear layers with an activation (and optional dropout) between them. */
export class MLP extends Sequential {
  constructor(sizes: number[], opts: MLPOptions = {}) {
    if (sizes.length < 2) throw new RangeError(`MLP: sizes needs at least [in, out], got [${sizes.join(', ')}]`);
    const layers: LayerModule[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i]!, sizes[i + 1]!));
      if (i + 2 < sizes.length) {
        layers.push(new Activation(opts.activation ?? 'relu'));
        if (opts.dropout) layers.push(new Dropout(opts.dropout));
      }
    }
    super(...layers);
  }
}
