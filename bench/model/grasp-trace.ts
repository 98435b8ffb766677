// bench/model grasp-trace: how a policy's grasps differ from the expert's on the same seeds, event by event. For
// each seed, the policy (chunks executed --execute at a time) and then the task's expert: every time the target
// enters the fingers, the end effector's horizontal offset from the target's centre (an off-centre grasp holds by a
// rim or wall); every time it leaves them, how high it had been lifted and how far (horizontally) it was from the
// goal; and whether the episode succeeded. Medians over the seeds compare the two.
//   npx tsx bench/model/grasp-trace.ts --model out/recipe-v4/run/model [--task cup-on-tray] [--arm kara6]
//     [--seeds 12] [--seed-start 100000] [--execute 5] [--verbose]
import { parseArgs } from 'node:util';
import { Policy } from '../../src/model/policy.ts';
import { createTaskEnv } from '../../src/sim/tasks/registry.ts';
import type { Env } from '../../src/sim/env.ts';
import type { PrivilegedState, StepResult } from '../../src/sim/observation.ts';
import { goalPosition } from '../../src/eval/rollout.ts';
import { median } from '../lib/stats.ts';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, task: { type: 'string', default: 'cup-on-tray' }, arm: { type: 'string', default: 'kara6' },
  seeds: { type: 'string', default: '12' }, 'seed-start': { type: 'string', default: '100000' }, execute: { type: 'string', default: '5' }, verbose: { type: 'boolean', default: false },
} });
if (!a.model) throw new Error('grasp-trace: --model DIR is required');
const policy = await Policy.load(a.model);
const { env, task, definition } = await createTaskEnv(a.task!, { embodiment: a.arm!, width: policy.cfg.vision.imageSize[1], height: policy.cfg.vision.imageSize[0], history: policy.cfg.history });
const execute = Number(a.execute);

interface Trace { success: boolean; graspOffsetsCm: number[]; releases: { liftCm: number; goalCm: number }[] }

/** Watches one episode step by step: grasp and release events of the target. */
function watcher(start: PrivilegedState) {
  const name = String(start.task.target), z0 = start.objects[name]!.pos[2], goal = goalPosition(start)!;
  const t: Trace = { success: false, graspOffsetsCm: [], releases: [] };
  let held = false, peak = 0;
  return {
    trace: t,
    step(r: StepResult) {
      const p = r.privileged.objects[name]!.pos, ee = r.observation.proprio.eePos, h = r.privileged.grasped.includes(name);
      t.success ||= r.info.success;
      if (h) peak = Math.max(peak, 100 * (p[2] - z0));
      if (h && !held) t.graspOffsetsCm.push(100 * Math.hypot(ee[0]! - p[0], ee[1]! - p[1]));
      if (!h && held) { t.releases.push({ liftCm: peak, goalCm: 100 * Math.hypot(p[0] - goal[0], p[1] - goal[1]) }); peak = 0; }
      held = h;
    },
  };
}

function runPolicy(e: Env, seed: number): Trace {
  let r: { observation: StepResult['observation']; privileged: PrivilegedState } = e.reset(seed);
  const w = watcher(r.privileged);
  policy.reset();
  let plan: Float32Array[] = [];
  for (let s = 0; s < definition.maxSteps; s++) {
    if (!plan.length) plan = policy.infer(r.observation).slice(0, execute);
    const step = e.step(Array.from(plan.shift()!));
    w.step(step);
    r = step;
    if (step.terminated || step.truncated) break;
  }
  return w.trace;
}

function runExpert(e: Env, seed: number): Trace {
  const start = e.reset(seed), w = watcher(start.privileged);
  task.expert(e, start, { maxSteps: definition.maxSteps, onStep: (r) => w.step(r) });
  return w.trace;
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const s0 = Number(a['seed-start']), n = Number(a.seeds);
const traces = { policy: [] as Trace[], expert: [] as Trace[] };
for (let seed = s0; seed < s0 + n; seed++) {
  const p = runPolicy(env, seed), x = runExpert(env, seed);
  traces.policy.push(p); traces.expert.push(x);
  if (a.verbose) {
    const show = (t: Trace) => `${t.success ? 'ok  ' : 'fail'} grasps at ${t.graspOffsetsCm.map(f).join(', ') || '-'} cm off centre; releases ${t.releases.map((r) => `lifted ${f(r.liftCm)} / ${f(r.goalCm)} from goal`).join('; ') || '-'}`;
    console.log(`seed ${seed}\n  policy ${show(p)}\n  expert ${show(x)}`);
  }
}
env.dispose();
policy.dispose();
console.log(`\n${a.task} on ${a.arm}, seeds ${s0}..${s0 + n - 1}, policy ${a.model} (execute ${execute}) vs the expert\n`);
console.log('| who | success | grasps per episode | first grasp off centre (cm, median) | releases after a lift >= 2 cm | of those, > 5 cm from the goal |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [who, ts] of Object.entries(traces)) {
  const lifted = ts.flatMap((t) => t.releases.filter((r) => r.liftCm >= 2));
  console.log(`| ${who} | ${ts.filter((t) => t.success).length}/${ts.length} | ${f(ts.reduce((s, t) => s + t.graspOffsetsCm.length, 0) / ts.length)} | ${f(median(ts.flatMap((t) => t.graspOffsetsCm.slice(0, 1))))} | ${lifted.length} | ${lifted.filter((r) => r.goalCm > 5).length} |`);
}
