// Activation functions by name, and as parameter-free layers for Sequential (ReLU, GELU, SiLU, Tanh).
import type { Tensor } from '../tensor.ts';
import { relu, gelu, silu, tanh } from '../ops/arithmetic.ts';
import { Module } from './module.ts';

export const ACTIVATIONS = ['relu', 'gelu', 'gelu_tanh', 'silu', 'tanh'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Applies the activation `name` ('gelu' is exact erf GELU, 'gelu_tanh' its tanh approximation). */
export function activation(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'relu': return relu(x);
    case 'gelu': return gelu(x);
    case 'gelu_tanh': return gelu(x, 'tanh');
    case 'silu': return silu(x);
    case 'tanh': return tanh(x);
    default: throw unknown(name);
  }
}

/** An activation function as a layer (no parameters). */
export class Activation extends Module {
  constructor(readonly fn: ActivationName) {
    super();
    if (!ACTIVATIONS.includes(fn)) throw unknown(fn);
  }
  forward(x: Tensor): Tensor { return activation(this.fn, x); }
}
const unknown = (name: unknown) => new RangeError(`unknown activation '${String(name)}' (expected one of ${ACTIVATIONS.join(', ')})`);

export const ReLU = (): Activation => new Activation('relu');
export const GELU = (): Activation => new Activation('gelu');
export const SiLU = (): Activation => new Activation('silu');
export const Tanh = (): Activation => new Activation('tanh');
