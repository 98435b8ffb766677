// Optimizers against hand-computed updates, clipping, schedules, option validation.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';

const { optim } = torch;

describe('AdamW', () => {
  it('two steps match the update rule computed by hand', () => {
    const p = torch.keep(torch.tensor([1.0, -2.0], { dtype: 'float64' })).requiresGrad_();
    const opt = new optim.AdamW([p], { lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1 });
    const grads = [[0.5, -1.0], [0.2, 0.3]];
    let m = [0, 0], v = [0, 0], w = [1.0, -2.0];
    grads.forEach((g, s) => {
      p.grad = torch.tensor(g, { dtype: 'float64' });
      opt.step();
      const t = s + 1;
      w = w.map((wi) => wi * (1 - 0.1 * 0.1));
      m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]!);
      v = v.map((vi, i) => 0.99 * vi + 0.01 * g[i]! ** 2);
      w = w.map((wi, i) => wi - (0.1 / (1 - 0.9 ** t)) * (m[i]! / (Math.sqrt(v[i]! / (1 - 0.99 ** t)) + 1e-8)));
      p.toNumbers().forEach((x, i) => expect(x).toBeCloseTo(w[i]!, 10));
    });
    expect(opt.stepCount).toBe(2);
    expect([...opt.stateDict().keys()]).toEqual(['0.exp_avg', '0.exp_avg_sq']);
    expect(opt.stateDict().get('0.exp_avg')!.toNumbers().map((x) => +x.toFixed(12))).toEqual(m.map((x) => +x.toFixed(12)));
  });
  it('skips parameters without gradients and rejects bad options quoting them', () => {
    const a = torch.keep(torch.ones([2])).requiresGrad_(), b = torch.keep(torch.ones([2])).requiresGrad_();
    const opt = new optim.AdamW([a, b], { lr: 0.5 });
    a.grad = torch.ones([2]);
    opt.step();
    expect(b.toNumbers()).toEqual([1, 1]);
    expect(a.toNumbers()[0]).toBeLessThan(1);
    expect(() => new optim.AdamW([a], { lr: -1 })).toThrow(/AdamW: invalid options: lr: .*"lr":-1/);
    expect(() => new optim.AdamW([a], { betas: [0.9, 1.5] })).toThrow(/betas\.1/);
    expect(() => new optim.AdamW([a], { lrr: 1 } as never)).toThrow(/lrr/);
    expect(() => new optim.AdamW([], {})).toThrow(/no parameters/);
    expect(() => new optim.AdamW([torch.ones([1])], {})).toThrow(/does not require grad/);
  });
});

describe('SGD', () => {
  it('momentum and weight decay follow PyTorch', () => {
    const p = torch.keep(torch.tensor([1.0], { dtype: 'float64' })).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    let w = 1, buf = 0;
    for (let s = 0; s < 3; s++) {
      p.grad = torch.tensor([2.0], { dtype: 'float64' });
      opt.step();
      const d = 2 + 0.5 * w;
      buf = s === 0 ? d : 0.9 * buf + d;
      w -= 0.1 * buf;
      expect(p.item()).toBeCloseTo(w, 12);
    }
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum/);
  });
});

describe('clipGradNorm and schedules', () => {
  it('clips the global norm and returns the norm before clipping', () => {
    const a = torch.keep(torch.zeros([2])).requiresGrad_(), b = torch.keep(torch.zeros([1])).requiresGrad_();
    a.grad = torch.tensor([3, 0]);
    b.grad = torch.tensor([4]);
    expect(optim.clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad!.toNumbers()[0]).toBeCloseTo(0.6, 5);
    expect(b.grad!.toNumbers()[0]).toBeCloseTo(0.8, 5);
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 5); // under the limit: unchanged
    expect(() => optim.clipGradNorm([a], 0)).toThrow(/maxNorm must be > 0/);
  });
  it('warm-up + cosine at known steps, and the scheduler drives the optimizer', () => {
    const s = optim.warmupCosine({ baseLr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 });
    expect(s(0)).toBeCloseTo(0.1);
    expect(s(9)).toBeCloseTo(1);
    expect(s(10)).toBeCloseTo(1);
    expect(s(60)).toBeCloseTo(0.55);
    expect(s(110)).toBeCloseTo(0.1);
    expect(s(500)).toBeCloseTo(0.1);
    expect(() => optim.warmupCosine({ baseLr: 1, warmupSteps: 20, totalSteps: 10 })).toThrow(/warmupSteps must not exceed/);
    const p = torch.keep(torch.ones([1])).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 1 });
    const sched = new optim.LRScheduler(opt, s);
    expect(opt.lr).toBeCloseTo(0.1);
    for (let i = 0; i < 60; i++) sched.step();
    expect(opt.lr).toBeCloseTo(0.55);
    expect(optim.constant(0.3)(1000)).toBe(0.3);
  });
});
