// bench/sim layouts: how much each task's layout varies, per task on one arm: over --episodes reset seeds, the mean
// distance of the target object's position and of the goal's (privileged.task.goal: tray, bin, seat, compartment,
// hand, button) from their means. That is how far a policy that answers with a constant would be off, so it says
// where finding the goal in the image matters as much as finding the target.
//   npx tsx bench/sim/layouts.ts [--arm kara6] [--episodes 50] [--seed-start 100000]
import { parseArgs } from 'node:util';
import { TASKS, createTaskEnv } from '../../src/sim/tasks/registry.ts';
import { goalPosition, targetPosition } from '../../src/eval/rollout.ts';

const { values: a } = parseArgs({ options: { arm: { type: 'string', default: 'kara6' }, episodes: { type: 'string', default: '50' }, 'seed-start': { type: 'string', default: '100000' } } });
const n = Number(a.episodes), s0 = Number(a['seed-start']);
/** Mean distance (cm) of the points from their mean. */
const spread = (xs: number[][]) => {
  const m = [0, 1, 2].map((j) => xs.reduce((s, x) => s + x[j]!, 0) / xs.length);
  return (100 * xs.reduce((s, x) => s + Math.hypot(...[0, 1, 2].map((j) => x[j]! - m[j]!)), 0)) / xs.length;
};
console.log(`Layout spread on ${a.arm}, seeds ${s0}..${s0 + n - 1}: mean distance from the mean position (cm)\n`);
console.log('| task | target | goal |\n| --- | ---: | ---: |');
for (const t of TASKS.values()) {
  if (!t.embodiments.includes(a.arm!)) continue;
  const { env } = await createTaskEnv(t.id, { embodiment: a.arm!, width: 0, height: 0 });
  const targets: number[][] = [], goals: number[][] = [];
  for (let seed = s0; seed < s0 + n; seed++) {
    const p = env.reset(seed).privileged, t = targetPosition(p), g = goalPosition(p);
    if (t) targets.push(t);
    if (g) goals.push(g);
  }
  env.dispose();
  console.log(`| ${t.id} | ${targets.length ? spread(targets).toFixed(1) : '-'} | ${goals.length ? spread(goals).toFixed(1) : '-'} |`);
}
