// Gradient-norm clipping (PyTorch's clip_grad_norm_): scales all gradients together so that their global L2 norm
// is at most maxNorm; returns the norm before clipping. A handful of native calls and one sync, whatever the
// number of parameters. A non-finite norm is returned as is and leaves the gradients unchanged.
import { Tensor } from '../tensor.ts';
import { native } from '../native.ts';
import { noGrad } from '../autograd.ts';
import { tidy } from '../scope.ts';
import { stack } from '../ops/shape.ts';
import * as F from './foreach.ts';

export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) throw new RangeError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  const grads = [...params].map((p) => native.grad(p.handle)).filter((g): g is number => g !== null);
  if (grads.length === 0) return 0;
  try {
    return noGrad(() => {
      const total = tidy(() => {
        const norms = F.norm(grads).map((n) => new Tensor(n)); // 0-d, one per gradient (freed by tidy)
        return stack(norms).norm().item(); // ||(||g_1||, ..., ||g_n||)||_2
      });
      const coef = maxNorm / (total + 1e-6);
      if (coef < 1) F.mul_(grads, coef);
      return total;
    });
  } finally {
    F.free(grads);
  }
}
