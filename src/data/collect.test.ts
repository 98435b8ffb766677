// Recording datasets from the simulator, end to end with the real parts: expert episodes from worker threads into a
// LeRobot v3.0 dataset that validates, reads back the very values the simulator produced (re-run locally from the
// same seed), agrees with DuckDB and ffprobe; and a real kill -9 in the middle of `karakuri collect`, then `data repair`.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from './collect.ts';
import { Dataset } from './lerobot/dataset.ts';
import { validateDataset } from './lerobot/validate.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import { RolloutRecorder } from '../sim/rollout.ts';
import { rolloutToEpisode } from './record/episode.ts';
import { TASKS } from '../sim/tasks/registry.ts';
import { DuckDBInstance } from '@duckdb/node-api';

const bin = new URL('../../bin/karakuri.js', import.meta.url).pathname;
let dir = '';
const ALL = [...TASKS.keys()]; // every task is offered on kara7

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'collect-')), 'ds');
  await collect({ tasks: ALL, embodiment: 'kara7', episodes: 1, out: dir, seedStart: 5, workers: 2, size: 64, contributor: 'test-lab', license: 'CC-BY-4.0' });
}, 180_000);

describe('karakuri collect', () => {
  it('writes a v3.0 dataset of all nine tasks that validates, with provenance and every sim feature', async () => {
    expect((await validateDataset(dir)).problems).toEqual([]);
    const ds = await Dataset.open(dir);
    expect(ds.info.codebase_version).toBe('v3.0');
    expect(ds.numEpisodes).toBe(9);
    expect(ds.tasks).toHaveLength(9); // one instruction per episode, all different
    expect(Object.keys(ds.features)).toEqual(expect.arrayContaining(['observation.images.scene', 'observation.images.wrist', 'observation.state', 'observation.wrench', 'observation.touch', 'action', 'action.joint', 'privileged.target_position']));
    expect(ds.features['observation.state']!.shape).toEqual([15]); // 7 joints + ee pose (7) + gripper
    expect((ds.info as Record<string, unknown>).karakuri).toMatchObject({ contributor: 'test-lab', license: 'CC-BY-4.0', embodiment: 'kara7' });
    expect(ds.episodes.map((e) => [e.meta['karakuri/task_id'], e.meta['karakuri/seed']])).toEqual(ALL.map((t) => [t, 5]));
    expect(ds.episodes.map((e) => e.meta['karakuri/sector'])).toEqual(ALL.map((t) => TASKS.get(t)!.sector));
    for (const e of ds.episodes) expect(e.meta['karakuri/success'], `${e.meta['karakuri/task_id']}`).toBe(true); // the experts succeed on seed 5
  });

  it('is read by DuckDB with the same rows and values', async () => {
    const ds = await Dataset.open(dir);
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    try {
      const data = join(dir, 'data/chunk-000/file-000.parquet');
      const rows = (await con.runAndReadAll(`SELECT episode_index AS e, count(*) AS n, sum(action[7]) AS g, min(task_index) AS t FROM '${data}' GROUP BY e ORDER BY e`)).getRowObjectsJS();
      expect(rows).toHaveLength(9);
      for (const ep of ds.episodes) {
        const cols = await ds.episode(ep.index);
        const a = cols.action as Float32Array;
        let g = 0;
        for (let i = 0; i < ep.length; i++) g += a[i * 7 + 6]!;
        expect(rows[ep.index]).toMatchObject({ e: BigInt(ep.index), n: BigInt(ep.length), t: BigInt(ds.tasks.indexOf(ep.tasks[0]!)) });
        expect(rows[ep.index]!.g as number).toBeCloseTo(g, 4);
      }
      const eps = (await con.runAndReadAll(`SELECT "karakuri/task_id" AS id, "karakuri/seed" AS seed, length FROM '${join(dir, 'meta/episodes/chunk-000/file-000.parquet')}' ORDER BY episode_index`)).getRowObjectsJS();
      expect(eps.map((r) => [r.id, Number(r.seed), Number(r.length)])).toEqual(ds.episodes.map((e) => [e.meta['karakuri/task_id'], 5, e.length]));
    } finally {
      con.closeSync(); inst.closeSync();
    }
  });

  it('with actionNoise (DART): provenance says so, and the recorded actions are the commands, not the perturbed deltas', async () => {
    const noisy = join(mkdtempSync(join(tmpdir(), 'collect-dart-')), 'ds');
    await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 1, out: noisy, seedStart: 2, size: 64, actionNoise: 0.004 });
    const ds = await Dataset.open(noisy);
    expect((ds.info.karakuri as Record<string, string> | undefined)?.actionNoise).toBe('0.004');
    const ep = await ds.episode(0);
    const action = ep['action'] as Float32Array, ee = ep['observation.state'] as Float32Array; // state: 6 joints, ee xyz, quat, gripper
    const { env, task, definition } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0, actionNoise: 0.004 });
    const commanded: number[][] = [], executed: number[][] = [];
    task.expert(env, env.reset(2), { maxSteps: definition.maxSteps, onStep: (s, a) => { commanded.push(a); executed.push(s.info.executedAction!); } });
    env.dispose();
    expect(ds.numFrames).toBe(commanded.length);
    expect(Array.from(action)).toEqual(Array.from(Float32Array.from(commanded.flat())));
    expect(Array.from(action)).not.toEqual(Array.from(Float32Array.from(executed.flat())));
    expect(ee.length).toBe(14 * commanded.length);
  }, 120_000);

  it('with actionJolts (sparse pushes): provenance names them, and the recorded actions are the commands', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'collect-jolts-')), 'ds'), jolts = { rate: 0.2, min: 0.01, max: 0.03 };
    await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 1, out, seedStart: 1, size: 64, actionJolts: jolts });
    const ds = await Dataset.open(out);
    expect((ds.info.karakuri as Record<string, string> | undefined)?.actionJolts).toBe('0.2,0.01,0.03');
    const { env, task, definition } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0, actionJolts: jolts });
    const commanded: number[][] = [], executed: number[][] = [];
    task.expert(env, env.reset(1), { maxSteps: definition.maxSteps, onStep: (s, a) => { commanded.push(a); executed.push(s.info.executedAction!); } });
    env.dispose();
    expect(Array.from((await ds.episode(0))['action'] as Float32Array)).toEqual(Array.from(Float32Array.from(commanded.flat())));
    expect(executed.some((e, i) => Math.hypot(...[0, 1, 2].map((k) => e[k]! - commanded[i]![k]!)) >= 0.01)).toBe(true); // it was pushed
  }, 120_000);

  it('with policy wander: random arm motion recorded as perception data, never a success, with that provenance', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'collect-wander-')), 'ds');
    await expect(collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 1, out, size: 64, policy: 'wander', onlySuccess: true })).rejects.toThrow(/onlySuccess needs policy 'expert'/);
    expect(existsSync(out)).toBe(false);
    const s = await collect({ tasks: ['cup-on-tray', 'bowl-to-bin'], embodiment: 'kara6', episodes: 2, out, size: 64, seedStart: 1_000_000, policy: 'wander', wanderSteps: 6 });
    expect(s).toMatchObject({ episodes: 4, successes: 0, frames: 24 });
    expect((await validateDataset(out)).problems).toEqual([]);
    const ds = await Dataset.open(out);
    expect(ds.info.karakuri).toMatchObject({ policy: 'wander', wanderSteps: '6', source: expect.stringMatching(/not demonstrations/) });
    expect(ds.episodes.map((e) => [e.meta['karakuri/task_id'], e.meta['karakuri/seed'], e.meta['karakuri/success']])).toEqual([
      ['cup-on-tray', 1_000_000, false], ['cup-on-tray', 1_000_001, false], ['bowl-to-bin', 1_000_000, false], ['bowl-to-bin', 1_000_001, false],
    ]);
    const ep = await ds.episode(0);
    const target = ep['privileged.target_position'] as Float32Array, ee = ep['observation.state'] as Float32Array;
    expect(target.every(Number.isFinite)).toBe(true);
    // the arm moved: the end effector (state 6..9) differs between the first and last frame by more than 2 cm
    expect(Math.hypot(...[6, 7, 8].map((j) => ee[5 * 14 + j]! - ee[j]!))).toBeGreaterThan(0.02);
  }, 120_000);

  it('reads back exactly what the simulator produced for that seed (float32), and video frame counts agree with ffprobe', async () => {
    const ds = await Dataset.open(dir);
    const { env, task, definition } = await createTaskEnv('bedside-table', { embodiment: 'kara7', width: 64, height: 64, history: 1 });
    const rec = new RolloutRecorder(env);
    const start = env.reset(5);
    rec.start(5, start);
    const r = task.expert(env, start, { maxSteps: definition.maxSteps, onStep: (s, a) => rec.step(s, a) });
    const local = rolloutToEpisode(rec.finish(r.success), { taskId: 'bedside-table', sector: 'care' }, { depth: false });
    env.dispose();
    const ep = ds.episodes[ALL.indexOf('bedside-table')]!;
    expect(ep.length).toBe(local.length);
    expect(ep.tasks).toEqual([local.task]);
    expect(ep.meta['karakuri/success']).toBe(r.success);
    const cols = await ds.episode(ep.index);
    for (const k of ['action', 'action.joint', 'observation.state', 'observation.wrench', 'privileged.target_position']) {
      expect(Array.from(cols[k] as Float32Array), k).toEqual(Array.from(local.columns[k] as Float32Array));
    }
    // a decoded video frame is the rendered frame, up to AV1's loss
    const f = await ds.frame(ep.from + 10);
    const img = f['observation.images.scene'] as Uint8Array, ref = local.videos['observation.images.scene']![10]!;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err += Math.abs(img[i]! - ref[i]!);
    expect(err / ref.length).toBeLessThan(6); // mean absolute error in 0..255
    for (const key of ds.videoKeys) {
      const span = ep.videos[key]!;
      const out = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(dir, span.path)], { encoding: 'utf8' });
      expect(Number(out.stdout.trim())).toBe(ds.numFrames);
    }
  });

  it('survives kill -9 mid-recording: the dataset is refused with a hint, then repaired up to the last finished episode', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kill-')), 'ds');
    const child = spawn(process.execPath, [bin, 'collect', '--task', 'cup-on-tray', '--embodiment', 'kara6', '--episodes', '30', '--size', '64', '--workers', '1', '--out', out], { stdio: 'ignore' });
    const staged = () => (existsSync(join(out, '.staging')) ? readdirSync(join(out, '.staging')).filter((d) => existsSync(join(out, '.staging', d, 'done'))).length : 0);
    const t0 = Date.now();
    while (staged() < 3 && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const finished = staged();
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(finished).toBeLessThan(30); // it really was killed mid-run
    await expect(Dataset.open(out)).rejects.toThrow(/unfinished recording is staged there: run `karakuri data repair/);
    const validate = spawnSync(process.execPath, [bin, 'data', 'validate', out], { encoding: 'utf8' });
    expect(validate.status).not.toBe(0);
    const repair = spawnSync(process.execPath, [bin, 'data', 'repair', out], { encoding: 'utf8' });
    expect(repair.status, repair.stderr).toBe(0);
    const kept = Number(/kept (\d+) finished/.exec(repair.stdout)?.[1]);
    expect(kept).toBeGreaterThanOrEqual(finished); // episodes finished between the count and the kill are kept too
    expect(spawnSync(process.execPath, [bin, 'data', 'validate', out], { encoding: 'utf8' }).stdout).toMatch(/valid/);
    const ds = await Dataset.open(out);
    expect(ds.numEpisodes).toBe(kept);
    expect(ds.episodes.map((e) => e.meta['karakuri/seed'])).toEqual(Array.from({ length: kept }, (_, i) => i));
  }, 150_000);
});
