// The training loader on real recorded datasets of two embodiments: a fixed order for a seed, per-dataset
// normalization and state padding, padding masks at episode edges, frames from the cache equal to decoded frames,
// weighted mixing, tensors, and bad specs named.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../collect.ts';
import { Dataset } from '../lerobot/dataset.ts';
import { DataLoader, type BatchSpec } from './loader.ts';
import { BatchSampler } from './sampler.ts';
import { toTensors } from './tensors.ts';

const spec: BatchSpec = {
  cameras: ['observation.images.scene', 'observation.images.wrist'], imageHistory: [-1, 0],
  state: ['observation.state', 'observation.touch'], action: 'action', horizon: 8, extras: ['privileged.target_position'],
};
let k6 = '', k7 = '';

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'loader-'));
  k6 = join(root, 'kara6'); k7 = join(root, 'kara7');
  await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 2, out: k6, size: 64, workers: 2 });
  await collect({ tasks: ['bedside-table'], embodiment: 'kara7', episodes: 2, out: k7, size: 64, workers: 2 });
}, 120_000);

describe('BatchSampler', () => {
  it('visits every frame once per epoch in a seeded order; weights set the mix', () => {
    const s = new BatchSampler({ sizes: [30, 20], batchSize: 10, seed: 1, dropLast: false });
    const epoch = Array.from({ length: 5 }, (_, b) => s.batch(b)).flat().map((r) => `${r.dataset}:${r.frame}`);
    expect(new Set(epoch).size).toBe(50);
    expect(Array.from({ length: 5 }, (_, b) => s.batch(b + 5)).flat().map((r) => `${r.dataset}:${r.frame}`)).not.toEqual(epoch); // next epoch reshuffled
    expect(new BatchSampler({ sizes: [30, 20], batchSize: 10, seed: 1, dropLast: false }).batch(3)).toEqual(s.batch(3));
    const w = new BatchSampler({ sizes: [1000, 10], batchSize: 100, seed: 2, weights: [1, 3] });
    const picks = Array.from({ length: 20 }, (_, b) => w.batch(b)).flat();
    expect(picks.filter((r) => r.dataset === 1).length / picks.length).toBeGreaterThan(0.7); // 3:1 for the small dataset
    expect(picks.every((r) => r.frame < (r.dataset ? 10 : 1000))).toBe(true);
    expect(() => new BatchSampler({ sizes: [10], batchSize: 4, seed: 0, weights: [1, 1] })).toThrow(/one non-negative number per dataset/);
    expect(() => new BatchSampler({ sizes: [3], batchSize: 4, seed: 0 })).toThrow(/fewer than one batch of 4/);
  });

  it('per-frame weights: frames drawn in proportion to their weight, never a frame of weight 0, seeded', () => {
    const fw = new Float64Array(100).fill(1);
    fw.fill(4, 0, 10); // 40 of 130: drawn 31% of the time instead of 10%
    fw[50] = 0;
    const s = new BatchSampler({ sizes: [100], batchSize: 100, seed: 5, frameWeights: [fw] });
    const picks = Array.from({ length: 40 }, (_, b) => s.batch(b)).flat().map((r) => r.frame);
    expect(picks.filter((f) => f < 10).length / picks.length).toBeCloseTo(40 / 130, 1);
    expect(picks).not.toContain(50);
    expect(new Set(picks).size).toBe(99); // every other frame still drawn
    expect(new BatchSampler({ sizes: [100], batchSize: 100, seed: 5, frameWeights: [fw] }).batch(7)).toEqual(s.batch(7));
    // beside a dataset without frame weights: each dataset weighs its frames' total (130 against 100)
    const two = new BatchSampler({ sizes: [100, 100], batchSize: 100, seed: 6, frameWeights: [fw, null] });
    const both = Array.from({ length: 40 }, (_, b) => two.batch(b)).flat();
    expect(both.filter((r) => r.dataset === 0).length / both.length).toBeCloseTo(130 / 230, 1);
    // with dataset weights the frame weights only act within each dataset
    const dw = new BatchSampler({ sizes: [100, 100], batchSize: 100, seed: 6, weights: [1, 1], frameWeights: [fw, null] });
    expect(Array.from({ length: 40 }, (_, b) => dw.batch(b)).flat().filter((r) => r.dataset === 0).length / 4000).toBeCloseTo(0.5, 1);
    expect(() => new BatchSampler({ sizes: [100], batchSize: 4, seed: 0, frameWeights: [new Float64Array(99)] })).toThrow(/dataset 0 has 100 frames but 99 frame weights/);
    expect(() => new BatchSampler({ sizes: [3], batchSize: 4, seed: 0, frameWeights: [Float64Array.of(1, -1, 1)] })).toThrow(/dataset 0, frame 1: weight -1/);
    expect(() => new BatchSampler({ sizes: [3], batchSize: 4, seed: 0, frameWeights: [new Float64Array(3)] })).toThrow(/every frame weight is 0/);
    expect(() => new BatchSampler({ sizes: [3, 3], batchSize: 4, seed: 0, frameWeights: [null] })).toThrow(/1 entries for 2 datasets/);
  });
});

describe('DataLoader', () => {
  it('gives the same batches for a seed whatever the worker count, other batches for another seed', async () => {
    const a = await DataLoader.create({ datasets: [{ dir: k6 }, { dir: k7 }], spec, batchSize: 8, seed: 3, workers: 2 });
    const b = await DataLoader.create({ datasets: [{ dir: k6 }, { dir: k7 }], spec, batchSize: 8, seed: 3, workers: 1 });
    const c = await DataLoader.create({ datasets: [{ dir: k6 }, { dir: k7 }], spec, batchSize: 8, seed: 4, workers: 1 });
    for (let i = 0; i < 3; i++) {
      const [x, y, z] = [await a.nextBatch(), await b.nextBatch(), await c.nextBatch()];
      expect(Array.from(y.frame)).toEqual(Array.from(x.frame));
      expect(y.images).toEqual(x.images);
      expect(y.state).toEqual(x.state);
      expect(Array.from(z.frame)).not.toEqual(Array.from(x.frame));
    }
    await Promise.all([a.close(), b.close(), c.close()]);
  }, 60_000);

  it('normalizes each embodiment with its own stats, pads the state, masks episode edges, and serves cached frames equal to decoded ones', async () => {
    const L = await DataLoader.create({ datasets: [{ dir: k6 }, { dir: k7 }], spec, batchSize: 16, seed: 0, workers: 2, dropLast: false });
    const ds = [await Dataset.open(k6), await Dataset.open(k7)];
    const sums = [new Float64Array(17), new Float64Array(17)], counts = [0, 0];
    let sawActionPad = false, sawImagePad = false, checkedImage = false;
    for (let bi = 0; bi < L.batchesPerEpoch; bi++) {
      const b = await L.batch(bi);
      expect(b.stateDim).toBe(17); // kara7: 7 joints + 7 pose + gripper + 2 touch; kara6 has 16
      for (let s = 0; s < b.size; s++) {
        const d = b.dataset[s]!, f = b.frame[s]!;
        const mask = Array.from(b.stateMask.subarray(s * 17, s * 17 + 17));
        expect(mask.filter(Boolean).length).toBe(d === 0 ? 16 : 17);
        for (let j = 0; j < 17; j++) sums[d]![j] += b.state[s * 17 + j]!;
        counts[d]!++;
        const { ep, frame } = ds[d]!.locate(f);
        const pads = Array.from(b.actionPad.subarray(s * 8, s * 8 + 8));
        expect(pads).toEqual(Array.from({ length: 8 }, (_, h) => (frame + h >= ep.length ? 1 : 0)));
        sawActionPad ||= pads.includes(1);
        expect(b.imagePad[s * 2]).toBe(frame === 0 ? 1 : 0);
        sawImagePad ||= frame === 0;
        if (!checkedImage && frame > 3) {
          const ref = (await ds[d]!.frame(f))['observation.images.wrist'] as Uint8Array;
          const px = 64 * 64 * 3, at = ((s * 2 + 1) * 2 + 1) * px; // sample s, camera 1 (wrist), newest history frame
          expect(b.images.subarray(at, at + px)).toEqual(ref);
          checkedImage = true;
        }
      }
    }
    expect(sawActionPad && sawImagePad && checkedImage).toBe(true);
    // over a whole epoch each dataset's normalized state has mean ~0 in every component it has
    for (const d of [0, 1]) for (let j = 0; j < (d === 0 ? 16 : 17); j++) expect(Math.abs(sums[d]![j]! / counts[d]!)).toBeLessThan(1e-3);
    expect(counts[0]! + counts[1]!).toBe(ds[0]!.numFrames + ds[1]!.numFrames);
    const t = toTensors(await L.batch(0), 2, 2);
    expect(t.images.shape).toEqual([16, 2, 2, 64, 64, 3]);
    expect(t.images.dtype).toBe('uint8');
    expect(t.stateMask.dtype).toBe('bool');
    expect(t.action.shape).toEqual([16, 8, 7]);
    expect(t.extras['privileged.target_position']!.shape).toEqual([16, 3]);
    for (const x of [t.images, t.imagePad, t.state, t.stateMask, t.action, t.actionPad, t.dataset, ...Object.values(t.extras)]) x.dispose();
    await L.close();
  }, 90_000);

  it('names what is wrong with a spec or a dataset', async () => {
    await expect(DataLoader.create({ datasets: [{ dir: k6 }], spec: { ...spec, cameras: ['observation.state'] }, batchSize: 4, seed: 0 })).rejects.toThrow(/camera 'observation.state' is not a video feature/);
    await expect(DataLoader.create({ datasets: [{ dir: k6 }], spec: { ...spec, state: ['observation.gaze'] }, batchSize: 4, seed: 0 })).rejects.toThrow(/'observation.gaze' is not a float feature \(it is missing/);
    await expect(DataLoader.create({ datasets: [{ dir: k6 }], spec: { ...spec, imageHistory: [1] }, batchSize: 4, seed: 0 })).rejects.toThrow(/imageHistory offsets must be integers <= 0/);
    await expect(DataLoader.create({ datasets: [{ dir: join(k6, 'nope') }], spec, batchSize: 4, seed: 0 })).rejects.toThrow(/meta\/info.json is missing/);
  });
});
