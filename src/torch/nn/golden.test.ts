// Golden tests against Python PyTorch: golden/golden.safetensors holds PyTorch modules' state dicts (under PyTorch's
// key names), inputs and outputs, and optimizer steps, made by golden/gen_golden.py. Our modules load each state
// dict strictly and must reproduce the outputs; our optimizers must reproduce the steps.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as torch from '../index.ts';

const { nn, optim, F } = torch;
const file = loadGolden();
afterAll(() => { for (const t of file.tensors.values()) t.dispose(); });

function loadGolden() {
  return torch.loadSafetensors(fileURLToPath(new URL('./golden/golden.safetensors', import.meta.url)));
}
const g = (name: string): torch.Tensor => {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`golden.safetensors has no '${name}'`);
  return t;
};
/** The state dict stored under `prefix.` with the prefix removed. */
const stateOf = (prefix: string) =>
  new Map([...file.tensors].filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));
/** Largest absolute difference between two tensors of the same shape. */
const maxDiff = (a: torch.Tensor, b: torch.Tensor): number => {
  expect(a.shape).toEqual(b.shape);
  return torch.tidy(() => a.sub(b).abs().max().item());
};
const check = (m: torch.nn.Module, prefix: string, run: () => torch.Tensor, want: string, tol = 1e-5) => {
  m.loadStateDict(stateOf(prefix)); // strict: every PyTorch key must map onto ours
  const y = torch.noGrad(run);
  expect(maxDiff(y, g(want))).toBeLessThanOrEqual(tol);
  y.dispose();
  m.dispose();
};

describe('modules reproduce PyTorch 1.13 outputs from PyTorch state dicts', () => {
  it('file metadata names its generator', () => {
    expect(file.metadata.generator).toBe('src/torch/nn/golden/gen_golden.py');
  });
  it('Linear, Conv2d (stride, padding, groups), LayerNorm, GroupNorm, Embedding', () => {
    const lin = new nn.Linear(5, 3);
    check(lin, 'linear', () => lin.forward(g('linear:x')), 'linear:y');
    const conv = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
    check(conv, 'conv', () => conv.forward(g('conv:x')), 'conv:y');
    const ln = new nn.LayerNorm(6);
    check(ln, 'layernorm', () => ln.forward(g('layernorm:x')), 'layernorm:y');
    const gn = new nn.GroupNorm(2, 6);
    check(gn, 'groupnorm', () => gn.forward(g('groupnorm:x')), 'groupnorm:y');
    const emb = new nn.Embedding(10, 4);
    check(emb, 'embedding', () => emb.forward(g('embedding:x')), 'embedding:y', 0);
  });
  it('MultiheadAttention: plain, boolean causal + key padding masks, cross-attention with a float mask', () => {
    const x = g('mha:x'), kv = g('mha:kv');
    for (const [run, want] of [
      [(m: torch.nn.MultiheadAttention) => m.forward(x), 'mha:y_self'],
      [(m: torch.nn.MultiheadAttention) => m.forward(x, x, x, { attnMask: g('mha:causal'), keyPaddingMask: g('mha:pad') }), 'mha:y_masked'],
      [(m: torch.nn.MultiheadAttention) => m.forward(x, kv, kv, { attnMask: g('mha:fmask') }), 'mha:y_cross'],
    ] as const) {
      const mha = new nn.MultiheadAttention(8, 2);
      check(mha, 'mha', () => run(mha), want);
    }
  });
  it('pre-norm TransformerEncoder (2 layers, final norm, GELU, masks) and a post-norm layer', () => {
    const x = g('mha:x');
    const enc = new nn.TransformerEncoder(
      () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: 'gelu' }), 2, { finalNorm: true });
    check(enc, 'encoder', () => enc.forward(x, { attnMask: g('mha:causal'), keyPaddingMask: g('mha:pad') }), 'encoder:y');
    const post = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, normFirst: false });
    check(post, 'postnorm', () => post.forward(x), 'postnorm:y');
  });
});

describe('a nanoGPT checkpoint loads key for key', () => {
  // karpathy/nanoGPT's module tree built from our layers: the same names, lm_head tied to wte, causal attention.
  const V = 13, T = 8, E = 16, H = 2;
  class CausalSelfAttention extends nn.Module {
    c_attn = this.child('c_attn', new nn.Linear(E, 3 * E));
    c_proj = this.child('c_proj', new nn.Linear(E, E));
    forward(x: torch.Tensor): torch.Tensor {
      return torch.tidy(() => {
        const [B, L] = x.shape as [number, number];
        const [q, k, v] = this.c_attn.forward(x).split(E, 2).map((t) => t.reshape(B, L, H, E / H).transpose(1, 2)) as torch.Tensor[]; // (B, H, L, hs)
        const causal = torch.tril(torch.ones([L, L])).bool(); // true = may attend (scaledDotProductAttention's convention)
        const y = F.scaledDotProductAttention(q!, k!, v!, causal).transpose(1, 2).reshape(B, L, E); // (B, L, E)
        return this.c_proj.forward(y);
      });
    }
  }
  class MLP extends nn.Module {
    c_fc = this.child('c_fc', new nn.Linear(E, 4 * E));
    c_proj = this.child('c_proj', new nn.Linear(4 * E, E));
    forward(x: torch.Tensor): torch.Tensor { return torch.tidy(() => this.c_proj.forward(torch.gelu(this.c_fc.forward(x)))); }
  }
  class Block extends nn.Module {
    ln_1 = this.child('ln_1', new nn.LayerNorm(E));
    attn = this.child('attn', new CausalSelfAttention());
    ln_2 = this.child('ln_2', new nn.LayerNorm(E));
    mlp = this.child('mlp', new MLP());
    forward(x: torch.Tensor): torch.Tensor {
      return torch.tidy(() => { const h = x.add(this.attn.forward(this.ln_1.forward(x))); return h.add(this.mlp.forward(this.ln_2.forward(h))); });
    }
  }
  class GPT extends nn.Module {
    transformer = this.child('transformer', new (class extends nn.Module {
      wte = this.child('wte', new nn.Embedding(V, E));
      wpe = this.child('wpe', new nn.Embedding(T, E));
      h = this.child('h', new nn.ModuleList([new Block(), new Block()]));
      ln_f = this.child('ln_f', new nn.LayerNorm(E));
    })());
    lm_head = this.child('lm_head', new nn.Linear(E, V, { bias: false }));
    constructor() { super(); this.transformer.wte.tieParameter('weight', this.lm_head.weight); }
    forward(idx: torch.Tensor): torch.Tensor {
      return torch.tidy(() => {
        const t = this.transformer;
        let x = t.wte.forward(idx).add(t.wpe.forward(torch.arange(idx.size(1)))); // (B, L, E)
        for (const b of t.h) x = b.forward(x);
        return this.lm_head.forward(t.ln_f.forward(x)); // (B, L, V)
      });
    }
  }
  it('same keys as the PyTorch model, one shared tensor for wte and lm_head, same logits', () => {
    const gpt = new GPT();
    const sd = stateOf('gpt');
    expect([...sd.keys()].sort()).toEqual([...gpt.stateDict().keys()].sort());
    gpt.loadStateDict(sd);
    expect(gpt.transformer.wte.weight).toBe(gpt.lm_head.weight);
    expect(gpt.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight'); // listed once, as PyTorch does
    const logits = torch.noGrad(() => gpt.forward(g('gpt:idx')));
    expect(maxDiff(logits, g('gpt:logits'))).toBeLessThan(1e-5);
    logits.dispose();
    gpt.dispose();
  });
});

describe('optimizers reproduce torch.optim', () => {
  const steps = (opt: (p: torch.Tensor) => torch.optim.Optimizer, name: string) => {
    const p = torch.keep(g('optim:p0').clone()).requiresGrad_();
    const o = opt(p);
    const grads = torch.unbind(g('optim:grads'), 0);
    grads.forEach((gr, s) => {
      p.grad = gr;
      o.step();
      expect(maxDiff(p, g(`optim:${name}_${s + 1}`)), `step ${s + 1}`).toBeLessThan(1e-6);
    });
    return { p, o };
  };
  it('AdamW: three steps and its state', () => {
    const { p, o } = steps((p) => new optim.AdamW([p], { lr: 0.01, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }), 'adamw');
    const sd = o.stateDict();
    expect(maxDiff(sd.get('0.exp_avg')!, g('optim:adamw_exp_avg'))).toBeLessThan(1e-7);
    expect(maxDiff(sd.get('0.exp_avg_sq')!, g('optim:adamw_exp_avg_sq'))).toBeLessThan(1e-7);
    o.dispose(); p.dispose();
  });
  it('SGD with Nesterov momentum and weight decay: three steps', () => {
    const { p, o } = steps((p) => new optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), 'sgd');
    o.dispose(); p.dispose();
  });
  it('clipGradNorm returns the total norm and scales gradients as clip_grad_norm_', () => {
    const a = torch.keep(torch.zeros([3])).requiresGrad_(), b = torch.keep(torch.zeros([2, 2])).requiresGrad_();
    a.grad = g('clip:a'); b.grad = g('clip:b');
    expect(optim.clipGradNorm([a, b], 0.5)).toBeCloseTo(g('clip:total').item(), 5);
    expect(maxDiff(a.grad!, g('clip:a_after'))).toBeLessThan(1e-6);
    expect(maxDiff(b.grad!, g('clip:b_after'))).toBeLessThan(1e-6);
    a.dispose(); b.dispose();
  });
});
