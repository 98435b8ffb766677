// Tensor lifetimes beyond tidy: the GC finalizer racing explicit disposal and autograd graphs, stale handles after
// slot reuse, and worker threads that exit or are terminated with live tensors. None of these may crash the process.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import * as torch from './index.ts';
import { native } from './native.ts';

describe('stale handles', () => {
  it('a disposed Tensor never reaches the tensor that later reuses its slot', () => {
    const a = torch.ones([2]);
    const stale = a.handle;
    a.dispose();
    const fresh = Array.from({ length: 4 }, () => torch.full([2], 7)); // one of these reuses a's slot
    expect(() => a.add(1)).toThrow(/tensor was disposed/);
    expect(() => native.shape(stale)).toThrow(/shape: tensor was disposed/);
    native.free(stale); // freeing a stale handle is a no-op: the new tensor in that slot survives
    expect(fresh.every((t) => t.toNumbers().join() === '7,7')).toBe(true);
    torch.dispose(fresh);
  });
});

describe('garbage collection', () => {
  it('finalizers run after explicit disposal, inside autograd graphs and after tidy without crashing or double-freeing', () => {
    const script = `
      const torch = await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});
      const gc = async () => { for (let i = 0; i < 6; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); } };
      const base = torch.liveTensors().tensors;
      // 1. leaves whose JS objects are collected while a graph still needs them: backward still works
      let loss = (() => { const w = torch.tensor([1, 2, 3]).requiresGrad_(); return w.mul(w).sum(); })();
      await gc();
      loss.backward();
      const afterBackward = loss.item();
      loss.dispose();
      // 2. explicitly disposed, then collected: the finalizer must not free anything twice
      (() => { for (let i = 0; i < 500; i++) torch.ones([8]).dispose(); })();
      // 3. freed by tidy, then collected
      torch.tidy(() => { for (let i = 0; i < 500; i++) torch.ones([8]).add(1); });
      // 4. grad handles and views dropped without dispose
      (() => { const p = torch.ones([4]).requiresGrad_(); p.sum().backward(); for (let i = 0; i < 100; i++) { p.grad; p.reshape(2, 2); } })();
      await gc();
      const kept = torch.ones([3]).mul(2); // the allocator still works and nothing was freed twice
      console.log(JSON.stringify({ afterBackward, left: torch.liveTensors().tensors - base, kept: kept.toNumbers() }));`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { afterBackward: number; left: number; kept: number[] };
    expect(out.afterBackward).toBe(14);
    expect(out.kept).toEqual([2, 2, 2]);
    expect(out.left).toBeLessThanOrEqual(5); // only `kept` and a few not yet collected
  });
});

describe('the GC fallback under allocation pressure', () => {
  it('tensors never disposed are freed across event-loop turns without explicit gc: live count and RSS stay bounded', () => {
    // 3,000 steps x two 1 MiB tensors = 6 GiB allocated, none disposed. The addon reports native bytes to V8
    // (AdjustExternalMemory), so V8 collects the Tensors and their finalizers free the memory between turns.
    // (Within one synchronous loop finalizers cannot run at all: that is what tidy is for.)
    const script = `
      const torch = await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});
      const rss0 = process.memoryUsage().rss;
      let maxLive = 0, maxGrowth = 0;
      for (let i = 0; i < 3000; i++) {
        torch.ones([512, 512]).mul(2);
        if (i % 20 === 0) {
          await new Promise((r) => setImmediate(r));
          maxLive = Math.max(maxLive, torch.liveTensors().tensors);
          maxGrowth = Math.max(maxGrowth, process.memoryUsage().rss - rss0);
        }
      }
      console.log(JSON.stringify({ maxLive, maxGrowth }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { maxLive, maxGrowth } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxLive: number; maxGrowth: number };
    expect(maxLive).toBeLessThan(1500); // of 6,000 created (measured: ~300)
    expect(maxGrowth).toBeLessThan(1.5 * 2 ** 30); // of 6 GiB allocated (measured: ~330 MiB)
  }, 30_000);
});

describe('worker threads', () => {
  const entry = new URL('./testing/worker-fixture.mjs', import.meta.url);
  const run = (data: { backward?: boolean; exit?: boolean }) => new Promise<{ code: number; live: number; grad: number }>((resolve, reject) => {
    const w = new Worker(entry, { workerData: data });
    let msg = { live: -1, grad: -1 };
    w.on('message', (m: typeof msg) => { msg = m; if (!data.exit) void w.terminate(); });
    w.on('error', reject);
    w.on('exit', (code) => resolve({ code, ...msg }));
  });

  it('each thread has its own tensors; exiting or being terminated with live tensors frees them without a crash', async () => {
    const mine = torch.randn([8]);
    const before = torch.liveTensors().tensors;
    const [terminated, withGraph, exited] = await Promise.all([run({}), run({ backward: true }), run({ exit: true })]);
    expect(terminated).toEqual({ code: 1, live: 604, grad: 0 }); // terminate() exits with 1
    expect(withGraph).toEqual({ code: 1, live: 604, grad: 4 });
    expect(exited).toEqual({ code: 0, live: 604, grad: 0 });
    expect(torch.liveTensors().tensors).toBe(before); // the workers' tensors were never in this thread's table
    expect(mine.mul(2).div(2).toNumbers()).toEqual(mine.toNumbers()); // this thread still computes
  }, 30_000);
});
