// bench/sim pool: env steps/s with both cameras rendering (96x96, kara6, random actions) through the worker pool,
// with 1 worker and with one worker per core, in one run; medians over repetitions.
//   npx tsx bench/sim/pool.ts [--reps 3] [--episodes 8] [--steps 50]
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EnvPool } from '../../src/sim/pool/index.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, episodes: { type: 'string', default: '8' }, steps: { type: 'string', default: '50' } } });
const reps = Number(values.reps), episodes = Number(values.episodes), steps = Number(values.steps);
const cores = availableParallelism();
const config = { embodiment: 'kara6', width: 96, height: 96, history: 1, maxSteps: steps };

// the speed-up over cores is only meaningful on an otherwise idle machine: say how busy it was
const loadBefore = loadavg()[0]!;
const pools = new Map<number, EnvPool>();
for (const n of [...new Set([1, cores])]) pools.set(n, await EnvPool.create(config, { workers: n }));
const rates = new Map<number, number[]>([...pools.keys()].map((n) => [n, []]));
for (let r = 0; r < reps; r++) {
  for (const [n, pool] of pools) {
    const jobs = Array.from({ length: episodes }, (_, i) => ({ seed: r * 1000 + i, policy: 'random' as const, maxSteps: steps }));
    const t0 = performance.now();
    const res = await pool.runEpisodes(jobs);
    const total = res.reduce((s, x) => s + x.steps, 0);
    rates.get(n)!.push(total / ((performance.now() - t0) / 1000));
  }
}
for (const pool of pools.values()) await pool.close();
console.log(`\nenv steps/s with 2 cameras at 96x96 rendered every step (kara6, random actions, ${episodes} episodes x ${steps} steps, median of ${reps})\n`);
console.log(`(1-minute load average before the run: ${loadBefore.toFixed(2)} on ${cores} cores${loadBefore > 0.5 ? '; other processes were running, so the speed-up is understated' : ''})\n`);
console.log('| workers | env steps/s | speed-up |\n|---:|---:|---:|');
const base = median(rates.get(1)!);
for (const [n, r] of rates) console.log(`| ${n} | ${median(r).toFixed(0)} | ${(median(r) / base).toFixed(2)}x |`);
