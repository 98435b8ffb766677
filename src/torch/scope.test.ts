// tidy/keep/dispose semantics in detail: what survives a scope, where survivors go, structures of any shape and
// depth (cycles included), errors inside nested scopes, and promises refused.
import { describe, expect, it } from 'vitest';
import * as torch from './index.ts';

const live = () => torch.liveTensors().tensors;

describe('tidy', () => {
  it('returns fn’s value and frees exactly the tensors fn created and did not return', () => {
    const before = live();
    const r = torch.tidy(() => {
      const a = torch.ones([2]);
      const b = a.add(1);
      a.mul(5); // garbage
      return { b, n: 42, s: 'x' };
    });
    expect(r.n).toBe(42);
    expect(r.b.toNumbers()).toEqual([2, 2]);
    expect(live()).toBe(before + 1);
    r.b.dispose();
    expect(live()).toBe(before);
  });

  it('finds returned tensors at any depth and in Maps (keys and values), Sets and class instances', () => {
    class Holder { constructor(public w: torch.Tensor) {} }
    const before = live();
    const r = torch.tidy(() => {
      let deep: unknown = torch.ones([1]);
      for (let i = 0; i < 20; i++) deep = { next: [deep] }; // deeper than any fixed limit
      const key = torch.ones([1]);
      return { deep, map: new Map([[key, torch.ones([1])]]), set: new Set([torch.ones([1])]), holder: new Holder(torch.ones([1])) };
    });
    expect(live()).toBe(before + 5);
    const found: torch.Tensor[] = [];
    let d = r.deep as { next: unknown[] } | torch.Tensor;
    while (!(d instanceof torch.Tensor)) d = d.next[0] as typeof d;
    found.push(d, ...r.map.keys(), ...r.map.values(), ...r.set, r.holder.w);
    expect(found.every((t) => !t.disposed && t.toNumbers()[0] === 1)).toBe(true);
    torch.dispose(r);
    expect(found.every((t) => t.disposed)).toBe(true);
    expect(live()).toBe(before);
  });

  it('handles cyclic and shared structures', () => {
    const before = live();
    const r = torch.tidy(() => {
      const t = torch.ones([1]);
      const a: Record<string, unknown> = { t };
      const b: Record<string, unknown> = { a, t };
      a.b = b; // cycle
      return [a, b, a];
    });
    expect(live()).toBe(before + 1);
    expect((r[0]!.t as torch.Tensor).disposed).toBe(false);
    torch.dispose(r);
    expect(live()).toBe(before);
  });

  it('moves survivors to the enclosing scope, which frees them unless it returns them too', () => {
    const before = live();
    let inner!: torch.Tensor;
    const outer = torch.tidy(() => {
      inner = torch.tidy(() => torch.ones([2]).mul(3));
      expect(inner.disposed).toBe(false);
      return inner.add(1);
    });
    expect(inner.disposed).toBe(true); // the outer scope did not return it
    expect(outer.toNumbers()).toEqual([4, 4]);
    expect(live()).toBe(before + 1);
    outer.dispose();
  });

  it('leaves alone tensors created outside it, even when it returns them', () => {
    const a = torch.ones([2]);
    const r = torch.tidy(() => { a.add(1); return a; });
    expect(r).toBe(a);
    torch.tidy(() => { a.mul(2); }); // used, not returned
    expect(a.disposed).toBe(false);
    a.dispose();
  });

  it('keep exempts a tensor from every enclosing scope until disposed by hand', () => {
    const before = live();
    let k!: torch.Tensor;
    torch.tidy(() => torch.tidy(() => { k = torch.keep(torch.ones([3])); torch.ones([3]); }));
    expect(k.disposed).toBe(false);
    expect(k.kept).toBe(true);
    expect(live()).toBe(before + 1);
    k.dispose();
    k.dispose(); // twice is harmless
    expect(live()).toBe(before);
  });

  it('an error in a nested scope frees that scope; the outer scope continues and frees its own', () => {
    const before = live();
    let outerTensor!: torch.Tensor;
    const r = torch.tidy(() => {
      outerTensor = torch.ones([1]);
      expect(() => torch.tidy(() => { torch.ones([5]); torch.ones([2, 3]).matmul(torch.ones([2, 3])); })).toThrow(/cannot be multiplied/);
      expect(outerTensor.disposed).toBe(false);
      return 7;
    });
    expect(r).toBe(7);
    expect(outerTensor.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('a tensor disposed by hand inside tidy is not a problem, even when returned', () => {
    const before = live();
    const r = torch.tidy(() => { const a = torch.ones([1]); a.dispose(); return a; });
    expect(r.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('refuses async functions and promises, freeing what was created synchronously', () => {
    const before = live();
    expect(() => torch.tidy(() => { torch.ones([1]); return Promise.resolve(); })).toThrow(/returned a Promise/);
    expect(() => torch.tidy((async () => 1) as unknown as () => number)).toThrow(/returned a Promise/);
    expect(live()).toBe(before);
    expect(() => torch.noGrad(() => Promise.resolve(1))).toThrow(/returned a Promise/);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it('dispose walks nested structures and ignores non-tensors', () => {
    const before = live();
    const a = torch.ones([1]);
    torch.dispose({ list: [a, 1, 'x', null, undefined, new Float32Array(2)], m: new Map([['k', torch.ones([1])]]), s: new Set([torch.ones([1])]) });
    torch.dispose(null);
    torch.dispose(5);
    expect(a.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('Symbol.dispose frees a tensor at the end of a using-style block', () => {
    const before = live();
    const t = torch.ones([1]);
    t[Symbol.dispose]();
    expect(t.disposed).toBe(true);
    expect(live()).toBe(before);
  });
});
