// The micro-batcher alone, on real timers: a lone job waits max-wait when others could still join, runs at once when
// every possible participant is in or max-batch is reached, batches are capped at max-batch, dropped jobs never run.
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const job = (id: number) => ({ id, enqueuedAt: performance.now() });
const until = async (cond: () => boolean, ms = 2000) => { const t = performance.now(); while (!cond() && performance.now() - t < ms) await new Promise((r) => setTimeout(r, 1)); };

describe('Batcher', () => {
  it('waits max-wait for more jobs while others could join; runs at once when all are in', async () => {
    const runs: { ids: number[]; at: number }[] = [];
    let capacity = 3;
    const b = new Batcher<ReturnType<typeof job>>({ maxBatch: 8, maxWaitMs: 40 }, (js) => runs.push({ ids: js.map((j) => j.id), at: performance.now() }), () => capacity);
    const t0 = performance.now();
    b.push(job(1));
    await new Promise((r) => setTimeout(r, 10));
    b.push(job(2));
    await until(() => runs.length > 0);
    expect(runs[0]!.ids).toEqual([1, 2]);
    expect(runs[0]!.at - t0).toBeGreaterThanOrEqual(38);   // max-wait counts from the oldest job
    const t1 = performance.now();
    b.push(job(3)); b.push(job(4)); b.push(job(5));       // capacity 3: a full house
    await until(() => runs.length > 1);
    expect(runs[1]!.ids).toEqual([3, 4, 5]);
    expect(runs[1]!.at - t1).toBeLessThan(30);
    capacity = 100;
    for (let i = 0; i < 10; i++) b.push(job(10 + i));     // max-batch 8: 8 at once, then the other 2 after max-wait
    await until(() => runs.length > 3);
    expect(runs.slice(2).map((r) => r.ids.length)).toEqual([8, 2]);
    b.close();
  });
  it('dropped jobs never run; a closed batcher runs nothing', async () => {
    const ran: number[] = [];
    const b = new Batcher<ReturnType<typeof job>>({ maxBatch: 4, maxWaitMs: 5 }, (js) => ran.push(...js.map((j) => j.id)), () => 10);
    b.push(job(1)); b.push(job(2));
    b.drop((j) => j.id === 1);
    await until(() => ran.length > 0);
    expect(ran).toEqual([2]);
    b.close();
    b.push(job(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([2]);
  });
});
