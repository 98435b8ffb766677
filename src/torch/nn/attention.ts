// MultiheadAttention with PyTorch's parameter layout (in_proj_weight [3E, E], in_proj_bias [3E], out_proj.weight,
// out_proj.bias), so PyTorch state dicts load key for key. Inputs are batch-first [B, L, E].
import type { Tensor } from '../tensor.ts';
import { linear } from '../ops/linalg.ts';
import { scaledDotProductAttention } from '../ops/nn.ts';
import { logicalNot, logicalAnd } from '../ops/arithmetic.ts';
import { Module } from './module.ts';
import { noGrad } from '../autograd.ts';
import { Linear } from './linear.ts';
import { xavierUniform, zeros } from './init.ts';

export interface MultiheadAttentionOptions {
  dropout?: number; // attention-weight dropout while training, default 0
  bias?: boolean;   // default true
}

export interface AttentionMasks {
  /** [Lq, Lk] or [B*heads... broadcastable]: boolean true = may attend, or additive float (-inf blocks). */
  attnMask?: Tensor | null;
  /** [B, Lk] boolean, true = padding (ignored), as in PyTorch's key_padding_mask. */
  keyPaddingMask?: Tensor | null;
}

export class MultiheadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;
  readonly headDim: number;
  constructor(readonly embedDim: number, readonly numHeads: number, readonly opts: MultiheadAttentionOptions = {}) {
    super();
    if (embedDim % numHeads !== 0) throw new RangeError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.headDim = embedDim / numHeads;
    this.inProjWeight = this.param('in_proj_weight', xavierUniform([3 * embedDim, embedDim]));
    this.inProjBias = opts.bias ?? true ? this.param('in_proj_bias', zeros([3 * embedDim])) : null;
    this.outProj = this.child('out_proj', new Linear(embedDim, embedDim, { bias: opts.bias ?? true }));
    if (this.outProj.bias) noGrad(() => this.outProj.bias!.zero_()); // PyTorch starts out_proj.bias at 0
  }

  /** Self-attention when key/value are omitted. q: [B, Lq, E], k/v: [B, Lk, E] -> [B, Lq, E]. */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, masks: AttentionMasks = {}): Tensor {
    const [B, Lq, E] = query.shape as [number, number, number];
    const Lk = key.size(1);
    const H = this.numHeads, D = this.headDim;
    const heads = (x: Tensor, L: number) => {
      const r = x.reshape(B, L, H, D); // (B, L, H, D)
      const t = r.transpose(1, 2); // (B, H, L, D)
      r.dispose();
      return t;
    };
    let q: Tensor, k: Tensor, v: Tensor;
    if (query === key && key === value) {
      const qkv = linear(query, this.inProjWeight, this.inProjBias); // (B, L, 3E)
      [q, k, v] = qkv.chunk(3, -1).map((t) => { const hh = heads(t, Lq); t.dispose(); return hh; }) as [Tensor, Tensor, Tensor];
      qkv.dispose();
    } else {
      const [wq, wk, wv] = this.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
      const [bq, bk, bv] = this.inProjBias ? (this.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
      const pq = linear(query, wq, bq), pk = linear(key, wk, bk), pv = linear(value, wv, bv);
      q = heads(pq, Lq); k = heads(pk, Lk); v = heads(pv, Lk);
      for (const t of [wq, wk, wv, bq, bk, bv, pq, pk, pv]) t?.dispose();
    }
    const mask = this.combineMasks(masks, B, Lk);
    const attn = scaledDotProductAttention(q, k, v, mask, this.opts.dropout ?? 0, this.training); // (B, H, Lq, D)
    for (const t of [q, k, v, mask]) t?.dispose();
    const merged = attn.transpose(1, 2); // (B, Lq, H, D)
    const flat = merged.reshape(B, Lq, E); // (B, Lq, E)
    attn.dispose(); merged.dispose();
    const out = this.outProj.forward(flat);
    flat.dispose();
    return out;
  }

  /** One mask broadcastable to (B, H, Lq, Lk): boolean "may attend", or additive float. */
  private combineMasks(m: AttentionMasks, B: number, Lk: number): Tensor | null {
    const pad = m.keyPaddingMask;
    if (!pad) return m.attnMask ? m.attnMask.reshape(...m.attnMask.shape) : null; // a new handle; broadcasts over (B, H)
    if (pad.dtype !== 'bool') throw new TypeError('MultiheadAttention: keyPaddingMask must be a bool tensor (true = padding)');
    const keep = logicalNot(pad).reshape(B, 1, 1, Lk); // (B, 1, 1, Lk) true = may attend
    if (!m.attnMask) return keep;
    if (m.attnMask.dtype !== 'bool') {
      const add = keep.logicalNot().to('float32').mul(-1e9); // (B, 1, 1, Lk)
      const out = add.add(m.attnMask);
      keep.dispose(); add.dispose();
      return out;
    }
    const out = logicalAnd(keep, m.attnMask);
    keep.dispose();
    return out;
  }
}
