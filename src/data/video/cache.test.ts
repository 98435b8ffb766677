// The decoded-frame cache on real files: frames read back equal decodeFrames' output, by frame number and by
// timestamp; reopening does not decode again; a changed source is decoded again while unchanged ones are copied;
// worker threads and processes opening it at once all read the same frames and only one of them builds it.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameCache } from './cache.ts';
import { encodeVideo } from './encode.ts';
import { concatVideos } from './concat.ts';
import { decodeFrames } from './decode.ts';

const W = 96, H = 96, FPS = 30;
const frame = (k: number) => { const f = new Uint8Array(W * H * 3); for (let p = 0; p < W * H; p++) f.set([(k * 40) % 256, (p % W) * 2, 200 - k * 10], 3 * p); return f; };
const reader = new URL('./testing/cache-reader.mjs', import.meta.url);

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  const a0 = join(dir, 'a0.mp4'), a1 = join(dir, 'a1.mp4'), b = join(dir, 'b.mp4');
  await encodeVideo(a0, [0, 1, 2, 3, 4].map(frame), { width: W, height: H, fps: FPS });
  await encodeVideo(a1, [5, 6, 7].map(frame), { width: W, height: H, fps: FPS });
  await encodeVideo(b, [8, 9, 10, 11].map(frame), { width: W, height: H, fps: FPS });
  const a = join(dir, 'a.mp4');
  const spans = await concatVideos([a0, a1], a);
  return { dir, a, b, spans, sources: { 'cam/file-000': a, 'wrist/file-000': b }, file: join(dir, 'frames.u8') };
}

describe('FrameCache', () => {
  it('serves the decoded frames by number and by timestamp, and does not decode twice', async () => {
    const { a, b, spans, sources, file } = await fixture();
    const c = await FrameCache.open(file, sources);
    expect(c.decoded.sort()).toEqual(['cam/file-000', 'wrist/file-000']);
    expect(c.info('cam/file-000')).toMatchObject({ width: W, height: H, frames: 8 });
    expect(statSync(file).size).toBe(64 + 12 * W * H * 3);
    const ref = await decodeFrames(a, Array.from({ length: 8 }, (_, i) => i / FPS));
    for (let i = 0; i < 8; i++) expect(Buffer.from(c.get('cam/file-000', { frame: i })).equals(Buffer.from(ref[i]!))).toBe(true);
    const t = spans[1]!.from + 2 / FPS; // episode 1, frame 2
    expect(Buffer.from(c.get('cam/file-000', { timestamp: t })).equals(Buffer.from(ref[7]!))).toBe(true);
    const out = new Uint8Array(W * H * 3 + 10);
    expect(c.get('wrist/file-000', { timestamp: 3 / FPS }, out).length).toBe(W * H * 3);
    expect(Buffer.from(out.subarray(0, W * H * 3)).equals(Buffer.from((await decodeFrames(b, [3 / FPS]))[0]!))).toBe(true);
    expect(() => c.get('cam/file-000', { timestamp: t + 0.5 / FPS })).toThrow(/frames\.u8: cam\/file-000 \(.*a\.mp4\) has no frame within 0\.0001 s of timestamp 0\.25 s \(nearest at 0\.2333\d* s\)/);
    expect(() => c.get('cam/file-000', { frame: 8 })).toThrow(/cam\/file-000 has 8 frames, frame 8 requested/);
    expect(() => c.get('side', { frame: 0 })).toThrow(/no video "side" \(has cam\/file-000, wrist\/file-000\)/);
    c.close();
    expect(() => c.get('cam/file-000', { frame: 0 })).toThrow(/closed/);
    const again = await FrameCache.open(file, sources);
    expect(again.decoded).toEqual([]);
    again.close();
    expect(readdirSync(join(file, '..')).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
  }, 60_000);

  it('decodes a source again when its size or mtime changes, copying the unchanged ones', async () => {
    const { b, sources, file } = await fixture();
    const first = await FrameCache.open(file, sources);
    const before = first.get('cam/file-000', { frame: 3 });
    await encodeVideo(b, [20, 21].map(frame), { width: W, height: H, fps: FPS }); // the wrist video is re-recorded
    expect(first.isStale()).toBe(true);
    const second = await FrameCache.open(file, sources);
    expect(second.decoded).toEqual(['wrist/file-000']);
    expect(second.info('wrist/file-000').frames).toBe(2);
    expect(Buffer.from(second.get('cam/file-000', { frame: 3 })).equals(Buffer.from(before))).toBe(true);
    expect(Buffer.from(first.get('cam/file-000', { frame: 3 })).equals(Buffer.from(before))).toBe(true); // an open reader keeps its file
    const t = new Date(Date.now() + 5000);
    utimesSync(b, t, t); // same bytes, new mtime
    const third = await FrameCache.open(file, sources);
    expect(third.decoded).toEqual(['wrist/file-000']);
    for (const c of [first, second, third]) c.close();
  }, 60_000);

  it('rebuilds a truncated or mismatched cache and refuses missing sources', async () => {
    const { dir, sources, file } = await fixture();
    (await FrameCache.open(file, sources)).close();
    writeFileSync(file, readFileSync(file).subarray(0, 1000)); // truncated data file
    const c = await FrameCache.open(file, sources);
    expect(c.decoded.length).toBe(2);
    c.close();
    await expect(FrameCache.open(file, { ...sources, side: join(dir, 'gone.mp4') })).rejects.toThrow(/frames\.u8: source side is missing: .*gone\.mp4/);
    writeFileSync(`${file}.lock`, '999999999'); // left behind by a builder that was killed
    writeFileSync(`${file}.json`, '{}');
    const d = await FrameCache.open(file, sources);
    expect(d.decoded.length).toBe(2);
    d.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 60_000);

  it('is read by several worker threads and processes at once; one of them builds it', async () => {
    const { a, b, sources, file } = await fixture();
    const sum = async (path: string) => {
      const n = path === a ? 8 : 4, h = createHash('sha1');
      for (const f of await decodeFrames(path, Array.from({ length: n }, (_, i) => i / FPS))) h.update(f);
      return h.digest('hex');
    };
    const want = { 'cam/file-000': await sum(a), 'wrist/file-000': await sum(b) };
    type R = { sums: Record<string, string>; decoded: string[] };
    const proc = () => new Promise<R>((resolve, reject) => {
      const p = spawn(process.execPath, [reader.pathname, JSON.stringify({ file, sources })], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(err))));
    });
    const thread = () => new Promise<R>((resolve, reject) => {
      const w = new Worker(reader, { workerData: { file, sources } });
      w.once('message', resolve);
      w.once('error', reject);
    });
    const results = await Promise.all([proc(), proc(), thread(), thread()]);
    for (const r of results) expect(r.sums).toEqual(want);
    expect(results.filter((r) => r.decoded.length > 0)).toHaveLength(1);
  }, 60_000);
});
