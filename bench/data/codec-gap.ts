// How much does a dataset's video codec change the frames a model trains on, against the raw renders it is evaluated
// on in closed loop? Frame 0 of recorded episodes (decoded as the loader serves them) vs a live reset of the same task
// on the same seed: the mean absolute difference over the whole scene frame and over the 3x3 pixels at the target
// (where a 2-4 px object's colour is all the instruction's "the pink mug" has to go on), and a PNG of the pairs.
//   npx tsx bench/data/codec-gap.ts --data out/recipe-v4/data/kara6 [--episodes 0,150,300,450,600,750] [--png out/codec-gap.png]
import { openSource, prepareSource } from '../../src/data/loader/source.ts';
import { batchSpecOf } from '../../src/train/train.ts';
import { parseModelConfig } from '../../src/model/config.ts';
import { Dataset } from '../../src/data/lerobot/dataset.ts';
import { createTaskEnv } from '../../src/sim/tasks/registry.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera } from '../../src/sim/render/camera.ts';
import { encodeRgbPng } from '../../src/sim/render/png.ts';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
const { values: a } = parseArgs({ options: { data: { type: 'string' }, episodes: { type: 'string', default: '0,150,300,450,600,750' }, png: { type: 'string', default: 'out/codec-gap.png' } } });
if (!a.data) throw new Error('codec-gap: --data DATASET is required (a simulated recording: its episodes name task and seed)');
const dir = a.data;
const cfg = parseModelConfig({ text: { vocab: 10 }, vision: { imageSize: [64, 64], stemStride: 2 } }); // the loader spec: cameras and keys only
const spec = batchSpecOf(cfg);
await prepareSource(dir, spec);
const src = await openSource(dir, spec);
const ds = await Dataset.open(dir);
let all = 0, atT = 0, n = 0; const tiles: Uint8Array[] = [];
for (const k of a.episodes!.split(',').map(Number)) {
  const e = ds.episodes[k];
  if (!e) throw new Error(`codec-gap: ${dir} has ${ds.episodes.length} episodes, no position ${k}`);
  const task = String(e.meta['karakuri/task_id']), seed = Number(e.meta['karakuri/seed']), arm = String(e.meta['karakuri/embodiment']);
  const [H, W] = src.imageShape('observation.images.scene');
  const { env } = await createTaskEnv(task, { embodiment: arm, width: W, height: H });
  const r = env.reset(seed);
  const raw = r.observation.images.scene.at(-1)!.rgb, dec = src.image('observation.images.scene', e.from);
  const t = r.privileged.objects[String(r.privileged.task.target)]!.pos;
  const q = projectPoint(modelCameraPose(env.model, env.data, resolveCamera(cameraNames(env.model), 'scene')), [t[0]!, t[1]!, t[2]!], W, H);
  env.dispose();
  let d = 0; for (let i = 0; i < raw.length; i++) d += Math.abs(raw[i]! - dec[i]!);
  const u = Math.floor(q.u), v = Math.floor(q.v);
  let dt = 0, m = 0;
  for (let y = v - 1; y <= v + 1; y++) for (let x = u - 1; x <= u + 1; x++) for (let c = 0; c < 3; c++) { const i = (y * W + x) * 3 + c; dt += Math.abs(raw[i]! - dec[i]!); m++; }
  const px = (b: Uint8Array) => Array.from(b.subarray((v * W + u) * 3, (v * W + u) * 3 + 3)).join(',');
  console.log(`${task} seed ${seed}: "${r.observation.instruction}" mean |raw - decoded| ${(d / raw.length).toFixed(1)} per channel, at the target's 3x3 ${(dt / m).toFixed(1)}; target pixel raw ${px(raw)} decoded ${px(dec)}`);
  all += d / raw.length; atT += dt / m; n++; tiles.push(raw, dec);
}
console.log(`mean over ${n}: whole frame ${(all / n).toFixed(1)}, target 3x3 ${(atT / n).toFixed(1)} (0-255 per channel)`);
// raw, decoded, raw, decoded, ... upscaled 4x
const [H, W] = src.imageShape('observation.images.scene'), S = 4, OW = W * S * tiles.length, out = new Uint8Array(OW * H * S * 3);
tiles.forEach((t, k) => { for (let y = 0; y < H * S; y++) for (let x = 0; x < W * S; x++) for (let c = 0; c < 3; c++) out[(y * OW + k * W * S + x) * 3 + c] = t[((y / S | 0) * W + (x / S | 0)) * 3 + c]!; });
writeFileSync(a.png!, encodeRgbPng(out, OW, H * S));
console.log(`pairs (raw, decoded) in ${a.png}`);
