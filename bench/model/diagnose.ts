// Why a policy fails in closed loop, in two measurements: (1) open loop on recorded episodes of its own dataset, the
// error between Policy.infer's first action and the recorded one (cm per step: does it fit what it was shown?), and
// (2) at the first frame of fresh episodes (arm at home, nothing moved), its room estimate and first move per seed
// against the true target (does it find the named object in the image, or answer the same for every layout?), and
// (3) per task, over --first-seeds unseen layouts, the mean first-frame room error next to the error of the best
// constant answer (the mean of those very targets): a model that localises beats it, one that does not matches it.
//   npx tsx bench/model/diagnose.ts --model out/recipe-v2/run/model --data out/recipe/data/kara6 [--episodes 0,1,800]
//     [--task cup-on-tray] [--seeds 0,1,2,100000,100001,100002] [--first-seeds 20]
import { parseArgs } from 'node:util';
import { openSource, prepareSource } from '../../src/data/loader/source.ts';
import { Policy } from '../../src/model/policy.ts';
import { forwardBatch } from '../../src/model/batch.ts';
import { batchSpecOf } from '../../src/train/train.ts';
import { TASKS, createTaskEnv } from '../../src/sim/tasks/registry.ts';
import type { Observation } from '../../src/sim/observation.ts';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, data: { type: 'string' }, episodes: { type: 'string', default: '0,1' },
  task: { type: 'string', default: 'cup-on-tray' }, seeds: { type: 'string', default: '0,1,2,100000,100001,100002' },
  'first-seeds': { type: 'string', default: '20' },
} });
if (!a.model || !a.data) throw new Error('diagnose: --model DIR and --data DATASET are required');
const policy = await Policy.load(a.model);
const spec = batchSpecOf(policy.cfg);
await prepareSource(a.data, spec);
const src = await openSource(a.data, spec);
const arm = src.robotType, cm = (v: number) => (v * 100).toFixed(2);
const col = (k: string, i: number) => { const c = src.numeric(k); return Array.from(c.data.subarray(i * c.dim, (i + 1) * c.dim)); };

console.log(`open loop on ${a.data} (${arm}): first action of each chunk vs the recorded action`);
for (const e of a.episodes!.split(',').map(Number)) {
  let from = 0;
  for (let k = 0; k < e; k++) from = src.episodeRange(from).to; // episodes are consecutive frames
  const { to } = src.episodeRange(from);
  policy.reset();
  let err = 0;
  for (let i = from; i < to; i++) {
    const s = col('observation.state', i), w = col('observation.wrench', i), J = s.length - 8;
    const obs = {
      embodiment: arm, instruction: src.task(from), touch: col('observation.touch', i),
      images: Object.fromEntries(policy.cfg.cameras.map((c) => [c, [{ rgb: src.image(`observation.images.${c}`, i), depth: new Float32Array(0) }]])),
      proprio: { jointPos: s.slice(0, J), eePos: s.slice(J, J + 3), eeQuat: s.slice(J + 3, J + 7), gripper: s[J + 7]! },
      wrench: { force: w.slice(0, 3), torque: w.slice(3, 6) },
    } as unknown as Observation;
    const got = policy.infer(obs)[0]!, rec = col('action', i);
    err += Math.hypot(got[0]! - rec[0]!, got[1]! - rec[1]!, got[2]! - rec[2]!);
  }
  console.log(`  episode ${e} (${to - from} frames, "${src.task(from)}"): mean position error ${cm(err / (to - from))} cm per step`);
}

console.log(`first frame of ${a.task} on ${arm}: room estimate and first move per seed`);
const { env } = await createTaskEnv(a.task!, { embodiment: arm, width: policy.cfg.vision.imageSize[1], height: policy.cfg.vision.imageSize[0] });
for (const seed of a.seeds!.split(',').map(Number)) {
  const r = env.reset(seed);
  policy.reset();
  const { actions, room: [estimate] } = forwardBatch(policy.model, [policy.prepare(r.observation)]);
  const room = estimate!, move = Array.from(actions[0]![0]!.subarray(0, 3));
  const target = r.privileged.objects[String(r.privileged.task.target)]?.pos ?? [NaN, NaN, NaN];
  const miss = Math.hypot(...[0, 1, 2].map((j) => room[j]! - target[j]!));
  console.log(`  seed ${seed}: target (${Array.from(target, (v) => v.toFixed(3)).join(', ')}) m, room estimate (${room.map((v) => v.toFixed(3)).join(', ')}) m (off by ${cm(miss)} cm), first move (${move.map(cm).join(', ')}) cm`);
}
env.dispose();

const n = Number(a['first-seeds']);
console.log(`first-frame room error over ${n} unseen layouts per task on ${arm} (cm): the model vs the best constant (the targets' mean)`);
for (const def of [...TASKS.values()].filter((t) => t.embodiments.includes(arm))) {
  const { env: e } = await createTaskEnv(def.id, { embodiment: arm, width: policy.cfg.vision.imageSize[1], height: policy.cfg.vision.imageSize[0] });
  const targets: number[][] = [], estimates: number[][] = [];
  for (let seed = 200_000; seed < 200_000 + n; seed++) {
    const r = e.reset(seed);
    policy.reset();
    estimates.push(forwardBatch(policy.model, [policy.prepare(r.observation)]).room[0]!);
    targets.push(Array.from(r.privileged.objects[String(r.privileged.task.target)]!.pos));
  }
  e.dispose();
  const mean = [0, 1, 2].map((j) => targets.reduce((acc, t) => acc + t[j]!, 0) / n);
  const err = (xs: number[][]) => xs.reduce((acc, x, i) => acc + Math.hypot(...[0, 1, 2].map((j) => x[j]! - targets[i]![j]!)), 0) / n;
  console.log(`  ${def.id.padEnd(18)} model ${cm(err(estimates))}  constant ${cm(err(targets.map(() => mean)))}`);
}
