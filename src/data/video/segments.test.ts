// AV1 episode segments through the real ffmpeg: encode with LeRobot's settings, concatenate by stream copy, probe,
// and decode frame-exactly at from + frame_index / fps; each frame has its own flat colour, so a wrong frame shows.
// Bad inputs are refused with messages naming the file (and the timestamp).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeVideo, rgbVideoInfo } from './encode.ts';
import { concatVideos } from './concat.ts';
import { probeVideo } from './probe.ts';
import { decodeFrames } from './decode.ts';

const W = 96, H = 96, FPS = 30;
/** A colour per (episode, frame) far from the others. */
const colour = (e: number, i: number) => { const k = e * 64 + i; return [(k * 67 + 20) % 256, (k * 151 + 90) % 256, (k * 29 + 160) % 256] as const; };
const flat = (c: readonly number[]) => { const f = new Uint8Array(W * H * 3); for (let p = 0; p < W * H; p++) f.set(c, 3 * p); return f; };
const mean = (f: Uint8Array) => [0, 1, 2].map((ch) => { let s = 0; for (let p = 0; p < W * H; p++) s += f[3 * p + ch]!; return s / (W * H); });
const dist = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

describe('AV1 segments, concatenation and frame-exact decoding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segments-'));
  const lengths = [7, 40, 9];

  it('encodes, concatenates and decodes frame i of episode e as the frame that was encoded', async () => {
    const segs: string[] = [];
    for (const [e, n] of lengths.entries()) {
      const path = join(dir, `ep${e}.mp4`);
      expect(await encodeVideo(path, Array.from({ length: n }, (_, i) => flat(colour(e, i))), { width: W, height: H, fps: FPS })).toEqual({ frames: n });
      expect(await probeVideo(path)).toMatchObject({ frames: n, width: W, height: H, codec: 'av1', fps: FPS, pixFmt: 'yuv420p' });
      segs.push(path);
    }
    const out = join(dir, 'file-000.mp4');
    const spans = await concatVideos(segs, out);
    const starts = [0, 7, 47, 56];
    spans.forEach((s, e) => { expect(s.from).toBeCloseTo(starts[e]! / FPS, 9); expect(s.to).toBeCloseTo(starts[e + 1]! / FPS, 9); });
    const p = await probeVideo(out);
    expect(p).toMatchObject({ frames: 56, codec: 'av1', width: W, height: H, fps: FPS });
    expect(p.duration).toBeCloseTo(56 / FPS, 6);
    expect(await probeVideo(out, { countFrames: true })).toMatchObject({ frames: 56 }); // decoded frames, as ffprobe counts them
    // every frame of every episode, requested in a shuffled order, as a reader asks: from + frame_index / fps
    const want = lengths.flatMap((n, e) => Array.from({ length: n }, (_, i) => ({ e, i, t: spans[e]!.from + i / FPS })));
    const order = want.map((_, k) => (k * 11) % want.length);
    const frames = await decodeFrames(out, order.map((k) => want[k]!.t));
    order.forEach((k, j) => {
      const got = mean(frames[j]!), { e, i } = want[k]!;
      expect(dist(got, colour(e, i)), `episode ${e} frame ${i}`).toBeLessThan(8);
      for (const o of want) if (o.e !== e || o.i !== i) expect(dist(got, colour(o.e, o.i))).toBeGreaterThan(dist(got, colour(e, i)));
    });
    // a lone request late in the file: decoding seeks to the keyframe before it instead of starting at 0
    for (const [e, i] of [[2, 3], [1, 39], [2, 8]] as const) expect(dist(mean((await decodeFrames(out, [spans[e]!.from + i / FPS]))[0]!), colour(e, i))).toBeLessThan(8);
    // the same through ffmpeg's own frame selection (by index), as an independent check of the timestamps
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-vf', 'select=eq(n\\,48)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    expect(dist(mean(new Uint8Array(raw)), colour(2, 1))).toBeLessThan(8);
    expect(readdirSync(dir).filter((f) => f.includes('partial') || f.includes('concat-'))).toEqual([]); // no temporary files left
  }, 60_000);

  it('with the frame counts given (the writer knows them), the same spans from two probes instead of one per segment; a wrong count is caught', async () => {
    const segs = lengths.map((_, e) => join(dir, `ep${e}.mp4`));
    const probed = await concatVideos(segs, join(dir, 'probed.mp4'));
    expect(await concatVideos(segs, join(dir, 'known.mp4'), { frames: lengths })).toEqual(probed);
    await expect(concatVideos(segs, join(dir, 'bad1.mp4'), { frames: [8, 40, 9] })).rejects.toThrow(/bad1\.mp4: segment .*ep0\.mp4 has 7 frames, the caller said 8/);
    await expect(concatVideos(segs, join(dir, 'bad2.mp4'), { frames: [7, 41, 9] })).rejects.toThrow(/bad2\.mp4: expected 57 frames from the segments, the result has 56/);
    await expect(concatVideos(segs, join(dir, 'bad3.mp4'), { frames: [7, 40] })).rejects.toThrow(/2 frame counts for 3 segments/);
    expect(readdirSync(dir).filter((f) => f.startsWith('bad'))).toEqual([]); // nothing left of the refused ones
  }, 60_000);

  it('throws naming the file and the timestamp when no frame is within the tolerance', async () => {
    const path = join(dir, 'tol.mp4');
    await encodeVideo(path, Array.from({ length: 7 }, (_, i) => flat(colour(0, i))), { width: W, height: H, fps: FPS });
    await expect(decodeFrames(path, [0, 1.5 / FPS])).rejects.toThrow(/decodeFrames .*tol\.mp4: no frame within 0\.0001 s of timestamp 0.05 s \(nearest frame at 0\.0(3333|6666)\d* s; the video has 7 frames up to 0\.2333\d* s\)/);
    await expect(decodeFrames(path, [5])).rejects.toThrow(/tol\.mp4: no frame within 0\.0001 s of timestamp 5 s \(nearest frame at 0\.2 s; the video has 7 frames/);
    await expect(decodeFrames(path, [1 / FPS + 4e-5])).resolves.toHaveLength(1); // inside the tolerance
    await expect(decodeFrames(path, [1 / FPS + 4e-5], { tolerance: 1e-5 })).rejects.toThrow(/within 0\.00001 s|within 1e-5 s/);
    await expect(decodeFrames(path, [NaN])).rejects.toThrow(/tol\.mp4: timestamp NaN is not a finite number/);
    await expect(decodeFrames(join(dir, 'none.mp4'), [0])).rejects.toThrow(/none\.mp4: no such file/);
  }, 30_000);

  it('refuses frames SVT-AV1 cannot encode, wrong frame sizes and mismatched segments', async () => {
    await expect(encodeVideo(join(dir, 'small.mp4'), [new Uint8Array(32 * 32 * 3)], { width: 32, height: 32, fps: FPS }))
      .rejects.toThrow(/small\.mp4: the AV1 encoder \(SVT-AV1\) needs frames of at least 64x64, got 32x32/);
    await expect(encodeVideo(join(dir, 'odd.mp4'), [new Uint8Array(65 * 64 * 3)], { width: 65, height: 64, fps: FPS })).rejects.toThrow(/odd\.mp4: yuv420p needs even width and height/);
    await expect(encodeVideo(join(dir, 'len.mp4'), [flat([0, 0, 0]), new Uint8Array(5)], { width: W, height: H, fps: FPS })).rejects.toThrow(/len\.mp4: frame 1 has 5 bytes, expected 96x96x3 = 27648/);
    await expect(encodeVideo(join(dir, 'none.mp4'), [], { width: W, height: H, fps: FPS })).rejects.toThrow(/none\.mp4: no frames/);
    await expect(encodeVideo(join(dir, 'fps.mp4'), [flat([0, 0, 0])], { width: W, height: H, fps: 0 })).rejects.toThrow(/fps\.mp4: fps must be positive/);
    const other = join(dir, 'other.mp4');
    await encodeVideo(other, [new Uint8Array(64 * 64 * 3)], { width: 64, height: 64, fps: FPS });
    await expect(concatVideos([join(dir, 'ep0.mp4'), other], join(dir, 'bad.mp4'))).rejects.toThrow(/bad\.mp4: segment .*other\.mp4 is av1 64x64 yuv420p at 30 fps, but .*ep0\.mp4 is av1 96x96/);
    await expect(concatVideos([], join(dir, 'empty.mp4'))).rejects.toThrow(/empty\.mp4: no segments/);
    writeFileSync(join(dir, 'junk.mp4'), 'not a video');
    await expect(probeVideo(join(dir, 'junk.mp4'))).rejects.toThrow(/probeVideo .*junk\.mp4: ffprobe exited with 1: [\s\S]*Invalid data/);
  }, 30_000);

  it('describes the feature as LeRobot does in info.json', () => {
    expect(rgbVideoInfo({ width: W, height: H, fps: FPS })).toEqual({ 'video.height': 96, 'video.width': 96, 'video.codec': 'av1', 'video.pix_fmt': 'yuv420p',
      'video.is_depth_map': false, 'video.fps': 30, 'video.channels': 3, 'video.g': 2, 'video.crf': 30, 'video.preset': 12, has_audio: false });
  });
});
