// RoomPixels on real recordings: the pixel of a recorded target is where the live simulator's scene camera sees it
// (an independent reset of the same seed), augmentation geometry moves it with the image, and what cannot be placed
// (an episode without a simulated task, a frame outside every episode, a NaN target) is NaN, never a guess.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../data/collect.ts';
import { Dataset } from '../data/lerobot/dataset.ts';
import { writeTestDataset } from '../data/lerobot/testdata.ts';
import type { Batch } from '../data/loader/assemble.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera } from '../sim/render/camera.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import { RoomPixels } from './room-pixels.ts';

let root = '', ds = '', plain = '';
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'room-pixels-'));
  ds = join(root, 'ds');
  plain = join(root, 'plain');
  await collect({ tasks: ['bowl-to-bin'], embodiment: 'kara7', episodes: 2, seedStart: 30, out: ds, size: 64, workers: 1 });
  await writeTestDataset(plain, [3, 2]);
}, 120_000);

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
