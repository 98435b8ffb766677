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

describe('a long training loop', () => {
  it('10,000 steps keep live tensors constant and RSS flat', () => {
    torch.manualSeed(0);
    const w1 = torch.keep(torch.randn([16, 32]).mul(0.1)).requiresGrad_();
    const w2 = torch.keep(torch.randn([32, 1]).mul(0.1)).requiresGrad_();
    const x = torch.keep(torch.randn([64, 16]));
    const y = torch.keep(x.sum(1, true).sin());
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
