// The decoded-frame cache: each (key, video file) is decoded once into one uint8 file of H x W x 3 frames, with a
// small JSON index beside it (cacheFile + '.json': per key the source's path, size and mtime, frame size, offset and
// the frames' pts). Reads go to the file by offset (pread), so memory stays at one frame per read; many threads or
// processes may read at once. Building is atomic: data and index are written under temporary names and renamed,
// data first, then the index, the commit point; a build id in the data file's header must match the index, so a
// reader never pairs new data with an old index. One builder at a time holds cacheFile + '.lock' (others wait);
// a source whose size or mtime changed is decoded again, unchanged ones are copied from the previous cache.
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { decodeAllFrames, nearest, DEFAULT_TOLERANCE_S, type DecodeOptions } from './decode.ts';

const MAGIC = 'KKFRAME1';
const HEADER = 64;

const Entry = z.object({
  path: z.string(), size: z.number(), mtimeMs: z.number(),
  width: z.number().int().positive(), height: z.number().int().positive(), frames: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(), timeBase: z.number().positive(), pts: z.array(z.number()),
});
type Entry = z.infer<typeof Entry>;
const Index = z.object({ version: z.literal(1), buildId: z.string(), dataBytes: z.number().int(), entries: z.record(z.string(), Entry) });
type Index = z.infer<typeof Index>;

export interface FrameCacheOptions extends DecodeOptions {
  /** How long to wait for another process's build (default 30 min). */
  lockTimeoutMs?: number;
}

export type FrameAt = { frame: number } | { timestamp: number; tolerance?: number };

function readIndex(file: string): Index | undefined {
  try { return Index.parse(JSON.parse(readFileSync(`${file}.json`, 'utf8'))); } catch { return undefined; }
}

function sourceMatches(e: Entry | undefined, path: string): boolean {
  if (!e || e.path !== path) return false;
  try { const s = statSync(path); return s.size === e.size && s.mtimeMs === e.mtimeMs; } catch { return false; }
}

/** Opens the data file of an index and checks its header and size; undefined when they do not match. */
function openData(file: string, idx: Index): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const h = Buffer.alloc(HEADER);
    readSync(fd, h, 0, HEADER, 0);
    const [magic, id] = h.toString('latin1').replace(/\0+$/, '').split(' ');
    if (magic === MAGIC && id === idx.buildId && fstatSync(fd).size === idx.dataBytes) return fd;
  } catch { /* missing or unreadable: rebuild */ }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`, t0 = Date.now();
  for (;;) {
    try { writeFileSync(lock, String(process.pid), { flag: 'wx' }); break; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`FrameCache ${file}: cannot create lock ${lock}: ${(e as Error).message}`);
      const holder = Number(readFileSync(lock, 'utf8') || NaN);
      if (Number.isInteger(holder) && !alive(holder)) { rmSync(lock, { force: true }); continue; } // left by a killed builder
      if (Date.now() - t0 > timeoutMs) throw new Error(`FrameCache ${file}: gave up after ${timeoutMs} ms waiting for process ${holder} to finish building (lock ${lock})`);
      await sleep(100);
    }
  }
  try { return await fn(); } finally { rmSync(lock, { force: true }); }
}

export class FrameCache {
  readonly keys: string[];
  /** Keys this open() decoded (empty when the cache was already up to date or another process built it). */
  decoded: string[] = [];
  private constructor(readonly file: string, private readonly index: Index, private fd: number | undefined) {
    this.keys = Object.keys(index.entries);
  }

  /** Opens the cache of `sources` (key -> video file), building or refreshing it first where needed. */
  static async open(cacheFile: string, sources: Record<string, string>, o: FrameCacheOptions = {}): Promise<FrameCache> {
    const file = resolve(cacheFile);
    const want = Object.fromEntries(Object.entries(sources).map(([k, p]) => [k, resolve(p)]));
    for (const [k, p] of Object.entries(want)) if (!existsSync(p)) throw new Error(`FrameCache ${file}: source ${k} is missing: ${p}`);
    const tryOpen = () => {
      const idx = readIndex(file);
      if (!idx || !Object.entries(want).every(([k, p]) => sourceMatches(idx.entries[k], p))) return undefined;
      const fd = openData(file, idx);
      return fd === undefined ? undefined : new FrameCache(file, idx, fd);
    };
    const ready = tryOpen();
    if (ready) return ready;
    return withLock(file, o.lockTimeoutMs ?? 30 * 60_000, async () => {
      const other = tryOpen(); // built by another process while we waited
      if (other) return other;
      const decoded = await build(file, want, o);
      const c = tryOpen();
      if (!c) throw new Error(`FrameCache ${file}: the cache was built but does not open (was a source changed during the build?)`);
      c.decoded = decoded;
      return c;
    });
  }

  private entry(key: string): Entry {
    const e = this.index.entries[key];
    if (!e) throw new RangeError(`FrameCache ${this.file}: no video "${key}" (has ${this.keys.join(', ') || 'none'})`);
    return e;
  }

  /** Size and timestamps (seconds) of a key's frames. */
  info(key: string): { width: number; height: number; frames: number; path: string; timestamps: number[] } {
    const e = this.entry(key);
    return { width: e.width, height: e.height, frames: e.frames, path: e.path, timestamps: e.pts.map((p) => p * e.timeBase) };
  }

  /** Frame number of the frame within tolerance of `timestamp` (seconds in the video file). */
  frameAt(key: string, timestamp: number, tolerance = DEFAULT_TOLERANCE_S): number {
    const e = this.entry(key);
    const i = nearest(e.pts, e.timeBase, timestamp);
    if (i < 0 || !(Math.abs(e.pts[i]! * e.timeBase - timestamp) <= tolerance))
      throw new RangeError(`FrameCache ${this.file}: ${key} (${e.path}) has no frame within ${tolerance} s of timestamp ${timestamp} s${i < 0 ? '' : ` (nearest at ${e.pts[i]! * e.timeBase} s)`}`);
    return i;
  }

  /** One frame (H x W x 3), read from the file into `out` (or a new array). */
  get(key: string, at: FrameAt, out?: Uint8Array): Uint8Array {
    if (this.fd === undefined) throw new Error(`FrameCache ${this.file}: closed`);
    const e = this.entry(key);
    const i = 'frame' in at ? at.frame : this.frameAt(key, at.timestamp, at.tolerance);
    if (!(Number.isInteger(i) && i >= 0 && i < e.frames)) throw new RangeError(`FrameCache ${this.file}: ${key} has ${e.frames} frames, frame ${i} requested`);
    const size = e.width * e.height * 3;
    const buf = out ?? new Uint8Array(size);
    if (buf.length < size) throw new RangeError(`FrameCache ${this.file}: output of ${buf.length} bytes is smaller than a frame (${size})`);
    const n = readSync(this.fd, buf, 0, size, e.offset + i * size);
    if (n !== size) throw new Error(`FrameCache ${this.file}: short read of ${key} frame ${i} (${n} of ${size} bytes): the cache file is truncated`);
    return out ? buf.subarray(0, size) : buf;
  }

  /** True when a source file changed since the cache was built (reopen to refresh). */
  isStale(): boolean {
    return Object.values(this.index.entries).some((e) => !sourceMatches(e, e.path));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes a fresh data file and index for `want`, reusing unchanged entries of the previous cache. */
async function build(file: string, want: Record<string, string>, o: DecodeOptions): Promise<string[]> {
  const old = readIndex(file);
  const oldFd = old ? openData(file, old) : undefined;
  const buildId = randomBytes(8).toString('hex');
  const tmp = `${file}.tmp-${process.pid}-${buildId}`;
  const fd = openSync(tmp, 'w');
  try {
    const header = Buffer.alloc(HEADER);
    header.write(`${MAGIC} ${buildId}`, 'latin1');
    writeSync(fd, header, 0, HEADER, 0);
    let pos = HEADER;
    const entries: Record<string, Entry> = {}, decoded: string[] = [];
    for (const key of Object.keys(want).sort()) {
      const path = want[key]!, st = statSync(path), prev = old?.entries[key];
      if (oldFd !== undefined && prev && sourceMatches(prev, path)) { // unchanged: copy its frames from the old cache
        const bytes = prev.frames * prev.width * prev.height * 3, chunk = Buffer.alloc(Math.min(bytes, 8 << 20) || 1);
        for (let done = 0; done < bytes;) {
          const n = readSync(oldFd, chunk, 0, Math.min(chunk.length, bytes - done), prev.offset + done);
          if (n <= 0) throw new Error(`FrameCache ${file}: the previous cache is truncated`);
          writeSync(fd, chunk, 0, n, pos + done);
          done += n;
        }
        entries[key] = { ...prev, offset: pos };
        pos += bytes;
        continue;
      }
      const start = pos;
      const r = await decodeAllFrames(path, (c) => { writeSync(fd, c, 0, c.length, pos); pos += c.length; }, o);
      decoded.push(key);
      entries[key] = { path, size: st.size, mtimeMs: st.mtimeMs, width: r.probe.width, height: r.probe.height, frames: r.pts.length, offset: start, timeBase: r.timeBase, pts: r.pts };
    }
    fsyncSync(fd);
    closeSync(fd);
    const idx: Index = { version: 1, buildId, dataBytes: pos, entries };
    writeFileSync(`${tmp}.json`, JSON.stringify(idx));
    renameSync(tmp, file); // data first; the index rename below is the commit
    renameSync(`${tmp}.json`, `${file}.json`);
    return decoded;
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.json`, { force: true });
    throw e;
  } finally {
    if (oldFd !== undefined) closeSync(oldFd);
  }
}
