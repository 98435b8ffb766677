// For tests that need a *trained* model: the smallest record -> train recipe that makes a policy succeed in closed
// loop (src/eval/overfit.test.ts): three expert episodes of nurse-call on kara6 (seeds 0, 1, 2; 64x64 cameras), a
// tiny Karakuri VLA overfit on them for 1000 steps (about a minute on 2 cores). Returns the model version directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../../data/collect.ts';
import { train } from '../../train/train.ts';

export interface OverfitModel {
  root: string;
  versionDir: string;
  finalLoss: number | null;
  /** The seeds the demonstrations were recorded on. */
  seeds: number[];
  task: 'nurse-call';
  embodiment: 'kara6';
  size: number;
}

export async function trainNurseCallModel(root = mkdtempSync(join(tmpdir(), 'overfit-'))): Promise<OverfitModel> {
  await collect({ tasks: ['nurse-call'], embodiment: 'kara6', episodes: 3, out: join(root, 'data'), size: 64, workers: 1 });
  const r = await train({
    datasets: [{ dir: join(root, 'data') }], out: join(root, 'run'), batchSize: 8, steps: 1000, lr: 3e-3, warmupSteps: 20, seed: 0, checkpointEvery: 1000,
    augmentation: { image: 'off', instruction: 'off' },
    model: { dim: 64, heads: 4, layers: 2, text: { layers: 1 }, vision: { channels: [16, 32, 64], imageSize: [64, 64], tokensPerImage: 16, groups: 4, stemStride: 4 } },
  }, { resume: false, progressBar: false });
  return { root, versionDir: r.versionDir, finalLoss: r.finalLoss, seeds: [0, 1, 2], task: 'nurse-call', embodiment: 'kara6', size: 64 };
}
