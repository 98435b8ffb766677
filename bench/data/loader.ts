// bench/data: (a) recording throughput of `karakuri collect` (frames/s written: simulation + rendering in worker
// threads, AV1 encoding, parquet), (b) loader throughput (samples/s, 2 cameras x 2 history frames, 96x96), and
// (c) the time of a training step fed by the real loader over the same step fed by one synthetic in-memory batch,
// measured interleaved in one run (target <= 1.05: data is never the bottleneck). Medians.
//   npx tsx bench/data/loader.ts [--episodes 20] [--rounds 8] [--steps 10] [--dir existing-dataset]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as torch from '../../src/torch/index.ts';
import { collect } from '../../src/data/collect.ts';
import { DataLoader, type BatchSpec } from '../../src/data/loader/loader.ts';
import { toTensors, type TensorBatch } from '../../src/data/loader/tensors.ts';
import { median } from '../lib/stats.ts';
const { nn, optim, F } = torch;

const { values } = parseArgs({ options: { episodes: { type: 'string', default: '20' }, rounds: { type: 'string', default: '8' }, steps: { type: 'string', default: '10' }, dir: { type: 'string' } } });
const episodes = Number(values.episodes), rounds = Number(values.rounds), steps = Number(values.steps);
const B = 32, H = 10;
console.log(`load average before: ${loadavg()[0]!.toFixed(2)}`);

// (a) recording
let dir = values.dir;
let tmp: string | undefined;
if (!dir) {
  tmp = mkdtempSync(join(tmpdir(), 'bench-data-'));
  dir = join(tmp, 'ds');
  const s = await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes, out: dir, size: 96 });
  console.log(`(a) recording: ${s.episodes} episodes, ${s.frames} frames in ${s.seconds.toFixed(1)} s = ${(s.frames / s.seconds).toFixed(1)} frames/s written (2 cameras 96x96 AV1, both workers)`);
}

const spec: BatchSpec = {
  cameras: ['observation.images.scene', 'observation.images.wrist'], imageHistory: [-1, 0],
  state: ['observation.state', 'observation.wrench', 'observation.touch'], action: 'action', horizon: H, extras: [],
};

// (b) loader throughput alone
for (const workers of [1, 2]) {
  const L = await DataLoader.create({ datasets: [{ dir }], spec, batchSize: B, seed: 0, workers });
  await L.nextBatch();
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < 30; i++) n += (await L.nextBatch()).size;
  console.log(`(b) loader, ${workers} worker(s): ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} samples/s (batch ${B}, 2 cameras x 2 frames)`);
  await L.close();
}

// (c) a policy-like training step: a CNN over the 4 images of each sample, the state, an action-chunk regression
class Policy extends nn.Module {
  c1 = this.child('c1', new nn.Conv2d(3, 32, 3, { stride: 2, padding: 1 }));
  c2 = this.child('c2', new nn.Conv2d(32, 64, 3, { stride: 2, padding: 1 }));
  c3 = this.child('c3', new nn.Conv2d(64, 128, 3, { stride: 2, padding: 1 }));
  c4 = this.child('c4', new nn.Conv2d(128, 128, 3, { stride: 2, padding: 1 }));
  head = this.child('head', new nn.Linear(4 * 128 + 22, H * 7));
  forward(b: TensorBatch): torch.Tensor {
    return torch.tidy(() => {
      const x = b.images.float().div(255).reshape(B * 4, 96, 96, 3).permute(0, 3, 1, 2); // (B*4, 3, 96, 96)
      let h = this.c1.forward(x).relu();
      h = this.c2.forward(h).relu();
      h = this.c3.forward(h).relu();
      h = this.c4.forward(h).relu();
      const feat = F.adaptiveAvgPool2d(h, 1).reshape(B, 4 * 128); // (B, 512)
      return this.head.forward(torch.cat([feat, b.state], 1)).reshape(B, H, 7);
    });
  }
}
torch.manualSeed(0);
const model = new Policy();
const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
const step = (b: TensorBatch) => torch.tidy(() => {
  opt.zeroGrad();
  const loss = F.mseLoss(model.forward(b), b.action);
  loss.backward();
  opt.step();
  return loss.item();
});
const free = (t: TensorBatch) => [t.images, t.imagePad, t.state, t.stateMask, t.action, t.actionPad, t.dataset].forEach((x) => x.dispose());
const L = await DataLoader.create({ datasets: [{ dir }], spec, batchSize: B, seed: 1, workers: 1, prefetch: 3 });
const synthetic = toTensors(await L.nextBatch(), 2, 2);
step(synthetic); // warm-up
const real: number[] = [], synth: number[] = [];
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) step(synthetic);
  synth.push((performance.now() - t0) / steps);
  t0 = performance.now();
  for (let i = 0; i < steps; i++) { const t = toTensors(await L.nextBatch(), 2, 2); step(t); free(t); }
  real.push((performance.now() - t0) / steps);
}
const ratio = median(real) / median(synth);
console.log(`(c) training step (batch ${B}, 4 images of 96x96 per sample, action chunk ${H}): synthetic ${median(synth).toFixed(1)} ms, real loader ${median(real).toFixed(1)} ms, ratio ${ratio.toFixed(3)} (median of ${rounds} rounds x ${steps} steps)`);
free(synthetic);
await L.close();
if (tmp) rmSync(tmp, { recursive: true, force: true });
