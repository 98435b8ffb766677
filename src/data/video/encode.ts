// Encoding one episode's frames into an MP4 segment. RGB: AV1 through libsvtav1 with LeRobot's defaults (yuv420p,
// g=2, crf=30, preset 12 = LIBSVTAV1_DEFAULT_PRESET in lerobot/configs/video.py). Depth (documented extension, see
// depth.ts): LeRobot's 12-bit log quantization stored losslessly as HEVC (libx265, lossless=1) in gray12le, g=2.
// Files are written under a temporary name and renamed, so a killed encode never leaves a truncated segment.
// Also the `info` block of each video feature for meta/info.json.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { run } from './ffmpeg.ts';
import { DEPTH_DEFAULTS, quantizeDepth, type DepthQuantization } from './depth.ts';

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** AV1 only: constant rate factor (default 30) and SVT-AV1 preset (default 12, LeRobot's). */
  crf?: number;
  preset?: number;
  /** Keyframe interval (default 2, LeRobot's). */
  g?: number;
}

export const RGB_DEFAULTS = { codec: 'av1', encoder: 'libsvtav1', pixFmt: 'yuv420p', g: 2, crf: 30, preset: 12 } as const;
export const DEPTH_VIDEO = { codec: 'hevc', encoder: 'libx265', pixFmt: 'gray12le', g: 2 } as const;

function check(path: string, o: EncodeOptions, n: number, minSide: number, what: string): void {
  if (!(Number.isInteger(o.width) && Number.isInteger(o.height) && o.width > 0 && o.height > 0)) throw new RangeError(`${what} ${path}: width and height must be positive integers, got ${o.width}x${o.height}`);
  if (!(o.fps > 0 && Number.isFinite(o.fps))) throw new RangeError(`${what} ${path}: fps must be positive, got ${o.fps}`);
  if (n === 0) throw new RangeError(`${what} ${path}: no frames`);
  if (minSide && (o.width < minSide || o.height < minSide)) throw new RangeError(`${what} ${path}: the AV1 encoder (SVT-AV1) needs frames of at least ${minSide}x${minSide}, got ${o.width}x${o.height}; render the camera at 64x64 or more (the sim default is 96x96)`);
  if (minSide && (o.width % 2 || o.height % 2)) throw new RangeError(`${what} ${path}: yuv420p needs even width and height, got ${o.width}x${o.height}`);
}

async function encode(path: string, what: string, inFmt: string, o: EncodeOptions, chunks: Iterable<Uint8Array>, codecArgs: string[]): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await run('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', inFmt, '-s', `${o.width}x${o.height}`,
      '-r', String(o.fps), '-i', 'pipe:0', ...codecArgs, '-g', String(o.g ?? 2), '-f', 'mp4', tmp], `${what} ${path}`, { input: chunks });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Encodes RGB frames (H x W x 3 uint8, top row first) as an AV1 MP4 with LeRobot's settings. */
export async function encodeVideo(path: string, frames: Uint8Array[], o: EncodeOptions): Promise<{ frames: number }> {
  check(path, o, frames.length, 64, 'encodeVideo');
  const size = o.width * o.height * 3;
  frames.forEach((f, i) => { if (f.length !== size) throw new RangeError(`encodeVideo ${path}: frame ${i} has ${f.length} bytes, expected ${o.width}x${o.height}x3 = ${size}`); });
  await encode(path, 'encodeVideo', 'rgb24', o, frames, ['-c:v', RGB_DEFAULTS.encoder, '-crf', String(o.crf ?? RGB_DEFAULTS.crf),
    '-preset', String(o.preset ?? RGB_DEFAULTS.preset), '-pix_fmt', RGB_DEFAULTS.pixFmt]);
  return { frames: frames.length };
}

/** Encodes depth frames (H x W float32 metres) as lossless HEVC gray12le of LeRobot's 12-bit log codes. */
export async function encodeDepthVideo(path: string, frames: Float32Array[], o: EncodeOptions & { quantization?: DepthQuantization }): Promise<{ frames: number }> {
  check(path, o, frames.length, 0, 'encodeDepthVideo');
  const px = o.width * o.height, q = o.quantization ?? DEPTH_DEFAULTS;
  frames.forEach((f, i) => { if (f.length !== px) throw new RangeError(`encodeDepthVideo ${path}: frame ${i} has ${f.length} values, expected ${o.width}x${o.height} = ${px}`); });
  function* codes() { // gray12le raw: one little-endian uint16 per pixel (x86 and arm are little-endian)
    for (const f of frames) { const c = quantizeDepth(f, q); yield new Uint8Array(c.buffer, c.byteOffset, c.byteLength); }
  }
  await encode(path, 'encodeDepthVideo', 'gray12le', o, codes(), ['-c:v', DEPTH_VIDEO.encoder, '-x265-params', 'lossless=1:log-level=error',
    '-pix_fmt', DEPTH_VIDEO.pixFmt, '-tag:v', 'hvc1']);
  return { frames: frames.length };
}

/** info.json `info` of an RGB video feature encoded by encodeVideo. */
export function rgbVideoInfo(o: EncodeOptions): Record<string, unknown> {
  return {
    'video.height': o.height, 'video.width': o.width, 'video.codec': RGB_DEFAULTS.codec, 'video.pix_fmt': RGB_DEFAULTS.pixFmt,
    'video.is_depth_map': false, 'video.fps': o.fps, 'video.channels': 3, 'video.g': o.g ?? RGB_DEFAULTS.g,
    'video.crf': o.crf ?? RGB_DEFAULTS.crf, 'video.preset': o.preset ?? RGB_DEFAULTS.preset, has_audio: false,
  };
}

/** info.json `info` of a depth video feature encoded by encodeDepthVideo (LeRobot's depth keys). */
export function depthVideoInfo(o: EncodeOptions & { quantization?: DepthQuantization }): Record<string, unknown> {
  const q = o.quantization ?? DEPTH_DEFAULTS;
  return {
    'video.height': o.height, 'video.width': o.width, 'video.codec': DEPTH_VIDEO.codec, 'video.pix_fmt': DEPTH_VIDEO.pixFmt,
    'video.is_depth_map': true, 'video.fps': o.fps, 'video.channels': 1, 'video.g': o.g ?? DEPTH_VIDEO.g, 'video.lossless': true,
    'video.depth_min': q.depthMin, 'video.depth_max': q.depthMax, 'video.shift': q.shift, 'video.use_log': q.useLog,
    'video.quant_bits': 12, has_audio: false,
  };
}

/** The quantization a depth feature's `info` describes (LeRobot's defaults where keys are missing). */
export function depthQuantizationOf(info: Record<string, unknown> | null | undefined): DepthQuantization {
  const n = (k: string, d: number) => (typeof info?.[k] === 'number' ? (info[k] as number) : d);
  return { depthMin: n('video.depth_min', DEPTH_DEFAULTS.depthMin), depthMax: n('video.depth_max', DEPTH_DEFAULTS.depthMax),
    shift: n('video.shift', DEPTH_DEFAULTS.shift), useLog: info?.['video.use_log'] === undefined ? DEPTH_DEFAULTS.useLog : info['video.use_log'] === true || info['video.use_log'] === 'true' };
}
