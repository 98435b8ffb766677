// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, PyTorch's update rule and defaults
// (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01), done with multi-tensor ops under noGrad:
// about ten native calls per group and step, whatever the number of parameters.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { zerosLike, scalar } from '../ops/creation.ts';
import { keep } from '../scope.ts';
import { noGrad } from '../autograd.ts';
import { Optimizer, type Params } from './optimizer.ts';
import * as F from './foreach.ts';

export const AdamWOptions = z.object({
  lr: z.number().finite().min(0).default(1e-3),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
  eps: z.number().positive().finite().default(1e-8),
  weightDecay: z.number().min(0).finite().default(0.01),
}).strict();
export type AdamWOptions = z.input<typeof AdamWOptions>;
type Opts = z.output<typeof AdamWOptions>;

export class AdamW extends Optimizer<Opts> {
  /** Per parameter: steps taken (PyTorch's state['step']), first and second moment (exp_avg, exp_avg_sq). */
  private steps: number[];
  private expAvg: (Tensor | null)[];
  private expAvgSq: (Tensor | null)[];
  private stepTensors: (Tensor | null)[];

  constructor(params: Params<AdamWOptions>, options: AdamWOptions = {}) {
    super(params as Params<Opts>, options as Partial<Opts>, AdamWOptions as unknown as z.ZodType<Opts>);
    this.steps = this.params.map(() => 0);
    this.expAvg = this.params.map(() => null);
    this.expAvgSq = this.params.map(() => null);
    this.stepTensors = this.params.map(() => null);
  }

  /** Steps taken by parameter i (0 before its first gradient). */
  stepOf(i = 0): number { return this.steps[i] ?? 0; }

  step(): void {
    const work = this.withGrads();
    try {
      noGrad(() => {
        for (const { group, index, params, grads } of work) {
          if (index.length === 0) continue;
          const { lr, eps, weightDecay } = group.options;
          const [b1, b2] = group.options.betas;
          for (const i of index) {
            this.expAvg[i] ??= keep(zerosLike(this.params[i]!));
            this.expAvgSq[i] ??= keep(zerosLike(this.params[i]!));
            this.steps[i]!++;
          }
          const m = index.map((i) => this.expAvg[i]!.handle);
          const v = index.map((i) => this.expAvgSq[i]!.handle);
          if (weightDecay !== 0) F.mul_(params, 1 - lr * weightDecay); // decoupled decay: p *= 1 - lr * wd
          F.mul_(m, b1); // m = b1 m + (1 - b1) g
          F.add_(m, grads, 1 - b1);
          F.mul_(v, b2); // v = b2 v + (1 - b2) g^2
          F.addcmul_(v, grads, grads, 1 - b2);
          // p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps), with bc_k = 1 - b_k^t, computed as
          // p -= (lr * sqrt(bc2) / bc1) * m / (sqrt(v) + eps * sqrt(bc2)): the same value, one pass fewer
          const denom = F.sqrt(v);
          const t = index.map((i) => this.steps[i]!);
          if (t.every((s) => s === t[0])) { // the usual case: one step count for the whole group
            const rbc2 = Math.sqrt(1 - b2 ** t[0]!);
            F.addScalar_(denom, eps * rbc2);
            F.addcdiv_(params, m, denom, (-lr * rbc2) / (1 - b1 ** t[0]!));
          } else {
            const rbc2 = t.map((s) => Math.sqrt(1 - b2 ** s));
            F.addScalarList_(denom, rbc2.map((r) => eps * r));
            F.addcdivList_(params, m, denom, t.map((s, k) => (-lr * rbc2[k]!) / (1 - b1 ** s)));
          }
          F.free(denom);
        }
      });
    } finally {
      for (const w of work) F.free(w.grads);
    }
  }

  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.params.forEach((_, i) => {
      if (!this.expAvg[i]) return;
      const st = (this.stepTensors[i] ??= keep(scalar(0, 'int64')));
      noGrad(() => st.fill_(this.steps[i]!));
      out.set(`${i}.step`, st);
      out.set(`${i}.exp_avg`, this.expAvg[i]!);
      out.set(`${i}.exp_avg_sq`, this.expAvgSq[i]!);
    });
    return out;
  }

  loadStateDict(state: Map<string, Tensor>): void {
    const keys = (i: number) => [`${i}.step`, `${i}.exp_avg`, `${i}.exp_avg_sq`];
    this.checkState(state, keys, () => true);
    noGrad(() => {
      this.params.forEach((p, i) => {
        const [ks, km, kv] = keys(i) as [string, string, string];
        if (!state.has(ks)) return;
        this.steps[i] = state.get(ks)!.item();
        (this.expAvg[i] ??= keep(zerosLike(p))).copy_(state.get(km)!);
        (this.expAvgSq[i] ??= keep(zerosLike(p))).copy_(state.get(kv)!);
      });
    });
  }

  dispose(): void {
    for (const t of [...this.expAvg, ...this.expAvgSq, ...this.stepTensors]) t?.dispose();
    this.expAvg = this.params.map(() => null);
    this.expAvgSq = this.params.map(() => null);
    this.stepTensors = this.params.map(() => null);
    this.steps = this.params.map(() => 0);
  }
}
