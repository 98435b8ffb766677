// Cross-checks with DuckDB (@duckdb/node-api, a devDependency): DuckDB reads our data/meta/tasks parquet files and
// agrees with our reader on row counts and values (incl. a fixed-size vector column); and our reader agrees with
// DuckDB on the G1 v2.1 fixture's pyarrow-written files, whose three present episodes read correctly while a
// missing one is a clear error naming its file.
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from './dataset.ts';
import { tmp, writeTestDataset } from './testdata.ts';

const G1 = new URL('../../../../shared/fixtures/lerobot-g1-v2.1-partial', import.meta.url).pathname;
let con: DuckDBConnection;
let inst: DuckDBInstance;
const q = async (sql: string): Promise<Record<string, unknown>[]> => (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];

beforeAll(async () => { inst = await DuckDBInstance.create(':memory:'); con = await inst.connect(); });
afterAll(() => { con.closeSync(); inst.closeSync(); });

describe('DuckDB reads what we write', () => {
  const dir = tmp('duck');
  it('agrees on rows, vectors, episodes and tasks', async () => {
    await writeTestDataset(dir, [9, 5, 11], { video: false });
    const ds = await Dataset.open(dir);
    const data = join(dir, 'data/chunk-000/file-000.parquet');
    expect(await q(`SELECT count(*) AS n FROM '${data}'`)).toEqual([{ n: BigInt(ds.numFrames) }]);
    const per = await q(`SELECT episode_index AS e, count(*) AS n, sum("observation.state"[3]) AS s3, max(len(action)) AS la, sum("index") AS si
      FROM '${data}' GROUP BY episode_index ORDER BY episode_index`);
    for (const e of ds.episodes) {
      const cols = await ds.episode(e.index);
      const st = cols['observation.state'] as Float32Array;
      let s3 = 0, si = 0;
      for (let i = 0; i < e.length; i++) { s3 += st[i * 6 + 2]!; si += e.from + i; }
      expect(per[e.index]).toMatchObject({ e: BigInt(e.index), n: BigInt(e.length), la: 7n, si: BigInt(si) });
      expect(per[e.index]!.s3 as number).toBeCloseTo(s3, 3);
    }
    const row = (await q(`SELECT "observation.state" AS s, "observation.contact" AS c, "timestamp" AS t FROM '${data}' WHERE "index" = 17`))[0]!;
    const f = await ds.frame(17);
    expect((row.s as number[]).map(Math.fround)).toEqual(f['observation.state']);
    expect(row.c).toBe(f['observation.contact']);
    expect(row.t).toBeCloseTo(f.timestamp as number, 6);
    const eps = await q(`SELECT episode_index AS e, "length" AS n, dataset_from_index AS a, dataset_to_index AS b, tasks, "karakuri/seed" AS seed
      FROM '${join(dir, 'meta/episodes/chunk-000/file-000.parquet')}' ORDER BY 1`);
    expect(eps.map((r) => [Number(r.e), Number(r.n), Number(r.a), Number(r.b), r.tasks, Number(r.seed)]))
      .toEqual(ds.episodes.map((e) => [e.index, e.length, e.from, e.to, e.tasks, e.meta['karakuri/seed']]));
    expect(await q(`SELECT task, task_index FROM '${join(dir, 'meta/tasks.parquet')}' ORDER BY task_index`)).toEqual(ds.tasks.map((task, i) => ({ task, task_index: BigInt(i) })));
    const kv = await q(`SELECT decode(key) AS k FROM parquet_kv_metadata('${data}')`);
    expect(kv.map((r) => r.k)).toContain('huggingface');
  });
});

describe('G1 v2.1 fixture (pyarrow-written parquet)', () => {
  it('reads episodes 1, 2 and 4 as DuckDB does; a missing episode names its file', async () => {
    const ds = await Dataset.open(G1);
    expect(ds.info.codebase_version).toBe('v2.1');
    expect(ds.numEpisodes).toBe(100);
    expect(ds.episodeInfo(1)).toMatchObject({ from: 479, to: 872, length: 393, dataPath: 'data/chunk-000/episode_000001.parquet' });
    expect(ds.episodeInfo(4).videos['observation.images.cam_high']!.path).toBe('videos/chunk-000/observation.images.cam_high/episode_000004.mp4');
    for (const e of [1, 2, 4]) {
      const ep = ds.episodeInfo(e);
      const file = join(G1, ep.dataPath);
      const [agg] = await q(`SELECT count(*) AS n, sum(action[26]) AS a, min("index") AS i0 FROM '${file}'`);
      const cols = await ds.episode(e);
      const act = cols.action as Float32Array;
      let a = 0;
      for (let i = 0; i < ep.length; i++) a += act[i * 26 + 25]!;
      expect(Number(agg!.n)).toBe(ep.length);
      expect(Number(agg!.i0)).toBe(ep.from);
      expect(agg!.a as number).toBeCloseTo(a, 2);
      const [r] = await q(`SELECT "observation.state" AS s, "timestamp" AS t FROM '${file}' WHERE frame_index = 7`);
      const f = await ds.frame(ep.from + 7, { videos: false });
      expect(f.episode_index).toBe(e);
      expect(f.index).toBe(ep.from + 7);
      expect(f.task).toBe('Pick up the yellow bottle on the table.');
      expect(f['observation.state']).toEqual((r!.s as number[]).map(Math.fround));
      expect(f.timestamp).toBeCloseTo(7 / 30, 6);
    }
    await expect(ds.frame(10, { videos: false })).rejects.toThrow(/episode 0: data file data\/chunk-000\/episode_000000.parquet is missing/);
    await expect(ds.episode(3)).rejects.toThrow(/episode 3: data file data\/chunk-000\/episode_000003.parquet is missing/);
    const img = (await ds.frame(479 + 7))['observation.images.cam_high'] as Uint8Array; // AV1 decoded at its timestamp
    expect(img.length).toBe(480 * 640 * 3);
    const w = await ds.window(479 + 1, { action: [-0.1, 0, 1 / 30] });
    expect(w.action_is_pad).toEqual([true, false, false]);
  });
});
