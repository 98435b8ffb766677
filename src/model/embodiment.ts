// The embodiment token: a learned embedding per arm the model knows (cfg.embodiments), and the mapping from a dataset's
// robot_type / an observation's embodiment id to its index, with an error naming the known arms for any other.
import * as torch from '../torch/index.ts';
import type { ModelConfig } from './config.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

/** Index of `robotType` in cfg.embodiments; throws for an arm the model was not built for. */
export function embodimentIndex(cfg: Pick<ModelConfig, 'embodiments'>, robotType: string): number {
  const i = cfg.embodiments.indexOf(robotType);
  if (i < 0) throw new RangeError(`unknown embodiment '${robotType}': this model knows ${cfg.embodiments.map((e) => `'${e}'`).join(', ')}`);
  return i;
}

/** robotType strings (e.g. TensorBatch.robotType) -> int64 [B] indices. */
export function embodimentTensor(cfg: Pick<ModelConfig, 'embodiments'>, robotTypes: readonly string[]): Tensor {
  return torch.tensor(BigInt64Array.from(robotTypes, (r) => BigInt(embodimentIndex(cfg, r))), { shape: [robotTypes.length] });
}

/** The embodiment table's name in a KarakuriVLA state dict ([embodiments, dim], one row per cfg.embodiments entry). */
export const EMBODIMENT_TABLE = 'embodiment.table.weight';

export class EmbodimentEncoder extends nn.Module {
  readonly table: torch.nn.Embedding;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.table = this.child('table', new nn.Embedding(cfg.embodiments.length, cfg.dim));
    torch.noGrad(() => this.table.weight.mul_(0.02));
  }
  /** embodiment int64 [B] -> token [B, 1, dim]. */
  forward(embodiment: Tensor): Tensor {
    return torch.tidy(() => {
      if (embodiment.ndim !== 1) throw new RangeError(`EmbodimentEncoder: embodiment must be int64 [B], got [${embodiment.shape.join(', ')}]`);
      const n = this.cfg.embodiments.length;
      const idx = embodiment.toNumbers();
      const bad = idx.find((i) => !(Number.isInteger(i) && i >= 0 && i < n));
      if (bad !== undefined) throw new RangeError(`EmbodimentEncoder: embodiment index ${bad} outside 0..${n - 1} (${this.cfg.embodiments.join(', ')})`);
      return this.table.forward(embodiment.long()).unsqueeze(1); // (B, 1, dim)
    });
  }
}
