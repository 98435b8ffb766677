// A loader batch as tensors of the tensor library, with the shapes a model reads (images stay uint8: the model
// scales them; masks are bool). The caller owns the tensors (dispose them, or create them inside torch.tidy).
import * as torch from '../../torch/index.ts';
import type { Batch } from './assemble.ts';

export interface TensorBatch {
  /** [B, cameras, T, H, W, 3] uint8 */
  images: torch.Tensor;
  /** [B, T] bool: history frame before the episode start */
  imagePad: torch.Tensor;
  /** [B, D] float32 normalized, and [B, D] bool (true where the embodiment has that component) */
  state: torch.Tensor;
  stateMask: torch.Tensor;
  /** [B, H, A] float32 normalized, and [B, H] bool (true past the episode's end) */
  action: torch.Tensor;
  actionPad: torch.Tensor;
  /** [B] int64: which dataset each sample came from */
  dataset: torch.Tensor;
  extras: Record<string, torch.Tensor>;
  task: string[];
  robotType: string[];
}

export function toTensors(b: Batch, cameras: number, history: number): TensorBatch {
  const B = b.size, [h, w] = b.imageShape, H = b.actionPad.length / Math.max(1, B);
  return {
    images: torch.tensor(b.images, { shape: [B, cameras, history, h, w, 3] }),
    imagePad: torch.tensor(b.imagePad, { shape: [B, history], dtype: 'bool' }),
    state: torch.tensor(b.state, { shape: [B, b.stateDim] }),
    stateMask: torch.tensor(b.stateMask, { shape: [B, b.stateDim], dtype: 'bool' }),
    action: torch.tensor(b.action, { shape: [B, H, b.actionDim] }),
    actionPad: torch.tensor(b.actionPad, { shape: [B, H], dtype: 'bool' }),
    dataset: torch.tensor(BigInt64Array.from(b.dataset, (x) => BigInt(x)), { shape: [B] }),
    extras: Object.fromEntries(Object.entries(b.extras).map(([k, e]) => [k, torch.tensor(e.data, { shape: [B, e.dim] })])),
    task: b.task, robotType: b.robotType,
  };
}
