// bench/model pointers: where a trained model's pointer 0 looks, against where the named target is, on recorded
// frames. For the scene camera's and the wrist camera's current frame, the expected pixel of pointer 0's attention is
// compared with the target's true pixel (projected from privileged.target_position with the episode's recorded
// camera poses, src/train/room-pixels.ts), per task: the median error in pixels and the share within one cell of
// the pointer's map, next to the best constant pixel (the median of the true pixels of those very frames, per task
// and camera), apart for the frames where the end effector is still approaching the target and those where it is
// within 4 cm of it (grasping or carrying: there the target sits still in the wrist image, and the constant is right).
// A pointer that looks beats the constant; one that has learned only where targets usually are does not.
// Works for any model with vision.pointers (a model trained without wristPointer shows what its wrist pointer does
// untaught). Use frames of seeds the model was not trained on (e.g. a small `karakuri collect --seed-start 300000`).
//   npx tsx bench/model/pointers.ts --model out/recipe-v7/run/model --data DIR[,DIR] [--batches 20] [--batch-size 32]
import { parseArgs } from 'node:util';
import * as torch from '../../src/torch/index.ts';
import { DataLoader } from '../../src/data/loader/loader.ts';
import { Dataset } from '../../src/data/lerobot/dataset.ts';
import { Policy } from '../../src/model/policy.ts';
import { pointerMapSize, WRIST_CAMERA } from '../../src/model/config.ts';
import { RoomPixels } from '../../src/train/room-pixels.ts';
import { SIM_KEYS } from '../../src/data/record/sim-features.ts';
import { batchSpecOf, freeBatch, prepare, ROOM_KEY } from '../../src/train/train.ts';
import { median } from '../lib/stats.ts';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, data: { type: 'string' }, batches: { type: 'string', default: '20' }, 'batch-size': { type: 'string', default: '32' },
  seed: { type: 'string', default: '0' },
} });
if (!a.model || !a.data) throw new Error('pointers: --model DIR and --data DIR[,DIR] are required');
const policy = await Policy.load(a.model);
const cfg = policy.cfg, model = policy.model;
if (!cfg.vision.pointers) throw new Error(`pointers: ${a.model} has no pointers (vision.pointers is 0)`);
if (!cfg.roomHead) throw new Error(`pointers: ${a.model} has no room head, so its batches carry no target position`);
const dirs = a.data.split(',').map((d) => d.trim()).filter(Boolean);
const cams = [{ name: cfg.cameras[0]!, index: 0 }, ...(cfg.cameras.includes(WRIST_CAMERA) ? [{ name: WRIST_CAMERA, index: cfg.cameras.indexOf(WRIST_CAMERA) }] : [])];
const [h, w] = pointerMapSize(cfg.vision), [H, W] = cfg.vision.imageSize, T = cfg.history, cell = Math.max(H / h, W / w);
const loader = await DataLoader.create({ datasets: dirs.map((dir) => ({ dir })), spec: batchSpecOf(cfg), batchSize: Number(a['batch-size']), seed: Number(a.seed), workers: 1 });
const pixels = await RoomPixels.open(dirs, cams[0]!.name, cams.length > 1 ? { mounted: WRIST_CAMERA } : {});
model.train(false);
// each sample's task (its episode's karakuri/task_id: a batch carries the instruction, not the task) and phase: whether
// the end effector (observation.state's ee_x, ee_y, ee_z) is within NEAR_CM of the target (grasping or carrying it,
// when the target sits still in the wrist image) or still approaching it
const NEAR_CM = 4;
const datasets = await Promise.all(dirs.map((d) => Dataset.open(d)));
const episodes = datasets.map((ds) => ds.episodes.map((e) => ({ index: e.index, from: e.from, to: e.to, task: String(e.meta['karakuri/task_id'] ?? 'unknown') })));
const eePos = new Map<string, { ee: Float32Array; width: number; at: number }>();
async function sampleKey(dataset: number, frame: number, target: Float32Array): Promise<{ task: string; phase: string }> {
  const e = episodes[dataset]?.find((x) => frame >= x.from && frame < x.to);
  if (!e) return { task: 'unknown', phase: 'unknown' };
  const key = `${dataset}/${e.index}`;
  if (!eePos.has(key)) {
    const ds = datasets[dataset]!, names = ds.features[SIM_KEYS.state]?.names;
    const at = Array.isArray(names) ? (names as string[]).indexOf('ee_x') : -1;
    eePos.set(key, { ee: (await ds.episode(e.index))[SIM_KEYS.state] as Float32Array, width: Array.isArray(names) ? names.length : 0, at });
  }
  const { ee, width, at } = eePos.get(key)!;
  if (at < 0) return { task: e.task, phase: 'unknown' };
  const t = frame - e.from, d = Math.hypot(ee[t * width + at]! - target[0]!, ee[t * width + at + 1]! - target[1]!, ee[t * width + at + 2]! - target[2]!);
  return { task: e.task, phase: 100 * d <= NEAR_CM ? `within ${NEAR_CM} cm` : 'approach' };
}

/** Per task and camera: the pointer's expected pixel and the true one, for every frame whose target is in view. */
const rows = new Map<string, { pred: [number, number][]; truth: [number, number][] }>();
const inView = (u: number, v: number) => u >= 0 && u <= W && v >= 0 && v <= H;
try {
  for (let i = 0; i < Number(a.batches); i++) {
    const b = await loader.batch(i);
    const p = prepare(b, b.task, cfg, policy.tokenizer, new Set(), { source: pixels });
    try {
      const logits = torch.noGrad(() => torch.tidy(() => {
        const text = model.encodeText(p.inp.tokens, p.inp.tokenMask);
        const all = model.video.encode(p.inp.images, text.pooled).pointerLogits!; // (B, C*T, P, cells)
        return cams.map((c) => torch.F.softmax(all.select(1, (c.index + 1) * T - 1).select(1, 0), 1).toFloat32Array()); // pointer 0 on each camera's current frame
      }));
      const target = b.extras[ROOM_KEY]!.data;
      const truth = [pixels.pixels(b, target), ...(cams.length > 1 ? [pixels.mountedPixels(b, target)] : [])];
      for (let s = 0; s < b.size; s++) {
        const { task, phase } = await sampleKey(b.dataset[s]!, b.frame[s]!, target.subarray(3 * s, 3 * s + 3));
        cams.forEach((c, k) => {
          const u = truth[k]![2 * s]!, v = truth[k]![2 * s + 1]!;
          if (!inView(u, v)) return;
          let eu = 0, ev = 0;
          for (let j = 0; j < h * w; j++) { const q = logits[k]![s * h * w + j]!; eu += q * ((j % w) + 0.5) * (W / w); ev += q * (Math.floor(j / w) + 0.5) * (H / h); }
          const key = `${task}\t${c.name}\t${phase}`, r = rows.get(key) ?? { pred: [], truth: [] };
          r.pred.push([eu, ev]); r.truth.push([u, v]);
          rows.set(key, r);
        });
      }
    } finally {
      freeBatch(p);
    }
  }
} finally {
  await loader.close();
}


const dist = (x: [number, number], y: [number, number]) => Math.hypot(x[0] - y[0], x[1] - y[1]);
console.log(`model ${a.model} on ${dirs.join(', ')}: ${Number(a.batches)} batches of ${a['batch-size']}; pointer map ${h}x${w} over ${H}x${W} px (one cell = ${cell} px)\n`);
console.log('| task | camera | end effector | frames (target in view) | pointer: median error (px) | within one cell | constant: median error (px) | within one cell |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
const pct = (x: number) => `${Math.round(100 * x)}%`;
for (const [key, r] of [...rows].sort(([x], [y]) => (x < y ? -1 : 1))) {
  const [task, camera, phase] = key.split('\t');
  const c: [number, number] = [median(r.truth.map((t) => t[0])), median(r.truth.map((t) => t[1]))];
  const ep = r.pred.map((q, i) => dist(q, r.truth[i]!)), ec = r.truth.map((t) => dist(c, t));
  console.log(`| ${task} | ${camera} | ${phase} | ${r.truth.length} | ${median(ep).toFixed(1)} | ${pct(ep.filter((e) => e <= cell).length / ep.length)} | ${median(ec).toFixed(1)} | ${pct(ec.filter((e) => e <= cell).length / ec.length)} |`);
}
