// Resuming from a checkpoint file: model parameters, AdamW state (moments and 0-d int64 step counts) and the
// scheduler's step go through one safetensors file; a differently seeded fresh model, optimizer and scheduler loaded
// from it continue exactly as the uninterrupted run does.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../index.ts';

const { nn, optim, F } = torch;
const TOTAL = 10, SAVE_AT = 4;

function setup(seed: number) {
  torch.manualSeed(seed);
  const model = new nn.MLP([3, 16, 2], { activation: 'gelu' });
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.1 });
  return { model, opt };
}
const schedule = optim.warmupCosine({ baseLr: 1e-2, warmupSteps: 3, totalSteps: TOTAL, minLr: 1e-3 });

describe('checkpoint through a safetensors file', () => {
  it('model + AdamW state + scheduler step resume bit for bit', () => {
    torch.manualSeed(7);
    const x = torch.randn([32, 3]), y = torch.randint(0, 2, [32]);
    const step = (m: torch.nn.MLP, o: torch.optim.AdamW, s: torch.optim.LRScheduler) => torch.tidy(() => {
      o.zeroGrad();
      const loss = F.crossEntropy(m.forward(x), y);
      loss.backward();
      o.step();
      s.step();
      return loss.item();
    });

    // the uninterrupted run, checkpointed at SAVE_AT
    const a = setup(0);
    const schedA = new optim.LRScheduler(a.opt, schedule);
    const lossesA: number[] = [];
    const path = join(mkdtempSync(join(tmpdir(), 'ckpt-')), 'ckpt.safetensors');
    for (let s = 0; s < TOTAL; s++) {
      if (s === SAVE_AT) {
        const tensors = new Map<string, torch.Tensor>();
        for (const [k, t] of a.model.stateDict()) tensors.set(`model.${k}`, t);
        for (const [k, t] of a.opt.stateDict()) tensors.set(`optim.${k}`, t);
        torch.saveSafetensors(path, tensors, { scheduler_step: String(schedA.lastStep) });
      }
      lossesA.push(step(a.model, a.opt, schedA));
    }

    // a fresh process's view: another seed, then everything from the file
    const b = setup(99);
    const { tensors, metadata } = torch.loadSafetensors(path);
    const part = (prefix: string) => new Map([...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
    expect(part('optim.').get('0.step')!.dtype).toBe('int64');
    expect(part('optim.').get('0.step')!.shape).toEqual([]);
    b.model.loadStateDict(part('model.'));
    b.opt.loadStateDict(part('optim.'));
    torch.dispose(tensors);
    expect(b.opt.stepOf(0)).toBe(SAVE_AT);
    const schedB = new optim.LRScheduler(b.opt, schedule, { lastStep: Number(metadata.scheduler_step) });
    expect(b.opt.lr).toBe(schedule(SAVE_AT));
    const lossesB: number[] = [];
    for (let s = SAVE_AT; s < TOTAL; s++) lossesB.push(step(b.model, b.opt, schedB));

    expect(lossesB).toEqual(lossesA.slice(SAVE_AT)); // exactly: same values, same op order
    for (const [k, t] of a.model.stateDict()) expect(b.model.stateDict().get(k)!.toNumbers(), k).toEqual(t.toNumbers());
    expect(lossesA[TOTAL - 1]!).toBeLessThan(lossesA[0]!);
    for (const r of [a, b]) { r.opt.dispose(); r.model.dispose(); }
    torch.dispose([x, y]);
  });
});
