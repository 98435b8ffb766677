// Validating a LeRobot dataset (v3.0 or v2.1) against itself, as `karakuri data validate DIR` reports it: info.json
// vs the files, episode index gaps, missing/truncated files, schema and vector lengths, rows vs episode lengths,
// frame/global indices, timestamps at 1/fps, NaN/Inf, video frame counts and durations vs rows, and each episode's
// video span inside its file and in step with its neighbours. Every problem names its file and, where it has one,
// its episode; validation goes on after a problem so that one run lists them all.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { featureSize } from '../features.ts';
import { probeVideo } from './av.ts';
import { Dataset, type EpisodeInfo } from './dataset.ts';
import { dataKeys } from './meta.ts';
import { parquetInfo } from './parquet.ts';

export interface Problem { file: string; episode?: number; message: string }

const TOL = 1e-4;

export async function validateDataset(dir: string): Promise<{ problems: Problem[] }> {
  const problems: Problem[] = [];
  const add = (file: string, message: string, episode?: number): void => { problems.push(episode === undefined ? { file, message } : { file, episode, message }); };
  let ds: Dataset;
  try { ds = await Dataset.open(dir); } catch (e) {
    add('meta/info.json', (e as Error).message.replace(`Dataset ${dir}: `, ''));
    return { problems };
  }
  const v3 = ds.info.codebase_version === 'v3.0';
  const metaFile = v3 ? 'meta/episodes' : 'meta/episodes.jsonl';
  const info = ds.info;
  const eps = ds.episodes;

  // the episode index and info.json totals
  if (eps.length !== info.total_episodes) add('meta/info.json', `total_episodes is ${info.total_episodes} but ${metaFile} lists ${eps.length} episodes`);
  if (ds.numFrames !== info.total_frames) add('meta/info.json', `total_frames is ${info.total_frames} but the episodes add up to ${ds.numFrames}`);
  if (ds.tasks.filter((t) => t !== undefined).length !== info.total_tasks) add('meta/info.json', `total_tasks is ${info.total_tasks} but there are ${ds.tasks.length} tasks`);
  eps.forEach((e, i) => {
    if (e.index !== i) add(metaFile, i > 0 && e.index === eps[i - 1]!.index ? `episode ${e.index} is listed twice` : `episode index gap: expected episode ${i}, found ${e.index}`, e.index);
    if (e.to - e.from !== e.length) add(metaFile, `dataset_from_index..dataset_to_index (${e.from}..${e.to}) does not match length ${e.length}`, e.index);
    if (i > 0 && e.from !== eps[i - 1]!.to) add(metaFile, `dataset_from_index ${e.from} does not follow episode ${eps[i - 1]!.index}'s dataset_to_index ${eps[i - 1]!.to}`, e.index);
    if (e.length === 0) add(metaFile, 'episode has no frames', e.index);
  });

  // data files: existence, footer, schema, row counts
  const byData = groupBy(eps, (e) => e.dataPath);
  const readable = new Set<string>();
  for (const [file, group] of byData) {
    const path = join(dir, file);
    if (!existsSync(path)) { for (const e of group) add(file, 'data file is missing', e.index); continue; }
    try {
      const pi = await parquetInfo(path);
      const missing = [...dataKeys(info.features)].filter((k) => !pi.columns.includes(k));
      if (missing.length) add(file, `columns missing: ${missing.join(', ')}`, group.length === 1 ? group[0]!.index : undefined);
      const rows = group.reduce((a, e) => a + e.length, 0);
      if (pi.numRows !== rows) add(file, `has ${pi.numRows} rows but its episodes (${group.map((e) => e.index).join(', ')}) have ${rows} frames`, group.length === 1 ? group[0]!.index : undefined);
      else if (!missing.length) readable.add(file);
    } catch (e) {
      for (const ep of group) add(file, `unreadable (truncated or not parquet): ${(e as Error).message.replace(`parquet ${path}: `, '')}`, ep.index);
    }
  }

  // rows of each episode
  for (const e of eps) {
    if (!readable.has(e.dataPath)) continue;
    let cols;
    try { cols = await ds.episode(e.index); } catch (err) { add(e.dataPath, (err as Error).message.replace(`Dataset ${dir}: episode ${e.index}: `, ''), e.index); continue; }
    const fi = cols.frame_index as Float64Array, gi = cols.index as Float64Array, ts = cols.timestamp as Float32Array, ei = cols.episode_index as Float64Array;
    const first = (pred: (j: number) => boolean): number => { for (let j = 0; j < e.length; j++) if (pred(j)) return j; return -1; };
    let j = first((k) => ei[k] !== e.index);
    if (j >= 0) add(e.dataPath, `row ${e.dataRow + j} has episode_index ${ei[j]}, expected ${e.index}`, e.index);
    j = first((k) => fi[k] !== k);
    if (j >= 0) add(e.dataPath, `frame_index gap: frame ${j} has frame_index ${fi[j]}`, e.index);
    j = first((k) => gi[k] !== e.from + k);
    if (j >= 0) add(e.dataPath, `index gap: frame ${j} has index ${gi[j]}, expected ${e.from + j}`, e.index);
    j = first((k) => !(Math.abs(ts[k]! - k / info.fps) <= TOL));
    if (j >= 0) add(e.dataPath, `timestamp gap: frame ${j} has timestamp ${ts[j]}, expected ${(j / info.fps).toFixed(6)} (1/fps steps, tolerance ${TOL} s)`, e.index);
    const ti = cols.task_index as Float64Array;
    j = first((k) => ds.tasks[ti[k]!] === undefined);
    if (j >= 0) add(e.dataPath, `frame ${j} has task_index ${ti[j]}, which is not in the tasks`, e.index);
    for (const k of dataKeys(info.features)) {
      const f = info.features[k]!;
      if (!['float32', 'float64'].includes(f.dtype)) continue;
      const v = cols[k] as Float32Array;
      for (let x = 0; x < v.length; x++) {
        if (!Number.isFinite(v[x])) { add(e.dataPath, `column "${k}" has ${v[x]} at frame ${Math.floor(x / featureSize(f))}`, e.index); break; }
      }
    }
  }

  // videos: existence, frame counts, spans
  for (const key of ds.videoKeys) {
    const byFile = groupBy(eps, (e) => e.videos[key]!.path);
    for (const [file, group] of byFile) {
      const path = join(dir, file);
      if (!existsSync(path)) { for (const e of group) add(file, `video file for "${key}" is missing`, e.index); continue; }
      let p;
      try { p = await probeVideo(path); } catch (err) { for (const e of group) add(file, `video unreadable: ${(err as Error).message}`, e.index); continue; }
      const rows = group.reduce((a, e) => a + e.length, 0);
      if (p.frames !== rows) add(file, `video has ${p.frames} frames but its episodes (${group.map((e) => e.index).join(', ')}) have ${rows} rows`, group.length === 1 ? group[0]!.index : undefined);
      const sorted = [...group].sort((a, b) => a.videos[key]!.from - b.videos[key]!.from);
      sorted.forEach((e, i) => {
        const s = e.videos[key]!;
        const want = e.length / info.fps;
        if (Math.abs(s.to - s.from - want) > 1.5 / info.fps) add(file, `video span ${s.from.toFixed(4)}..${s.to.toFixed(4)} s is ${(s.to - s.from).toFixed(4)} s but the episode has ${e.length} frames (${want.toFixed(4)} s)`, e.index);
        if (s.to > p.duration + 1 / info.fps) add(file, `video span ends at ${s.to.toFixed(4)} s, past the end of the file (${p.duration.toFixed(4)} s)`, e.index);
        if (i > 0 && Math.abs(s.from - sorted[i - 1]!.videos[key]!.to) > TOL) add(file, `video span starts at ${s.from.toFixed(4)} s but episode ${sorted[i - 1]!.index} ends at ${sorted[i - 1]!.videos[key]!.to.toFixed(4)} s (misaligned)`, e.index);
        if (i === 0 && s.from > TOL) add(file, `video span starts at ${s.from.toFixed(4)} s; the first episode of a file starts at 0`, e.index);
      });
    }
  }
  return { problems };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) { const k = key(x); (m.get(k) ?? m.set(k, []).get(k)!).push(x); }
  return m;
}
export type { EpisodeInfo };
