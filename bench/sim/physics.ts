// bench/sim physics: (a) raw physics steps/s of @mujoco/mujoco (WebAssembly) vs Debian's native MuJoCo 2.2.2
// (`mujoco-testspeed`, package libmujoco-samples) on the same MJCF (kara6 + table + cube, written to a temp folder),
// interleaved, medians of repetitions; (b) our Env's cost per control step vs the raw mj_step calls it makes.
//   npx tsx bench/sim/physics.ts [--reps 5] [--steps 20000]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { assembleWorld } from '../../src/sim/world.ts';
import { embodiment } from '../../src/sim/embodiments/index.ts';
import { mujoco, compileMjcf } from '../../src/sim/mujoco.ts';
import { Env } from '../../src/sim/env.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, steps: { type: 'string', default: '20000' } } });
const reps = Number(values.reps), steps = Number(values.steps);

function ensureTestspeed(): void {
  if (spawnSync('which', ['mujoco-testspeed']).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('bench/sim needs Debian libmujoco-samples: sudo apt-get install -y libmujoco-samples');
  const r = spawnSync('bash', ['-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libmujoco-samples'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('apt-get install libmujoco-samples failed');
}

// (a) one MJCF both builds accept: MuJoCo 2.2.2 predates gravcomp, position-actuator kv and implicitfast.
const world = assembleWorld({ embodiment: embodiment('kara6'), objects: [{ name: 'cube', shape: 'box', size: [0.02, 0.02, 0.02] }] });
const legacy = (x: string) => x.replace(/ gravcomp="1"/g, '').replace(/ kv="[^"]*"/g, '').replace(/ integrator="implicitfast"/g, '');
const dir = mkdtempSync(join(tmpdir(), 'karakuri-physics-'));
for (const [p, d] of world.files) writeFileSync(join(dir, p), legacy(String(d)));
writeFileSync(join(dir, 'world.xml'), legacy(world.xml));
ensureTestspeed();

const mj = await mujoco();
const files = new Map([...world.files].map(([p, d]) => [p, legacy(String(d))] as [string, string]));
const model = compileMjcf(mj, legacy(world.xml), files);
const data = new mj.MjData(model);
const nativeRuns: number[] = [], wasmRuns: number[] = [];
for (let i = 0; i < 2000; i++) mj.mj_step(model, data); // warm-up (JIT, wasm tiers)
for (let r = 0; r < reps; r++) {
  const out = spawnSync('mujoco-testspeed', [join(dir, 'world.xml'), String(steps), '1', '0'], { encoding: 'utf8' });
  const m = out.stdout.match(/Steps per second\s*:\s*([\d.]+)/);
  if (!m) throw new Error(`mujoco-testspeed printed no rate:\n${out.stdout}\n${out.stderr}`);
  nativeRuns.push(Number(m[1]));
  mj.mj_resetData(model, data);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) mj.mj_step(model, data);
  wasmRuns.push(steps / ((performance.now() - t0) / 1000));
}
data.delete(); model.delete();

// (b) Env.step (IK + 25 physics steps + observation, cameras off) vs the 25 raw mj_step calls alone.
const overhead: Record<string, { env: number; raw: number; ratio: number }> = {};
for (const [id, mode] of [['kara6', 'ee'], ['kara7', 'ee'], ['widowx250', 'ee'], ['kara6', 'joint']] as const) {
  const env = await Env.create({ embodiment: id, width: 0, height: 0, actionMode: mode, maxSteps: 1_000_000 });
  env.reset(0);
  const action = mode === 'ee' ? [0, 0, 0, 0, 0, 0, 0] : [...embodiment(id).home, 0];
  const envMs: number[] = [], rawMs: number[] = [], ratios: number[] = [];
  const N = 20; // short alternating batches, so both sides see the same machine noise
  for (let i = 0; i < 100; i++) env.step(action); // warm-up (JIT, caches)
  for (let r = 0; r < 15 * reps; r++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) env.step(action);
    const e = (performance.now() - t0) / N;
    t0 = performance.now();
    for (let i = 0; i < N * env.substeps; i++) mj.mj_step(env.model, env.data);
    const w = (performance.now() - t0) / N;
    envMs.push(e); rawMs.push(w); ratios.push(e / w);
  }
  overhead[`${id} (${mode})`] = { env: median(envMs), raw: median(rawMs), ratio: median(ratios) };
  env.dispose();
}

const table = (head: string[], rows: string[][]) => {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  console.log([line(head), `|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n'));
};
console.log(`\n(a) raw physics: ${steps} steps x ${reps} repetitions, interleaved, medians (same MJCF: kara6 + table + cube, dt 0.002)\n`);
table(['engine', 'steps/s', 'vs native'], [
  ['native MuJoCo 2.2.2 (mujoco-testspeed, Debian)', median(nativeRuns).toFixed(0), '1.00'],
  ['@mujoco/mujoco 3.14 (WebAssembly, this process)', median(wasmRuns).toFixed(0), (median(wasmRuns) / median(nativeRuns)).toFixed(2)],
]);
console.log(`\n(b) Env.step (cameras off) vs the raw mj_step calls inside it (25 substeps per 20 Hz step); medians of ${15 * reps} alternating batches\n`);
table(['embodiment (action mode)', 'Env.step ms', 'raw ms', 'overhead'], Object.entries(overhead).map(([k, v]) => [k, v.env.toFixed(3), v.raw.toFixed(3), `${(100 * (v.ratio - 1)).toFixed(1)}%`]));
