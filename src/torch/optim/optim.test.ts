// Optimizers against hand-computed updates, param groups, state save/restore, clipping, schedules, option validation.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';

const { optim } = torch;
const param = (values: number[], dtype: torch.DType = 'float32') => torch.keep(torch.tensor(values, { dtype })).requiresGrad_();

/** AdamW by hand: the update of PyTorch's torch.optim.AdamW for one parameter vector. */
function adamwByHand(w0: number[], grads: number[][], o: { lr: number; b1: number; b2: number; eps: number; wd: number }): number[][] {
  let m = w0.map(() => 0), v = w0.map(() => 0), w = [...w0];
  return grads.map((g, s) => {
    const t = s + 1;
    w = w.map((wi) => wi * (1 - o.lr * o.wd));
    m = m.map((mi, i) => o.b1 * mi + (1 - o.b1) * g[i]!);
    v = v.map((vi, i) => o.b2 * vi + (1 - o.b2) * g[i]! ** 2);
    w = w.map((wi, i) => wi - (o.lr / (1 - o.b1 ** t)) * (m[i]! / (Math.sqrt(v[i]! / (1 - o.b2 ** t)) + o.eps)));
    return w;
  });
}

describe('AdamW', () => {
  it('three steps match the update rule computed by hand (float64 to 1e-12, float32 to 1e-6)', () => {
    const grads = [[0.5, -1.0, 0.0], [0.2, 0.3, -4.0], [-0.7, 0.1, 1e-3]];
    const hp = { lr: 0.1, b1: 0.9, b2: 0.99, eps: 1e-8, wd: 0.1 };
    const want = adamwByHand([1.0, -2.0, 0.5], grads, hp);
    for (const [dtype, tol] of [['float64', 1e-12], ['float32', 1e-6]] as const) {
      const p = param([1.0, -2.0, 0.5], dtype);
      const opt = new optim.AdamW([p], { lr: hp.lr, betas: [hp.b1, hp.b2], eps: hp.eps, weightDecay: hp.wd });
      grads.forEach((g, s) => {
        p.grad = torch.tensor(g, { dtype });
        opt.step();
        p.toNumbers().forEach((x, i) => expect(Math.abs(x - want[s]![i]!), `${dtype} step ${s + 1}`).toBeLessThan(tol));
      });
      expect(opt.stepOf(0)).toBe(3);
      const sd = opt.stateDict();
      expect([...sd.keys()]).toEqual(['0.step', '0.exp_avg', '0.exp_avg_sq']);
      expect(sd.get('0.step')!.item()).toBe(3);
      opt.dispose(); p.dispose();
    }
  });

  it('a parameter that gets its first gradient later has its own step count (bias correction per parameter)', () => {
    const a = param([1, 1]), b = param([1, 1]);
    const opt = new optim.AdamW([a, b], { lr: 0.1, weightDecay: 0 });
    a.grad = torch.tensor([1, -1]);
    opt.step();
    expect(b.toNumbers()).toEqual([1, 1]); // no gradient: untouched, no state
    expect([...opt.stateDict().keys()]).toEqual(['0.step', '0.exp_avg', '0.exp_avg_sq']);
    a.grad = torch.tensor([1, -1]); b.grad = torch.tensor([1, -1]);
    opt.step(); // a at step 2, b at step 1: both moved by lr * sign(g) (Adam's first steps with a constant gradient)
    expect(opt.stepOf(0)).toBe(2);
    expect(opt.stepOf(1)).toBe(1);
    b.toNumbers().forEach((x, i) => expect(x).toBeCloseTo([0.9, 1.1][i]!, 6));
    a.toNumbers().forEach((x, i) => expect(x).toBeCloseTo([0.8, 1.2][i]!, 6));
    opt.dispose(); a.dispose(); b.dispose();
  });

  it('param groups: per-group weight decay and lr; the base lr scales every group', () => {
    const decayed = param([1]), plain = param([1]), fast = param([1]);
    const opt = new optim.AdamW([
      { params: [decayed] },
      { params: [plain], options: { weightDecay: 0 } },
      { params: [fast], options: { lr: 0.2, weightDecay: 0 } },
    ], { lr: 0.1, weightDecay: 0.5 });
    for (const p of [decayed, plain, fast]) p.grad = torch.tensor([1]);
    opt.step();
    expect(plain.item()).toBeCloseTo(1 - 0.1, 6); // first Adam step: lr * sign(g)
    expect(decayed.item()).toBeCloseTo(1 * (1 - 0.1 * 0.5) - 0.1, 6);
    expect(fast.item()).toBeCloseTo(1 - 0.2, 6);
    opt.lr = 0.05; // as a scheduler would
    expect(opt.groups.map((g) => g.options.lr)).toEqual([0.05, 0.05, 0.1]);
    expect(() => { opt.lr = -1; }).toThrow(/lr must be a finite number >= 0, got -1/);
    expect(() => new optim.AdamW([{ params: [plain], options: { eps: -1 } }])).toThrow(/AdamW \(param group 0\): invalid options: eps: .*\(got -1\)/);
    expect(() => new optim.AdamW([plain, plain])).toThrow(/appears twice/);
    opt.dispose();
  });

  it('weightDecayGroups: matrices decay, biases and norm gains do not (nanoGPT)', () => {
    const m = new torch.nn.Sequential(new torch.nn.Linear(2, 3), new torch.nn.LayerNorm(3));
    const groups = optim.weightDecayGroups(m.parameters(), 0.1);
    expect(groups.map((g) => [[...g.params].map((p) => p.shape), g.options])).toEqual([
      [[[3, 2]], { weightDecay: 0.1 }], [[[3], [3], [3]], { weightDecay: 0 }],
    ]);
    const opt = new optim.AdamW(groups, { lr: 0.1 });
    expect(opt.groups.map((g) => g.options.weightDecay)).toEqual([0.1, 0]);
    expect(() => optim.weightDecayGroups(m.parameters(), -1)).toThrow(/got -1/);
    opt.dispose(); m.dispose();
  });

  it('state saved with stateDict and restored with loadStateDict continues identically', () => {
    torch.manualSeed(0);
    const make = () => {
      torch.manualSeed(0);
      const m = new torch.nn.Linear(3, 2);
      return { m, opt: new optim.AdamW(m.parameters(), { lr: 0.05 }) };
    };
    const x = torch.keep(torch.randn([4, 3]));
    const stepOn = (m: torch.nn.Linear, opt: torch.optim.AdamW) => torch.tidy(() => { opt.zeroGrad(); m.forward(x).square().sum().backward(); opt.step(); });
    const a = make();
    for (let i = 0; i < 3; i++) stepOn(a.m, a.opt);
    const b = make();
    b.m.loadStateDict(a.m.stateDict());
    b.opt.loadStateDict(a.opt.stateDict());
    expect(b.opt.stepOf(0)).toBe(3);
    stepOn(a.m, a.opt); stepOn(b.m, b.opt);
    expect(b.m.weight.toNumbers()).toEqual(a.m.weight.toNumbers());
    // bad state: named keys and shapes, nothing loaded
    const bad = new Map(a.opt.stateDict());
    bad.delete('1.exp_avg_sq');
    bad.set('0.exp_avg', torch.zeros([3, 3]));
    bad.set('7.exp_avg', torch.zeros([1]));
    expect(() => b.opt.loadStateDict(bad)).toThrow(/0\.exp_avg: shape \[3, 3\], parameter 0 has \[2, 3\]; missing key 1\.exp_avg_sq; unexpected keys: 7\.exp_avg/);
    for (const o of [a, b]) { o.opt.dispose(); o.m.dispose(); }
    x.dispose();
  });

  it('rejects bad options, quoting the value', () => {
    const a = param([1, 1]);
    expect(() => new optim.AdamW([a], { lr: -1 })).toThrow(/AdamW: invalid options: lr: .*\(got -1\)/);
    expect(() => new optim.AdamW([a], { betas: [0.9, 1.5] })).toThrow(/betas\.1: .*\(got 1\.5\)/);
    expect(() => new optim.AdamW([a], { eps: Number.NaN })).toThrow(/eps: /);
    expect(() => new optim.AdamW([a], { lrr: 1 } as never)).toThrow(/lrr/);
    expect(() => new optim.AdamW([], {})).toThrow(/no parameters/);
    expect(() => new optim.AdamW([torch.ones([1])], {})).toThrow(/does not require grad/);
    a.dispose();
  });
});

describe('SGD', () => {
  it('momentum, dampening and weight decay follow PyTorch; gradients are left as backward made them', () => {
    const p = param([1.0], 'float64');
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.5 });
    let w = 1, buf = 0;
    for (let s = 0; s < 3; s++) {
      p.grad = torch.tensor([2.0], { dtype: 'float64' });
      opt.step();
      expect(p.grad!.item()).toBe(2); // not decayed in place
      const d = 2 + 0.5 * w;
      buf = s === 0 ? d : 0.9 * buf + 0.8 * d;
      w -= 0.1 * buf;
      expect(p.item()).toBeCloseTo(w, 12);
    }
    expect(opt.stateDict().get('0.momentum_buffer')!.item()).toBeCloseTo(buf, 12);
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/nesterov: nesterov needs momentum > 0/);
    expect(() => new optim.SGD([p], {} as never)).toThrow(/SGD: invalid options: lr: /);
    opt.dispose(); p.dispose();
  });
  it('plain SGD is p -= lr * g, over several parameters at once', () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new optim.SGD([a, b], { lr: 0.5 });
    a.grad = torch.tensor([1, -1]); b.grad = torch.tensor([4]);
    opt.step();
    expect(a.toNumbers()).toEqual([0.5, 2.5]);
    expect(b.toNumbers()).toEqual([1]);
    expect(opt.stateDict().size).toBe(0);
    a.dispose(); b.dispose();
  });
});

describe('clipGradNorm and schedules', () => {
  it('clips the global norm and returns the norm before clipping', () => {
    const a = param([0, 0]), b = param([0]);
    a.grad = torch.tensor([3, 0]);
    b.grad = torch.tensor([4]);
    expect(optim.clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(a.grad!.toNumbers()[0]).toBeCloseTo(0.6, 5);
    expect(b.grad!.toNumbers()[0]).toBeCloseTo(0.8, 5);
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 5); // under the limit: unchanged
    expect(a.grad!.toNumbers()[0]).toBeCloseTo(0.6, 5);
    expect(() => optim.clipGradNorm([a], 0)).toThrow(/maxNorm must be a finite number > 0, got 0/);
    expect(optim.clipGradNorm([param([1])], 1)).toBe(0); // no gradients at all
    a.dispose(); b.dispose();
  });
  it('warm-up + cosine at known steps, and the scheduler drives the optimizer', () => {
    const s = optim.warmupCosine({ baseLr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 });
    expect(s(0)).toBeCloseTo(0.1); // (0 + 1) / 10
    expect(s(4)).toBeCloseTo(0.5);
    expect(s(9)).toBeCloseTo(1);
    expect(s(10)).toBeCloseTo(1);
    expect(s(35)).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI / 4)), 10);
    expect(s(60)).toBeCloseTo(0.55);
    expect(s(110)).toBeCloseTo(0.1);
    expect(s(500)).toBeCloseTo(0.1);
    expect(optim.warmupCosine({ baseLr: 2, warmupSteps: 0, totalSteps: 4 })(2)).toBeCloseTo(1); // no warm-up, minLr 0
    expect(() => optim.warmupCosine({ baseLr: 1, warmupSteps: 20, totalSteps: 10 })).toThrow(/warmupSteps: warmupSteps must not exceed totalSteps/);
    expect(() => optim.warmupCosine({ baseLr: 1, warmupSteps: 1.5, totalSteps: 10 })).toThrow(/warmupSteps: .*\(got 1\.5\)/);
    expect(() => optim.warmupCosine({ baseLr: 1, warmupSteps: 1, totalSteps: 10, minLr: 2 })).toThrow(/minLr must not exceed baseLr/);
    const p = param([1]), q = param([1]);
    const opt = new optim.SGD([{ params: [p] }, { params: [q], options: { lr: 2 } }], { lr: 1 });
    const sched = new optim.LRScheduler(opt, s);
    expect(opt.lr).toBeCloseTo(0.1);
    for (let i = 0; i < 60; i++) sched.step();
    expect(sched.lastStep).toBe(60);
    expect(opt.lr).toBeCloseTo(0.55);
    expect(opt.groups[1]!.options.lr).toBeCloseTo(1.1); // the group with twice the lr keeps twice the lr
    expect(new optim.LRScheduler(opt, s, { lastStep: 110 }).optimizer.lr).toBeCloseTo(0.1); // resume
    expect(optim.constant(0.3)(1000)).toBe(0.3);
    expect(() => optim.constant(-1)).toThrow(/got -1/);
    p.dispose(); q.dispose();
  });
});
