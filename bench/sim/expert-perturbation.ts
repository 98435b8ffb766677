// bench/sim expert-perturbation: how much DART perturbation the scripted experts survive, per task on one arm
// (cameras off, through the worker pool as in bench/sim/experts.ts): success with no perturbation, with per-step Gaussian noise of each --noise (EnvConfig
// actionNoise, m), and with sparse pushes of each --jolts (EnvConfig.actionJolts, rate:min:max). Demonstrations
// recorded with onlySuccess keep only what the expert solved, so this says how many demonstrations a setting costs.
//   npx tsx bench/sim/expert-perturbation.ts [--arm kara6] [--episodes 10] [--noise 0.004,0.01,0.02]
//     [--jolts 0.05:0.01:0.03,0.1:0.01:0.03] [--tasks a,b]
import { parseArgs } from 'node:util';
import { TASKS } from '../../src/sim/tasks/registry.ts';
import { runExpertSuite } from '../../src/sim/tasks/suite.ts';
import type { EnvConfigInput } from '../../src/sim/env.ts';

const { values: a } = parseArgs({ options: {
  arm: { type: 'string', default: 'kara6' }, episodes: { type: 'string', default: '10' },
  noise: { type: 'string', default: '0.004,0.01,0.02' }, jolts: { type: 'string', default: '0.05:0.01:0.03,0.1:0.01:0.03' }, tasks: { type: 'string' },
} });
const n = Number(a.episodes);
type Setting = { label: string; env: Pick<EnvConfigInput, 'actionNoise' | 'actionJolts'> };
const settings: Setting[] = [
  { label: 'none', env: {} },
  ...a.noise!.split(',').filter(Boolean).map((s) => ({ label: `noise ${s}`, env: { actionNoise: Number(s) } })),
  ...a.jolts!.split(',').filter(Boolean).map((s) => {
    const [rate, min, max] = s.split(':').map(Number);
    return { label: `jolts ${s}`, env: { actionJolts: { rate: rate!, min: min!, max: max! } } };
  }),
];
const tasks = a.tasks ? a.tasks.split(',') : [...TASKS.values()].filter((t) => t.embodiments.includes(a.arm!)).map((t) => t.id);
const t0 = performance.now();
const rows = tasks.map((id) => [id]);
for (const st of settings) {
  const cells = await runExpertSuite({ tasks, embodiments: [a.arm!], episodes: n, perturbation: st.env });
  cells.forEach((c, i) => rows[i]!.push(`${c.successes}/${c.episodes}`));
  process.stderr.write(`  ${st.label}: ${cells.map((c) => `${c.task} ${c.successes}/${c.episodes}`).join(', ')}\n`);
}
console.log(`\nScripted experts on ${a.arm} under perturbation, seeds 0..${n - 1} (${((performance.now() - t0) / 60000).toFixed(1)} min)\n`);
const head = ['task', ...settings.map((s) => s.label)];
console.log([`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
