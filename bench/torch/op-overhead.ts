// bench/torch op overhead: the cost of one small op call (4-element add; add of a scalar; a view) from TypeScript
// through our binding vs from Python, medians of repeated batches in one run.
//   npx tsx bench/torch/op-overhead.ts
import { spawnSync } from 'node:child_process';
import * as torch from '../../src/torch/index.ts';
import { median } from '../lib/stats.ts';
import { ensurePythonTorch } from './python-peer.ts';

const N = 100_000, REPS = 9;
const x = torch.ones([4]);
const cases: [string, () => void, string][] = [
  ['add(t, t)', () => { x.add(x).dispose(); }, 'x.add(x)'],
  ['add(t, 1.5)', () => { x.add(1.5).dispose(); }, 'x.add(1.5)'],
  ['view', () => { x.view(2, 2).dispose(); }, 'x.view(2, 2)'],
];
ensurePythonTorch();
console.log('op            TS us/op   Python us/op   TS/Python');
for (const [name, fn, py] of cases) {
  for (let i = 0; i < N; i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < REPS; r++) { const t0 = performance.now(); for (let i = 0; i < N; i++) fn(); ts.push(((performance.now() - t0) * 1000) / N); }
  const code = `import torch, time, statistics\nx = torch.ones(4)\nfor i in range(${N}): ${py}\nts = []\nfor r in range(${REPS}):\n  t0 = time.perf_counter()\n  for i in range(${N}): ${py}\n  ts.append((time.perf_counter() - t0) * 1e6 / ${N})\nprint(statistics.median(ts))`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const p = Number(r.stdout.trim());
  console.log(`${name.padEnd(12)} ${median(ts).toFixed(2).padStart(9)}   ${p.toFixed(2).padStart(12)}   ${(median(ts) / p).toFixed(2).padStart(9)}`);
}
