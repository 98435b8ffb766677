// MultiheadAttention with PyTorch's parameter layout (in_proj_weight [3E, E] = q, k, v stacked, in_proj_bias [3E],
// out_proj.weight, out_proj.bias) and PyTorch's mask conventions, so PyTorch state dicts and masks carry over as is.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { linear } from '../ops/linalg.ts';
import { scaledDotProductAttention } from '../ops/nn.ts';
import { logicalNot, logicalOr, maskedFill } from '../ops/arithmetic.ts';
import { zeros as zerosOf } from '../ops/creation.ts';
import { tidy } from '../scope.ts';
import { Module } from './module.ts';
import { noGrad } from '../autograd.ts';
import { Linear } from './linear.ts';
import { xavierUniform, zeros } from './init.ts';
import { parseOptions } from './options.ts';

export const MultiheadAttentionOptions = z.strictObject({
  /** Dropout on the attention weights while training (default 0). */
  dropout: z.number().min(0).lt(1).default(0),
  /** Biases on the input and output projections (default true). */
  bias: z.boolean().default(true),
  /** Inputs and output are [B, L, E] (default true, as everywhere in Karakuri; PyTorch's default is false: [L, B, E]). */
  batchFirst: z.boolean().default(true),
});
export type MultiheadAttentionOptions = z.input<typeof MultiheadAttentionOptions>;

/** Masks as PyTorch's nn.MultiheadAttention takes them. */
export interface AttentionMasks {
  /**
   * [Lq, Lk] or [B * heads, Lq, Lk]. Boolean: true = may NOT attend (PyTorch's convention for this module), or a
   * float mask added to the attention scores (-inf blocks).
   */
  attnMask?: Tensor | null;
  /** [B, Lk]. Boolean: true = padding, ignored as a key; or a float mask added to the scores. */
  keyPaddingMask?: Tensor | null;
}

export class MultiheadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    if (!(Number.isInteger(numHeads) && numHeads > 0 && embedDim % numHeads === 0)) {
      throw new RangeError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    }
    const o = parseOptions(MultiheadAttentionOptions, options, 'MultiheadAttention');
    this.dropoutP = o.dropout;
    this.batchFirst = o.batchFirst;
    this.headDim = embedDim / numHeads;
    const bias = o.bias;
    // PyTorch's draw order: out_proj is built (and initialised as a Linear) first, then in_proj_weight gets xavier
    this.outProj = this.child('out_proj', new Linear(embedDim, embedDim, { bias }));
    this.inProjWeight = this.param('in_proj_weight', xavierUniform([3 * embedDim, embedDim]));
    this.inProjBias = bias ? this.param('in_proj_bias', zeros([3 * embedDim])) : null;
    if (this.outProj.bias) noGrad(() => this.outProj.bias!.zero_()); // PyTorch starts out_proj.bias at 0
  }

  /** Self-attention when key/value are omitted. q: [B, Lq, E], k/v: [B, Lk, E] -> [B, Lq, E] (batch-first). */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, masks: AttentionMasks = {}): Tensor {
    const self = query === key && key === value;
    if (!this.batchFirst) {
      return tidy(() => {
        const q = query.transpose(0, 1); // (B, Lq, E)
        const k = self ? q : key.transpose(0, 1); // (B, Lk, E)
        const v = self ? q : value.transpose(0, 1); // (B, Lk, E)
        return this.attend(q, k, v, self, masks).transpose(0, 1); // (Lq, B, E)
      });
    }
    return this.attend(query, key, value, self, masks);
  }

  /** Batch-first attention. Intermediates are freed as soon as they are used (see TransformerEncoderLayer). */
  private attend(query: Tensor, key: Tensor, value: Tensor, self: boolean, masks: AttentionMasks): Tensor {
    const [B, Lq, E] = query.shape as [number, number, number];
    if (E !== this.embedDim) throw new RangeError(`MultiheadAttention: query has ${E} features, expected ${this.embedDim}`);
    const Lk = key.size(1);
    const H = this.numHeads, D = this.headDim;
    const heads = (x: Tensor, L: number) => {
      const r = x.reshape(B, L, H, D); // (B, L, H, D)
      x.dispose();
      const t = r.transpose(1, 2); // (B, H, L, D)
      r.dispose();
      return t;
    };
    let q: Tensor, k: Tensor, v: Tensor;
    if (self) {
      const qkv = linear(query, this.inProjWeight, this.inProjBias); // (B, L, 3E)
      [q, k, v] = qkv.chunk(3, -1).map((t) => heads(t, Lq)) as [Tensor, Tensor, Tensor];
      qkv.dispose();
    } else {
      const [wq, wk, wv] = this.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
      const [bq, bk, bv] = this.inProjBias ? (this.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
      q = heads(linear(query, wq, bq), Lq);
      k = heads(linear(key, wk, bk), Lk);
      v = heads(linear(value, wv, bv), Lk);
      for (const t of [wq, wk, wv, bq, bk, bv]) t?.dispose();
    }
    const mask = tidy(() => this.combineMasks(masks, B, Lq, Lk));
    const attn = scaledDotProductAttention(q, k, v, mask, this.dropoutP, this.training); // (B, H, Lq, D)
    for (const t of [q, k, v, mask]) t?.dispose();
    const merged = attn.transpose(1, 2); // (B, Lq, H, D)
    attn.dispose();
    const flat = merged.reshape(B, Lq, E); // (B, Lq, E)
    merged.dispose();
    const out = this.outProj.forward(flat); // (B, Lq, E)
    flat.dispose();
    return out;
  }

  /**
   * One mask broadcastable to (B, H, Lq, Lk) in scaledDotProductAttention's terms: boolean true = may attend, or an
   * additive float mask. Called inside a tidy (its temporaries are freed there).
   */
  private combineMasks(m: AttentionMasks, B: number, Lq: number, Lk: number): Tensor | null {
    const H = this.numHeads;
    let attn: Tensor | null = null;
    if (m.attnMask) {
      const s = m.attnMask.shape;
      if (s.length === 2 && s[0] === Lq && s[1] === Lk) attn = m.attnMask.reshape(1, 1, Lq, Lk); // (1, 1, Lq, Lk)
      else if (s.length === 3 && s[0] === B * H && s[1] === Lq && s[2] === Lk) attn = m.attnMask.reshape(B, H, Lq, Lk); // (B, H, Lq, Lk)
      else throw new RangeError(`MultiheadAttention: attnMask shape [${s.join(', ')}] must be [${Lq}, ${Lk}] or [${B * H}, ${Lq}, ${Lk}]`);
    }
    let pad: Tensor | null = null;
    if (m.keyPaddingMask) {
      const s = m.keyPaddingMask.shape;
      if (!(s.length === 2 && s[0] === B && s[1] === Lk)) throw new RangeError(`MultiheadAttention: keyPaddingMask shape [${s.join(', ')}] must be [${B}, ${Lk}]`);
      pad = m.keyPaddingMask.reshape(B, 1, 1, Lk); // (B, 1, 1, Lk)
    }
    const masks = [attn, pad].filter((t): t is Tensor => t !== null);
    if (masks.length === 0) return null;
    if (masks.every((t) => t.dtype === 'bool')) {
      const blocked = masks.length === 2 ? logicalOr(masks[0]!, masks[1]!) : masks[0]!;
      return logicalNot(blocked); // true = may attend
    }
    // at least one float mask: turn boolean ones into 0 / -inf and add them up
    const additive = masks.map((t) => (t.dtype === 'bool' ? maskedFill(zerosOf(t.shape), t, -Infinity) : t));
    return additive.length === 2 ? additive[0]!.add(additive[1]!) : additive[0]!;
  }
}
