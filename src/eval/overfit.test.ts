// The whole loop, end to end, at the smallest scale that proves it: record three expert episodes of nurse-call,
// overfit a tiny Karakuri VLA on them, then drive the simulator with it on those same seeds: it must press the call
// button every time. Recording, the dataset, the loader, training, the model version, the policy and closed-loop
// evaluation all take part (a mismatch anywhere between training and inference inputs makes this fail: with too
// little training, or inputs that differ, the policy falls back to the mean approach and misses the button).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runEval } from './run.ts';
import { trainNurseCallModel } from './testing/overfit-model.ts';

describe('record -> train -> act', () => {
  it('a tiny model overfit on three nurse-call episodes presses the button on their seeds', async () => {
    const r = await trainNurseCallModel();
    const root = r.root;
    expect(r.finalLoss!).toBeLessThan(0.02);
    const ev = await runEval({ model: r.versionDir, tasks: ['nurse-call'], embodiments: ['kara6'], episodes: 3, seedStart: 0, out: join(root, 'eval'), videos: 0, chunk: { execute: 5 } });
    expect(ev.cells[0]!.seeds).toEqual([0, 1, 2]); // the training seeds
    expect(ev.overall.successes).toBe(3);
    expect(ev.cells[0]!.roomErrorCm!).toBeLessThan(2); // it also found the button in the images
  }, 300_000);
});
