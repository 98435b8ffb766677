// Shared by the model's tests: a tiny config (fast on 2 cores) and random inputs in VLAInput's shapes and dtypes.
import * as torch from '../torch/index.ts';
import { parseModelConfig, stateDim, type ModelConfig, type ModelConfigInput } from './config.ts';
import type { VLAInput } from './vla.ts';

export function tinyConfig(over: Partial<ModelConfigInput> = {}): ModelConfig {
  return parseModelConfig({
    dim: 32, heads: 2, layers: 1, ffMult: 2,
    text: { vocab: 300, maxTokens: 8, layers: 1 },
    vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4 },
    ...over,
  });
}

/** Random inputs; every sample is kara6-like (proprio 14 of 15) with 5 real tokens, nothing padded in time. */
export function randomInput(cfg: ModelConfig, B: number): VLAInput {
  const [h, w] = cfg.vision.imageSize, D = stateDim(cfg), L = cfg.text.maxTokens;
  const mask = new Uint8Array(B * D).fill(1);
  for (let b = 0; b < B; b++) mask[b * D + D - 1] = 0;
  const tmask = new Uint8Array(B * L);
  for (let b = 0; b < B; b++) tmask.fill(1, b * L, b * L + Math.min(5, L));
  return {
    images: torch.randint(0, 256, [B, cfg.cameras.length, cfg.history, h, w, 3], 'uint8'),
    imagePad: torch.zeros([B, cfg.history], 'bool'),
    state: torch.randn([B, D]).mul(torch.tensor(Float32Array.from(mask), { shape: [B, D] })),
    stateMask: torch.tensor(mask, { shape: [B, D], dtype: 'bool' }),
    tokens: torch.randint(3, cfg.text.vocab, [B, L]).mul(torch.tensor(Float32Array.from(tmask), { shape: [B, L] }).long()),
    tokenMask: torch.tensor(tmask, { shape: [B, L], dtype: 'bool' }),
    embodiment: torch.zeros([B], 'int64'),
  };
}

/** A copy of `inp` with one field replaced. */
export const withField = (inp: VLAInput, k: keyof VLAInput, t: torch.Tensor): VLAInput => ({ ...inp, [k]: t });

/** Max |a - b| over two tensors. */
export const maxDiff = (a: torch.Tensor, b: torch.Tensor): number => torch.tidy(() => a.sub(b).abs().max().item());
