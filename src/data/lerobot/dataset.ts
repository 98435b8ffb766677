// Reading a LeRobotDataset, v3.0 or v2.1, through one API: info and features, the episode index (lengths, tasks,
// global row ranges, per-video-key file and time span), frame(i) with video frames decoded at their timestamps,
// episode(e) columns, and window(i, deltaTimestamps) with `<key>_is_pad` masks. A missing file is an error that names
// it and the episode; rows are checked against the episode they are read for, so a gap never yields another
// episode's data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureSize, type Features } from '../features.ts';
import { decodeDepthFrames, decodeFrames, depthQuantizationOf } from './av.ts';
import {
  EpisodeLineV21, TASKS_PATH, TaskLineV21, dataKeys, formatPath, isVector, parseInfo, parseJsonl, taskColumnOf, videoKeys,
  type Info,
} from './meta.ts';
import { parquetInfo, readParquetRows } from './parquet.ts';

export interface VideoSpan { chunk: number; file: number; from: number; to: number; path: string }

export interface EpisodeInfo {
  index: number;
  length: number;
  tasks: string[];
  /** Global row range [from, to). */
  from: number;
  to: number;
  /** Data file (relative path) and the episode's first row in it. */
  dataPath: string;
  dataRow: number;
  videos: Record<string, VideoSpan>;
  /** Every other column of meta/episodes (provenance, stats) or episodes.jsonl extras. */
  meta: Record<string, unknown>;
}

export type FrameValue = number[] | number | string | boolean | Uint8Array | Float32Array;
export type Frame = Record<string, FrameValue>;
export type EpisodeColumns = Record<string, Float32Array | Float64Array | Int32Array | Uint8Array | number[] | string[]>;

const TOL = 1e-4;

export class Dataset {
  private readonly cache = new Map<number, EpisodeColumns>();
  private readonly byIndex = new Map<number, EpisodeInfo>();

  private constructor(readonly dir: string, readonly info: Info, readonly episodes: EpisodeInfo[], readonly tasks: string[]) {
    for (const e of episodes) this.byIndex.set(e.index, e);
  }

  static async open(dir: string): Promise<Dataset> {
    const infoPath = join(dir, 'meta/info.json');
    if (!existsSync(infoPath)) {
      const hint = existsSync(join(dir, '.staging')) ? `; an unfinished recording is staged there: run \`karakuri data repair ${dir}\`` : '';
      throw new Error(`Dataset ${dir}: meta/info.json is missing${hint}`);
    }
    const info = parseInfo(readFileSync(infoPath, 'utf8'), infoPath);
    return info.codebase_version === 'v3.0' ? openV30(dir, info) : openV21(dir, info);
  }

  get features(): Features { return this.info.features; }
  get fps(): number { return this.info.fps; }
  get numEpisodes(): number { return this.episodes.length; }
  get numFrames(): number { return this.episodes.reduce((a, e) => a + e.length, 0); }
  get videoKeys(): string[] { return videoKeys(this.features); }

  /** The episode with this episode_index (not position). */
  episodeInfo(e: number): EpisodeInfo {
    const ep = this.byIndex.get(e);
    if (!ep) throw new RangeError(`Dataset ${this.dir}: no episode ${e} (episodes: ${this.episodes.length})`);
    return ep;
  }

  /** The episode holding global row `i` and the frame index within it. */
  locate(i: number): { ep: EpisodeInfo; frame: number } {
    const eps = this.episodes;
    let lo = 0, hi = eps.length - 1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      const e = eps[m]!;
      if (i < e.from) hi = m - 1; else if (i >= e.to) lo = m + 1; else return { ep: e, frame: i - e.from };
    }
    throw new RangeError(`Dataset ${this.dir}: no frame with global index ${i}`);
  }

  /** All non-video columns of an episode (vectors row-major, int64 as numbers). Cached (last 8 episodes). */
  async episode(e: number): Promise<EpisodeColumns> {
    const hit = this.cache.get(e);
    if (hit) { this.cache.delete(e); this.cache.set(e, hit); return hit; }
    const ep = this.episodeInfo(e);
    const path = join(this.dir, ep.dataPath);
    if (!existsSync(path)) throw new Error(`Dataset ${this.dir}: episode ${e}: data file ${ep.dataPath} is missing`);
    const rows = await readParquetRows(path, { rowStart: ep.dataRow, rowEnd: ep.dataRow + ep.length });
    if (rows.length !== ep.length) throw new Error(`Dataset ${this.dir}: episode ${e}: ${ep.dataPath} has ${rows.length} rows from row ${ep.dataRow}, expected ${ep.length}`);
    const first = rows[0]!, last = rows[rows.length - 1]!;
    if (Number(first.episode_index) !== e || Number(last.episode_index) !== e) throw new Error(`Dataset ${this.dir}: episode ${e}: ${ep.dataPath} rows ${ep.dataRow}..${ep.dataRow + ep.length - 1} belong to episode ${first.episode_index}..${last.episode_index}, not ${e}`);
    const cols: EpisodeColumns = {};
    for (const k of dataKeys(this.features)) {
      if (!(k in first)) throw new Error(`Dataset ${this.dir}: episode ${e}: ${ep.dataPath} has no column "${k}"`);
      const f = this.features[k]!;
      if (f.dtype === 'string') { cols[k] = rows.map((r) => String(r[k])); continue; }
      const d = featureSize(f);
      const out = f.dtype === 'float32' ? new Float32Array(rows.length * d) : f.dtype === 'bool' ? new Uint8Array(rows.length * d)
        : f.dtype === 'int32' ? new Int32Array(rows.length * d) : new Float64Array(rows.length * d);
      rows.forEach((r, j) => {
        const v = r[k];
        if (isVector(f)) {
          const a = v as ArrayLike<unknown>;
          if (!a || a.length !== d) throw new Error(`Dataset ${this.dir}: episode ${e}: ${ep.dataPath} row ${ep.dataRow + j} column "${k}" has ${a?.length ?? 0} values, expected ${d}`);
          for (let x = 0; x < d; x++) out[j * d + x] = Number(a[x]);
        } else out[j] = Number(v);
      });
      cols[k] = out;
    }
    this.cache.set(e, cols);
    if (this.cache.size > 8) this.cache.delete(this.cache.keys().next().value!);
    return cols;
  }

  /** One frame by global index; video frames decoded at from_timestamp + timestamp unless `{ videos: false }`. */
  async frame(i: number, o: { videos?: boolean } = {}): Promise<Frame> {
    const { ep, frame } = this.locate(i);
    const cols = await this.episode(ep.index);
    const out: Frame = {};
    for (const [k, v] of Object.entries(cols)) out[k] = pick(v, frame, this.features[k]!);
    out.task = this.tasks[Number(out.task_index)] ?? ep.tasks[0] ?? '';
    if (o.videos !== false) for (const k of this.videoKeys) out[k] = (await this.videoFrames(ep, k, [Number(out.timestamp)]))[0]!;
    return out;
  }

  /**
   * Values around global row i at offsets `deltaTimestamps[key]` (seconds, multiples of 1/fps); offsets outside the
   * episode are clamped to its first/last frame and flagged true in `${key}_is_pad`.
   */
  async window(i: number, deltaTimestamps: Record<string, number[]>): Promise<Record<string, FrameValue[] | boolean[]>> {
    const { ep, frame } = this.locate(i);
    const cols = await this.episode(ep.index);
    const out: Record<string, FrameValue[] | boolean[]> = {};
    for (const [k, deltas] of Object.entries(deltaTimestamps)) {
      const f = this.features[k];
      if (!f) throw new Error(`Dataset ${this.dir}: window: no feature "${k}"`);
      const idx: number[] = [], pad: boolean[] = [];
      for (const d of deltas) {
        const steps = d * this.fps;
        if (Math.abs(steps - Math.round(steps)) > TOL * this.fps) throw new RangeError(`Dataset ${this.dir}: window: delta ${d} s of "${k}" is not a multiple of 1/fps = ${1 / this.fps} s (tolerance ${TOL} s)`);
        const j = frame + Math.round(steps);
        pad.push(j < 0 || j >= ep.length);
        idx.push(Math.min(ep.length - 1, Math.max(0, j)));
      }
      out[`${k}_is_pad`] = pad;
      if (f.dtype === 'video') {
        const ts = cols.timestamp as Float32Array;
        out[k] = await this.videoFrames(ep, k, idx.map((j) => ts[j]!));
      } else out[k] = idx.map((j) => pick(cols[k]!, j, f));
    }
    return out;
  }

  private async videoFrames(ep: EpisodeInfo, key: string, timestamps: number[]): Promise<(Uint8Array | Float32Array)[]> {
    const span = ep.videos[key];
    if (!span) throw new Error(`Dataset ${this.dir}: episode ${ep.index}: no video span for "${key}"`);
    const path = join(this.dir, span.path);
    if (!existsSync(path)) throw new Error(`Dataset ${this.dir}: episode ${ep.index}: video file ${span.path} is missing`);
    const at = timestamps.map((t) => span.from + t);
    const info = this.features[key]!.info;
    if (info?.['video.is_depth_map'] || info?.is_depth_map) return decodeDepthFrames(path, at, { tolerance: TOL, quantization: depthQuantizationOf(info) });
    return decodeFrames(path, at, { tolerance: TOL });
  }
}

function pick(v: EpisodeColumns[string], j: number, f: Features[string]): FrameValue {
  if (f.dtype === 'string') return (v as string[])[j]!;
  if (!isVector(f)) return f.dtype === 'bool' ? (v as Uint8Array)[j] !== 0 : Number((v as ArrayLike<number>)[j]);
  const d = featureSize(f);
  return Array.from((v as Float32Array).subarray(j * d, (j + 1) * d));
}

const num = (v: unknown): number => Number(v);

async function openV30(dir: string, info: Info): Promise<Dataset> {
  const tasksPath = join(dir, TASKS_PATH);
  if (!existsSync(tasksPath)) throw new Error(`Dataset ${dir}: ${TASKS_PATH} is missing`);
  const ti = await parquetInfo(tasksPath);
  let taskCol: string;
  try { taskCol = taskColumnOf(ti.columns, ti.kv); } catch (e) { throw new Error(`Dataset ${dir}: ${TASKS_PATH} ${(e as Error).message}`); }
  const taskRows = await readParquetRows(tasksPath);
  const tasks: string[] = [];
  for (const r of taskRows) tasks[num(r.task_index)] = String(r[taskCol]);

  const epDir = join(dir, 'meta/episodes');
  const files = existsSync(epDir) ? readdirSync(epDir).filter((c) => c.startsWith('chunk-')).sort()
    .flatMap((c) => readdirSync(join(epDir, c)).filter((f) => /^file-\d+\.parquet$/.test(f)).sort().map((f) => join(epDir, c, f))) : [];
  if (files.length === 0) throw new Error(`Dataset ${dir}: no meta/episodes/chunk-*/file-*.parquet`);
  const rows = (await Promise.all(files.map((f) => readParquetRows(f)))).flat();
  rows.sort((a, b) => num(a.episode_index) - num(b.episode_index));
  const vkeys = videoKeys(info.features);
  const firstRowOf = new Map<string, number>(); // data file -> global index of its first row
  const episodes: EpisodeInfo[] = rows.map((r) => {
    const dataPath = formatPath(info.data_path, { chunk_index: num(r['data/chunk_index']), file_index: num(r['data/file_index']) });
    const from = num(r.dataset_from_index);
    if (!firstRowOf.has(dataPath) || from < firstRowOf.get(dataPath)!) firstRowOf.set(dataPath, from);
    const videos: Record<string, VideoSpan> = {};
    for (const k of vkeys) {
      const chunk = num(r[`videos/${k}/chunk_index`]), file = num(r[`videos/${k}/file_index`]);
      videos[k] = { chunk, file, from: num(r[`videos/${k}/from_timestamp`]), to: num(r[`videos/${k}/to_timestamp`]), path: formatPath(info.video_path ?? '', { video_key: k, chunk_index: chunk, file_index: file }) };
    }
    const meta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (!k.startsWith('videos/') && !['episode_index', 'tasks', 'length', 'data/chunk_index', 'data/file_index', 'dataset_from_index', 'dataset_to_index'].includes(k)) meta[k] = typeof v === 'bigint' ? Number(v) : v;
    return { index: num(r.episode_index), length: num(r.length), tasks: (r.tasks as string[]) ?? [], from, to: num(r.dataset_to_index), dataPath, dataRow: 0, videos, meta };
  });
  for (const e of episodes) e.dataRow = e.from - firstRowOf.get(e.dataPath)!;
  return new (Dataset as unknown as new (...a: unknown[]) => Dataset)(dir, info, episodes, tasks);
}

async function openV21(dir: string, info: Info): Promise<Dataset> {
  const read = (p: string): string => {
    const full = join(dir, p);
    if (!existsSync(full)) throw new Error(`Dataset ${dir}: ${p} is missing`);
    return readFileSync(full, 'utf8');
  };
  const lines = parseJsonl(read('meta/episodes.jsonl'), EpisodeLineV21, 'meta/episodes.jsonl').sort((a, b) => a.episode_index - b.episode_index);
  const tasks: string[] = [];
  for (const t of parseJsonl(read('meta/tasks.jsonl'), TaskLineV21, 'meta/tasks.jsonl')) tasks[t.task_index] = t.task;
  const vkeys = videoKeys(info.features);
  let from = 0;
  const episodes: EpisodeInfo[] = lines.map((l) => {
    const chunk = Math.floor(l.episode_index / info.chunks_size);
    const videos: Record<string, VideoSpan> = {};
    for (const k of vkeys) videos[k] = { chunk, file: l.episode_index, from: 0, to: l.length / info.fps, path: formatPath(info.video_path ?? '', { episode_chunk: chunk, video_key: k, episode_index: l.episode_index }) };
    const { episode_index, tasks: t, length, ...meta } = l;
    const e: EpisodeInfo = { index: episode_index, length, tasks: t, from, to: from + length, dataPath: formatPath(info.data_path, { episode_chunk: chunk, episode_index }), dataRow: 0, videos, meta };
    from += length;
    return e;
  });
  return new (Dataset as unknown as new (...a: unknown[]) => Dataset)(dir, info, episodes, tasks);
}
