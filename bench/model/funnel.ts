// bench/model funnel: the failure funnel (src/eval/run.ts cellPhases) of a saved evaluation, restricted to one arm
// and the first N episodes of each cell, so that two evaluations can be compared on the same seeds without
// rerunning them (e.g. a recipe's 25-episode evaluation against an earlier 12-episode funnel run).
//   npx tsx bench/model/funnel.ts --results out/recipe-v6/eval/results.json [--arm kara6] [--episodes 12]
import { parseArgs } from 'node:util';
import { cellPhases, readEvalResults } from '../../src/eval/run.ts';

const { values: a } = parseArgs({ options: { results: { type: 'string' }, arm: { type: 'string', default: 'kara6' }, episodes: { type: 'string', default: '12' } } });
if (!a.results) throw new Error('funnel: --results FILE (an eval results.json) is required');
const n = Number(a.episodes);
if (!Number.isInteger(n) || n < 1) throw new Error(`funnel: --episodes must be a whole number >= 1, got "${a.episodes}"`);
const r = readEvalResults(a.results);
const cells = r.cells.filter((c) => c.embodiment === a.arm);
if (!cells.length) throw new Error(`funnel: ${a.results} has no cells on ${a.arm} (it has ${[...new Set(r.cells.map((c) => c.embodiment))].join(', ')})`);
const pct = (x: number) => `${Math.round(100 * x)}%`;
console.log(`${a.results}: ${a.arm}, the first ${n} episodes of each cell (seeds from ${cells[0]!.seeds[0]})\n`);
console.log('| task | success | closest (cm, median) | reached <= 3 cm | held | lifted >= 2 cm | lifted, then this far off the goal (cm, median) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of cells) {
  const eps = c.episodes.slice(0, n), p = cellPhases(eps);
  if (!p) { console.log(`| ${c.task} | ${eps.filter((e) => e.success).length}/${eps.length} | - | - | - | - | - |`); continue; }
  console.log(`| ${c.task} | ${eps.filter((e) => e.success).length}/${eps.length} | ${p.medianClosestCm.toFixed(1)} | ${pct(p.reached)} | ${pct(p.grasped)} | ${pct(p.lifted)} | ${p.liftedGoalCm === null ? '-' : p.liftedGoalCm.toFixed(1)} |`);
}
