// SGD with optional momentum (PyTorch's form: buf = momentum * buf + grad; Nesterov optional) and L2 weight decay.
import { z } from 'zod';
import { clone } from '../ops/creation.ts';
import { keep, tidy } from '../scope.ts';
import { noGrad } from '../autograd.ts';
import { Tensor } from '../tensor.ts';
import { Optimizer } from './optimizer.ts';
import * as F from './foreach.ts';

export const SGDOptions = z.object({
  lr: z.number().positive().finite(),
  momentum: z.number().min(0).lt(1).default(0),
  weightDecay: z.number().min(0).finite().default(0),
  nesterov: z.boolean().default(false),
}).strict().refine((o) => !o.nesterov || o.momentum > 0, { message: 'nesterov needs momentum > 0' });
export type SGDOptions = z.input<typeof SGDOptions>;

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private buf: (Tensor | null)[];
  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    const parsed = SGDOptions.safeParse(options);
    if (!parsed.success) throw new Error(`SGD: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')} (got ${JSON.stringify(options)})`);
    const o = parsed.data;
    super(params, o.lr);
    this.momentum = o.momentum;
    this.weightDecay = o.weightDecay;
    this.nesterov = o.nesterov;
    this.buf = this.params.map(() => null);
  }

  step(): void {
    const { index, grads } = this.withGrads();
    try {
      noGrad(() => tidy(() => {
        // d = grad (+ wd * p); with momentum: buf = m * buf + d; d = nesterov ? d + m * buf : buf; p -= lr * d
        index.forEach((i, k) => {
          const p = this.params[i]!;
          let d = new Tensor(grads[k]!);
          grads[k] = -1; // now owned by `d` (freed by tidy)
          if (this.weightDecay) d = d.add(p, this.weightDecay);
          if (this.momentum) {
            const b = this.buf[i];
            if (!b) this.buf[i] = keep(clone(d));
            else b.mul_(this.momentum).add_(d);
            d = this.nesterov ? d.add(this.buf[i]!, this.momentum) : this.buf[i]!;
          }
          p.add_(d, -this.lr);
        });
      }));
    } finally {
      F.free(grads.filter((g) => g !== -1));
    }
  }

  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.buf.forEach((b, i) => { if (b) out.set(`${i}.momentum_buffer`, b); });
    return out;
  }

  dispose(): void {
    for (const b of this.buf) b?.dispose();
    this.buf = this.params.map(() => null);
  }
}
