// Depth video: LeRobot's 12-bit log quantization (checked against its formula and its stated bound), stored as
// lossless HEVC gray12le in MP4 and decoded back within that bound, also after concatenation.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPTH_DEFAULTS, DEPTH_QMAX, depthErrorBound, dequantizeDepth, quantizeDepth } from './depth.ts';
import { depthQuantizationOf, depthVideoInfo, encodeDepthVideo, encodeVideo } from './encode.ts';
import { decodeDepthFrames } from './decode.ts';
import { concatVideos } from './concat.ts';
import { probeVideo } from './probe.ts';

const W = 96, H = 96, FPS = 30;
/** A depth ramp that differs per frame, over the whole range and a little beyond it. */
const depthFrame = (k: number) => Float32Array.from({ length: W * H }, (_, p) => 0.01 + ((p * 7 + k * 997) % (W * H)) / (W * H - 1) * 9.99);
const maxExcess = (a: Float32Array, b: Float32Array) => { let m = -Infinity; a.forEach((v, i) => { m = Math.max(m, Math.abs(b[i]! - v) - depthErrorBound(v) - 1e-6); }); return m; };

describe('depth quantization (LeRobot depth_utils)', () => {
  it('maps the range ends to 0 and 4095 and follows log(d + shift) in between', () => {
    const c = quantizeDepth(Float32Array.from([0.01, 10, 1, 0.001, 50, NaN, Infinity]));
    const lo = Math.log(3.51), hi = Math.log(13.5);
    expect([...c]).toEqual([0, 4095, Math.round((Math.log(4.5) - lo) / (hi - lo) * 4095), 0, 4095, 4095, 4095]);
    expect([...dequantizeDepth(Uint16Array.from([0, 4095]))]).toEqual([Math.fround(0.01), 10]);
  });
  it('states its error bound: (d + 3.5) (e^(s/2) - 1), 0.58 mm at 1 cm to 2.22 mm at 10 m', () => {
    expect(depthErrorBound(0.01) * 1000).toBeCloseTo(0.577, 2);
    expect(depthErrorBound(1) * 1000).toBeCloseTo(0.740, 2);
    expect(depthErrorBound(10) * 1000).toBeCloseTo(2.220, 2);
    const d = Float32Array.from({ length: 200_001 }, (_, i) => 0.01 + (i / 200_000) * 9.99);
    const back = dequantizeDepth(quantizeDepth(d));
    expect(maxExcess(d, back)).toBeLessThanOrEqual(0);
    // and the bound is tight: some value comes within 2% of it
    let worst = 0; d.forEach((v, i) => { worst = Math.max(worst, Math.abs(back[i]! - v) / depthErrorBound(v)); });
    expect(worst).toBeGreaterThan(0.98);
  });
  it('refuses parameters it cannot invert', () => {
    expect(() => quantizeDepth(new Float32Array(1), { ...DEPTH_DEFAULTS, depthMax: 0 })).toThrow(/depth_max \(0\) must exceed depth_min \(0\.01\)/);
    expect(() => quantizeDepth(new Float32Array(1), { ...DEPTH_DEFAULTS, shift: -1 })).toThrow(/depth_min \+ shift must be positive/);
    expect(DEPTH_QMAX).toBe(4095);
  });
});

describe('depth video (HEVC gray12le, lossless)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'depth-'));
  it('decodes every frame within the quantization bound, also from a concatenated file', async () => {
    const segs = [join(dir, 'd0.mp4'), join(dir, 'd1.mp4')];
    const eps = [[0, 1, 2, 3, 4], [5, 6, 7]].map((ks) => ks.map(depthFrame));
    for (const [e, frames] of eps.entries()) expect(await encodeDepthVideo(segs[e]!, frames, { width: W, height: H, fps: FPS })).toEqual({ frames: frames.length });
    expect(await probeVideo(segs[0]!)).toMatchObject({ frames: 5, codec: 'hevc', pixFmt: 'gray12le', width: W, height: H, fps: FPS });
    const got = await decodeDepthFrames(segs[0]!, [0, 2 / FPS, 4 / FPS]);
    [0, 2, 4].forEach((k, j) => {
      expect(maxExcess(eps[0]![k]!, got[j]!)).toBeLessThanOrEqual(0);
      expect([...quantizeDepth(got[j]!)]).toEqual([...quantizeDepth(eps[0]![k]!)]); // lossless: the very same codes
    });
    const out = join(dir, 'file-000.mp4');
    const spans = await concatVideos(segs, out);
    expect(spans[1]!.from).toBeCloseTo(5 / FPS, 9);
    const later = await decodeDepthFrames(out, [spans[1]!.from + 2 / FPS, spans[0]!.from + 1 / FPS]);
    expect(maxExcess(eps[1]![2]!, later[0]!)).toBeLessThanOrEqual(0);
    expect(maxExcess(eps[0]![1]!, later[1]!)).toBeLessThanOrEqual(0);
  }, 60_000);
  it('refuses to read an RGB video as depth and wrong frame sizes', async () => {
    const rgb = join(dir, 'rgb.mp4');
    await encodeVideo(rgb, [new Uint8Array(64 * 64 * 3)], { width: 64, height: 64, fps: FPS });
    await expect(decodeDepthFrames(rgb, [0])).rejects.toThrow(/decodeDepthFrames .*rgb\.mp4: not a depth video \(pixel format yuv420p; expected gray12le or yuv420p12le\)/);
    await expect(encodeDepthVideo(join(dir, 'bad.mp4'), [new Float32Array(10)], { width: W, height: H, fps: FPS })).rejects.toThrow(/bad\.mp4: frame 0 has 10 values, expected 96x96 = 9216/);
  }, 30_000);
  it('describes the feature with LeRobot depth keys, and reads them back', () => {
    const info = depthVideoInfo({ width: W, height: H, fps: FPS });
    expect(info).toMatchObject({ 'video.codec': 'hevc', 'video.pix_fmt': 'gray12le', 'video.is_depth_map': true, 'video.channels': 1,
      'video.depth_min': 0.01, 'video.depth_max': 10, 'video.shift': 3.5, 'video.use_log': true, has_audio: false });
    expect(depthQuantizationOf(info)).toEqual(DEPTH_DEFAULTS);
    expect(depthQuantizationOf({ 'video.depth_min': 0.1, 'video.use_log': 'false' })).toEqual({ ...DEPTH_DEFAULTS, depthMin: 0.1, useLog: false });
  });
});
