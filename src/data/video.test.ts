// MP4 writing through the real ffmpeg: frame counts and sizes as ffprobe sees them, colours survive the encoding,
// and bad frames or sizes are refused with a message naming the file.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVideo } from './video.ts';

const probe = (path: string) => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0',
  '-show_entries', 'stream=codec_name,width,height,nb_read_frames,r_frame_rate', '-of', 'json', path], { encoding: 'utf8' })).streams[0];

describe('openVideo', () => {
  it.each(['h264', 'av1'] as const)('writes a %s MP4 that ffprobe reads back frame for frame', async (codec) => {
    const path = join(mkdtempSync(join(tmpdir(), 'video-')), `clip-${codec}.mp4`);
    const w = 64, h = codec === 'av1' ? 64 : 48, v = openVideo(path, { width: w, height: h, fps: 20, codec });
    for (let i = 0; i < 25; i++) {
      const f = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) f.set([i * 10, 200 - i * 5, (p % w) * 4], 3 * p); // changes every frame
      await v.push(f);
    }
    expect((await v.close()).frames).toBe(25);
    const s = probe(path);
    expect(s).toMatchObject({ codec_name: codec, width: w, height: h, nb_read_frames: '25', r_frame_rate: '20/1' });
    // decode the middle frame and check the colour came through the encoding
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', 'select=eq(n\\,12)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    const px = raw.subarray(3 * (20 * w + 2), 3 * (20 * w + 2) + 3);
    expect(Math.abs(px[0]! - 120)).toBeLessThan(12);
    expect(Math.abs(px[1]! - 140)).toBeLessThan(12);
  });
  it('refuses odd sizes, wrong frame lengths and a non-positive rate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'video-'));
    expect(() => openVideo(join(dir, 'a.mp4'), { width: 33, height: 32, fps: 20 })).toThrow(/a\.mp4: yuv420p needs even width and height, got 33x32/);
    expect(() => openVideo(join(dir, 'b.mp4'), { width: 32, height: 32, fps: 0 })).toThrow(/fps must be positive/);
    expect(() => openVideo(join(dir, 'd.mp4'), { width: 32, height: 32, fps: 20, codec: 'av1' })).toThrow(/AV1 encoder \(SVT-AV1\) needs at least 64x64, got 32x32/);
    const v = openVideo(join(dir, 'c.mp4'), { width: 32, height: 32, fps: 20 });
    await expect(v.push(new Uint8Array(10))).rejects.toThrow(/c\.mp4: frame 0 has 10 bytes, expected 32x32x3 = 3072/);
    await v.push(new Uint8Array(32 * 32 * 3));
    expect((await v.close()).frames).toBe(1);
  });
  it('reports ffmpeg failing mid-stream with its own message, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'video-'));
    mkdirSync(join(dir, 'bad.mp4')); // a folder where the file should go: ffmpeg cannot open its output
    const v = openVideo(join(dir, 'bad.mp4'), { width: 64, height: 64, fps: 20 });
    const frame = new Uint8Array(64 * 64 * 3);
    const pushing = (async () => { for (let i = 0; i < 400; i++) await v.push(frame); })();
    await expect(pushing.then(() => v.close())).rejects.toThrow(/bad\.mp4: ffmpeg (stopped|exited with code \d+): .+/);
  });
});
