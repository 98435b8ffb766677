// Parameter groups for decoupled weight decay as nanoGPT's configure_optimizers makes them: weights of matmuls and
// embeddings (2-D and up) decay; biases, norm gains and other 1-D tensors do not.
import type { Tensor } from '../tensor.ts';
import type { ParamGroup } from './optimizer.ts';

/** [{ params: >= 2-D, weightDecay }, { params: < 2-D, weightDecay: 0 }], dropping an empty group. */
export function weightDecayGroups(params: Iterable<Tensor>, weightDecay: number): ParamGroup<{ weightDecay: number }>[] {
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) throw new RangeError(`weightDecayGroups: weightDecay must be a finite number >= 0, got ${weightDecay}`);
  const all = [...params];
  const decay = all.filter((p) => p.ndim >= 2), plain = all.filter((p) => p.ndim < 2);
  const groups: ParamGroup<{ weightDecay: number }>[] = [];
  if (decay.length) groups.push({ params: decay, options: { weightDecay } });
  if (plain.length) groups.push({ params: plain, options: { weightDecay: 0 } });
  return groups;
}
