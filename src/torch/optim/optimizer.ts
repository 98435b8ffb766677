// The optimizer base: parameters, learning rate, zeroGrad, and collecting the gradients of a step as raw handles.
import type { Tensor } from '../tensor.ts';
import { native, type TensorHandle } from '../native.ts';

export abstract class Optimizer {
  lr: number;
  protected readonly params: Tensor[];
  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${this.constructor.name}: got no parameters to optimize`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new Error(`${this.constructor.name}: parameter ${i} (shape [${p.shape.join(', ')}]) does not require grad`);
    });
    this.lr = lr;
  }

  /** Drops the gradients of all parameters (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.params) native.setGrad(p.handle, null);
  }

  /** Indices, parameter handles and gradient handles of the parameters that have a gradient. Free `grads` after. */
  protected withGrads(): { index: number[]; params: TensorHandle[]; grads: TensorHandle[] } {
    const index: number[] = [], params: TensorHandle[] = [], grads: TensorHandle[] = [];
    this.params.forEach((p, i) => {
      const g = native.grad(p.handle);
      if (g === null) return;
      index.push(i); params.push(p.handle); grads.push(g);
    });
    return { index, params, grads };
  }

  abstract step(): void;
  /** Optimizer state tensors by name (for checkpoints); the optimizer keeps owning them. */
  abstract stateDict(): Map<string, Tensor>;
  abstract dispose(): void;
}
