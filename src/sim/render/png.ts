// PNG snapshots of rendered images (RGB and depth as normalised grey) through pngjs, for eyeballing
// renders and for debugging; not on any hot path.

import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** Encodes an H*W*3 RGB image (top row first) as PNG bytes. */
export function encodeRgbPng(rgb: Uint8Array, w: number, h: number): Buffer {
  if (rgb.length !== w * h * 3) throw new Error(`png: rgb has ${rgb.length} bytes, expected ${w}*${h}*3`);
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

export function writeRgbPng(path: string, rgb: Uint8Array, w: number, h: number): void {
  writeFileSync(path, encodeRgbPng(rgb, w, h));
}

/**
 * Writes depth (metres) as grey by inverse depth, so near detail stays visible next to far floors:
 * nearest = white, farthest hit = dark grey (55), background (depth >= `far`, or not finite) = black.
 */
export function writeDepthPng(path: string, depth: Float32Array, w: number, h: number, far = Infinity): void {
  if (depth.length !== w * h) throw new Error(`png: depth has ${depth.length} values, expected ${w}*${h}`);
  let lo = Infinity, hi = -Infinity;
  for (const d of depth) if (d < far && d > 0 && Number.isFinite(d)) { lo = Math.min(lo, 1 / d); hi = Math.max(hi, 1 / d); }
  const rgb = new Uint8Array(w * h * 3), span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i]!;
    const v = d < far && d > 0 && Number.isFinite(d) ? Math.round(55 + (200 * (1 / d - lo)) / span) : 0;
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
  }
  writeRgbPng(path, rgb, w, h);
}
