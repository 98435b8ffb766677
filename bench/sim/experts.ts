// bench/sim experts: the scripted experts' full success table (every task x every embodiment it is offered on, 100
// seeds each by default, cameras off, one worker per core) as printed by `karakuri sim experts`, plus a Markdown
// table for BENCHMARKS.md and the raw JSON in bench/results/.
//   npx tsx bench/sim/experts.ts [--episodes 100] [--seed-start 0] [--tasks a,b]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runExpertSuite, expertTableMarkdown, expertTableText } from '../../src/sim/tasks/suite.ts';

const { values } = parseArgs({ options: { episodes: { type: 'string', default: '100' }, 'seed-start': { type: 'string', default: '0' }, tasks: { type: 'string' } } });
const episodes = Number(values.episodes), seedStart = Number(values['seed-start']);
const load = loadavg()[0]!;
const t0 = performance.now();
let done = 0;
const cells = await runExpertSuite({
  episodes, seedStart, tasks: values.tasks?.split(','),
  onEpisode: () => { if (++done % 100 === 0) process.stderr.write(`  ${done} episodes, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`); },
});
const minutes = (performance.now() - t0) / 60000;
console.log(`\nScripted experts, seeds ${seedStart}..${seedStart + episodes - 1}, cameras off (load average before: ${load.toFixed(2)}; ${minutes.toFixed(1)} min)\n`);
console.log(expertTableText(cells));
console.log(`\n${expertTableMarkdown(cells)}\n`);
const low = cells.filter((c) => c.successRate < 0.95);
console.log(low.length ? `below 95%: ${low.map((c) => `${c.task}/${c.embodiment} (failed seeds ${c.failedSeeds.join(', ')})`).join('; ')}` : 'every cell >= 95%');
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/experts-${seedStart}.json`, JSON.stringify({ date: new Date().toISOString(), episodes, seedStart, cells }, null, 2));
