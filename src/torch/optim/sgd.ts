// SGD with optional momentum (PyTorch's form: buf = momentum * buf + (1 - dampening) * d, the first buf = d;
// Nesterov optional) and L2 weight decay added to the gradient, done with multi-tensor ops under noGrad.
import { z } from 'zod';
import { Tensor } from '../tensor.ts';
import { zerosLike } from '../ops/creation.ts';
import { keep } from '../scope.ts';
import { noGrad } from '../autograd.ts';
import type { TensorHandle } from '../native.ts';
import { Optimizer, type Params } from './optimizer.ts';
import * as F from './foreach.ts';

export const SGDOptions = z.object({
  lr: z.number().finite().min(0),
  momentum: z.number().min(0).lt(1).default(0),
  dampening: z.number().min(0).max(1).default(0),
  weightDecay: z.number().min(0).finite().default(0),
  nesterov: z.boolean().default(false),
}).strict()
  .refine((o) => !o.nesterov || (o.momentum > 0 && o.dampening === 0), { message: 'nesterov needs momentum > 0 and dampening 0', path: ['nesterov'] });
export type SGDOptions = z.input<typeof SGDOptions>;
type Opts = z.output<typeof SGDOptions>;

export class SGD extends Optimizer<Opts> {
  private buf: (Tensor | null)[];
  constructor(params: Params<SGDOptions>, options: SGDOptions) {
    super(params as Params<Opts>, options as Partial<Opts>, SGDOptions as unknown as z.ZodType<Opts>);
    this.buf = this.params.map(() => null);
  }

  step(): void {
    const work = this.withGrads();
    const temps: TensorHandle[][] = [];
    try {
      noGrad(() => {
        for (const { group, index, params, grads } of work) {
          if (index.length === 0) continue;
          const { lr, momentum, dampening, weightDecay, nesterov } = group.options;
          let d = grads; // never written: the gradients stay as backward left them
          if (weightDecay !== 0) temps.push((d = F.add(grads, params, weightDecay))); // d = g + wd * p
          if (momentum !== 0) {
            const fresh = index.filter((i) => !this.buf[i]);
            const old = index.map((i, k) => [i, k] as const).filter(([i]) => this.buf[i]);
            if (old.length) {
              const bufs = old.map(([i]) => this.buf[i]!.handle);
              F.mul_(bufs, momentum); // buf = m * buf + (1 - dampening) * d
              F.add_(bufs, old.map(([, k]) => d[k]!), 1 - dampening);
            }
            for (const i of fresh) { // the first buf is d itself (PyTorch: clone(d).detach())
              this.buf[i] = keep(new Tensor(F.clone(d[index.indexOf(i)]!)));
            }
            const bufs = index.map((i) => this.buf[i]!.handle);
            if (nesterov) temps.push((d = F.add(d, bufs, momentum))); // d = d + m * buf
            else d = bufs;
          }
          F.add_(params, d, -lr); // p -= lr * d
        }
      });
    } finally {
      for (const w of work) F.free(w.grads);
      for (const t of temps) F.free(t);
    }
  }

  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.buf.forEach((b, i) => { if (b) out.set(`${i}.momentum_buffer`, b); });
    return out;
  }

  loadStateDict(state: Map<string, Tensor>): void {
    this.checkState(state, (i) => [`${i}.momentum_buffer`], () => true);
    noGrad(() => {
      this.params.forEach((p, i) => {
        const s = state.get(`${i}.momentum_buffer`);
        if (s) (this.buf[i] ??= keep(zerosLike(p))).copy_(s);
      });
    });
  }

  dispose(): void {
    for (const b of this.buf) b?.dispose();
    this.buf = this.params.map(() => null);
  }
}
