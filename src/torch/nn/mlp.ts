// MLP: Linear -> activation (-> dropout) -> ... -> Linear, a Sequential with PyTorch child names ("0", "2", ...).
import { Sequential, type LayerModule } from './sequential.ts';
import { Linear } from './linear.ts';
import { Dropout } from './dropout.ts';
import { Activation, type ActivationName } from './activation.ts';

export interface MLPOptions {
  activation?: ActivationName; // default 'relu'
  dropout?: number;            // default 0: no Dropout layers
  bias?: boolean;              // default true
}

export class MLP extends Sequential {
  /** sizes = [in, hidden..., out]: an activation (and dropout, if any) after every Linear but the last. */
  constructor(sizes: number[], opts: MLPOptions = {}) {
    if (sizes.length < 2) throw new RangeError(`MLP: sizes needs at least [in, out], got [${sizes.join(', ')}]`);
    const layers: LayerModule[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { bias: opts.bias ?? true }));
      if (i + 2 < sizes.length) {
        layers.push(new Activation(opts.activation ?? 'relu'));
        if (opts.dropout) layers.push(new Dropout(opts.dropout));
      }
    }
    super(...layers);
  }
}
