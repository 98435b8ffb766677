// Gradient-norm clipping (PyTorch's clip_grad_norm_): scales all gradients together so that their global L2 norm
// is at most maxNorm; returns the norm before clipping.
import type { Tensor } from '../tensor.ts';
import { native } from '../native.ts';
import { noGrad } from '../autograd.ts';
import * as F from './foreach.ts';

export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const grads = [...params].map((p) => native.grad(p.handle)).filter((g): g is number => g !== null);
  if (grads.length === 0) return 0;
  try {
    return noGrad(() => {
      const norms = F.norm(grads);
      let total = 0;
      for (const n of norms) total += Number(native.item(n)) ** 2;
      F.free(norms);
      total = Math.sqrt(total);
      const coef = maxNorm / (total + 1e-6);
      if (coef < 1) F.mul_(grads, coef);
      return total;
    });
  } finally {
    F.free(grads);
  }
}
