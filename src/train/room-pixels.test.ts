// RoomPixels on real recordings: the pixel of a recorded target is where the live simulator's scene camera sees it
// (an independent reset of the same seed), augmentation geometry moves it with the image, and what cannot be placed
// (an episode without a simulated task, a frame outside every episode, a NaN target) is NaN, never a guess.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../data/collect.ts';
import { Dataset } from '../data/lerobot/dataset.ts';
import { FPS, testEpisode, testFeatures, writeTestDataset } from '../data/lerobot/testdata.ts';
import { DatasetWriter } from '../data/lerobot/writer.ts';
import type { Batch } from '../data/loader/assemble.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera } from '../sim/render/camera.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import { RolloutRecorder } from '../sim/rollout.ts';
import { rolloutToEpisode } from '../data/record/episode.ts';
import { simFeatures } from '../data/record/sim-features.ts';
import { embodiment as lookupEmbodiment } from '../sim/embodiments/index.ts';
import type { CameraPose } from '../sim/render/camera.ts';
import { RoomPixels } from './room-pixels.ts';

let root = '', ds = '', plain = '';
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'room-pixels-'));
  ds = join(root, 'ds');
  plain = join(root, 'plain');
  await collect({ tasks: ['bowl-to-bin'], embodiment: 'kara7', episodes: 2, seedStart: 30, out: ds, size: 64, workers: 1 });
  await writeTestDataset(plain, [3, 2]);
}, 120_000);

/** A synthetic dataset whose episodes carry the given karakuri/camera_poses (and no simulated task, arm or seed). */
async function withPoses(name: string, poses: string[]): Promise<string> {
  const dir = join(root, name);
  const w = await DatasetWriter.create(dir, { fps: FPS, robotType: 'kara6', features: testFeatures(false), provenance: { contributor: 'test', licence: 'CC-BY-4.0', sector: 'restaurant', embodiment: 'kara6' } });
  for (const [e, camera_poses] of poses.entries()) {
    const ep = testEpisode(e, 3, false);
    await w.addEpisode({ ...ep, meta: { ...ep.meta, camera_poses } });
  }
  await w.finalize();
  return dir;
}

const batchOf = (dataset: number[], frame: number[]): Batch => ({ size: frame.length, dataset: Int32Array.from(dataset), frame: Int32Array.from(frame), imageShape: [64, 64] } as unknown as Batch);

describe('RoomPixels', () => {
  it("projects each recorded target with its episode's scene camera, as the live simulator sees it", async () => {
    const d = await Dataset.open(ds);
    const [e0, e1] = d.episodes as [typeof d.episodes[0], typeof d.episodes[0]];
    const cols = [await d.episode(e0.index), await d.episode(e1.index)];
    const target = (k: number, i: number) => Array.from((cols[k]!['privileged.target_position'] as Float32Array).subarray(3 * i, 3 * i + 3));
    const rows = [[0, 0], [0, 5], [1, 0]] as const; // (episode, frame in it)
    const targets = Float32Array.from(rows.flatMap(([k, i]) => target(k, i)));
    const px = (await RoomPixels.open([ds], 'scene')).pixels(batchOf([0, 0, 0], rows.map(([k, i]) => [e0, e1][k]!.from + i)), targets);
    // independently: reset the env on episode 1's seed; the target is where the recording says, seen at that pixel
    const { env } = await createTaskEnv('bowl-to-bin', { embodiment: 'kara7', width: 64, height: 64 });
    const r = env.reset(Number(e1.meta['karakuri/seed']));
    const live = Array.from(r.privileged.objects[String(r.privileged.task.target)]!.pos);
    live.forEach((v, j) => expect(v).toBeCloseTo(target(1, 0)[j]!, 4));
    const q = projectPoint(modelCameraPose(env.model, env.data, resolveCamera(cameraNames(env.model), 'scene')), live as [number, number, number], 64, 64);
    env.dispose();
    expect(px[4]).toBeCloseTo(q.u, 2);
    expect(px[5]).toBeCloseTo(q.v, 2);
    for (const v of px) expect(v > 0 && v < 64).toBe(true); // every target is in view
  });

  it("records each episode's fixed camera poses in its meta, as the live simulator has them after the reset", async () => {
    const d = await Dataset.open(ds);
    const { env } = await createTaskEnv('bowl-to-bin', { embodiment: 'kara7', width: 64, height: 64 });
    for (const e of d.episodes) {
      const poses = JSON.parse(String(e.meta['karakuri/camera_poses'])) as Record<string, { pos: number[]; xmat: number[]; fovy: number }>;
      expect(Object.keys(poses)).toEqual(['scene']); // the wrist camera moves with the arm: not recorded
      env.reset(Number(e.meta['karakuri/seed']));
      const live = modelCameraPose(env.model, env.data, resolveCamera(cameraNames(env.model), 'scene'));
      poses.scene!.pos.forEach((v, j) => expect(v).toBeCloseTo(live.pos[j]!, 9));
      poses.scene!.xmat.forEach((v, j) => expect(v).toBeCloseTo(live.xmat[j]!, 9));
      expect(poses.scene!.fovy).toBe(live.fovy);
    }
    const [a, b] = d.episodes.map((e) => String(e.meta['karakuri/camera_poses']));
    expect(a).not.toBe(b); // domain randomization moved the camera between the two seeds
    env.dispose();
  });

  it('projects with a recorded pose where the episode names no simulated task, and refuses a malformed one by name', async () => {
    const pose: CameraPose = { pos: [0.1, -0.2, 3], xmat: [1, 0, 0, 0, 1, 0, 0, 0, 1], fovy: 40 }; // looking straight down
    const dir = await withPoses('posed', [JSON.stringify({ scene: pose })]);
    const pixels = await RoomPixels.open([dir], 'scene');
    expect(pixels.unknownEpisodes).toBe(0);
    const p = [0.3, 0.1, 0.5] as const;
    const q = projectPoint(pose, p, 64, 64);
    const [u, v] = pixels.pixels(batchOf([0], [1]), Float32Array.from(p));
    expect(u).toBeCloseTo(q.u, 4);
    expect(v).toBeCloseTo(q.v, 4);
    expect(u).not.toBeCloseTo(32, 0); // off the image centre: the pose's offset is used
    const notJson = await withPoses('not-json', [JSON.stringify({ scene: pose }), '{scene:']);
    await expect(RoomPixels.open([notJson], 'scene')).rejects.toThrow(/not-json episode 1: karakuri\/camera_poses is not JSON/);
    const short = await withPoses('short', [JSON.stringify({ scene: { ...pose, xmat: [1, 0, 0] } })]);
    await expect(RoomPixels.open([short], 'scene')).rejects.toThrow(/short episode 0: karakuri\/camera_poses is malformed: scene\.xmat/);
  });

  it('moves the pixel with the augmentation, and gives NaN where it cannot place the target', async () => {
    const d = await Dataset.open(ds);
    const frame = d.episodes[0]!.from, t = Float32Array.from(Array.from((await d.episode(d.episodes[0]!.index))['privileged.target_position'] as Float32Array).slice(0, 3));
    const pixels = await RoomPixels.open([ds, plain], 'scene');
    expect(pixels.unknownEpisodes).toBe(2); // the plain dataset's episodes name no simulated task
    const [u, v] = pixels.pixels(batchOf([0], [frame]), t);
    const [u2, v2] = pixels.pixels(batchOf([0], [frame]), t, [{ x0: 3, y0: -2, scale: 0.5 }]);
    expect(u2).toBeCloseTo((u! - 3) / 0.5, 4);
    expect(v2).toBeCloseTo((v! + 2) / 0.5, 4);
    const nan = pixels.pixels(batchOf([1, 0, 0], [0, d.numFrames + 5, frame]), Float32Array.from([...t, ...t, NaN, 0, 0]));
    expect(Array.from(nan).every(Number.isNaN)).toBe(true);
    await expect(RoomPixels.open([ds], 'overhead')).rejects.toThrow(/unknown camera name "overhead"/);
  });
});

describe('RoomPixels in the wrist camera', () => {
  it("places the target in the wrist image at every frame as the live simulator's wrist camera sees it, from the recorded mount or from a replay", async () => {
    // an expert episode recorded by hand, with the live wrist camera's pose at each row (row t: before action t)
    const { env, task } = await createTaskEnv('bowl-to-bin', { embodiment: 'kara7', width: 64, height: 64, history: 1 });
    const wrist = resolveCamera(cameraNames(env.model), 'wrist'), live: CameraPose[] = [];
    const rec = new RolloutRecorder(env), start = env.reset(31);
    rec.start(31, start);
    live.push(modelCameraPose(env.model, env.data, wrist));
    const r = task.expert(env, start, { maxSteps: 80, onStep: (st, a) => { rec.step(st, a); live.push(modelCameraPose(env.model, env.data, wrist)); } });
    env.dispose();
    const rollout = rec.finish(r.success);
    expect(Object.keys(rollout.cameraMounts)).toEqual(['wrist']);
    const write = async (name: string, ro: typeof rollout) => {
      const dir = join(root, name);
      const w = await DatasetWriter.create(dir, { fps: 20, robotType: 'kara7', features: simFeatures(lookupEmbodiment('kara7'), { cameras: ['scene', 'wrist'], width: 64, height: 64, fps: 20, depth: false }), provenance: { contributor: 'test', licence: 'CC-BY-4.0', sector: 'restaurant', embodiment: 'kara7' } });
      await w.addEpisode(rolloutToEpisode(ro, { taskId: 'bowl-to-bin', sector: 'restaurant' }, { depth: false }));
      await w.finalize();
      return dir;
    };
    const recorded = await write('wrist-recorded', rollout);
    const replayed = await write('wrist-replayed', { ...rollout, cameraPoses: {}, cameraMounts: {} }); // as recorded before the meta existed
    const T = rollout.length, frames = Array.from({ length: T }, (_, t) => t), targets = rollout.targetPos;
    const expected = frames.flatMap((t) => { const q = projectPoint(live[t]!, Array.from(targets.subarray(3 * t, 3 * t + 3)) as [number, number, number], 64, 64); return q.depth > 0 ? [q.u, q.v] : [NaN, NaN]; });
    for (const dir of [recorded, replayed]) {
      const pixels = await RoomPixels.open([dir], 'scene', { mounted: 'wrist' });
      expect([pixels.unknownEpisodes, pixels.unmountedEpisodes]).toEqual([0, 0]);
      const got = pixels.mountedPixels(batchOf(frames.map(() => 0), frames), targets);
      got.forEach((v, i) => (Number.isNaN(expected[i]!) ? expect(v).toBeNaN() : expect(v, `${dir} value ${i}`).toBeCloseTo(expected[i]!, 2)));
      // the augmentation of the wrist camera moves the pixel as it moves the image
      const g = pixels.mountedPixels(batchOf([0], [T - 1]), targets.subarray(3 * (T - 1)), [{ x0: 4, y0: 1, scale: 0.75 }]);
      expect(g[0]).toBeCloseTo((got[2 * (T - 1)]! - 4) / 0.75, 4);
    }
    // the hand approaches the bowl: by the end of the recording the target is in the wrist image, and moved in it
    const inside = (t: number) => expected[2 * t]! >= 0 && expected[2 * t]! <= 64 && expected[2 * t + 1]! >= 0 && expected[2 * t + 1]! <= 64;
    expect(inside(T - 1)).toBe(true);
    expect(Math.hypot(expected[0]! - expected[2 * (T - 1)]!, expected[1]! - expected[2 * (T - 1) + 1]!)).toBeGreaterThan(3);
    // a mounted camera the model does not have is refused by name; a dataset without mounts or a task is counted
    await expect(RoomPixels.open([replayed], 'scene', { mounted: 'elbow' })).rejects.toThrow(/unknown camera name "elbow"/);
    expect((await RoomPixels.open([plain], 'scene', { mounted: 'wrist' })).unmountedEpisodes).toBe(2);
  }, 120_000);
});
