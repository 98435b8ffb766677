// Training-time augmentation, seeded per step (so a resumed run draws exactly what the uninterrupted one did):
// images get a random crop/shift (edge pixels replicated) and colour jitter (brightness, contrast, saturation), the
// same for every history frame of one camera of one sample; instructions may go through src/model/language's
// synonym substitution; past frames may be dropped (flagged as padding). Works on the loader's typed-array Batch,
// before it becomes tensors.
import type { Batch } from '../data/loader/assemble.ts';
import type { ImageAugmentation } from './config.ts';

/** A 32-bit seed from several integers (the run's seed, the step, a stream number): FNV-1a with a final mix. */
export function mixSeed(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    for (const part of [x >>> 0, Math.floor(x / 2 ** 32) >>> 0]) {
      h = Math.imul(h ^ part, 0x01000193);
      h ^= h >>> 15;
      h = Math.imul(h, 0x2c1b3c6d);
      h ^= h >>> 12;
    }
  }
  return h >>> 0;
}

/** Random streams of the training loop (each step draws from mixSeed(seed, step, stream)). */
export const STREAM = { torch: 1, image: 2, instruction: 3, history: 4 } as const;

const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Where an augmented image came from: output pixel coordinate p (continuous, from the top-left corner) shows source
 * coordinate (x0, y0) + p * scale, so a source point u lands at (u - x0) / scale.
 */
export interface ImageGeometry { x0: number; y0: number; scale: number }

/**
 * Augments batch.images in place: per sample and camera one crop/shift and one colour jitter for all T frames.
 * Returns each (sample, camera)'s geometry, index b * cameras + c.
 */
export function augmentImages(batch: Batch, cameras: number, history: number, o: ImageAugmentation, rng: () => number): ImageGeometry[] {
  const [H, W] = batch.imageShape, px = H * W * 3;
  const u = (a: number, b: number) => a + (b - a) * rng();
  const tmp = new Uint8Array(px);
  const geometry: ImageGeometry[] = [];
  for (let b = 0; b < batch.size; b++) for (let c = 0; c < cameras; c++) {
    // geometry: a crop of scale s at a random place, then a shift of up to o.shift pixels (nearest neighbour)
    const s = o.cropScale < 1 ? u(o.cropScale, 1) : 1;
    const ch = H * s, cw = W * s;
    const y0 = u(0, H - ch) + (o.shift ? Math.round(u(-o.shift, o.shift)) : 0);
    const x0 = u(0, W - cw) + (o.shift ? Math.round(u(-o.shift, o.shift)) : 0);
    const fb = u(1 - o.brightness, 1 + o.brightness), fc = u(1 - o.contrast, 1 + o.contrast), fs = u(1 - o.saturation, 1 + o.saturation);
    geometry.push({ x0, y0, scale: s });
    const moved = s !== 1 || y0 !== 0 || x0 !== 0;
    const srcY = Int32Array.from({ length: H }, (_, y) => Math.min(H - 1, Math.max(0, Math.floor(y0 + (y + 0.5) * s))));
    const srcX = Int32Array.from({ length: W }, (_, x) => Math.min(W - 1, Math.max(0, Math.floor(x0 + (x + 0.5) * s))));
    for (let t = 0; t < history; t++) {
      const img = batch.images.subarray(((b * cameras + c) * history + t) * px, ((b * cameras + c) * history + t + 1) * px);
      if (moved) {
        tmp.set(img);
        for (let y = 0; y < H; y++) {
          const row = srcY[y]! * W;
          for (let x = 0; x < W; x++) {
            const si = (row + srcX[x]!) * 3, di = (y * W + x) * 3;
            img[di] = tmp[si]!; img[di + 1] = tmp[si + 1]!; img[di + 2] = tmp[si + 2]!;
          }
        }
      }
      if (fb === 1 && fc === 1 && fs === 1) continue;
      let mean = 0;
      for (let i = 0; i < px; i += 3) mean += 0.299 * img[i]! + 0.587 * img[i + 1]! + 0.114 * img[i + 2]!;
      mean = (mean / (H * W)) * fb;
      for (let i = 0; i < px; i += 3) {
        const r = img[i]! * fb, g = img[i + 1]! * fb, bl = img[i + 2]! * fb;
        const grey = 0.299 * r + 0.587 * g + 0.114 * bl;
        // saturation around the pixel's grey, then contrast around the image's mean grey
        img[i] = clamp255((grey + (r - grey) * fs - mean) * fc + mean);
        img[i + 1] = clamp255((grey + (g - grey) * fs - mean) * fc + mean);
        img[i + 2] = clamp255((grey + (bl - grey) * fs - mean) * fc + mean);
      }
    }
  }
  return geometry;
}

/** With probability `prob` per sample, flags its past frames (all but the last of `history`) as padding, in place. */
export function dropHistory(batch: Batch, history: number, prob: number, rng: () => number): void {
  if (history < 2 || prob <= 0) return;
  for (let b = 0; b < batch.size; b++) if (rng() < prob) batch.imagePad.fill(1, b * history, (b + 1) * history - 1);
}

/** Each instruction goes through `augment` with probability `prob` (the rest are left as they are). */
export function augmentInstructions(texts: string[], prob: number, augment: (t: string, rng: () => number) => string, rng: () => number): string[] {
  return texts.map((t) => (rng() < prob ? augment(t, rng) : t));
}
