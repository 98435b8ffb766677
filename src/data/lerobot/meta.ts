// LeRobot dataset metadata: zod schemas for meta/info.json (v3.0 and v2.1; unknown keys kept, since real datasets
// carry extras), the path templates, the HF datasets "huggingface" Features JSON stored in data parquet files, the
// parquet columns of data / meta/episodes / meta/tasks, and v2.1's jsonl files. Facts:
// ../../../../shared/reference/lerobot-format.md and LeRobot's datasets/utils.py, io_utils.py, dataset_metadata.py.
import { z } from 'zod';
import { Feature, featureSize, type Features } from '../features.ts';
import { parseWith } from '../../validation.ts';
import type { PqColumn, PqScalar } from './parquet.ts';

export const CHUNKS_SIZE = 1000;
export const DATA_FILE_MB = 100;
export const VIDEO_FILE_MB = 200;
export const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
export const EPISODES_PATH = 'meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const TASKS_PATH = 'meta/tasks.parquet';

const InfoCommon = z.object({
  codebase_version: z.string(),
  robot_type: z.string().nullable().optional(),
  fps: z.number().positive(),
  features: z.record(z.string(), Feature),
  total_episodes: z.number().int().nonnegative(),
  total_frames: z.number().int().nonnegative(),
  total_tasks: z.number().int().nonnegative(),
  chunks_size: z.number().int().positive(),
  data_path: z.string(),
  video_path: z.string().nullable().optional(),
  splits: z.record(z.string(), z.string()).optional(),
}).passthrough();

export const InfoV30 = InfoCommon.extend({
  codebase_version: z.literal('v3.0'),
  data_files_size_in_mb: z.number().positive().optional(),
  video_files_size_in_mb: z.number().positive().optional(),
}).passthrough();
export type InfoV30 = z.infer<typeof InfoV30>;

export const InfoV21 = InfoCommon.extend({
  codebase_version: z.literal('v2.1'),
  total_videos: z.number().int().nonnegative().optional(),
  total_chunks: z.number().int().nonnegative().optional(),
}).passthrough();
export type InfoV21 = z.infer<typeof InfoV21>;

export type Info = InfoV30 | InfoV21;

/** Parses info.json text; errors name the file and the field. */
export function parseInfo(text: string, file = 'meta/info.json'): Info {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new Error(`${file}: not JSON (${(e as Error).message})`); }
  const version = (raw as { codebase_version?: unknown })?.codebase_version;
  const schema = version === 'v3.0' ? InfoV30 : version === 'v2.1' ? InfoV21 : null;
  if (!schema) throw new Error(`${file}: codebase_version ${JSON.stringify(version)} is not supported (v3.0 and v2.1 are)`);
  return parseWith(schema as z.ZodType<Info>, raw, file, 'info.json');
}

/** Fills a LeRobot path template ("{chunk_index:03d}", "{video_key}", ...). */
export function formatPath(template: string, v: Record<string, string | number>): string {
  return template.replace(/\{(\w+)(?::0?(\d+)d)?\}/g, (m, k: string, w?: string) => {
    const x = v[k];
    if (x === undefined) throw new Error(`path template ${template}: no value for {${k}}`);
    return w ? String(x).padStart(Number(w), '0') : String(x);
  });
}

/** The chunk/file pair after `c`/`f` (chunks_size files per chunk folder). */
export function nextFile(c: number, f: number, chunksSize = CHUNKS_SIZE): [number, number] {
  return f + 1 >= chunksSize ? [c + 1, 0] : [c, f + 1];
}

/** Parquet element type of a feature dtype (non-video). */
export function scalarOf(dtype: string): PqScalar {
  switch (dtype) {
    case 'float32': case 'float64': case 'int64': case 'int32': case 'bool': case 'string': return dtype;
    default: throw new Error(`feature dtype ${dtype} cannot be stored in a parquet column`);
  }
}

/** Whether a feature is stored as a list column (any shape but [1]). */
export const isVector = (f: Feature): boolean => !(f.shape.length === 1 && f.shape[0] === 1) && f.shape.length > 0;

/** Keys of the features stored as data parquet columns (everything but video), in info.json order. */
export const dataKeys = (features: Features): string[] => Object.keys(features).filter((k) => features[k]!.dtype !== 'video' && features[k]!.dtype !== 'image');
export const videoKeys = (features: Features): string[] => Object.keys(features).filter((k) => features[k]!.dtype === 'video');

/** Data parquet columns for features; vectors must be 1-D here (LeRobot stores 2-D+ as Array2D..5D; not written by us). */
export function dataColumns(features: Features): PqColumn[] {
  return dataKeys(features).map((k) => {
    const f = features[k]!;
    if (f.shape.length > 1) throw new Error(`feature ${k}: shape ${JSON.stringify(f.shape)} (more than 1-D) is not supported by the writer; flatten it to [${featureSize(f)}]`);
    return { name: k, type: scalarOf(f.dtype), depth: isVector(f) ? 1 : 0 };
  });
}

/** The HF datasets Features JSON ("huggingface" key of a data parquet file), as LeRobot writes it. */
export function hfFeaturesJson(features: Features): string {
  const out: Record<string, unknown> = {};
  for (const k of dataKeys(features)) {
    const f = features[k]!;
    const value = { dtype: f.dtype, _type: 'Value' };
    out[k] = isVector(f) ? { feature: value, length: f.shape[0], _type: 'Sequence' } : value;
  }
  return JSON.stringify({ info: { features: out } });
}

/**
 * meta/tasks.parquet as pandas writes `DataFrame({"task_index": [...]}, index=Index(tasks, name="task"))`: columns
 * task_index then task, with the "pandas" metadata naming "task" as the index, so pd.read_parquet (LeRobot's
 * load_tasks) gets the task strings back as the index.
 */
export const TASKS_COLUMNS: PqColumn[] = [{ name: 'task_index', type: 'int64' }, { name: 'task', type: 'string' }];
export function pandasTasksMetadata(): string {
  return JSON.stringify({
    index_columns: ['task'],
    column_indexes: [{ name: null, field_name: null, pandas_type: 'unicode', numpy_type: 'object', metadata: { encoding: 'UTF-8' } }],
    columns: [
      { name: 'task_index', field_name: 'task_index', pandas_type: 'int64', numpy_type: 'int64', metadata: null },
      { name: 'task', field_name: 'task', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'karakuri', version: '0.1.0' },
    pandas_version: '2.2.3',
  });
}

/** Reads the task string column name of a tasks.parquet: "task", else the pandas index column ("__index_level_0__"). */
export function taskColumnOf(columns: string[], kv: Record<string, string>): string {
  if (columns.includes('task')) return 'task';
  try {
    const idx = (JSON.parse(kv.pandas ?? '{}') as { index_columns?: unknown[] }).index_columns?.[0];
    if (typeof idx === 'string' && columns.includes(idx)) return idx;
  } catch { /* fall through */ }
  if (columns.includes('__index_level_0__')) return '__index_level_0__';
  throw new Error(`has no task column (columns: ${columns.join(', ')})`);
}

/** Stat names of meta/stats.json and the episodes' stats/<feature>/<stat> columns. */
export const STAT_NAMES = ['min', 'max', 'mean', 'std', 'count', 'q01', 'q10', 'q50', 'q90', 'q99'] as const;

/** v2.1 meta/episodes.jsonl and meta/tasks.jsonl lines. */
export const EpisodeLineV21 = z.object({ episode_index: z.number().int().nonnegative(), tasks: z.array(z.string()), length: z.number().int().nonnegative() }).passthrough();
export const TaskLineV21 = z.object({ task_index: z.number().int().nonnegative(), task: z.string() }).passthrough();

/** Parses a jsonl file's lines with a schema; errors name file and line. */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try { raw = JSON.parse(line); } catch (e) { throw new Error(`${file} line ${i + 1}: not JSON (${(e as Error).message})`); }
    out.push(parseWith(schema, raw, `${file} line ${i + 1}`, 'line'));
  });
  return out;
}

/** One row of meta/episodes (v3.0), as the reader needs it. */
export const EpisodeRowV30 = z.object({
  episode_index: z.number().int().nonnegative(),
  tasks: z.array(z.string()),
  length: z.number().int().nonnegative(),
  'data/chunk_index': z.number().int().nonnegative(),
  'data/file_index': z.number().int().nonnegative(),
  dataset_from_index: z.number().int().nonnegative(),
  dataset_to_index: z.number().int().nonnegative(),
}).passthrough();
