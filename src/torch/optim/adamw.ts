// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, PyTorch's update rule and defaults
// (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01), done with multi-tensor ops under noGrad.
import { z } from 'zod';
import type { Tensor } from '../tensor.ts';
import { zerosLike } from '../ops/creation.ts';
import { keep } from '../scope.ts';
import { noGrad } from '../autograd.ts';
import { Optimizer } from './optimizer.ts';
import * as F from './foreach.ts';

export const AdamWOptions = z.object({
  lr: z.number().positive().finite().default(1e-3),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
  eps: z.number().positive().finite().default(1e-8),
  weightDecay: z.number().min(0).finite().default(0.01),
}).strict();
export type AdamWOptions = z.input<typeof AdamWOptions>;

export class AdamW extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  weightDecay: number;
  /** Steps taken so far (PyTorch's state['step']). */
  stepCount = 0;
  private expAvg: (Tensor | null)[];
  private expAvgSq: (Tensor | null)[];

  constructor(params: Iterable<Tensor>, options: AdamWOptions = {}) {
    const parsed = AdamWOptions.safeParse(options);
    if (!parsed.success) throw new Error(`AdamW: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')} (got ${JSON.stringify(options)})`);
    const o = parsed.data;
    super(params, o.lr);
    this.betas = o.betas;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
    this.expAvg = this.params.map(() => null);
    this.expAvgSq = this.params.map(() => null);
  }

  step(): void {
    const { index, params, grads } = this.withGrads();
    if (index.length === 0) return;
    try {
      noGrad(() => {
        for (const i of index) {
          this.expAvg[i] ??= keep(zerosLike(this.params[i]!));
          this.expAvgSq[i] ??= keep(zerosLike(this.params[i]!));
        }
        const m = index.map((i) => this.expAvg[i]!.handle);
        const v = index.map((i) => this.expAvgSq[i]!.handle);
        const [b1, b2] = this.betas;
        this.stepCount++;
        const bc1 = 1 - b1 ** this.stepCount;
        const bc2 = 1 - b2 ** this.stepCount;
        if (this.weightDecay !== 0) F.mul_(params, 1 - this.lr * this.weightDecay);
        F.mul_(m, b1);
        F.add_(m, grads, 1 - b1);
        F.mul_(v, b2);
        F.addcmul_(v, grads, grads, 1 - b2);
        const denom = F.sqrt(v); // sqrt(v) / sqrt(bc2) + eps
        F.div_(denom, Math.sqrt(bc2));
        F.addScalar_(denom, this.eps);
        F.addcdiv_(params, m, denom, -this.lr / bc1);
        F.free(denom);
      });
    } finally {
      F.free(grads);
    }
  }

  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.params.forEach((_, i) => {
      if (this.expAvg[i]) out.set(`${i}.exp_avg`, this.expAvg[i]!);
      if (this.expAvgSq[i]) out.set(`${i}.exp_avg_sq`, this.expAvgSq[i]!);
    });
    return out;
  }

  dispose(): void {
    for (const t of [...this.expAvg, ...this.expAvgSq]) t?.dispose();
    this.expAvg = this.params.map(() => null);
    this.expAvgSq = this.params.map(() => null);
  }
}
