// Writing a LeRobotDataset v3.0: each episode is first staged durably under <dir>/.staging/ep-NNNNNN/ (its rows as
// a parquet file, one AV1 segment per video key, its stats and facts as episode.json, and a 'done' marker written
// last); finalize() then assembles the v3.0 layout (data files with one row group per episode, concatenated videos,
// meta/episodes, meta/tasks.parquet, meta/stats.json, meta/info.json written last) and removes the staging.
// repairDataset() finalizes from the finished staged episodes after a crash, dropping an unfinished one.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { STANDARD_COLUMNS, featureSize, type Column, type EpisodeData, type Feature, type Features } from '../features.ts';
import { aggregateStats, concatVideos, depthVideoInfo, encodeDepthVideo, encodeVideo, featureStats, rgbVideoInfo, toLeRobotStats, type FeatureStats } from './av.ts';
import {
  CHUNKS_SIZE, DATA_FILE_MB, DATA_PATH, EPISODES_PATH, STAT_NAMES, TASKS_COLUMNS, TASKS_PATH, VIDEO_FILE_MB, VIDEO_PATH,
  dataColumns, dataKeys, formatPath, hfFeaturesJson, isVector, nextFile, pandasTasksMetadata, videoKeys,
} from './meta.ts';
import { ParquetFileWriter, readParquetRows, writeParquet, type PqColumn } from './parquet.ts';
import { syncDir, writeFileDurable } from '../../files.ts';

export const STAGING = '.staging';
const MB = 1024 * 1024;

export interface WriterOptions {
  fps: number;
  robotType: string;
  features: Features;
  /** Dataset-level provenance (contributor, licence, sector, embodiment, simulator...): info.json "karakuri". */
  provenance: Record<string, string>;
  /** Roll-over sizes (defaults: LeRobot's 100 MB data, 200 MB video, 1000 files per chunk). */
  dataFileMB?: number;
  videoFileMB?: number;
  chunksSize?: number;
}

interface StagedEpisode {
  index: number;
  length: number;
  task: string;
  meta: Record<string, string | number | boolean>;
  stats: Record<string, FeatureStats>;
}

const DEFAULT_FEATURES: Features = {
  timestamp: { dtype: 'float32', shape: [1], names: null },
  frame_index: { dtype: 'int64', shape: [1], names: null },
  episode_index: { dtype: 'int64', shape: [1], names: null },
  index: { dtype: 'int64', shape: [1], names: null },
  task_index: { dtype: 'int64', shape: [1], names: null },
};

const isDepth = (f: Feature): boolean => Boolean(f.info && (f.info['video.is_depth_map'] || f.info.is_depth_map));

export class DatasetWriter {
  private nextIndex = 0;
  private nextFrame = 0;
  private readonly taskIndex = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private finalized = false;

  private constructor(readonly dir: string, readonly o: Required<WriterOptions>) {}

  /** Starts a dataset in an empty (or absent) folder; its settings are staged so repair can finish it. */
  static async create(dir: string, opts: WriterOptions): Promise<DatasetWriter> {
    if (existsSync(join(dir, 'meta/info.json'))) throw new Error(`DatasetWriter ${dir}: a dataset is already there (meta/info.json); appending is not supported`);
    if (existsSync(join(dir, STAGING))) throw new Error(`DatasetWriter ${dir}: unfinished staging found (${STAGING}); run \`karakuri data repair ${dir}\` first`);
    if (!(Number.isInteger(opts.fps) && opts.fps > 0)) throw new RangeError(`DatasetWriter ${dir}: fps must be a positive integer, got ${opts.fps}`);
    for (const k of Object.keys(opts.features)) if (k.includes('/')) throw new Error(`DatasetWriter ${dir}: feature names must not contain '/': ${k}`);
    const features: Features = {};
    for (const [k, f] of Object.entries(opts.features)) {
      if (STANDARD_COLUMNS.includes(k as never)) continue;
      if (f.dtype === 'video' && !f.info) {
        const [height, width] = f.shape as [number, number];
        features[k] = { ...f, info: (f.shape[2] === 1 ? depthVideoInfo : rgbVideoInfo)({ width, height, fps: opts.fps }) };
      } else features[k] = f;
    }
    Object.assign(features, DEFAULT_FEATURES);
    dataColumns(features); // refuses shapes it cannot write, up front
    const o: Required<WriterOptions> = { dataFileMB: DATA_FILE_MB, videoFileMB: VIDEO_FILE_MB, chunksSize: CHUNKS_SIZE, ...opts, features };
    mkdirSync(join(dir, STAGING), { recursive: true });
    writeFileDurable(join(dir, STAGING, 'writer.json'), JSON.stringify(o, null, 2));
    return new DatasetWriter(dir, o);
  }

  /** Reopens the staging of an interrupted writer (for repair). */
  static resume(dir: string): DatasetWriter {
    const p = join(dir, STAGING, 'writer.json');
    if (!existsSync(p)) throw new Error(`repair ${dir}: no ${STAGING}/writer.json, nothing to repair`);
    return new DatasetWriter(dir, JSON.parse(readFileSync(p, 'utf8')) as Required<WriterOptions>);
  }

  get features(): Features { return this.o.features; }

  /** Stages one complete episode; durable when the promise resolves. Calls are serialized. */
  addEpisode(ep: EpisodeData): Promise<void> {
    const p = this.chain.then(() => this.stage(ep));
    this.chain = p.catch(() => {});
    return p;
  }

  private async stage(ep: EpisodeData): Promise<void> {
    if (this.finalized) throw new Error(`DatasetWriter ${this.dir}: already finalized`);
    const e = this.nextIndex;
    const where = `DatasetWriter ${this.dir}: episode ${e}`;
    const n = ep.length;
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`${where}: length must be a positive integer, got ${n}`);
    const f = this.o.features;
    const user = dataKeys(f).filter((k) => !STANDARD_COLUMNS.includes(k as never));
    for (const k of user) {
      const c = ep.columns[k];
      if (!c) throw new Error(`${where}: column "${k}" missing`);
      if (c.length !== n * featureSize(f[k]!)) throw new RangeError(`${where}: column "${k}" has ${c.length} values, expected ${n} x ${featureSize(f[k]!)}`);
    }
    for (const k of Object.keys(ep.columns)) if (!f[k]) throw new Error(`${where}: column "${k}" is not a feature of this dataset`);
    if (!this.taskIndex.has(ep.task)) this.taskIndex.set(ep.task, this.taskIndex.size);
    const ti = this.taskIndex.get(ep.task)!;
    const stageDir = join(this.dir, STAGING, `ep-${String(e).padStart(6, '0')}`);
    rmSync(stageDir, { recursive: true, force: true });
    mkdirSync(stageDir, { recursive: true });

    // rows
    const cols: Record<string, Column> = { ...ep.columns };
    cols.timestamp = Float32Array.from({ length: n }, (_, i) => i / this.o.fps);
    cols.frame_index = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    cols.episode_index = new BigInt64Array(n).fill(BigInt(e));
    cols.index = BigInt64Array.from({ length: n }, (_, i) => BigInt(this.nextFrame + i));
    cols.task_index = new BigInt64Array(n).fill(BigInt(ti));
    const columns = dataColumns(f);
    writeParquet(join(stageDir, 'data.parquet'), columns, [toPq(columns, cols, f, n)], { huggingface: hfFeaturesJson(f) });

    // stats of every numeric column and every video
    const stats: Record<string, FeatureStats> = {};
    for (const k of dataKeys(f)) if (f[k]!.dtype !== 'string') stats[k] = featureStats(cols[k]!, f[k]!);

    // videos: check every key's frames first, then encode all keys at once (one ffmpeg each)
    const videos = videoKeys(f).map((k) => {
      const feat = f[k]!;
      const [height, width] = feat.shape as [number, number];
      const frames = isDepth(feat) ? ep.depth?.[k] : ep.videos[k];
      if (!frames || frames.length !== n) throw new RangeError(`${where}: ${isDepth(feat) ? 'depth video' : 'video'} "${k}" has ${frames?.length ?? 0} frames, expected ${n}`);
      return { k, feat, width, height, frames, out: join(stageDir, 'videos', `${k}.mp4`) };
    });
    await Promise.all(videos.map((v) => (isDepth(v.feat)
      ? encodeDepthVideo(v.out, v.frames as Float32Array[], { width: v.width, height: v.height, fps: this.o.fps })
      : encodeVideo(v.out, v.frames as Uint8Array[], { width: v.width, height: v.height, fps: this.o.fps }))));
    for (const v of videos) stats[v.k] = featureStats(v.frames, v.feat);
    const staged: StagedEpisode = { index: e, length: n, task: ep.task, meta: ep.meta ?? {}, stats };
    writeFileDurable(join(stageDir, 'episode.json'), JSON.stringify(staged));
    writeFileDurable(join(stageDir, 'done'), '');
    this.nextIndex++;
    this.nextFrame += n;
  }

  /** Assembles the v3.0 layout from the staged episodes and removes the staging. */
  async finalize(): Promise<{ kept: number; dropped: number }> {
    await this.chain;
    this.finalized = true;
    return assemble(this.dir, this.o);
  }
}

/** Finalizes an interrupted dataset from its finished staged episodes. */
export async function repairDataset(dir: string): Promise<{ kept: number; dropped: number }> {
  if (!existsSync(join(dir, STAGING))) {
    if (existsSync(join(dir, 'meta/info.json'))) return { kept: (JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8')) as { total_episodes: number }).total_episodes, dropped: 0 };
    throw new Error(`repair ${dir}: neither a dataset (meta/info.json) nor a staging folder (${STAGING})`);
  }
  return DatasetWriter.resume(dir).finalize();
}

/** Column values of one episode in the shapes the parquet writer takes. */
function toPq(columns: PqColumn[], cols: Record<string, Column>, f: Features, n: number): Record<string, unknown[] | Column> {
  const out: Record<string, unknown[] | Column> = {};
  for (const c of columns) {
    const v = cols[c.name]!;
    if (!c.depth) { out[c.name] = f[c.name]!.dtype === 'bool' ? Array.from(v as Uint8Array, (x) => x !== 0) : v; continue; }
    const d = featureSize(f[c.name]!);
    const rows: unknown[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const s = v.subarray(r * d, (r + 1) * d);
      rows[r] = c.type === 'bool' ? Array.from(s as Uint8Array, (x) => x !== 0) : Array.from(s as ArrayLike<number | bigint>);
    }
    out[c.name] = rows;
  }
  return out;
}

function finishedEpisodes(dir: string): { kept: { stage: string; ep: StagedEpisode }[]; dropped: number } {
  const root = join(dir, STAGING);
  const stages = readdirSync(root).filter((s) => /^ep-\d{6}$/.test(s)).sort();
  const kept: { stage: string; ep: StagedEpisode }[] = [];
  for (const s of stages) {
    const p = join(root, s);
    if (!existsSync(join(p, 'done')) || Number(s.slice(3)) !== kept.length) break; // keep the finished prefix
    kept.push({ stage: p, ep: JSON.parse(readFileSync(join(p, 'episode.json'), 'utf8')) as StagedEpisode });
  }
  return { kept, dropped: stages.length - kept.length };
}

async function assemble(dir: string, o: Required<WriterOptions>): Promise<{ kept: number; dropped: number }> {
  const { kept, dropped } = finishedEpisodes(dir);
  if (kept.length === 0) throw new Error(`finalize ${dir}: no finished episode to write`);
  const f = o.features;
  const tasks: string[] = [];
  for (const { ep } of kept) if (!tasks.includes(ep.task)) tasks.push(ep.task);
  const columns = dataColumns(f);
  const kv = { huggingface: hfFeaturesJson(f) };

  // data files, one row group per episode, rolled over by size
  const rowsOf: Record<string, unknown>[] = kept.map(() => ({}));
  let [chunk, file] = [0, 0];
  let w: ParquetFileWriter | null = null;
  let from = 0;
  for (let i = 0; i < kept.length; i++) {
    const { stage, ep } = kept[i]!;
    const staged = join(stage, 'data.parquet');
    const size = statSync(staged).size;
    if (w && w.rows > 0 && w.size + size > o.dataFileMB * MB) { w.close(); [chunk, file] = nextFile(chunk, file, o.chunksSize); w = null; }
    w ??= new ParquetFileWriter(join(dir, formatPath(DATA_PATH, { chunk_index: chunk, file_index: file })), columns, kv);
    const rows = await readParquetRows(staged);
    const data: Record<string, unknown[]> = {};
    for (const c of columns) data[c.name] = rows.map((r) => r[c.name]);
    data.task_index = rows.map(() => BigInt(tasks.indexOf(ep.task)));
    w.write(data);
    Object.assign(rowsOf[i]!, {
      episode_index: BigInt(ep.index), tasks: [ep.task], length: BigInt(ep.length),
      'data/chunk_index': BigInt(chunk), 'data/file_index': BigInt(file),
      dataset_from_index: BigInt(from), dataset_to_index: BigInt(from + ep.length),
    });
    from += ep.length;
  }
  w?.close();

  // videos, episodes concatenated, rolled over by size
  const vkeys = videoKeys(f);
  for (const k of vkeys) {
    const groups: number[][] = [];
    let bytes = Infinity;
    for (let i = 0; i < kept.length; i++) {
      const s = statSync(join(kept[i]!.stage, 'videos', `${k}.mp4`)).size;
      if (bytes + s > o.videoFileMB * MB) { groups.push([]); bytes = 0; }
      groups[groups.length - 1]!.push(i);
      bytes += s;
    }
    [chunk, file] = [0, 0];
    for (let g = 0; g < groups.length; g++) {
      if (g > 0) [chunk, file] = nextFile(chunk, file, o.chunksSize);
      const out = join(dir, formatPath(VIDEO_PATH, { video_key: k, chunk_index: chunk, file_index: file }));
      mkdirSync(dirname(out), { recursive: true });
      // writes a temporary file and renames it; the staged segments hold one frame per row of their episode
      const spans = await concatVideos(groups[g]!.map((i) => join(kept[i]!.stage, 'videos', `${k}.mp4`)), out, { frames: groups[g]!.map((i) => kept[i]!.ep.length) });
      groups[g]!.forEach((i, j) => Object.assign(rowsOf[i]!, {
        [`videos/${k}/chunk_index`]: BigInt(chunk), [`videos/${k}/file_index`]: BigInt(file),
        [`videos/${k}/from_timestamp`]: spans[j]!.from, [`videos/${k}/to_timestamp`]: spans[j]!.to,
      }));
    }
  }

  // meta/episodes: LeRobot's columns, per-episode stats, then our provenance columns
  const epColumns: PqColumn[] = [
    { name: 'episode_index', type: 'int64' }, { name: 'tasks', type: 'string', depth: 1 }, { name: 'length', type: 'int64' },
    { name: 'data/chunk_index', type: 'int64' }, { name: 'data/file_index', type: 'int64' },
    { name: 'dataset_from_index', type: 'int64' }, { name: 'dataset_to_index', type: 'int64' },
  ];
  for (const k of vkeys) epColumns.push(
    { name: `videos/${k}/chunk_index`, type: 'int64' }, { name: `videos/${k}/file_index`, type: 'int64' },
    { name: `videos/${k}/from_timestamp`, type: 'float64' }, { name: `videos/${k}/to_timestamp`, type: 'float64' });
  const epStats = kept.map(({ ep }) => toLeRobotStats(ep.stats, f)); // images nested [3, 1, 1] as LeRobot stores them
  for (const k of Object.keys(epStats[0]!)) for (const s of STAT_NAMES) {
    if (!epStats.every((st) => st[k]?.[s] !== undefined)) continue;
    const name = `stats/${k}/${s}`;
    epColumns.push({ name, type: s === 'count' ? 'int64' : 'float64', depth: depthOf(epStats[0]![k]![s]) });
    epStats.forEach((st, i) => { rowsOf[i]![name] = s === 'count' ? deepBig(st[k]![s]) : st[k]![s]; });
  }
  const metaKeys = [...new Set(kept.flatMap(({ ep }) => Object.keys(ep.meta)))];
  for (const m of metaKeys) {
    const vals = kept.map(({ ep }) => ep.meta[m]);
    const kinds = new Set(vals.filter((v) => v !== undefined).map((v) => typeof v));
    const allInt = vals.every((v) => v === undefined || (typeof v === 'number' && Number.isInteger(v)));
    const type = kinds.size === 1 && kinds.has('boolean') ? 'bool' : kinds.size === 1 && kinds.has('number') ? (allInt ? 'int64' : 'float64') : 'string';
    const name = `karakuri/${m}`;
    epColumns.push({ name, type });
    vals.forEach((v, i) => { rowsOf[i]![name] = v === undefined ? null : type === 'string' ? String(v) : type === 'int64' ? BigInt(v as number) : v; });
  }
  epColumns.push({ name: 'meta/episodes/chunk_index', type: 'int64' }, { name: 'meta/episodes/file_index', type: 'int64' });
  rowsOf.forEach((r) => { r['meta/episodes/chunk_index'] = 0n; r['meta/episodes/file_index'] = 0n; });
  const epData: Record<string, unknown[]> = {};
  for (const c of epColumns) epData[c.name] = rowsOf.map((r) => r[c.name]);
  writeParquet(join(dir, formatPath(EPISODES_PATH, { chunk_index: 0, file_index: 0 })), epColumns, [epData]);

  writeParquet(join(dir, TASKS_PATH), TASKS_COLUMNS, [{ task_index: tasks.map((_, i) => BigInt(i)), task: tasks }], { pandas: pandasTasksMetadata() });
  writeFileDurable(join(dir, 'meta/stats.json'), JSON.stringify(toLeRobotStats(aggregateStats(kept.map(({ ep }) => ep.stats)), f), null, 4));

  const total = kept.reduce((a, { ep }) => a + ep.length, 0);
  const info = {
    codebase_version: 'v3.0', robot_type: o.robotType, total_episodes: kept.length, total_frames: total, total_tasks: tasks.length,
    chunks_size: o.chunksSize, data_files_size_in_mb: o.dataFileMB, video_files_size_in_mb: o.videoFileMB, fps: o.fps,
    splits: { train: `0:${kept.length}` }, data_path: DATA_PATH, video_path: vkeys.length ? VIDEO_PATH : null, features: f,
    karakuri: { ...o.provenance, writer: 'karakuri DatasetWriter' },
  };
  writeFileDurable(join(dir, 'meta/info.json'), JSON.stringify(info, null, 4));
  rmSync(join(dir, STAGING), { recursive: true, force: true });
  syncDir(dir);
  return { kept: kept.length, dropped };
}

const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + depthOf(v[0]) : 0);
const deepBig = (v: unknown): unknown => (Array.isArray(v) ? v.map(deepBig) : BigInt(Math.round(v as number)));
export { isVector };
