// bench/model: (a) batch-1 Policy.infer latency (p50/p99) on real simulator observations at the default model config
// (96x96 images, 2 cameras x 2 frames; target p99 <= 15 ms on 2 cores), and (b) training throughput: samples/s of a
// full step (forward, loss, backward, AdamW) at batch 32 on loader-shaped tensors. Weights are random (latency does
// not depend on them). Prints the parameter table, the figures and the command.
//   npx tsx bench/model/latency.ts [--iters 400] [--threads 2] [--head l1|flow] [--train 20] [--config '{"layers":3}']
// OpenBLAS runs its own thread pool whose idle threads spin (sched_yield): on 2 shared cores they compete with
// libtorch's; OPENBLAS_NUM_THREADS=1 in the environment switches it off (the figures say which was used).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as torch from '../../src/torch/index.ts';
import { createTaskEnv } from '../../src/sim/tasks/registry.ts';
import type { Observation } from '../../src/sim/observation.ts';
import { parseModelConfig, stateDim, STATE_KEYS } from '../../src/model/config.ts';
import { KarakuriVLA } from '../../src/model/vla.ts';
import { Policy } from '../../src/model/policy.ts';
import { Tokenizer } from '../../src/model/language/tokenizer.ts';
import { randomInput } from '../../src/model/test-helpers.ts';

const { values } = parseArgs({ options: { iters: { type: 'string', default: '400' }, threads: { type: 'string', default: '2' }, head: { type: 'string', default: 'l1' }, config: { type: 'string', default: '{}' }, train: { type: 'string', default: '20' } } });
const iters = Number(values.iters), threads = Number(values.threads), trainSteps = Number(values.train);
torch.setNumThreads(threads);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const load0 = loadavg()[0]!;

// real observations: kara6 on cup-on-tray, 96x96, 2 frames of history, a few steps of a small scripted motion
const { env } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 96, height: 96, history: 2 });
const observations: Observation[] = [];
const instructions: string[] = [];
for (let seed = 0; seed < 4; seed++) {
  let o = env.reset(seed).observation;
  instructions.push(o.instruction);
  for (let k = 0; k < 10; k++) { observations.push(o); o = env.step([0.005 * Math.sin(k), 0.004, -0.003, 0, 0, 0, 1]).observation; }
}
env.dispose();

torch.manualSeed(0);
const tokenizer = Tokenizer.train(instructions, { vocabSize: 1024, minFrequency: 1 });
const cfg = parseModelConfig({ text: { vocab: tokenizer.vocabSize }, head: values.head, ...JSON.parse(values.config!) });
const model = new KarakuriVLA(cfg);
model.printParameters();
const p = cfg.stateLayout.proprio.kara6!;
const policy = new Policy(model, {
  stateKeys: [...STATE_KEYS],
  embodiments: { kara6: { state: { mean: Array(8 + p).fill(0), std: Array(8 + p).fill(1) }, action: { mean: Array(7).fill(0), std: Array(7).fill(1) } } },
}, tokenizer);

// (a) Policy.infer latency, batch 1
for (let i = 0; i < 30; i++) policy.infer(observations[i % observations.length]!);
function measure(resetEvery: number) {
  const lat: number[] = [], cpu: number[] = [];
  for (let i = 0; i < iters; i++) {
    if (i % resetEvery === 0) policy.reset();
    const o = observations[i % observations.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    policy.infer(o);
    lat.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const s = (x: number) => x.toFixed(2);
  // the machine may be shared: the quietest window of 100 calls shows what the model costs without the neighbours
  const windows = Array.from({ length: Math.floor(iters / 100) }, (_, w) => lat.slice(w * 100, (w + 1) * 100));
  const quiet = windows.reduce((best, w) => (pct(w, 99) < pct(best, 99) ? w : best), windows[0] ?? lat);
  return `p50 ${s(pct(lat, 50))} ms, p99 ${s(pct(lat, 99))} ms, max ${s(Math.max(...lat))} ms over ${iters} calls; quietest 100-call window p50 ${s(pct(quiet, 50))} / p99 ${s(pct(quiet, 99))} ms; process CPU time per call p50 ${s(pct(cpu, 50))} ms`;
}
console.log(`(a) Policy.infer, batch 1, ${cfg.head} head, ${threads} threads (target p99 <= 15 ms)`);
console.log(`    every control step (past frames' image tokens reused): ${measure(10)}`);
const enc0 = policy.framesEncoded;
console.log(`    cold (reset before each call: every frame encoded):   ${measure(1)}`);
console.log(`    frames encoded per cold call: ${((policy.framesEncoded - enc0) / iters).toFixed(2)}`);

// (b) training step at batch 32
model.train();
const B = 32;
const inp = randomInput(cfg, B);
const tg = { action: torch.randn([B, cfg.horizon, cfg.actionDim]), actionPad: torch.zeros([B, cfg.horizon], 'bool'), room: torch.rand([B, 3]) };
const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-4 });
const step = () => torch.tidy(() => { opt.zeroGrad(); const l = model.loss(inp, tg); l.total.backward(); opt.step(); return l.total.item(); });
step(); step();
const st: number[] = [];
for (let i = 0; i < trainSteps; i++) { const t0 = performance.now(); step(); st.push(performance.now() - t0); }
const med = pct(st, 50);
if (trainSteps > 0) console.log(`(b) training step, batch ${B} (${cfg.cameras.length} cameras x ${cfg.history} frames ${cfg.vision.imageSize.join('x')}, state ${stateDim(cfg)}, H ${cfg.horizon}): ${med.toFixed(0)} ms median = ${(B / (med / 1000)).toFixed(0)} samples/s (${trainSteps} steps)`);
console.log(`config: dim ${cfg.dim}, layers ${cfg.layers}, heads ${cfg.heads}, ffMult ${cfg.ffMult}, text ${cfg.text.layers} layers x ${cfg.text.maxTokens} tokens, vision [${cfg.vision.channels.join(', ')}] -> ${cfg.vision.tokensPerImage} tokens/image`);
console.log(`load average (1 min) before ${load0.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}; ${threads} torch threads; OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? '(unset: OpenBLAS starts its own spinning threads)'}`);
console.log(`command: ${process.env.OPENBLAS_NUM_THREADS ? `OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS} ` : ''}npx tsx bench/model/latency.ts --iters ${iters} --threads ${threads} --head ${cfg.head}${values.config !== '{}' ? ` --config '${values.config}'` : ''}`);
opt.dispose();
policy.dispose();
