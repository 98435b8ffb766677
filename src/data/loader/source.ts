// A dataset as the loader sees it: prepareSource() (main thread, once) opens the dataset, checks the batch spec
// against its features and builds its decoded-frame cache; openSource() (each worker) loads every episode's numeric
// columns into flat arrays and opens the cache read-only, giving a FrameSource that serves any frame from memory
// or one pread. datasetNorms() reads the per-dataset normalization from meta/stats.json.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Dataset } from '../lerobot/dataset.ts';
import { FrameCache } from '../video/cache.ts';
import { fromLeRobotStats } from '../stats.ts';
import { featureSize } from '../features.ts';
import type { BatchSpec, FrameSource, Norm } from './assemble.ts';

export interface SourceInfo {
  dir: string;
  numFrames: number;
  robotType: string;
  stats: ReturnType<typeof fromLeRobotStats>;
}

/** Where a dataset's decoded frames are cached (inside the dataset, in a hidden folder). */
export const cacheFileOf = (dir: string): string => join(resolve(dir), '.cache', 'frames.u8');

/** Cache key of one video file of a feature. */
const cacheKey = (key: string, path: string) => `${key}@${path}`;

function videoSources(ds: Dataset, cameras: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ep of ds.episodes) {
    for (const cam of cameras) {
      const span = ep.videos[cam];
      if (!span) throw new Error(`dataset ${ds.dir}: episode ${ep.index} has no video for ${cam}`);
      out[cacheKey(cam, span.path)] = join(ds.dir, span.path);
    }
  }
  return out;
}

function checkSpec(ds: Dataset, spec: BatchSpec): void {
  const f = ds.features;
  const where = `dataset ${ds.dir}`;
  for (const c of spec.cameras) {
    if (f[c]?.dtype !== 'video') throw new Error(`${where}: camera '${c}' is not a video feature (video features: ${ds.videoKeys.join(', ') || 'none'})`);
  }
  for (const k of [...spec.state, spec.action, ...spec.extras]) {
    const d = f[k]?.dtype;
    if (d !== 'float32' && d !== 'float64') throw new Error(`${where}: '${k}' is not a float feature (it is ${d ?? 'missing'}; features: ${Object.keys(f).join(', ')})`);
  }
  if (!(Number.isInteger(spec.horizon) && spec.horizon >= 1)) throw new RangeError(`batch spec: horizon must be a positive integer, got ${spec.horizon}`);
  if (spec.imageHistory.some((o) => !(Number.isInteger(o) && o <= 0))) throw new RangeError(`batch spec: imageHistory offsets must be integers <= 0 (frames), got [${spec.imageHistory.join(', ')}]`);
}

export async function prepareSource(dir: string, spec: BatchSpec): Promise<SourceInfo> {
  const ds = await Dataset.open(dir);
  checkSpec(ds, spec);
  const statsPath = join(dir, 'meta/stats.json');
  if (!existsSync(statsPath)) throw new Error(`dataset ${dir}: meta/stats.json is missing (needed for normalization)`);
  const stats = fromLeRobotStats(JSON.parse(readFileSync(statsPath, 'utf8')));
  if (spec.cameras.length) {
    mkdirSync(join(resolve(dir), '.cache'), { recursive: true });
    (await FrameCache.open(cacheFileOf(dir), videoSources(ds, spec.cameras))).close();
  }
  return { dir, numFrames: ds.numFrames, robotType: ds.info.robot_type ?? 'unknown', stats };
}

/** Mean/std of the state (the spec's features concatenated) and of the action; std floored at 1e-2 (constant components stay finite). */
export function datasetNorms(s: SourceInfo, spec: BatchSpec): { state: Norm; action: Norm } {
  const get = (k: string) => {
    const st = s.stats[k];
    if (!st?.mean || !st.std) throw new Error(`dataset ${s.dir}: meta/stats.json has no mean/std for '${k}'`);
    return st;
  };
  const norm = (keys: string[]): Norm => ({
    mean: Float32Array.from(keys.flatMap((k) => get(k).mean)),
    std: Float32Array.from(keys.flatMap((k) => get(k).std.map((v) => Math.max(v, 1e-2)))),
  });
  return { state: norm(spec.state), action: norm([spec.action]) };
}

export async function openSource(dir: string, spec: BatchSpec): Promise<FrameSource> {
  const ds = await Dataset.open(dir);
  checkSpec(ds, spec);
  const n = ds.numFrames;
  const keys = [...new Set([...spec.state, spec.action, ...spec.extras])];
  const numeric: Record<string, { data: Float32Array; dim: number }> = {};
  for (const k of keys) numeric[k] = { data: new Float32Array(n * featureSize(ds.features[k]!)), dim: featureSize(ds.features[k]!) };
  const tasks: string[] = new Array(ds.episodes.length);
  const epStart = new Int32Array(ds.episodes.length), epEnd = new Int32Array(ds.episodes.length);
  const epOfFrame = new Int32Array(n);
  // first cache frame of each (camera, episode): episodes are consecutive frames of their video file
  const firstFrame = spec.cameras.map(() => new Int32Array(ds.episodes.length));
  const cache = spec.cameras.length ? await FrameCache.open(cacheFileOf(dir), videoSources(ds, spec.cameras)) : null;
  let row = 0;
  for (const [e, ep] of ds.episodes.entries()) {
    if (ep.from !== row) throw new Error(`dataset ${dir}: episode ${ep.index} starts at global row ${ep.from}, expected ${row}`);
    const cols = await ds.episode(ep.index);
    for (const k of keys) numeric[k]!.data.set(cols[k] as Float32Array, row * numeric[k]!.dim);
    tasks[e] = ep.tasks[0] ?? '';
    epStart[e] = row; epEnd[e] = row + ep.length;
    epOfFrame.fill(e, row, row + ep.length);
    spec.cameras.forEach((cam, c) => {
      const span = ep.videos[cam]!, key = cacheKey(cam, span.path);
      const first = cache!.frameAt(key, span.from);
      // the whole episode is in the file, as consecutive frames
      if (cache!.frameAt(key, span.from + (ep.length - 1) / ds.fps) !== first + ep.length - 1) throw new Error(`dataset ${dir}: episode ${ep.index}: ${cam} frames in ${span.path} are not consecutive`);
      firstFrame[c]![e] = first;
    });
    row += ep.length;
  }
  const camIndex = new Map(spec.cameras.map((c, i) => [c, i]));
  const cacheKeys = spec.cameras.map((cam) => ds.episodes.map((ep) => cacheKey(cam, ep.videos[cam]!.path)));
  return {
    numFrames: n, robotType: ds.info.robot_type ?? 'unknown',
    episodeRange: (i) => { const e = epOfFrame[i]!; return { from: epStart[e]!, to: epEnd[e]! }; },
    numeric: (k) => { const v = numeric[k]; if (!v) throw new Error(`dataset ${dir}: '${k}' is not loaded`); return v; },
    image: (key, i) => {
      const c = camIndex.get(key);
      if (c === undefined || !cache) throw new Error(`dataset ${dir}: camera '${key}' is not loaded`);
      const e = epOfFrame[i]!;
      return cache.get(cacheKeys[c]![e]!, { frame: firstFrame[c]![e]! + (i - epStart[e]!) });
    },
    imageShape: (key) => { const s = ds.features[key]!.shape; return [s[0]!, s[1]!]; },
    task: (i) => tasks[epOfFrame[i]!]!,
  };
}
