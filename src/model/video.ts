// The frame-history part of the image tokens: every camera's current and past frames go through the shared
// VisionEncoder, then get a learned camera embedding and a learned history-time embedding; history frames before the
// episode's start (imagePad) become padded keys for the trunk's attention.
import * as torch from '../torch/index.ts';
import type { ModelConfig } from './config.ts';
import { VisionEncoder } from './vision.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

export class VideoEncoder extends nn.Module {
  readonly vision: VisionEncoder;
  readonly camera: Tensor;
  readonly time: Tensor;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.vision = this.child('vision', new VisionEncoder(cfg));
    this.camera = this.param('camera', nn.init.normal([cfg.cameras.length, cfg.dim], 0.02));
    this.time = this.param('time', nn.init.normal([cfg.history, cfg.dim], 0.02));
  }

  /** images uint8 [B, C, T, H, W, 3], cond [B, dim] -> tokens [B, C*T*n, dim] (camera-major, then time, then cell). */
  forward(images: Tensor, cond: Tensor, frameTokens?: Tensor): Tensor {
    return this.encode(images, cond, frameTokens).tokens;
  }

  /**
   * forward(), and the pointers' attention logits [B, C*T, P, cells] in the same frame order (null without pointers
   * or when the per-frame tokens came cached).
   */
  encode(images: Tensor, cond: Tensor, frameTokens?: Tensor): { tokens: Tensor; pointerLogits: Tensor | null } {
    return torch.tidy(() => {
      const [B, C, T, H, W] = images.shape as [number, number, number, number, number];
      const { cameras, history } = this.cfg;
      if (images.ndim !== 6 || C !== cameras.length || T !== history) {
        throw new RangeError(`VideoEncoder: images [${images.shape.join(', ')}] must be [B, ${cameras.length} cameras, ${history} frames, H, W, 3] uint8`);
      }
      if (images.dtype !== 'uint8') throw new TypeError(`VideoEncoder: images must be uint8, got ${images.dtype}`);
      if (frameTokens) return { tokens: this.assemble(frameTokens), pointerLogits: null };
      const v = this.vision.encode(images.reshape(B, C * T, H, W, 3), cond);
      return { tokens: this.assemble(v.tokens), pointerLogits: v.pointerLogits }; // (B, C*T*n, dim)
    });
  }

  /**
   * Per-frame tokens [B, C*T, n, dim] (VisionEncoder's output, e.g. partly cached across control steps) + camera and
   * time embeddings -> [B, C*T*n, dim].
   */
  assemble(frameTokens: Tensor): Tensor {
    return torch.tidy(() => {
      const { cameras, history: T, dim } = this.cfg, C = cameras.length;
      const [B, per, n] = frameTokens.shape as [number, number, number];
      if (frameTokens.ndim !== 4 || per !== C * T || n !== this.cfg.vision.tokensPerImage || frameTokens.size(3) !== dim) {
        throw new RangeError(`VideoEncoder: frame tokens [${frameTokens.shape.join(', ')}] must be [B, ${C * T}, ${this.cfg.vision.tokensPerImage}, ${dim}]`);
      }
      const cam = this.camera.reshape(1, C, 1, 1, dim); // (1, C, 1, 1, dim)
      const time = this.time.reshape(1, 1, T, 1, dim); // (1, 1, T, 1, dim)
      return frameTokens.reshape(B, C, T, n, dim).add(cam).add(time).reshape(B, C * T * n, dim); // (B, C*T*n, dim)
    });
  }
}

/** imagePad bool [B, T] (true = before the episode's start) -> key padding [B, C*T*n] in VideoEncoder's token order. */
export function imageKeyPadding(imagePad: Tensor, cameras: number, tokensPerImage: number): Tensor {
  return torch.tidy(() => {
    const [B, T] = imagePad.shape as [number, number];
    return imagePad.bool().reshape(B, 1, T, 1).expand(B, cameras, T, tokensPerImage).reshape(B, cameras * T * tokensPerImage); // (B, C*T*n)
  });
}
