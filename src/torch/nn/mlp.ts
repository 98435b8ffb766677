// MLP: Linear -> activation (-> dropout) -> ... -> Linear, a Sequential with PyTorch child names ("0", "2", ...).
import { z } from 'zod';
import { Sequential, type LayerModule } from './sequential.ts';
import { Linear } from './linear.ts';
import { Dropout } from './dropout.ts';
import { Activation, ACTIVATIONS } from './activation.ts';
import { parseOptions } from './options.ts';

export const MLPOptions = z.strictObject({
  activation: z.enum(ACTIVATIONS).default('relu'),
  dropout: z.number().min(0).lt(1).default(0), // 0: no Dropout layers
  bias: z.boolean().default(true),
});
export type MLPOptions = z.input<typeof MLPOptions>;

export class MLP extends Sequential {
  /** sizes = [in, hidden..., out]: an activation (and dropout, if any) after every Linear but the last. */
  constructor(sizes: number[], options: MLPOptions = {}) {
    const opts = parseOptions(MLPOptions, options, 'MLP');
    if (sizes.length < 2) throw new RangeError(`MLP: sizes needs at least [in, out], got [${sizes.join(', ')}]`);
    const layers: LayerModule[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { bias: opts.bias }));
      if (i + 2 < sizes.length) {
        layers.push(new Activation(opts.activation));
        if (opts.dropout) layers.push(new Dropout(opts.dropout));
      }
    }
    super(...layers);
  }
}
