// A camera image from the wire (uint8 HWC as LIBERO clients send it, or float in [0, 1], HWC or CHW as ALOHA's) as the
// model's uint8 H x W x 3 frame: converted to uint8 HWC, then resized keeping the aspect ratio and zero-padded to the
// model's size, as openpi's image_tools.resize_with_pad does (centred; PIL-style bilinear whose filter widens when
// shrinking, so a 224 -> 96 downscale averages instead of aliasing). An image already at the model's size in uint8
// HWC passes through without a copy.
import type { NdArray } from '../protocol/ndarray.ts';

/**
 * Largest accepted source image (pixels): 1920 x 1080. Conversion and resizing run on the server's event loop (a
 * 1080p frame takes tens of ms there, delaying every robot's batch); openpi clients resize to 224 before sending.
 */
export const MAX_IMAGE_PIXELS = 1920 * 1080;

/** An input the server cannot use; the message names the key and what was expected. */
export class ObservationError extends Error {
  constructor(message: string) { super(message); this.name = 'ObservationError'; }
}

/** uint8 HWC of any 3-channel HWC/CHW uint8 or float [0, 1] array; returns the pixels, height and width. */
export function toUint8Hwc(a: NdArray, key: string): { rgb: Uint8Array; h: number; w: number } {
  const s = a.shape;
  if (s.length !== 3) throw new ObservationError(`${key}: an image must have 3 dimensions (H, W, 3 or 3, H, W), got shape [${s.join(', ')}]`);
  const chw = s[2] !== 3 && s[0] === 3;
  if (!chw && s[2] !== 3) throw new ObservationError(`${key}: an image needs 3 colour channels (H, W, 3 or 3, H, W), got shape [${s.join(', ')}]`);
  const [h, w] = chw ? [s[1]!, s[2]!] : [s[0]!, s[1]!];
  if (h < 1 || w < 1) throw new ObservationError(`${key}: an empty image (shape [${s.join(', ')}])`);
  if (h * w > MAX_IMAGE_PIXELS) throw new ObservationError(`${key}: ${h}x${w} exceeds the ${MAX_IMAGE_PIXELS} pixels a server image may have`);
  const n = h * w;
  let src: ArrayLike<number>;
  if (a.dtype === '|u1') src = a.data as Uint8Array;
  else if (a.dtype === '<f4' || a.dtype === '<f8') {
    const f = a.data as Float32Array | Float64Array;
    const u = new Uint8Array(f.length);
    for (let i = 0; i < f.length; i++) {
      const v = f[i]!;
      if (!(v >= -0.01 && v <= 1.01)) throw new ObservationError(`${key}: a float image must hold values in [0, 1], element ${i} is ${v} (send uint8 for 0..255)`);
      u[i] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    src = u;
  } else throw new ObservationError(`${key}: an image must be uint8 ('|u1') or float ('<f4', '<f8') in [0, 1], got dtype '${a.dtype}'`);
  if (!chw) return { rgb: src instanceof Uint8Array ? src : Uint8Array.from(src), h, w };
  const rgb = new Uint8Array(n * 3);
  for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) rgb[i * 3 + c] = src[c * n + i]!;
  return { rgb, h, w };
}

/** Per output index: the first source index and the normalized triangle-filter weights (PIL's bilinear). */
function filterTaps(inSize: number, outSize: number): { start: Int32Array; weights: Float32Array[] } {
  const scale = inSize / outSize, support = Math.max(1, scale);
  const start = new Int32Array(outSize), weights: Float32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support)), hi = Math.min(inSize, Math.ceil(centre + support));
    const ws = new Float32Array(hi - lo);
    let sum = 0;
    for (let i = lo; i < hi; i++) { const x = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support)); ws[i - lo] = x; sum += x; }
    for (let k = 0; k < ws.length; k++) ws[k]! /= sum || 1;
    start[o] = lo; weights.push(ws);
  }
  return { start, weights };
}

/** Bilinear (antialiased) resize of uint8 HWC RGB. */
export function resizeRgb(src: Uint8Array, h: number, w: number, oh: number, ow: number): Uint8Array {
  const fx = filterTaps(w, ow), fy = filterTaps(h, oh);
  const tmp = new Float32Array(h * ow * 3);           // horizontal pass
  for (let y = 0; y < h; y++) for (let x = 0; x < ow; x++) {
    const ws = fx.weights[x]!, s0 = fx.start[x]!;
    let r = 0, g = 0, b = 0;
    for (let k = 0; k < ws.length; k++) { const i = (y * w + s0 + k) * 3, wt = ws[k]!; r += src[i]! * wt; g += src[i + 1]! * wt; b += src[i + 2]! * wt; }
    const o = (y * ow + x) * 3; tmp[o] = r; tmp[o + 1] = g; tmp[o + 2] = b;
  }
  const out = new Uint8Array(oh * ow * 3);           // vertical pass
  for (let y = 0; y < oh; y++) {
    const ws = fy.weights[y]!, s0 = fy.start[y]!;
    for (let x = 0; x < ow; x++) for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < ws.length; k++) v += tmp[((s0 + k) * ow + x) * 3 + c]! * ws[k]!;
      out[(y * ow + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return out;
}

/** `rgb` (h x w) resized to fit oh x ow with its aspect ratio kept, centred on black (openpi's resize_with_pad). */
export function resizeWithPad(rgb: Uint8Array, h: number, w: number, oh: number, ow: number): Uint8Array {
  if (h === oh && w === ow) return rgb;
  const ratio = Math.max(w / ow, h / oh);
  const rh = Math.max(1, Math.min(oh, Math.floor(h / ratio))), rw = Math.max(1, Math.min(ow, Math.floor(w / ratio)));
  const resized = resizeRgb(rgb, h, w, rh, rw);
  if (rh === oh && rw === ow) return resized;
  const out = new Uint8Array(oh * ow * 3);
  const py = Math.floor((oh - rh) / 2), pxl = Math.floor((ow - rw) / 2);
  for (let y = 0; y < rh; y++) out.set(resized.subarray(y * rw * 3, (y + 1) * rw * 3), ((y + py) * ow + pxl) * 3);
  return out;
}

/** The model's frame (oh x ow x 3 uint8) from a wire image. */
export function modelImage(a: NdArray, key: string, oh: number, ow: number): Uint8Array {
  const { rgb, h, w } = toUint8Hwc(a, key);
  return resizeWithPad(rgb, h, w, oh, ow);
}
