// The instruction encoder of the Karakuri VLA: token embedding + learned positions + a small pre-norm
// TransformerEncoder (padding keys masked out) + a final LayerNorm, giving per-token features and their masked mean.
// Padding never changes the real tokens' outputs nor the pooled vector: it is masked as attention keys, zeroed in
// `tokens` and left out of the mean. `tokenTensors` turns the tokenizer's encodeBatch output into the input tensors.
import * as torch from '../../torch/index.ts';
import type { EncodedBatch } from './tokenizer.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

export interface TextEncoderOptions {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  maxTokens: number;
  /** Feed-forward width = ffMult * dim (default 2). */
  ffMult?: number;
  /** Dropout in the transformer layers while training (default 0). */
  dropout?: number;
}

export class TextEncoder extends nn.Module {
  readonly embed: torch.nn.Embedding;
  readonly pos: torch.nn.LearnedPositionalEmbedding;
  readonly encoder: torch.nn.TransformerEncoder;
  constructor(readonly o: TextEncoderOptions) {
    super();
    for (const k of ['vocab', 'dim', 'layers', 'heads', 'maxTokens'] as const) {
      if (!(Number.isInteger(o[k]) && o[k] > 0)) throw new RangeError(`TextEncoder: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (o.dim % o.heads !== 0) throw new RangeError(`TextEncoder: dim (${o.dim}) must be divisible by heads (${o.heads})`);
    this.embed = this.child('embed', new nn.Embedding(o.vocab, o.dim, { paddingIdx: 0 }));
    this.pos = this.child('pos', new nn.LearnedPositionalEmbedding(o.maxTokens, o.dim));
    const layer = () => new nn.TransformerEncoderLayer(o.dim, o.heads, { dimFeedforward: (o.ffMult ?? 2) * o.dim, dropout: o.dropout ?? 0, activation: 'gelu', normFirst: true });
    this.encoder = this.child('encoder', new nn.TransformerEncoder(layer, o.layers, { finalNorm: true }));
  }

  /**
   * ids int64 [B, L], mask bool [B, L] (true = real token), L <= maxTokens -> tokens [B, L, dim] (zero at padding),
   * pooled [B, dim] (mean over real tokens; zeros for a row without any).
   */
  forward(ids: Tensor, mask: Tensor): { tokens: Tensor; pooled: Tensor } {
    const [B, L] = ids.shape as [number, number];
    if (ids.ndim !== 2 || ids.dtype !== 'int64') throw new TypeError(`TextEncoder: ids must be int64 [B, L], got ${ids.dtype} [${ids.shape.join(', ')}]`);
    if (mask.dtype !== 'bool' || mask.shape.join(',') !== `${B},${L}`) throw new TypeError(`TextEncoder: mask must be bool [${B}, ${L}] like ids, got ${mask.dtype} [${mask.shape.join(', ')}]`);
    if (L > this.o.maxTokens) throw new RangeError(`TextEncoder: ${L} tokens exceed maxTokens ${this.o.maxTokens}`);
    return torch.tidy(() => {
      const x = this.pos.forward(this.embed.forward(ids)); // (B, L, dim)
      // key padding: true = ignore. A row with no real token keeps key 0 so that its softmax stays finite.
      const empty = mask.sum(1).eq(0).unsqueeze(1); // (B, 1)
      const first = torch.arange(0, L).eq(0).unsqueeze(0); // (1, L)
      const keyPaddingMask = torch.logicalAnd(mask.logicalNot(), torch.logicalAnd(empty, first).logicalNot()); // (B, L)
      const h = this.encoder.forward(x, { keyPaddingMask }); // (B, L, dim)
      const m = mask.unsqueeze(-1).float(); // (B, L, 1)
      const tokens = h.mul(m); // (B, L, dim)
      const pooled = tokens.sum(1).div(m.sum(1).clamp(1)); // (B, dim)
      return { tokens, pooled };
    });
  }
}

/** The tokenizer's batch as input tensors: tokens int64 [B, maxTokens], tokenMask bool [B, maxTokens]. */
export function tokenTensors(batch: Pick<EncodedBatch, 'ids' | 'mask'>, maxTokens: number): { tokens: Tensor; tokenMask: Tensor } {
  if (batch.ids.length !== batch.mask.length || batch.ids.length % maxTokens !== 0) {
    throw new RangeError(`tokenTensors: ids (${batch.ids.length}) and mask (${batch.mask.length}) must both hold B x ${maxTokens} values`);
  }
  const B = batch.ids.length / maxTokens;
  return torch.tidy(() => ({
    tokens: torch.tensor(batch.ids, { shape: [B, maxTokens] }), // (B, L) int64
    tokenMask: torch.tensor(batch.mask, { shape: [B, maxTokens] }).bool(), // (B, L) bool
  }));
}
