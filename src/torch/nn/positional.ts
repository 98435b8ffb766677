// Position embeddings added to token sequences [B, L, E]: learned (a parameter "weight" [maxLen, E]) or the fixed
// sinusoidal table of "Attention Is All You Need" (a buffer "pe").
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { tensor } from '../ops/creation.ts';
import { narrow } from '../ops/shape.ts';
import { Module } from './module.ts';
import { normal } from './init.ts';
import { parseOptions } from './options.ts';

export const LearnedPositionalEmbeddingOptions = z.strictObject({
  std: z.number().positive().default(0.02), // weight ~ N(0, std^2), as GPT-2 / nanoGPT's wpe
});
export type LearnedPositionalEmbeddingOptions = z.input<typeof LearnedPositionalEmbeddingOptions>;
const Sizes = z.tuple([z.number().int().positive(), z.number().int().positive()]);
const checkSizes = (where: string, maxLen: number, dim: number) => {
  if (!Sizes.safeParse([maxLen, dim]).success) throw new RangeError(`${where}: maxLen and dim must be positive integers, got ${maxLen} and ${dim}`);
};

export class LearnedPositionalEmbedding extends Module {
  readonly weight: Tensor;
  constructor(readonly maxLen: number, readonly dim: number, options: LearnedPositionalEmbeddingOptions = {}) {
    super();
    checkSizes('LearnedPositionalEmbedding', maxLen, dim);
    const o = parseOptions(LearnedPositionalEmbeddingOptions, options, 'LearnedPositionalEmbedding');
    this.weight = this.param('weight', normal([maxLen, dim], o.std));
  }
  /** x [B, L, E] -> x + weight[:L]. */
  forward(x: Tensor): Tensor {
    return addPositions(x, this.weight, this.maxLen);
  }
}

export function sinusoidalTable(maxLen: number, dim: number): Float32Array {
  const pe = new Float32Array(maxLen * dim);
  for (let pos = 0; pos < maxLen; pos++) {
    for (let i = 0; i < dim; i += 2) {
      const freq = Math.exp((-Math.log(10000) * i) / dim);
      pe[pos * dim + i] = Math.sin(pos * freq);
      if (i + 1 < dim) pe[pos * dim + i + 1] = Math.cos(pos * freq);
    }
  }
  return pe;
}

export class SinusoidalPositionalEmbedding extends Module {
  readonly pe: Tensor;
  constructor(readonly maxLen: number, readonly dim: number) {
    super();
    checkSizes('SinusoidalPositionalEmbedding', maxLen, dim);
    this.pe = this.buffer('pe', tensor(sinusoidalTable(maxLen, dim), { shape: [maxLen, dim] }));
  }
  forward(x: Tensor): Tensor {
    return addPositions(x, this.pe, this.maxLen);
  }
}

function addPositions(x: Tensor, table: Tensor, maxLen: number): Tensor {
  const L = x.size(1);
  if (L > maxLen) throw new RangeError(`positional embedding: sequence length ${L} exceeds maxLen ${maxLen}`);
  const rows = narrow(table, 0, 0, L); // (L, E)
  const out = x.add(rows); // broadcasts over B
  rows.dispose();
  return out;
}
