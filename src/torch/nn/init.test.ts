// Initialisation as PyTorch does it: after manualSeed(s) our modules hold bit for bit the parameters PyTorch 1.13
// gives after torch.manual_seed(s) (golden/init.safetensors, made by golden/gen_init.py), under the same key names.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as torch from '../index.ts';

const { nn } = torch;
const golden = torch.loadSafetensors(fileURLToPath(new URL('./golden/init.safetensors', import.meta.url)));
afterAll(() => torch.dispose(golden.tensors));

/** PyTorch's state dict stored under `prefix.`, prefix removed. */
const pytorchState = (prefix: string) =>
  new Map([...golden.tensors].filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, t]) => [k.slice(prefix.length + 1), t]));

/** Our module's state dict must have exactly PyTorch's keys, shapes and values (float32 bits, not a tolerance). */
function expectSameAsPytorch(m: torch.nn.Module, prefix: string): void {
  const want = pytorchState(prefix);
  expect(want.size).toBeGreaterThan(0);
  const ours = m.stateDict();
  expect([...ours.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, t] of want) {
    const o = ours.get(k)!;
    expect(o.shape, k).toEqual(t.shape);
    const a = new Uint32Array(o.data().buffer), b = new Uint32Array(t.data().buffer);
    const firstDiff = a.findIndex((v, i) => v !== b[i]);
    expect(firstDiff, `${prefix}.${k}: first differing element`).toBe(-1);
  }
}

describe('after manualSeed, modules start where PyTorch starts', () => {
  it('generator metadata', () => {
    expect(golden.metadata.generator).toBe('src/torch/nn/golden/gen_init.py');
  });

  const cases: [string, number, () => torch.nn.Module][] = [
    ['linear', 1, () => new nn.Linear(7, 5)],
    ['linear_nobias', 2, () => new nn.Linear(7, 5, { bias: false })],
    ['conv', 3, () => new nn.Conv2d(4, 6, [3, 5], { stride: 2, padding: 1, groups: 2 })],
    ['embedding', 4, () => new nn.Embedding(10, 6)],
    ['mha', 5, () => new nn.MultiheadAttention(16, 4)],
    ['enc_layer', 6, () => new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, dropout: 0, activation: 'gelu' })],
    ['mlp', 7, () => new nn.MLP([3, 8, 8, 2])],
  ];
  it.each(cases)('%s (seed %i)', (name, seed, make) => {
    torch.manualSeed(seed);
    const m = make();
    expectSameAsPytorch(m, name);
    m.dispose();
  });

  it('LayerNorm and GroupNorm start at weight 1, bias 0', () => {
    const ln = new nn.LayerNorm(6), gn = new nn.GroupNorm(2, 6);
    expectSameAsPytorch(ln, 'norms.ln');
    expectSameAsPytorch(gn, 'norms.gn');
    ln.dispose(); gn.dispose();
  });

  it("TransformerEncoder: layer 0 is PyTorch's layer; later layers get their own draws (PyTorch deep-copies one)", () => {
    torch.manualSeed(6);
    const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, dropout: 0, activation: 'gelu' }), 2);
    expectSameAsPytorch(enc.layers[0]!, 'enc_layer');
    const w0 = enc.layers[0]!.linear1.weight.toNumbers(), w1 = enc.layers[1]!.linear1.weight.toNumbers();
    expect(w1).not.toEqual(w0);
    enc.dispose();
  });

  it('the same seed twice gives the same model; another seed another one', () => {
    const build = (s: number) => { torch.manualSeed(s); return new nn.MultiheadAttention(16, 4); };
    const a = build(9), b = build(9), c = build(10);
    expect(b.inProjWeight.toNumbers()).toEqual(a.inProjWeight.toNumbers());
    expect(b.outProj.weight.toNumbers()).toEqual(a.outProj.weight.toNumbers());
    expect(c.inProjWeight.toNumbers()).not.toEqual(a.inProjWeight.toNumbers());
    for (const m of [a, b, c]) m.dispose();
  });
});
