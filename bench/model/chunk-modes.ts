// bench/model chunk-modes: closed-loop success of one model under each way of executing its action chunks (execute
// k steps then re-plan, the whole chunk, or temporal ensembling), on the same seeds, so the modes are compared
// episode for episode.
// Per mode: successes per task, the pooled rate with its Wilson 95% interval, the funnel's held and lifted shares
// (src/eval/run.ts cellPhases), and the wall time. Reports go to --out/<mode>; the model card is left alone.
//   npx tsx bench/model/chunk-modes.ts --model out/recipe-v4/run/model [--modes 2,5,10,whole,ensemble]
//     [--arm kara6] [--episodes 12] [--seed-start 100000] [--workers 2] [--out out/chunk-modes]
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { runEval, type EvalResults } from '../../src/eval/run.ts';
import type { ChunkMode } from '../../src/eval/rollout.ts';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, modes: { type: 'string', default: '2,5,10,ensemble' }, arm: { type: 'string', default: 'kara6' },
  episodes: { type: 'string', default: '12' }, 'seed-start': { type: 'string', default: '100000' }, workers: { type: 'string', default: '2' },
  out: { type: 'string', default: 'out/chunk-modes' },
} });
if (!a.model) throw new Error('chunk-modes: --model DIR is required');
const modeOf = (s: string): ChunkMode => {
  if (s === 'ensemble' || s === 'whole') return s;
  const k = Number(s);
  if (!Number.isInteger(k) || k < 1) throw new Error(`chunk-modes: --modes holds "${s}": give whole numbers >= 1 (steps executed per chunk), 'whole' or 'ensemble'`);
  return { execute: k };
};
const modes = a.modes!.split(',').map((s) => s.trim());
const chunks = modes.map(modeOf);

const runs: { mode: string; r: EvalResults }[] = [];
for (const [i, mode] of modes.entries()) {
  const r = await runEval({
    model: a.model, embodiments: [a.arm!], episodes: Number(a.episodes), seedStart: Number(a['seed-start']), chunk: chunks[i]!,
    workers: Number(a.workers), videos: 0, out: join(a.out!, mode), updateCard: false,
  });
  runs.push({ mode, r });
  console.error(`${mode}: ${r.overall.successes}/${r.overall.n} in ${r.seconds.toFixed(0)} s`);
}

const pct = (x: number) => `${Math.round(100 * x)}%`;
const tasks = runs[0]!.r.cells.map((c) => c.task);
console.log(`model ${a.model}, ${a.arm}, ${a.episodes} episodes per task from seed ${a['seed-start']} (the same seeds for every mode)\n`);
console.log(`| task | ${modes.map((m) => (m === 'ensemble' || m === 'whole' ? m : `execute ${m}`)).join(' | ')} |`);
console.log(`| --- | ${modes.map(() => '---').join(' | ')} |`);
for (const t of tasks) console.log(`| ${t} | ${runs.map(({ r }) => { const c = r.cells.find((x) => x.task === t)!; return `${c.success.successes}/${c.success.n}`; }).join(' | ')} |`);
const pooled = runs.map(({ r: { overall: w } }) => `**${w.successes}/${w.n} (${pct(w.rate)}, ${pct(w.lo)}-${pct(w.hi)})**`);
console.log(`| all (95% CI) | ${pooled.join(' | ')} |`);
const share = (r: EvalResults, f: 'grasped' | 'lifted') => {
  const cs = r.cells.filter((c) => c.phases);
  const n = cs.reduce((s, c) => s + c.phases!.n, 0);
  return n ? pct(cs.reduce((s, c) => s + c.phases![f] * c.phases!.n, 0) / n) : 'n/a';
};
console.log(`| held the target | ${runs.map(({ r }) => share(r, 'grasped')).join(' | ')} |`);
console.log(`| lifted it >= 2 cm | ${runs.map(({ r }) => share(r, 'lifted')).join(' | ')} |`);
console.log(`| wall time | ${runs.map(({ r }) => `${r.seconds.toFixed(0)} s`).join(' | ')} |`);
