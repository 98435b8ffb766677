// bench/torch: one AdamW training step of (a) a transformer and (b) a CNN encoder, run by our TypeScript library
// and by the same models in Python PyTorch (same Debian libtorch) in one run, interleaved round by round.
// Prints median ms/step of each and the ratio TS/Python (target <= 1.0), and writes bench/results/torch.json.
// Python runs twice: as installed (glibc malloc defaults), and with the malloc settings our library applies to
// itself (src/torch/runtime.ts initAllocator), so the ratio shows the binding's own overhead and nothing else.
//   npx tsx bench/torch/train-step.ts [--rounds 15] [--steps 10] [--threads N]   (this file is what it runs)
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as torch from '../../src/torch/index.ts';
import { median } from '../lib/stats.ts';
import { makeStep, type ModelName } from './models.ts';
import { PythonPeer, ensurePythonTorch } from './python-peer.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, steps: { type: 'string', default: '10' }, threads: { type: 'string' } } });
const rounds = Number(values.rounds), steps = Number(values.steps);
const threads = values.threads ? Number(values.threads) : torch.getNumThreads();
if (!(rounds > 0 && steps > 0 && threads > 0)) throw new Error('--rounds, --steps and --threads must be positive numbers');
torch.setNumThreads(threads);

ensurePythonTorch();
const py = await PythonPeer.start(threads);
const pyTuned = await PythonPeer.start(threads, { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(512 * 2 ** 20) });
const models: ModelName[] = ['transformer', 'cnn'];
const ts: Record<string, number[]> = {}, pyMs: Record<string, number[]> = {}, pyTunedMs: Record<string, number[]> = {};
const tsStep = Object.fromEntries(models.map((m) => [m, makeStep(m)])) as Record<ModelName, () => number>;

for (const m of models) { // warm-up both sides (allocator, OpenMP pool, lazy op lookups)
  for (let i = 0; i < 3; i++) tsStep[m]();
  await py.run(m, 3);
  await pyTuned.run(m, 3);
  ts[m] = []; pyMs[m] = []; pyTunedMs[m] = [];
}
for (let r = 0; r < rounds; r++) {
  for (const m of models) {
    const sides = ['ts', 'py', 'pyTuned'];
    const order = [...sides.slice(r % 3), ...sides.slice(0, r % 3)]; // rotate who goes first
    for (const side of order) {
      if (side === 'py') pyMs[m]!.push(...(await py.run(m, steps)).ms);
      else if (side === 'pyTuned') pyTunedMs[m]!.push(...(await pyTuned.run(m, steps)).ms);
      else for (let i = 0; i < steps; i++) { const t0 = performance.now(); tsStep[m](); ts[m]!.push(performance.now() - t0); }
    }
  }
  process.stderr.write(`round ${r + 1}/${rounds}\n`);
}
py.close();
pyTuned.close();

const rows = models.map((m) => ({
  model: m, tsMs: median(ts[m]!), pyMs: median(pyMs[m]!), pyTunedMs: median(pyTunedMs[m]!),
  ratio: median(ts[m]!) / median(pyMs[m]!), ratioTuned: median(ts[m]!) / median(pyTunedMs[m]!),
}));
console.log(`libtorch ${torch.runtimeInfo().libtorch} (TS) / torch ${py.info.torch} (Python), ${threads} threads, ${rounds} rounds x ${steps} steps, medians`);
console.log('model        TS ms/step   Python ms/step   TS/Python   Python same-malloc ms/step   TS/Python same-malloc');
for (const r of rows) {
  console.log(`${r.model.padEnd(12)} ${r.tsMs.toFixed(2).padStart(10)}   ${r.pyMs.toFixed(2).padStart(14)}   ${r.ratio.toFixed(3).padStart(9)}   ${r.pyTunedMs.toFixed(2).padStart(26)}   ${r.ratioTuned.toFixed(3).padStart(21)}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/torch.json', JSON.stringify({ date: new Date().toISOString(), threads, rounds, steps, rows }, null, 2));
