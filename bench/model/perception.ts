// Can a model variant learn to find the named object? A perception-only probe, minutes instead of a recipe's hours:
// reset frames of many layouts of every task (arm at home, nothing moved: no arm path to give the target away) train a
// KarakuriVLA on its room estimate alone (plus the pointer loss when the variant has pointers); every --every steps it
// reports, on unseen layouts, the mean first-frame room error next to the best constant (each task's mean target),
// and the pointer's cross-entropy next to that of each task's prior over cells (what it scores without looking).
//   npx tsx bench/model/perception.ts [--layouts 600] [--test-layouts 20] [--steps 1500] [--every 100]
//     [--variant '{"roomReads":"image","vision":{"pointers":4,"pointerBlock":1}}'] [--no-pixels] [--threads 2] [--table]
// The base model is recipes/vla-v3.json's, at history 1 (reset frames have no past); the tokenizer is built from
// the tasks' training phrasings. Layout seeds: 300000+ for training, 200000+ for the test (disjoint from the recipe's).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import * as torch from '../../src/torch/index.ts';
import { KarakuriVLA } from '../../src/model/vla.ts';
import { parseModelConfig, pointerMapSize, stateDim } from '../../src/model/config.ts';
import { embodimentIndex } from '../../src/model/embodiment.ts';
import { pointerLoss, pointerTarget } from '../../src/model/heads.ts';
import { buildTokenizer } from '../../src/model/language/index.ts';
import { TASKS, createTaskEnv } from '../../src/sim/tasks/registry.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera } from '../../src/sim/render/camera.ts';

const { values: a } = parseArgs({ options: {
  layouts: { type: 'string', default: '600' }, 'test-layouts': { type: 'string', default: '20' }, steps: { type: 'string', default: '1500' },
  every: { type: 'string', default: '100' }, variant: { type: 'string', default: '{}' }, 'no-pixels': { type: 'boolean', default: false },
  threads: { type: 'string', default: '2' }, table: { type: 'boolean', default: false }, arms: { type: 'string', default: 'kara6,kara7' },
} });
torch.setNumThreads(Number(a.threads));
const SIZE = 64, px = SIZE * SIZE * 3;

interface Layouts { task: string[]; arm: string[]; instruction: string[]; target: number[][]; pixel: number[][]; scene: Uint8Array; wrist: Uint8Array }
async function layouts(seed0: number, n: number): Promise<Layouts> {
  const out: Layouts = { task: [], arm: [], instruction: [], target: [], pixel: [], scene: new Uint8Array(0), wrist: new Uint8Array(0) };
  const scene: Uint8Array[] = [], wrist: Uint8Array[] = [];
  for (const arm of a.arms!.split(',')) for (const def of TASKS.values()) {
    if (!def.embodiments.includes(arm)) continue;
    const { env } = await createTaskEnv(def.id, { embodiment: arm, width: SIZE, height: SIZE });
    const cam = resolveCamera(cameraNames(env.model), 'scene');
    for (let seed = seed0; seed < seed0 + n; seed++) {
      const r = env.reset(seed);
      const t = Array.from(r.privileged.objects[String(r.privileged.task.target)]!.pos);
      const q = projectPoint(modelCameraPose(env.model, env.data, cam), t as [number, number, number], SIZE, SIZE);
      out.task.push(def.id); out.arm.push(arm); out.instruction.push(r.observation.instruction); out.target.push(t); out.pixel.push([q.u, q.v]);
      scene.push(r.observation.images.scene.at(-1)!.rgb.slice()); wrist.push(r.observation.images.wrist.at(-1)!.rgb.slice());
    }
    env.dispose();
  }
  const cat = (xs: Uint8Array[]) => { const b = new Uint8Array(xs.length * px); xs.forEach((x, i) => b.set(x, i * px)); return b; };
  out.scene = cat(scene); out.wrist = cat(wrist);
  return out;
}

const t0 = Date.now();
const [train, test] = [await layouts(300_000, Number(a.layouts)), await layouts(200_000, Number(a['test-layouts']))];
console.log(`${train.task.length} training and ${test.task.length} test layouts rendered in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
const { tokenizer } = await buildTokenizer();
const v3 = (JSON.parse(readFileSync(new URL('../../recipes/vla-v3.json', import.meta.url), 'utf8')) as { train: { model: Record<string, unknown> & { vision: object } } }).train.model;
const variant = JSON.parse(a.variant!) as Record<string, unknown> & { vision?: object };
const cfg = parseModelConfig({ ...v3, text: { vocab: tokenizer.vocabSize }, history: 1, ...variant, vision: { ...v3.vision, ...(variant.vision ?? {}) } });
torch.manualSeed(0);
const model = new KarakuriVLA(cfg);
const D = stateDim(cfg), L = cfg.text.maxTokens, H = cfg.horizon, usePixels = !a['no-pixels'] && cfg.vision.pointers > 0;
console.log(`variant ${a.variant}: ${(model.numParameters() / 1e6).toFixed(2)} M parameters${usePixels ? ', pointer loss on' : ''}`);

function batch(d: Layouts, idx: number[]) {
  const B = idx.length, img = new Uint8Array(B * 2 * px);
  idx.forEach((i, b) => { img.set(d.scene.subarray(i * px, (i + 1) * px), 2 * b * px); img.set(d.wrist.subarray(i * px, (i + 1) * px), (2 * b + 1) * px); });
  const t = tokenizer.encodeBatch(idx.map((i) => d.instruction[i]!), L);
  return {
    inp: {
      images: torch.tensor(img, { shape: [B, 2, 1, SIZE, SIZE, 3], dtype: 'uint8' }), imagePad: torch.zeros([B, 1], 'bool'),
      state: torch.zeros([B, D]), stateMask: torch.zeros([B, D], 'bool'), // reset frames: the arm is at home, say nothing
      tokens: torch.tensor(t.ids, { shape: [B, L] }), tokenMask: torch.tensor(t.mask, { shape: [B, L], dtype: 'bool' }),
      embodiment: torch.tensor(BigInt64Array.from(idx.map((i) => BigInt(embodimentIndex(cfg, d.arm[i]!)))), { shape: [B] }),
    },
    target: {
      action: torch.zeros([B, H, cfg.actionDim]), actionPad: torch.ones([B, H], 'bool'), // no action loss
      room: torch.tensor(Float32Array.from(idx.flatMap((i) => d.target[i]!)), { shape: [B, 3] }),
      ...(usePixels ? { roomPixel: torch.tensor(Float32Array.from(idx.flatMap((i) => d.pixel[i]!)), { shape: [B, 2] }) } : {}),
    },
  };
}

/** Each task's prior over pointer cells (from the training layouts): the cross-entropy a pointer scores without looking. */
function priorCrossEntropy(): number | null {
  if (!usePixels) return null;
  const [h, w] = pointerMapSize(cfg.vision), n = h * w;
  const soft = (i: number, d: Layouts) => pointerTarget(d.pixel[i]![0]!, d.pixel[i]![1]!, [h, w], [SIZE, SIZE]) ?? new Float32Array(n);
  const prior = new Map<string, Float64Array>();
  train.task.forEach((t, i) => { const p = prior.get(t) ?? new Float64Array(n); soft(i, train).forEach((v, k) => { p[k]! += v; }); prior.set(t, p); });
  for (const p of prior.values()) { const s = p.reduce((x, y) => x + y, 0); p.forEach((v, k) => { p[k] = v / s; }); }
  let ce = 0;
  test.task.forEach((t, i) => { const g = soft(i, test), p = prior.get(t)!; g.forEach((v, k) => { ce -= v * Math.log(p[k]! + 1e-12); }); });
  return ce / test.task.length;
}
const prior = priorCrossEntropy();

function evaluate(): string {
  model.eval();
  const groups = new Map<string, number[]>();
  test.task.forEach((t, i) => { const k = `${test.arm[i]}/${t}`; groups.set(k, [...(groups.get(k) ?? []), i]); });
  const rows: string[] = [];
  let em = 0, ec = 0, ce = 0;
  for (const [k, idx] of groups) {
    const r = torch.noGrad(() => torch.tidy(() => {
      const b = batch(test, idx);
      const enc = model.encode(b.inp);
      const pl = usePixels && enc.pointerLogits ? pointerLoss(enc.pointerLogits.select(1, 0), b.target.roomPixel!, pointerMapSize(cfg.vision), [SIZE, SIZE]).item() : 0;
      return { room: enc.room!.toFloat32Array(), pl };
    }));
    const tg = idx.map((i) => test.target[i]!), mean = [0, 1, 2].map((j) => tg.reduce((s, t) => s + t[j]!, 0) / tg.length);
    const m = tg.reduce((s, t, n) => s + Math.hypot(...[0, 1, 2].map((j) => r.room[3 * n + j]! - t[j]!)), 0) / tg.length * 100;
    const c = tg.reduce((s, t) => s + Math.hypot(...[0, 1, 2].map((j) => mean[j]! - t[j]!)), 0) / tg.length * 100;
    em += m; ec += c; ce += r.pl * idx.length;
    rows.push(`  ${k.padEnd(26)} model ${m.toFixed(2).padStart(5)} cm   constant ${c.toFixed(2).padStart(5)} cm`);
  }
  model.train();
  const ptr = usePixels ? `; pointer cross-entropy ${(ce / test.task.length).toFixed(3)} (task prior ${prior!.toFixed(3)})` : '';
  return `unseen layouts: room error ${(em / groups.size).toFixed(2)} cm (constant ${(ec / groups.size).toFixed(2)})${ptr}${a.table ? '\n' + rows.join('\n') : ''}`;
}

const steps = Number(a.steps), B = 32, params = model.parameters();
const opt = new torch.optim.AdamW(torch.optim.weightDecayGroups(params, 0.01), { lr: 1e-3, weightDecay: 0.01 });
const sched = new torch.optim.LRScheduler(opt, torch.optim.warmupCosine({ baseLr: 1e-3, warmupSteps: Math.min(100, steps), totalSteps: steps, minLr: 1e-5 }), { lastStep: 0 });
let seed = 1;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const t1 = Date.now();
for (let s = 1; s <= steps; s++) {
  torch.tidy(() => {
    const b = batch(train, Array.from({ length: B }, () => Math.floor(rnd() * train.task.length)));
    opt.zeroGrad();
    model.loss(b.inp, b.target).total.backward();
    torch.optim.clipGradNorm(params, 1);
    opt.step();
  });
  sched.step();
  if (s % Number(a.every) === 0 || s === steps) console.log(`step ${s} (${((s * B) / ((Date.now() - t1) / 1000)).toFixed(0)} samples/s): ${evaluate()}`);
}
