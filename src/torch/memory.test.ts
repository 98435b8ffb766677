// Native memory is released deterministically: tidy/keep/dispose semantics, a 10,000-step training loop with flat
// RSS and no live-tensor growth, and the GC fallback for tensors nobody disposed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as torch from './index.ts';

const live = () => torch.liveTensors().tensors;

describe('scopes', () => {
  it('tidy frees what it created except its result, which moves to the enclosing scope', () => {
    const before = live();
    const outer = torch.tidy(() => {
      const kept = torch.tidy(() => {
        const a = torch.ones([3]);
        const b = a.mul(2);
        a.add(1);
        return { b, list: [b.add(1)] };
      });
      expect(live()).toBe(before + 2);
      const tmp = kept.b.mul(3);
      expect(tmp.disposed).toBe(false);
      return kept.list[0]!;
    });
    expect(outer.toNumbers()).toEqual([3, 3, 3]);
    expect(live()).toBe(before + 1);
    outer.dispose();
    expect(live()).toBe(before);
  });

  it('keep exempts a tensor; dispose frees nested structures; double dispose is harmless', () => {
    const before = live();
    let k!: torch.Tensor;
    torch.tidy(() => { k = torch.keep(torch.ones([2])); torch.ones([2]); });
    expect(k.disposed).toBe(false);
    expect(live()).toBe(before + 1);
    const nested = { a: torch.ones([1]), b: [torch.ones([1]), new Map([['c', torch.ones([1])]])] };
    torch.dispose([k, nested]);
    k.dispose();
    expect(live()).toBe(before);
  });

  it('a throwing fn still frees its tensors', () => {
    const before = live();
    expect(() => torch.tidy(() => { torch.ones([4]); throw new Error('boom'); })).toThrow('boom');
    expect(live()).toBe(before);
  });
});

describe('more scope semantics', () => {
  it('returned tensors survive in any structure; tensors from outside are untouched', () => {
    const outside = torch.ones([2]);
    const before = live();
    const r = torch.tidy(() => {
      const a = outside.mul(2);
      const m = new Map([['a', a]]);
      outside.add(1); // garbage
      return { same: [a, a], m, n: 3, s: 'x', nested: { deep: [[a.add(1)]] } };
    });
    expect(live()).toBe(before + 2);
    expect(r.same[0]!.toNumbers()).toEqual([2, 2]);
    expect(r.m.get('a')).toBe(r.same[0]);
    expect(r.nested.deep[0]![0]!.toNumbers()).toEqual([3, 3]);
    expect(outside.disposed).toBe(false);
    torch.dispose(r);
    expect(live()).toBe(before);
    outside.dispose();
  });

  it('a tensor kept in an inner scope outlives every scope; primitives returned free everything', () => {
    const before = live();
    let k!: torch.Tensor;
    const n = torch.tidy(() => torch.tidy(() => { k = torch.keep(torch.ones([3]).mul(2)); return torch.ones([5]).sum().item(); }));
    expect(n).toBe(5);
    expect(k.toNumbers()).toEqual([2, 2, 2]);
    expect(live()).toBe(before + 1);
    k.dispose();
    expect(live()).toBe(before);
  });

  it('disposing inside tidy is harmless; a returned tensor that was disposed stays disposed', () => {
    const before = live();
    const r = torch.tidy(() => { const a = torch.ones([2]); a.dispose(); const b = torch.ones([2]); b.dispose(); return b; });
    expect(r.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('tidy rejects a Promise and frees what fn created before returning it', async () => {
    const before = live();
    let inner!: torch.Tensor;
    expect(() => torch.tidy(() => { inner = torch.ones([3]); return (async () => 1)(); })).toThrow(/tidy\(fn\): fn returned a Promise/);
    expect(inner.disposed).toBe(true);
    expect(live()).toBe(before);
    expect(() => torch.noGrad(() => (async () => 1)())).toThrow(/returned a Promise/);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('the gradient handles a loop reads are scope-managed too', () => {
    const w = torch.keep(torch.ones([4]).requiresGrad_());
    const before = live();
    for (let i = 0; i < 50; i++) {
      torch.tidy(() => {
        w.mul(w).sum().backward();
        torch.noGrad(() => w.sub_(w.grad!, 0.01));
        w.grad = null;
      });
    }
    expect(live()).toBe(before);
    w.dispose();
  });
});

describe('a long training loop', () => {
  it('10,000 steps keep live tensors constant and RSS flat', () => {
    const baseline = torch.liveTensors();
    torch.manualSeed(0);
    const { w1, w2, x, y } = torch.tidy(() => {
      const x = torch.keep(torch.randn([64, 16]));
      return {
        w1: torch.keep(torch.randn([16, 32]).mul(0.1)).requiresGrad_(), w2: torch.keep(torch.randn([32, 1]).mul(0.1)).requiresGrad_(),
        x, y: torch.keep(x.sum(1, true).sin()),
      };
    });
    const step = () => torch.tidy(() => {
      const loss = torch.F.mseLoss(x.matmul(w1).tanh().matmul(w2), y);
      loss.backward();
      torch.noGrad(() => {
        for (const w of [w1, w2]) { w.sub_(w.grad!, 0.05); w.grad = null; }
      });
      return loss.item();
    });
    for (let i = 0; i < 500; i++) step(); // warm-up: allocator pools, lazy op lookups, JIT
    const tensors = live();
    const rss0 = process.memoryUsage().rss;
    let first = 0, last = 0;
    for (let i = 0; i < 10_000; i++) { last = step(); if (i === 0) first = last; }
    const grew = process.memoryUsage().rss - rss0;
    expect(live()).toBe(tensors);
    expect(grew).toBeLessThan(32 * 2 ** 20); // flat: well under 32 MiB of growth over 10,000 steps
    expect(last).toBeLessThan(first); // and it really trained
    torch.dispose([w1, w2, x, y]);
    expect(torch.liveTensors()).toEqual(baseline); // back to where we started: tensors and bytes
  });
});

describe('garbage-collected tensors', () => {
  it('are freed by the finalizer when never disposed', () => {
    const script = `
      const torch = await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});
      const base = torch.liveTensors().tensors;
      (() => { for (let i = 0; i < 2000; i++) torch.ones([64]); })();
      const made = torch.liveTensors().tensors - base;
      for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ made, left: torch.liveTensors().tensors - base }));`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { made, left } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { made: number; left: number };
    expect(made).toBe(2000);
    expect(left).toBeLessThan(100);
  });
});
