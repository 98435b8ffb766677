// sampling.beforeGrasp on real recordings: the weighted frames of an expert episode are its approach, ending where
// the fingers close over the object's centre; a press with closed fingers weighs its first frame only; bad weights
// and datasets without a gripper command are refused by name.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../data/collect.ts';
import { Dataset } from '../data/lerobot/dataset.ts';
import { beforeGraspWeights } from './sampling.ts';
import { parseTrainConfig } from './config.ts';

let cup = '', press = '';
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'sampling-'));
  cup = join(root, 'cup'); press = join(root, 'press');
  await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 2, out: cup, size: 64, workers: 1 });
  await collect({ tasks: ['nurse-call'], embodiment: 'kara6', episodes: 1, out: press, size: 64, workers: 1 });
}, 120_000);

describe('beforeGraspWeights', () => {
  it('weighs each pick-and-place episode\'s approach, up to the frame where the fingers close over the object', async () => {
    const w = await beforeGraspWeights(cup, 3);
    const ds = await Dataset.open(cup);
    expect(w.length).toBe(ds.numFrames);
    const names = ds.features['observation.state']!.names as string[];
    const ex = names.indexOf('ee_x'), D = names.length;
    for (const e of ds.episodes) {
      const ep = await ds.episode(e.index);
      const seg = Array.from(w.subarray(e.from, e.to));
      const n = seg.filter((x) => x === 3).length;
      expect(seg).toEqual([...Array(n).fill(3), ...Array(e.length - n).fill(1)]); // a prefix, then the rest at 1
      expect(n).toBeGreaterThan(5);
      expect(n).toBeLessThan(e.length / 2);
      const state = ep['observation.state'] as Float32Array, target = ep['privileged.target_position'] as Float32Array;
      const off = (t: number) => 100 * Math.hypot(state[t * D + ex]! - target[3 * t]!, state[t * D + ex + 1]! - target[3 * t + 1]!);
      expect(off(0)).toBeGreaterThan(5); // the arm starts away from the cup
      expect(off(n - 1)).toBeLessThan(1); // and the last weighted frame is the close, over the cup's centre
    }
  });

  it('a press with closed fingers weighs only its first frame', async () => {
    const w = await beforeGraspWeights(press, 2);
    expect(w[0]).toBe(2);
    expect(Array.from(w.subarray(1)).every((x) => x === 1)).toBe(true);
  });

  it('refuses a weight under 1 and a dataset whose actions name no gripper', async () => {
    await expect(beforeGraspWeights(cup, 0.5)).rejects.toThrow(/sampling.beforeGrasp must be a finite number >= 1, got 0.5/);
    const info = join(press, 'meta', 'info.json');
    const j = JSON.parse(readFileSync(info, 'utf8'));
    j.features.action.names = j.features.action.names.map((x: string) => (x === 'gripper' ? 'grip' : x));
    writeFileSync(info, JSON.stringify(j));
    await expect(beforeGraspWeights(press, 2)).rejects.toThrow(/press: its 'action' feature names no 'gripper' component/);
    expect(() => parseTrainConfig({ datasets: [{ dir: cup }], out: 'o', batchSize: 2, steps: 1, sampling: { beforeGrasp: 0 } })).toThrow(/sampling.beforeGrasp/);
    expect(parseTrainConfig({ datasets: [{ dir: cup }], out: 'o', batchSize: 2, steps: 1 }).sampling).toEqual({ beforeGrasp: 1 });
  });
});
