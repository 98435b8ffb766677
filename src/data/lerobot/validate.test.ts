// Tests of validateDataset: a clean dataset has no problem; datasets corrupted on purpose (truncated parquet,
// missing video, wrong frame count, timestamp gap, NaN, index gap, video span past the file's end) each report
// their problem with file and episode; the G1 v2.1 fixture reports its 97 missing episodes and nothing else.
import { cpSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeVideo } from './av.ts';
import { dataColumns } from './meta.ts';
import { parquetInfo, readParquetRows, writeParquet, type PqColumn } from './parquet.ts';
import { testFeatures, tmp, writeTestDataset } from './testdata.ts';
import { validateDataset } from './validate.ts';

const G1 = new URL('../../../../shared/fixtures/lerobot-g1-v2.1-partial', import.meta.url).pathname;
const DATA = 'data/chunk-000/file-000.parquet';
const VIDEO = 'videos/observation.images.front/chunk-000/file-000.mp4';
const EPISODES = 'meta/episodes/chunk-000/file-000.parquet';

let base: string;
const copy = (name: string): string => { const d = tmp(name); cpSync(base, d, { recursive: true }); return d; };

/** Rewrites the data file with rows changed by `mutate` (same columns, same row groups). */
async function rewriteData(dir: string, mutate: (rows: Record<string, unknown>[]) => void): Promise<void> {
  const p = join(dir, DATA);
  const pi = await parquetInfo(p);
  const rows = await readParquetRows(p);
  mutate(rows);
  const cols = dataColumns(testFeatures(true) as never);
  const all = [...cols, ...['timestamp', 'frame_index', 'episode_index', 'index', 'task_index'].map((name): PqColumn => ({ name, type: name === 'timestamp' ? 'float32' : 'int64' }))]
    .filter((c, i, a) => a.findIndex((x) => x.name === c.name) === i);
  const groups: Record<string, unknown[]>[] = [];
  let at = 0;
  for (const n of pi.rowGroups) { const g: Record<string, unknown[]> = {}; for (const c of all) g[c.name] = rows.slice(at, at + n).map((r) => r[c.name]); groups.push(g); at += n; }
  writeParquet(p, all, groups, pi.kv);
}

/** Rewrites meta/episodes with rows changed by `mutate` (column types inferred from the values). */
async function rewriteEpisodes(dir: string, mutate: (rows: Record<string, unknown>[]) => void): Promise<void> {
  const p = join(dir, EPISODES);
  const rows = await readParquetRows(p);
  mutate(rows);
  const typeOf = (v: unknown): PqColumn['type'] => (typeof v === 'bigint' ? 'int64' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'float64');
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
  const leaf = (v: unknown): unknown => (Array.isArray(v) ? leaf(v[0]) : v);
  const cols: PqColumn[] = Object.keys(rows[0]!).map((name) => ({ name, type: typeOf(leaf(rows[0]![name])), depth: depth(rows[0]![name]) }));
  writeParquet(p, cols, [Object.fromEntries(cols.map((c) => [c.name, rows.map((r) => r[c.name])]))]);
}

describe('validateDataset', () => {
  beforeAll(async () => {
    base = tmp('v');
    await writeTestDataset(base, [8, 6, 7]);
  });

  it('finds nothing wrong with a dataset we wrote', async () => {
    expect((await validateDataset(base)).problems).toEqual([]);
  });

  it('truncated parquet', async () => {
    const d = copy('trunc');
    truncateSync(join(d, DATA), Math.floor(statSync(join(d, DATA)).size / 2));
    const { problems } = await validateDataset(d);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatchObject({ file: DATA, episode: 0 });
    expect(problems[0]!.message).toMatch(/^unreadable \(truncated or not parquet\)/);
  });

  it('missing video', async () => {
    const d = copy('novid');
    rmSync(join(d, VIDEO));
    expect((await validateDataset(d)).problems).toEqual([0, 1, 2].map((episode) => ({ file: VIDEO, episode, message: 'video file for "observation.images.front" is missing' })));
  });

  it('wrong frame count', async () => {
    const d = copy('frames');
    await encodeVideo(join(d, VIDEO), Array.from({ length: 18 }, () => new Uint8Array(64 * 64 * 3)), { width: 64, height: 64, fps: 10 });
    const { problems } = await validateDataset(d);
    expect(problems).toContainEqual({ file: VIDEO, message: 'video has 18 frames but its episodes (0, 1, 2) have 21 rows' });
  });

  it('timestamp gap, NaN and index gap', async () => {
    const d = copy('rows');
    await rewriteData(d, (rows) => {
      rows[3]!.timestamp = 0.5; // episode 0 frame 3
      (rows[10]!['observation.state'] as number[])[2] = NaN; // episode 1 frame 2
      rows[16]!.index = 99n; // episode 2 frame 2
    });
    const { problems } = await validateDataset(d);
    expect(problems).toEqual([
      { file: DATA, episode: 0, message: 'timestamp gap: frame 3 has timestamp 0.5, expected 0.300000 (1/fps steps, tolerance 0.0001 s)' },
      { file: DATA, episode: 1, message: 'column "observation.state" has NaN at frame 2' },
      { file: DATA, episode: 2, message: 'index gap: frame 2 has index 99, expected 16' },
    ]);
  });

  it('episode <-> video misalignment and an episode index gap', async () => {
    const d = copy('align');
    await rewriteEpisodes(d, (rows) => {
      rows[2]!['videos/observation.images.front/from_timestamp'] = 2.0;
      rows[2]!['videos/observation.images.front/to_timestamp'] = 2.7; // file is 2.1 s long
    });
    const { problems } = await validateDataset(d);
    expect(problems).toEqual([
      { file: VIDEO, episode: 2, message: 'video span ends at 2.7000 s, past the end of the file (2.1000 s)' },
      { file: VIDEO, episode: 2, message: 'video span starts at 2.0000 s but episode 1 ends at 1.4000 s (misaligned)' },
    ]);
    const g = copy('gap');
    await rewriteEpisodes(g, (rows) => { rows[2]!.episode_index = 3n; });
    expect((await validateDataset(g)).problems).toContainEqual({ file: 'meta/episodes', episode: 3, message: 'episode index gap: expected episode 2, found 3' });
  });

  it('a missing info.json is one problem', async () => {
    const d = copy('noinfo');
    rmSync(join(d, 'meta/info.json'));
    expect((await validateDataset(d)).problems).toEqual([{ file: 'meta/info.json', message: 'meta/info.json is missing' }]);
  });

  it('G1 v2.1 fixture: the 97 missing episodes (data and video), nothing about 1, 2 and 4', async () => {
    expect(JSON.parse(readFileSync(join(G1, 'meta/info.json'), 'utf8')).total_episodes).toBe(100);
    const { problems } = await validateDataset(G1);
    const missing = [...Array(100).keys()].filter((e) => ![1, 2, 4].includes(e));
    expect(problems.filter((p) => p.message === 'data file is missing').map((p) => p.episode)).toEqual(missing);
    expect(problems.filter((p) => /video file .* is missing/.test(p.message)).map((p) => p.episode)).toEqual(missing);
    expect(problems).toHaveLength(194);
    expect(problems[0]).toEqual({ file: 'data/chunk-000/episode_000000.parquet', episode: 0, message: 'data file is missing' });
    expect(problems.find((p) => p.episode === 3 && /video/.test(p.message))).toEqual({ file: 'videos/chunk-000/observation.images.cam_high/episode_000003.mp4', episode: 3, message: 'video file for "observation.images.cam_high" is missing' });
  });
});
