// Tests of the v3.0 writer and reader on real files: layout, metadata, one row group per episode, values back,
// video frames at their timestamps, windows with padding, provenance, staging, repair, bad inputs.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from './dataset.ts';
import { parquetInfo, readParquetRows } from './parquet.ts';
import { FPS, shade, testEpisode, testFeatures, tmp, writeTestDataset } from './testdata.ts';
import { DatasetWriter, repairDataset, STAGING } from './writer.ts';

describe('DatasetWriter + Dataset (v3.0)', () => {
  const dir = tmp('w');
  const lengths = [12, 7, 9];
  let ds: Dataset;

  it('writes the v3.0 layout with info, tasks, episodes and stats', async () => {
    await writeTestDataset(dir, lengths);
    for (const p of ['meta/info.json', 'meta/stats.json', 'meta/tasks.parquet', 'meta/episodes/chunk-000/file-000.parquet',
      'data/chunk-000/file-000.parquet', 'videos/observation.images.front/chunk-000/file-000.mp4']) expect(existsSync(join(dir, p)), p).toBe(true);
    expect(existsSync(join(dir, STAGING))).toBe(false);
    const info = JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8'));
    expect(info).toMatchObject({ codebase_version: 'v3.0', fps: FPS, total_episodes: 3, total_frames: 28, total_tasks: 2, chunks_size: 1000,
      data_files_size_in_mb: 100, video_files_size_in_mb: 200, splits: { train: '0:3' }, robot_type: 'kara6',
      data_path: 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet', karakuri: { licence: 'CC-BY-4.0', sector: 'restaurant' } });
    expect(info.features['observation.images.front'].info).toMatchObject({ 'video.codec': 'av1', 'video.pix_fmt': 'yuv420p', 'video.height': 64 });
    expect(Object.keys(info.features).slice(-5)).toEqual(['timestamp', 'frame_index', 'episode_index', 'index', 'task_index']);
    const stats = JSON.parse(readFileSync(join(dir, 'meta/stats.json'), 'utf8'));
    expect(stats['observation.state'].count).toEqual([28]);
    expect(stats['observation.state'].min[0]).toBe(0);
    expect(stats['observation.state'].max[0]).toBe(208);
    expect(stats['observation.images.front'].mean).toHaveLength(3);
  });

  it('data file: one row group per episode, huggingface features metadata', async () => {
    const pi = await parquetInfo(join(dir, 'data/chunk-000/file-000.parquet'));
    expect(pi.rowGroups).toEqual(lengths);
    const hf = JSON.parse(pi.kv.huggingface!);
    expect(hf.info.features['observation.state']).toEqual({ feature: { dtype: 'float32', _type: 'Value' }, length: 6, _type: 'Sequence' });
    expect(hf.info.features.index).toEqual({ dtype: 'int64', _type: 'Value' });
    expect(pi.columns).toEqual(['observation.state', 'action', 'observation.contact', 'timestamp', 'frame_index', 'episode_index', 'index', 'task_index']);
  });

  it('tasks.parquet as pandas writes it (task index column named in the pandas metadata)', async () => {
    const p = join(dir, 'meta/tasks.parquet');
    const pi = await parquetInfo(p);
    expect(pi.columns).toEqual(['task_index', 'task']);
    expect(JSON.parse(pi.kv.pandas!).index_columns).toEqual(['task']);
    expect(await readParquetRows(p)).toEqual([{ task_index: 0n, task: 'pick the cup' }, { task_index: 1n, task: 'place the cup' }]);
  });

  it('meta/episodes: indices, video spans, stats and provenance columns', async () => {
    const rows = await readParquetRows(join(dir, 'meta/episodes/chunk-000/file-000.parquet'));
    expect(rows.map((r) => [r.episode_index, r.length, r.dataset_from_index, r.dataset_to_index])).toEqual([[0n, 12n, 0n, 12n], [1n, 7n, 12n, 19n], [2n, 9n, 19n, 28n]]);
    expect(rows[1]!.tasks).toEqual(['place the cup']);
    expect(rows[1]!['videos/observation.images.front/from_timestamp']).toBeCloseTo(1.2, 6);
    expect(rows[1]!['videos/observation.images.front/to_timestamp']).toBeCloseTo(1.9, 6);
    expect(rows[0]!['stats/action/count']).toEqual([12n]);
    expect(rows[2]!['karakuri/seed']).toBe(1002n);
    expect(rows[1]!['karakuri/success']).toBe(false);
    expect(rows[0]!['karakuri/simulator']).toBe('mujoco');
  });

  it('reads episodes, frames (with video at its timestamp) and columns back', async () => {
    ds = await Dataset.open(dir);
    expect(ds.numEpisodes).toBe(3);
    expect(ds.numFrames).toBe(28);
    expect(ds.episodes[2]).toMatchObject({ index: 2, length: 9, from: 19, to: 28, tasks: ['pick the cup'], dataRow: 19 });
    expect(ds.episodes[2]!.meta['karakuri/seed']).toBe(1002);
    const f = await ds.frame(15);
    expect(f.episode_index).toBe(1);
    expect(f.frame_index).toBe(3);
    expect(f.index).toBe(15);
    expect(f.timestamp).toBeCloseTo(0.3, 6);
    expect(f.task).toBe('place the cup');
    expect(f['observation.state']).toEqual(Array.from(testEpisode(1, 7).columns['observation.state'] as Float32Array).slice(18, 24));
    expect(f['observation.contact']).toBe(true);
    const img = f['observation.images.front'] as Uint8Array;
    expect(img.length).toBe(64 * 64 * 3);
    expect(Math.abs(img[2000]! - shade(1, 3))).toBeLessThan(6);
    const cols = await ds.episode(2);
    expect(Array.from(cols.action!.slice(0, 2) as Float32Array)).toEqual([-200, Math.fround(-200.01)]);
    expect((await ds.frame(3, { videos: false }))['observation.images.front']).toBeUndefined();
  });

  it('window: past/future offsets with padding masks; non-multiples of 1/fps refused', async () => {
    const w = await ds.window(13, { action: [-0.2, -0.1, 0, 0.1], 'observation.images.front': [-0.1, 0] });
    expect(w.action_is_pad).toEqual([true, false, false, false]);
    expect((w.action as number[][]).map((a) => a[0])).toEqual([-100, -100, -101, -102]);
    expect(w['observation.images.front_is_pad']).toEqual([false, false]);
    const imgs = w['observation.images.front'] as Uint8Array[];
    expect(Math.abs(imgs[1]![100]! - shade(1, 1))).toBeLessThan(6);
    await expect(ds.window(13, { action: [0.05] })).rejects.toThrow(/delta 0.05 s of "action" is not a multiple of 1\/fps = 0.1 s/);
    await expect(ds.frame(28)).rejects.toThrow(/no frame with global index 28/);
  });
});

describe('staging, repair and bad inputs', () => {
  it('a crash leaves staging that opens with a hint and repair keeps the finished episodes', async () => {
    const dir = tmp('r');
    const w = await DatasetWriter.create(dir, { fps: FPS, robotType: 'kara6', features: testFeatures(false), provenance: {} });
    for (let e = 0; e < 3; e++) await w.addEpisode(testEpisode(e, 5, false));
    rmSync(join(dir, STAGING, 'ep-000002', 'done')); // episode 2 was being written when the process died
    writeFileSync(join(dir, STAGING, 'ep-000002', 'data.parquet'), 'PAR1 garbage');
    await expect(Dataset.open(dir)).rejects.toThrow(/meta\/info.json is missing; an unfinished recording is staged there: run `karakuri data repair/);
    expect(await repairDataset(dir)).toEqual({ kept: 2, dropped: 1 });
    const ds = await Dataset.open(dir);
    expect(ds.numEpisodes).toBe(2);
    expect(ds.numFrames).toBe(10);
    expect(await repairDataset(dir)).toEqual({ kept: 2, dropped: 0 });
    await expect(DatasetWriter.create(dir, { fps: FPS, robotType: 'x', features: testFeatures(false), provenance: {} })).rejects.toThrow(/a dataset is already there/);
  });

  it('refuses wrong columns, frame counts and fps with messages', async () => {
    const dir = tmp('b');
    await expect(DatasetWriter.create(dir, { fps: 0, robotType: 'x', features: testFeatures(false), provenance: {} })).rejects.toThrow(/fps must be a positive integer/);
    const w = await DatasetWriter.create(dir, { fps: FPS, robotType: 'x', features: testFeatures(true), provenance: {} });
    const ep = testEpisode(0, 4);
    await expect(w.addEpisode({ ...ep, columns: { ...ep.columns, action: new Float32Array(5) } })).rejects.toThrow(/column "action" has 5 values, expected 4 x 7/);
    await expect(w.addEpisode({ ...ep, videos: { 'observation.images.front': ep.videos['observation.images.front']!.slice(0, 3) } })).rejects.toThrow(/video "observation.images.front" has 3 frames, expected 4/);
    await expect(w.addEpisode({ ...ep, columns: { ...ep.columns, extra: new Float32Array(4) } })).rejects.toThrow(/column "extra" is not a feature/);
    await expect(w.finalize()).rejects.toThrow(/no finished episode/);
  });

  it('rolls data and video files over by size', async () => {
    const dir = tmp('roll');
    await writeTestDataset(dir, [6, 6, 6], { dataFileMB: 0.000001, videoFileMB: 0.000001 });
    const ds = await Dataset.open(dir);
    expect(ds.episodes.map((e) => [e.dataPath, e.dataRow])).toEqual([['data/chunk-000/file-000.parquet', 0], ['data/chunk-000/file-001.parquet', 0], ['data/chunk-000/file-002.parquet', 0]]);
    expect(ds.episodes.map((e) => e.videos['observation.images.front']!.path)).toEqual([0, 1, 2].map((i) => `videos/observation.images.front/chunk-000/file-00${i}.mp4`));
    expect((await ds.frame(14))['observation.state']).toEqual(Array.from(testEpisode(2, 6).columns['observation.state'] as Float32Array).slice(12, 18));
  });
});
