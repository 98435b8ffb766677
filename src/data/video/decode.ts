// Frame-exact decoding at requested timestamps: ffmpeg seeks to the keyframe before the earliest request, decodes
// the span to raw frames with the original timestamps (-copyts), a select filter keeps only frames near a request
// and showinfo reports each kept frame's pts in ticks; every request gets the frame whose pts is nearest, and it
// is an error (naming file and timestamp) when that frame is further than the tolerance (default 1e-4 s, LeRobot's).
// Requests far apart are decoded as separate spans. RGB comes back as H x W x 3 uint8; depth videos come back as
// metres through depth.ts.
import { statSync } from 'node:fs';
import { run } from './ffmpeg.ts';
import { probePackets, probeVideo, type VideoProbe } from './probe.ts';
import { DEPTH_DEFAULTS, dequantizeDepth, type DepthQuantization } from './depth.ts';

export interface DecodeOptions {
  /** Seconds a decoded frame may be from the request (default 1e-4). */
  tolerance?: number;
  /** Decoder threads (ffmpeg's -threads; default: ffmpeg's choice). */
  threads?: number;
}

export const DEFAULT_TOLERANCE_S = 1e-4;
/** Requests further apart than this are decoded as separate spans. */
const SPAN_GAP_S = 1;
/** Beyond this many requests in a span, keep every frame of the span instead of a select expression per request. */
const MAX_SELECT_TERMS = 48;

const probes = new Map<string, { key: string; probe: Promise<VideoProbe> }>();

/** probeVideo, remembered per file until its size or mtime changes. */
export function probeCached(path: string): Promise<VideoProbe> {
  let key: string;
  try { const s = statSync(path); key = `${s.size}:${s.mtimeMs}`; } catch { return probeVideo(path); }
  const hit = probes.get(path);
  if (hit && hit.key === key) return hit.probe;
  const probe = probeVideo(path);
  probe.catch(() => probes.delete(path));
  probes.set(path, { key, probe });
  return probe;
}

/** Index of the pts (sorted ticks) nearest to t seconds; -1 when there are none. */
export function nearest(pts: ArrayLike<number>, timeBase: number, t: number): number {
  let lo = 0, hi = pts.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (pts[mid]! * timeBase < t) lo = mid + 1; else hi = mid; }
  return lo > 0 && Math.abs(pts[lo - 1]! * timeBase - t) <= Math.abs(pts[lo]! * timeBase - t) ? lo - 1 : lo;
}

const showinfoParser = (pts: number[], tb: { value: number }) => (l: string) => {
  if (!l.includes('showinfo')) return;
  const m = /\bn:\s*\d+\s+pts:\s*(-?\d+)/.exec(l);
  if (m) { pts.push(Number(m[1])); return; }
  const c = /config in time_base:\s*(\d+)\/(\d+)/.exec(l);
  if (c) tb.value = Number(c[1]) / Number(c[2]);
};

/** Decodes every frame of a video as rgb24 into `sink` (called in order, awaited: memory stays bounded). */
export async function decodeAllFrames(path: string, sink: (chunk: Buffer) => void | Promise<void>, o: DecodeOptions = {}): Promise<{ probe: VideoProbe; pts: number[]; timeBase: number }> {
  const probe = await probeCached(path);
  const pts: number[] = [], tb = { value: NaN };
  let bytes = 0;
  await run('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'info', ...(o.threads ? ['-threads', String(o.threads)] : []), '-copyts', '-i', path,
    '-map', '0:v:0', '-vf', 'showinfo=checksum=0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], `decodeAllFrames ${path}`,
  { onStderrLine: showinfoParser(pts, tb), onStdout: (c) => { bytes += c.length; return sink(c); } });
  const frameBytes = probe.width * probe.height * 3;
  if (bytes !== pts.length * frameBytes) throw new Error(`decodeAllFrames ${path}: ffmpeg returned ${bytes} bytes for ${pts.length} frames of ${frameBytes} bytes`);
  for (let i = 1; i < pts.length; i++) if (!(pts[i]! > pts[i - 1]!)) throw new Error(`decodeAllFrames ${path}: frame ${i} has pts ${pts[i]} after ${pts[i - 1]}: timestamps must increase`);
  return { probe, pts, timeBase: tb.value };
}

interface Decoded { pts: number[]; timeBase: number; data: Buffer; frameBytes: number }

async function decodeSpan(path: string, what: string, ts: number[], tol: number, pixFmt: string, frameBytes: number, o: DecodeOptions): Promise<Decoded> {
  const a = ts[0]!, b = ts[ts.length - 1]!;
  const start = Math.max(0, a - tol - 0.1);
  const pad = tol + 1e-6;
  const select = ts.length <= MAX_SELECT_TERMS ? `select='${ts.map((t) => `lt(abs(t-${t})\\,${pad})`).join('+')}',` : '';
  const args = ['-hide_banner', '-nostats', '-loglevel', 'info', ...(o.threads ? ['-threads', String(o.threads)] : []),
    '-noaccurate_seek', '-copyts', ...(start > 0 ? ['-ss', start.toFixed(6)] : []), '-i', path,
    '-map', '0:v:0', '-vf', `trim=end=${(b + pad).toFixed(6)},${select}showinfo=checksum=0`, ...(select ? ['-frames:v', String(ts.length)] : []),
    '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'];
  const pts: number[] = [], tb = { value: NaN };
  const { stdout } = await run('ffmpeg', args, what, { onStderrLine: showinfoParser(pts, tb) });
  if (stdout.length !== pts.length * frameBytes) throw new Error(`${what}: ffmpeg returned ${stdout.length} bytes for ${pts.length} frames of ${frameBytes} bytes`);
  // select keeps frames in decode order; sort by pts (they arrive sorted for AV1/HEVC without reordering)
  const order = pts.map((_, i) => i).sort((x, y) => pts[x]! - pts[y]!);
  if (order.some((v, i) => v !== i)) {
    const data = Buffer.alloc(stdout.length);
    order.forEach((src, dst) => stdout.copy(data, dst * frameBytes, src * frameBytes, (src + 1) * frameBytes));
    return { pts: order.map((i) => pts[i]!), timeBase: tb.value, data, frameBytes };
  }
  return { pts, timeBase: tb.value, data: stdout, frameBytes };
}

/** Decodes the frames at `timestamps` (seconds in the file); returns one raw frame per request, in request order. */
async function decodeAt(path: string, timestamps: number[], o: DecodeOptions, kind: 'rgb' | 'depth'): Promise<{ frames: Uint8Array[]; probe: VideoProbe }> {
  const fn = kind === 'rgb' ? 'decodeFrames' : 'decodeDepthFrames';
  const tol = o.tolerance ?? DEFAULT_TOLERANCE_S;
  if (!(tol >= 0)) throw new RangeError(`${fn} ${path}: tolerance must be >= 0, got ${tol}`);
  for (const t of timestamps) if (!Number.isFinite(t)) throw new RangeError(`${fn} ${path}: timestamp ${t} is not a finite number`);
  const probe = await probeCached(path);
  let pixFmt = 'rgb24', frameBytes = probe.width * probe.height * 3;
  if (kind === 'depth') {
    if (probe.pixFmt === 'gray12le') { pixFmt = 'gray12le'; frameBytes = probe.width * probe.height * 2; }
    else if (probe.pixFmt === 'yuv420p12le') { pixFmt = 'yuv420p12le'; frameBytes = probe.width * probe.height * 3; } // codes in the Y plane
    else throw new Error(`${fn} ${path}: not a depth video (pixel format ${probe.pixFmt}; expected gray12le or yuv420p12le)`);
  }
  const sorted = [...new Set(timestamps)].sort((x, y) => x - y);
  const spans: number[][] = [];
  for (const t of sorted) {
    const last = spans[spans.length - 1];
    if (last && t - last[last.length - 1]! <= SPAN_GAP_S) last.push(t); else spans.push([t]);
  }
  const decoded = await Promise.all(spans.map((s) => decodeSpan(path, `${fn} ${path}`, s, tol, pixFmt, frameBytes, o)));
  const found = new Map<number, Uint8Array>();
  for (const [i, s] of spans.entries()) {
    const d = decoded[i]!;
    for (const t of s) {
      const best = nearest(d.pts, d.timeBase, t);
      if (best < 0 || !(Math.abs(d.pts[best]! * d.timeBase - t) <= tol)) {
        const all = await probePackets(path); // the error path: say where the nearest frame really is
        const k = nearest(all.pts, all.timeBase, t);
        const near = k < 0 ? 'the video has no frames' : `nearest frame at ${all.pts[k]! * all.timeBase} s; the video has ${all.pts.length} frames up to ${all.end * all.timeBase} s`;
        throw new Error(`${fn} ${path}: no frame within ${tol} s of timestamp ${t} s (${near})`);
      }
      found.set(t, new Uint8Array(d.data.buffer, d.data.byteOffset + best * frameBytes, frameBytes));
    }
  }
  return { frames: timestamps.map((t) => found.get(t)!), probe };
}

/** RGB frames (H x W x 3 uint8) at the requested timestamps. Frames requested twice share one buffer. */
export async function decodeFrames(path: string, timestamps: number[], o: DecodeOptions = {}): Promise<Uint8Array[]> {
  return (await decodeAt(path, timestamps, o, 'rgb')).frames;
}

/** Depth frames (H x W float32 metres) at the requested timestamps, from a depth video (see encodeDepthVideo). */
export async function decodeDepthFrames(path: string, timestamps: number[], o: DecodeOptions & { quantization?: DepthQuantization } = {}): Promise<Float32Array[]> {
  const { frames, probe } = await decodeAt(path, timestamps, o, 'depth');
  const px = probe.width * probe.height;
  return frames.map((f) => {
    const codes = new Uint16Array(px);
    new Uint8Array(codes.buffer).set(f.subarray(0, px * 2)); // little-endian 16-bit codes; the Y plane comes first
    return dequantizeDepth(codes, o.quantization ?? DEPTH_DEFAULTS);
  });
}
