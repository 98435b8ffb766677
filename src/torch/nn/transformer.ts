// Transformer encoder: pre-norm layers (PyTorch's norm_first=True) with PyTorch's key names (self_attn, linear1,
// linear2, norm1, norm2; layers.N in the stack), batch-first [B, L, E].
import type { Tensor } from '../tensor.ts';
import { Module } from './module.ts';
import { Linear } from './linear.ts';
import { LayerNorm } from './norm.ts';
import { Dropout } from './dropout.ts';
import { MultiheadAttention, type AttentionMasks } from './attention.ts';
import { activation, type ActivationName } from './sequential.ts';

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;    // default 4 * dModel
  dropout?: number;           // default 0.1 (as PyTorch)
  activation?: ActivationName; // default 'gelu'
  layerNormEps?: number;      // default 1e-5
}

/** x + attn(norm1(x)); x + mlp(norm2(x)). */
export class TransformerEncoderLayer extends Module {
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout: Dropout;
  readonly act: ActivationName;
  constructor(readonly dModel: number, readonly nHead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const ff = opts.dimFeedforward ?? 4 * dModel;
    const p = opts.dropout ?? 0.1;
    this.selfAttn = this.child('self_attn', new MultiheadAttention(dModel, nHead, { dropout: p }));
    this.linear1 = this.child('linear1', new Linear(dModel, ff));
    this.linear2 = this.child('linear2', new Linear(ff, dModel));
    this.norm1 = this.child('norm1', new LayerNorm(dModel, { eps: opts.layerNormEps }));
    this.norm2 = this.child('norm2', new LayerNorm(dModel, { eps: opts.layerNormEps }));
    this.dropout = this.child('dropout', new Dropout(p));
    this.act = opts.activation ?? 'gelu';
  }

  forward(x: Tensor, masks: AttentionMasks = {}): Tensor {
    const n1 = this.norm1.forward(x);
    const a = this.selfAttn.forward(n1, n1, n1, masks); // (B, L, E)
    const ad = this.dropout.forward(a);
    const h = x.add(ad);
    n1.dispose(); a.dispose(); ad.dispose();
    const n2 = this.norm2.forward(h);
    const f1 = this.linear1.forward(n2); // (B, L, ff)
    const f1a = activation(this.act, f1);
    const f1d = this.dropout.forward(f1a);
    const f2 = this.linear2.forward(f1d); // (B, L, E)
    const f2d = this.dropout.forward(f2);
    const out = h.add(f2d);
    for (const t of [n2, f1, f1a, f1d, f2, f2d, h]) t.dispose();
    return out;
  }
}

/** A stack of encoder layers ("layers.0", "layers.1", ...) with an optional final LayerNorm ("norm"). */
export class TransformerEncoder extends Module {
  readonly layers: TransformerEncoderLayer[];
  readonly norm: LayerNorm | null;
  constructor(make: () => TransformerEncoderLayer, numLayers: number, opts: { finalNorm?: boolean } = {}) {
    super();
    this.layers = Array.from({ length: numLayers }, make);
    const holder = this.child('layers', new LayerList(this.layers));
    void holder;
    this.norm = opts.finalNorm ? this.child('norm', new LayerNorm(this.layers[0]!.dModel)) : null;
  }
  forward(x: Tensor, masks: AttentionMasks = {}): Tensor {
    let y = x;
    for (const l of this.layers) {
      const next = l.forward(y, masks);
      if (y !== x) y.dispose();
      y = next;
    }
    if (this.norm) {
      const n = this.norm.forward(y);
      if (y !== x) y.dispose();
      y = n;
    }
    return y === x ? x.reshape(...x.shape) : y;
  }
}

/** Holds a list of modules under "0", "1", ... (PyTorch's ModuleList). */
export class LayerList<M extends Module> extends Module {
  constructor(readonly items: M[]) {
    super();
    items.forEach((m, i) => this.child(String(i), m));
  }
}
