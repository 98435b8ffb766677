// nn modules: PyTorch parameter names and shapes, train/eval, state dicts (and their errors), attention masks.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';

const { nn, F } = torch;

describe('parameter names follow PyTorch', () => {
  it('transformer encoder layer and stack', () => {
    const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2, { finalNorm: true });
    const names = Object.fromEntries(enc.namedParameters().map(([n, p]) => [n, p.shape]));
    expect(names).toMatchObject({
      'layers.0.self_attn.in_proj_weight': [24, 8], 'layers.0.self_attn.in_proj_bias': [24],
      'layers.0.self_attn.out_proj.weight': [8, 8], 'layers.0.self_attn.out_proj.bias': [8],
      'layers.0.linear1.weight': [16, 8], 'layers.0.linear2.weight': [8, 16],
      'layers.0.norm1.weight': [8], 'layers.1.norm2.bias': [8], 'norm.weight': [8],
    });
    expect(enc.namedParameters()).toHaveLength(2 * 12 + 2);
    enc.dispose();
  });
  it('conv, norms, embedding, positional buffers', () => {
    expect(new nn.Conv2d(4, 8, 3, { groups: 2 }).weight.shape).toEqual([8, 2, 3, 3]);
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow(/divisible by groups/);
    expect(new nn.GroupNorm(2, 6).weight!.toNumbers()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new nn.Embedding(10, 4).weight.shape).toEqual([10, 4]);
    const pe = new nn.SinusoidalPositionalEmbedding(16, 4);
    expect(pe.namedParameters()).toHaveLength(0);
    expect(pe.namedBuffers().map(([n]) => n)).toEqual(['pe']);
    expect(pe.pe.toNumbers().slice(4, 6)[0]).toBeCloseTo(Math.sin(1), 6);
    expect(() => new nn.Linear(0, 3)).toThrow(/positive integers/);
  });
  it('initialisation follows PyTorch bounds and manualSeed', () => {
    torch.manualSeed(3);
    const a = new nn.Linear(100, 50);
    torch.manualSeed(3);
    const b = new nn.Linear(100, 50);
    expect(a.weight.toNumbers()).toEqual(b.weight.toNumbers());
    const w = a.weight.toNumbers();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(100) + 1e-7);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.09);
  });
  it('Conv2d and attention initialise within PyTorch bounds; a seeded transformer is reproducible', () => {
    torch.manualSeed(1);
    const c = new nn.Conv2d(4, 8, 3, { groups: 2 }); // fan_in = 4 / 2 * 3 * 3 = 18
    const cw = c.weight.toNumbers().map(Math.abs);
    expect(Math.max(...cw)).toBeLessThanOrEqual(1 / Math.sqrt(18) + 1e-7);
    expect(Math.max(...cw)).toBeGreaterThan(0.8 / Math.sqrt(18));
    const mha = new nn.MultiheadAttention(16, 4); // in_proj: xavier-uniform over [48, 16]; biases 0
    const bound = Math.sqrt(6 / (48 + 16));
    expect(Math.max(...mha.inProjWeight.toNumbers().map(Math.abs))).toBeLessThanOrEqual(bound + 1e-7);
    expect(Math.max(...mha.inProjWeight.toNumbers().map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(mha.inProjBias!.toNumbers().every((v) => v === 0) && mha.outProj.bias!.toNumbers().every((v) => v === 0)).toBe(true);
    const make = () => { torch.manualSeed(7); return new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2), 2); };
    const a = make(), b = make();
    for (const [k, t] of a.stateDict()) expect(b.stateDict().get(k)!.toNumbers(), k).toEqual(t.toNumbers());
    expect(a.layers[0]!.linear1.weight.toNumbers()).not.toEqual(a.layers[1]!.linear1.weight.toNumbers());
    for (const m of [c, mha, a, b]) m.dispose();
  });
});

describe('modules compute what they should', () => {
  it('Linear equals x W^T + b; Sequential/MLP chain layers', () => {
    const l = new nn.Linear(2, 1);
    l.loadStateDict({ weight: torch.tensor([[2, 3]]), bias: torch.tensor([1]) });
    expect(l.forward(torch.tensor([[1, 1]])).item()).toBe(6);
    const mlp = new nn.MLP([3, 5, 2]);
    expect(mlp.forward(torch.ones([4, 3])).shape).toEqual([4, 2]);
    expect(mlp.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });
  it('Dropout is identity in eval mode and masks in train mode', () => {
    const d = new nn.Dropout(0.5);
    expect(d.eval().forward(torch.ones([100])).sum().item()).toBe(100);
    const y = d.train().forward(torch.ones([1000])).toNumbers();
    expect(y.filter((v) => v === 0).length).toBeGreaterThan(300);
  });
  it('MultiheadAttention equals a hand-written attention with the same weights', () => {
    torch.manualSeed(0);
    const mha = new nn.MultiheadAttention(4, 2);
    const x = torch.randn([1, 3, 4]);
    const y = mha.forward(x);
    // reference: project, split heads, softmax(q k^T / sqrt(d)) v, merge, out_proj
    const qkv = torch.linear(x, mha.inProjWeight, mha.inProjBias);
    const [q, k, v] = qkv.chunk(3, -1).map((t) => t.reshape(1, 3, 2, 2).transpose(1, 2)) as [torch.Tensor, torch.Tensor, torch.Tensor];
    const att = F.softmax(q.matmul(k.transpose(-2, -1)).div(Math.sqrt(2)), -1).matmul(v);
    const ref = mha.outProj.forward(att.transpose(1, 2).reshape(1, 3, 4));
    y.toNumbers().forEach((val, i) => expect(val).toBeCloseTo(ref.toNumbers()[i]!, 5));
  });
  it('a key padding mask hides padded keys', () => {
    torch.manualSeed(0);
    const mha = new nn.MultiheadAttention(4, 1);
    const x = torch.randn([1, 3, 4]);
    const pad = torch.tensor([[0, 0, 1]], { dtype: 'bool' });
    const masked = mha.forward(x, x, x, { keyPaddingMask: pad });
    // changing the padded token's content must not change the other outputs' keys/values contribution
    const x2 = torch.cat([x.slice(1, 0, 2), torch.randn([1, 1, 4]).mul(5)], 1);
    const masked2 = mha.forward(x2, x2, x2, { keyPaddingMask: pad });
    expect(masked.slice(1, 0, 2).sub(masked2.slice(1, 0, 2)).abs().max().item()).toBeLessThan(1e-5);
    // a causal boolean attn mask (PyTorch's convention: true = blocked): token i only sees tokens <= i
    const causal = torch.triu(torch.ones([3, 3]), 1).bool();
    const c1 = mha.forward(x, x, x, { attnMask: causal });
    const c2 = mha.forward(x2, x2, x2, { attnMask: causal });
    expect(c1.slice(1, 0, 2).sub(c2.slice(1, 0, 2)).abs().max().item()).toBeLessThan(1e-5);
    expect(c1.slice(1, 2, 3).sub(c2.slice(1, 2, 3)).abs().max().item()).toBeGreaterThan(1e-3); // the last one does see it
    // the same mask as an additive float mask, and per (batch * head) as [B * H, Lq, Lk], give the same output
    const additive = torch.zeros([3, 3]).maskedFill(causal, -Infinity);
    expect(mha.forward(x, x, x, { attnMask: additive }).sub(c1).abs().max().item()).toBeLessThan(1e-6);
    expect(mha.forward(x, x, x, { attnMask: causal.unsqueeze(0) }).sub(c1).abs().max().item()).toBeLessThan(1e-6);
    expect(() => mha.forward(x, x, x, { attnMask: torch.ones([2, 3]).bool() })).toThrow(/attnMask shape \[2, 3\] must be \[3, 3\]/);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: torch.ones([1, 2]).bool() })).toThrow(/keyPaddingMask shape/);
  });
  it('batchFirst: false takes and returns [L, B, E]', () => {
    torch.manualSeed(0);
    const a = new nn.MultiheadAttention(4, 2);
    const b = new nn.MultiheadAttention(4, 2, { batchFirst: false });
    b.loadStateDict(a.stateDict());
    const x = torch.randn([2, 3, 4]); // (B, L, E)
    const yb = b.forward(x.transpose(0, 1)); // (L, B, E)
    expect(yb.shape).toEqual([3, 2, 4]);
    expect(yb.transpose(0, 1).sub(a.forward(x)).abs().max().item()).toBeLessThan(1e-6);
  });
});

describe('shared parameters', () => {
  it('a tied weight is one parameter, updated once per step, under two state dict keys', () => {
    class Tied extends nn.Module {
      emb = this.child('emb', new nn.Embedding(5, 3));
      head = this.child('head', new nn.Linear(3, 5, { bias: false }));
      constructor() { super(); this.head.tieParameter('weight', this.emb.weight); }
    }
    const m = new Tied();
    expect(m.head.weight).toBe(m.emb.weight);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['emb.weight']);
    expect([...m.stateDict().keys()]).toEqual(['emb.weight', 'head.weight']);
    const before = m.emb.weight.toNumbers();
    const opt = new torch.optim.SGD(m.parameters(), { lr: 1 });
    torch.tidy(() => { m.head.forward(m.emb.forward(torch.tensor([1], { dtype: 'int64' }))).sum().backward(); });
    const g = m.emb.weight.grad!.toNumbers();
    opt.step();
    m.emb.weight.toNumbers().forEach((w, i) => expect(w).toBeCloseTo(before[i]! - g[i]!, 6)); // one update, not two
    expect(() => m.head.tieParameter('weight', torch.zeros([2, 2]))).toThrow(/shape \[5, 3\], the tensor \[2, 2\]/);
    expect(() => m.head.tieParameter('bias', m.emb.weight)).toThrow(/no parameter 'bias'/);
    m.dispose();
    expect(m.emb.weight.disposed).toBe(true);
  });
});

describe('memory', () => {
  it('parameters outlive the tidy that built the module; dispose() frees them', () => {
    const live = torch.liveTensors().tensors;
    const m = torch.tidy(() => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }));
    expect(m.parameters().every((p) => !p.disposed)).toBe(true);
    expect(torch.liveTensors().tensors).toBe(live + m.parameters().length);
    torch.tidy(() => m.forward(torch.randn([2, 3, 8])).sum().backward());
    m.zeroGrad();
    m.dispose();
    expect(m.parameters().every((p) => p.disposed)).toBe(true);
    expect(torch.liveTensors().tensors).toBe(live);
  });
});

describe('layer options', () => {
  it('Embedding paddingIdx: a zero row that gets no gradient', () => {
    const e = new nn.Embedding(4, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(3);
    expect(e.weight.select(0, 3).toNumbers()).toEqual([0, 0, 0]);
    torch.tidy(() => e.forward(torch.tensor([3, 1, 3], { dtype: 'int64' })).sum().backward());
    const g = e.weight.grad!;
    expect(g.select(0, 3).toNumbers()).toEqual([0, 0, 0]);
    expect(g.select(0, 1).toNumbers()).toEqual([1, 1, 1]);
    expect(() => new nn.Embedding(4, 3, { paddingIdx: 4 })).toThrow(/paddingIdx must be an integer in \[-4, 4\), got 4/);
    e.dispose();
  });
  it('norms without affine parameters or bias; bad activations and conv sizes are refused', () => {
    expect(new nn.GroupNorm(2, 4, { affine: false }).namedParameters()).toHaveLength(0);
    expect(new nn.LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    const x = torch.tensor([[1, 2, 3, 6]]);
    const y = new nn.LayerNorm(4, { elementwiseAffine: false }).forward(x).toNumbers();
    const mean = 3, sd = Math.sqrt((4 + 1 + 0 + 9) / 4 + 1e-5);
    y.forEach((v, i) => expect(v).toBeCloseTo(([1, 2, 3, 6][i]! - mean) / sd, 5));
    expect(() => new nn.Activation('swish' as never)).toThrow(/unknown activation 'swish' \(expected one of relu, gelu/);
    expect(() => new nn.Conv2d(3, 8, 0)).toThrow(/kernelSize must be a positive integer, got 0/);
    expect(() => new nn.MLP([3])).toThrow(/at least \[in, out\]/);
  });
  it('options are checked at construction: unknown keys and bad values are named and quoted', () => {
    expect(() => new nn.TransformerEncoderLayer(8, 2, { norm_first: true } as never)).toThrow(/TransformerEncoderLayer: invalid options: .*norm_first/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { dropout: 1.5 })).toThrow(/dropout: .*\(got 1\.5\)/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'swish' as never })).toThrow(/activation: .*\(got "swish"\)/);
    expect(() => new nn.MultiheadAttention(8, 2, { batch_first: true } as never)).toThrow(/MultiheadAttention: invalid options: .*batch_first/);
    expect(() => new nn.Conv2d(3, 8, 3, { stride: [1, 0] })).toThrow(/Conv2d: invalid options: stride/);
    expect(() => new nn.Linear(3, 8, { bias: 'yes' as never })).toThrow(/Linear: invalid options: bias: .*\(got "yes"\)/);
    expect(() => new nn.LayerNorm(4, { eps: 0 })).toThrow(/LayerNorm: invalid options: eps: .*\(got 0\)/);
    expect(() => new nn.MLP([2, 2], { dropuot: 0.1 } as never)).toThrow(/MLP: invalid options: .*dropuot/);
    expect(() => new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2), 0)).toThrow(/numLayers must be a positive integer, got 0/);
  });
});

describe('state dicts', () => {
  it('round-trip between two models; errors name keys and shapes and change nothing', () => {
    torch.manualSeed(1);
    const a = new nn.MLP([2, 3, 1]);
    torch.manualSeed(2);
    const b = new nn.MLP([2, 3, 1]);
    const before = b.stateDict().get('0.weight')!.toNumbers();
    const sd = new Map(a.stateDict());
    sd.delete('2.bias');
    expect(() => b.loadStateDict(sd)).toThrow(/missing keys: 2\.bias/);
    sd.set('2.bias', torch.zeros([1]));
    sd.set('extra', torch.zeros([1]));
    expect(() => b.loadStateDict(sd)).toThrow(/unexpected keys: extra/);
    sd.delete('extra');
    sd.set('0.weight', torch.zeros([4, 2]));
    expect(() => b.loadStateDict(sd)).toThrow(/0\.weight: shape \[4, 2\] in the state dict, \[3, 2\] in the model/);
    expect(b.stateDict().get('0.weight')!.toNumbers()).toEqual(before); // untouched
    b.loadStateDict(a.stateDict());
    const x = torch.randn([5, 2]);
    expect(b.forward(x).toNumbers()).toEqual(a.forward(x).toNumbers());
    expect(b.loadStateDict(new Map([['0.weight', torch.zeros([3, 2])]]), { strict: false }).missing).toContain('0.bias');
  });
});
