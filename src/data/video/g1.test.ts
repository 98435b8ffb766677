// The real LeRobot v2.1 fixture (Unitree G1, AV1 640x480 at 30 fps, read in place): probing agrees with the
// episode lengths in meta/episodes.jsonl, frames decoded at timestamps are the very frames ffmpeg selects by
// index, and image stats of the decoded frames come close to the ones LeRobot stored (computed before encoding).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeVideo } from './probe.ts';
import { decodeFrames } from './decode.ts';
import { featureStats, fromLeRobotStats, sampleIndices } from '../stats.ts';

const ROOT = join(import.meta.dirname, '../../../../shared/fixtures/lerobot-g1-v2.1-partial');
const KEY = 'observation.images.cam_high';
const video = (e: number) => join(ROOT, `videos/chunk-000/${KEY}/episode_${String(e).padStart(6, '0')}.mp4`);
const jsonl = (f: string) => readFileSync(join(ROOT, 'meta', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const lengths = new Map<number, number>(jsonl('episodes.jsonl').map((e: { episode_index: number; length: number }) => [e.episode_index, e.length]));

describe('G1 fixture videos', () => {
  it.each([1, 2, 4])('episode %i: ffprobe frame count and duration match meta/episodes.jsonl', async (e) => {
    const p = await probeVideo(video(e));
    expect(p).toMatchObject({ frames: lengths.get(e), width: 640, height: 480, codec: 'av1', fps: 30, pixFmt: 'yuv420p' });
    expect(p.duration).toBeCloseTo(lengths.get(e)! / 30, 3);
  });

  it('decodes frames at timestamps exactly as ffmpeg selects them by index', async () => {
    const n = lengths.get(1)!, idx = [0, 1, 150, 151, n - 1];
    const frames = await decodeFrames(video(1), idx.map((i) => i / 30));
    for (const [j, i] of idx.entries()) {
      const ref = execFileSync('ffmpeg', ['-v', 'error', '-i', video(1), '-vf', `select=eq(n\\,${i})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 22 });
      expect(frames[j]!.length).toBe(640 * 480 * 3);
      expect(Buffer.from(frames[j]!).equals(ref), `frame ${i}`).toBe(true);
    }
    expect(Buffer.from(frames[2]!).equals(Buffer.from(frames[3]!))).toBe(false);
    await expect(decodeFrames(video(1), [n / 30])).rejects.toThrow(/episode_000001\.mp4: no frame within 0\.0001 s of timestamp 13\.1 s \(nearest frame at 13\.0666\d* s; the video has 393 frames/);
  }, 60_000);

  it('image stats of the decoded frames are close to the stats LeRobot stored for the episode', async () => {
    const n = lengths.get(1)!;
    const stored = fromLeRobotStats(jsonl('episodes_stats.jsonl').find((s: { episode_index: number }) => s.episode_index === 1).stats)[KEY]!;
    const all: Uint8Array[] = Array.from({ length: n }, () => new Uint8Array(0)); // featureStats only reads the frames it samples
    const picked = sampleIndices(n);
    const frames = await decodeFrames(video(1), picked.map((i) => i / 30));
    picked.forEach((i, j) => { all[i] = frames[j]!; });
    for (const i of all.keys()) if (!all[i]!.length) all[i] = frames[0]!; // unsampled: any frame of the right size
    const s = featureStats(all, { dtype: 'video', shape: [480, 640, 3], names: ['height', 'width', 'channels'] });
    expect(s.count).toEqual(stored.count); // 102 sampled frames of 393, as LeRobot sampled
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(s.mean[c]! - stored.mean[c]!)).toBeLessThan(0.01);
      expect(Math.abs(s.std[c]! - stored.std[c]!)).toBeLessThan(0.01);
    }
  }, 60_000);
});
