// Tests of the text encoder on real libtorch: shapes, the padding mask, gradients, bad inputs.
import { describe, expect, it } from 'vitest';
import * as torch from '../../torch/index.ts';
import { TextEncoder, tokenTensors } from './text-encoder.ts';
import { Tokenizer } from './tokenizer.ts';

const tok = Tokenizer.train(['Put the red cup onto the tray.', 'Put the blue mug onto the tray.', 'Drop the green bowl into the bin.'], { vocabSize: 300 });
const TEXTS = ['Put the red cup onto the tray.', 'blue', 'Drop the green bowl into the bin, then put the red cup onto the tray.'];

function make(seed = 0) {
  torch.manualSeed(seed);
  return new TextEncoder({ vocab: tok.vocabSize, dim: 32, layers: 2, heads: 4, maxTokens: 48 }).eval();
}

describe('TextEncoder', () => {
  it('gives tokens [B, L, dim] (zero at padding) and pooled [B, dim]', () => {
    const enc = make();
    const { tokens, tokenMask } = tokenTensors(tok.encodeBatch(TEXTS, 16), 16);
    expect(tokens.dtype).toBe('int64');
    expect(tokenMask.dtype).toBe('bool');
    expect(tokens.shape).toEqual([3, 16]);
    const out = enc.forward(tokens, tokenMask);
    expect(out.tokens.shape).toEqual([3, 16, 32]);
    expect(out.pooled.shape).toEqual([3, 32]);
    const t = out.tokens.toFloat32Array();
    const n = tok.encode('blue').length;
    for (let i = n; i < 16; i++) for (let d = 0; d < 32; d++) expect(Math.abs(t[(1 * 16 + i) * 32 + d]!)).toBe(0);
    expect(out.pooled.toFloat32Array().every(Number.isFinite)).toBe(true);
    for (const x of [tokens, tokenMask, out.tokens, out.pooled]) x.dispose();
    enc.dispose();
  });

  it('pooled output does not depend on padding length or on what sits in padded positions', () => {
    const enc = make(1);
    const need = Math.max(...TEXTS.map((t) => tok.encode(t).length)); // no row truncated
    expect(need).toBeLessThan(40);
    const a = tokenTensors(tok.encodeBatch(TEXTS, need), need);
    const b = tokenTensors(tok.encodeBatch(TEXTS, 48), 48);
    const junk = tok.encodeBatch(TEXTS, 48);
    for (let i = 0; i < junk.ids.length; i++) if (!junk.mask[i]) junk.ids[i] = BigInt(5 + (i % 200)); // garbage ids under mask 0
    const c = tokenTensors(junk, 48);
    const pa = enc.forward(a.tokens, a.tokenMask).pooled.toFloat32Array();
    const pb = enc.forward(b.tokens, b.tokenMask).pooled.toFloat32Array();
    const pc = enc.forward(c.tokens, c.tokenMask).pooled.toFloat32Array();
    for (let i = 0; i < pa.length; i++) {
      expect(pb[i]).toBeCloseTo(pa[i]!, 5);
      expect(pc[i]).toBeCloseTo(pa[i]!, 5);
    }
    // one row alone gives what it gave in the batch
    const one = tokenTensors(tok.encodeBatch([TEXTS[1]!], 8), 8);
    const p1 = enc.forward(one.tokens, one.tokenMask).pooled.toFloat32Array();
    for (let d = 0; d < 32; d++) expect(p1[d]).toBeCloseTo(pa[32 + d]!, 5);
    // and the mask matters: unmasking the padding changes the output
    const open = torch.onesLike(a.tokenMask).bool();
    const po = enc.forward(a.tokens, open).pooled.toFloat32Array();
    expect(Math.max(...po.map((v, i) => Math.abs(v - pa[i]!)).slice(32, 64))).toBeGreaterThan(1e-3);
    // different instructions, different vectors
    expect(Math.max(...pa.slice(0, 32).map((v, i) => Math.abs(v - pa[32 + i]!)))).toBeGreaterThan(1e-3);
    enc.dispose();
  });

  it('a row with no real token gives finite zeros', () => {
    const enc = make(2);
    const ids = torch.zeros([2, 4], 'int64');
    const mask = torch.tensor([[true, true, false, false], [false, false, false, false]]);
    const out = enc.forward(ids, mask);
    expect(out.tokens.toFloat32Array().every(Number.isFinite)).toBe(true);
    expect([...out.pooled.toFloat32Array().slice(32)]).toEqual(new Array(32).fill(0));
    enc.dispose();
  });

  it('passes gradients to every parameter (and learns to tell two instructions apart)', () => {
    const enc = make(3).train();
    const { tokens, tokenMask } = tokenTensors(tok.encodeBatch(['Put the red cup onto the tray.', 'Put the blue mug onto the tray.'], 12), 12);
    const head = new torch.nn.Linear(32, 1);
    const target = torch.tensor([[1], [-1]]);
    const opt = new torch.optim.AdamW([...enc.parameters(), ...head.parameters()], { lr: 3e-3 });
    let first = 0, last = 0;
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      const loss = torch.tidy(() => torch.F.mseLoss(head.forward(enc.forward(tokens, tokenMask).pooled), target));
      loss.backward();
      if (step === 0) {
        for (const [name, p] of enc.namedParameters()) {
          expect(p.grad, name).not.toBeNull();
          expect(p.grad!.abs().sum().item(), name).toBeGreaterThan(0);
        }
        first = loss.item();
      }
      opt.step();
      last = loss.item();
      loss.dispose();
    }
    expect(last).toBeLessThan(first * 0.1);
    enc.dispose(); head.dispose();
  });

  it('rejects bad inputs with clear messages', () => {
    const enc = make();
    const ids = torch.zeros([2, 50], 'int64');
    expect(() => enc.forward(ids, torch.ones([2, 50], 'bool'))).toThrow(/50 tokens exceed maxTokens 48/);
    expect(() => enc.forward(torch.zeros([2, 4]), torch.ones([2, 4], 'bool'))).toThrow(/ids must be int64 \[B, L\]/);
    expect(() => enc.forward(torch.zeros([2, 4], 'int64'), torch.ones([2, 5], 'bool'))).toThrow(/mask must be bool \[2, 4\]/);
    expect(() => enc.forward(torch.zeros([2, 4], 'int64'), torch.ones([2, 4]))).toThrow(/mask must be bool/);
    expect(() => new TextEncoder({ vocab: 10, dim: 30, layers: 1, heads: 4, maxTokens: 8 })).toThrow(/divisible by heads/);
    expect(() => new TextEncoder({ vocab: 0, dim: 32, layers: 1, heads: 4, maxTokens: 8 })).toThrow(/vocab must be a positive integer/);
    expect(() => tokenTensors({ ids: new BigInt64Array(6), mask: new Uint8Array(6) }, 4)).toThrow(/B x 4 values/);
    enc.dispose();
  });
});
