// Training on a real recorded dataset with the real KarakuriVLA (a small config): config validation naming fields,
// seeded augmentation, two runs of one seed give identical weights, a child process killed with SIGKILL mid-run
// resumes to exactly the uninterrupted run's weights (EMA included), and the model version directory is complete
// and loads as a Policy.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../torch/index.ts';
import { collect } from '../data/collect.ts';
import { seededRandom } from '../sim/random.ts';
import { Policy } from '../model/policy.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import { loadTrainConfig, parseTrainConfig, type TrainConfigInput } from './config.ts';
import { augmentImages, dropHistory, mixSeed } from './augment.ts';
import { roomOnlyDatasets, train } from './train.ts';
import { carryNormalization } from './init.ts';
import type { Batch } from '../data/loader/assemble.ts';

let root = '', ds = '';
const model = { dim: 32, heads: 2, layers: 1, text: { layers: 1, maxTokens: 16 }, vision: { channels: [8, 16, 16], tokensPerImage: 4, imageSize: [64, 64], groups: 4 } };
const base = (out: string, extra: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  datasets: [{ dir: ds }], out, model, batchSize: 4, steps: 8, warmupSteps: 2, lr: 1e-3, checkpointEvery: 2, ema: 0.9, seed: 5, ...extra,
});
const weightsOf = (dir: string) => {
  const { tensors } = torch.loadSafetensors(join(dir, 'weights.safetensors'));
  const out = new Map([...tensors].map(([k, t]) => [k, Array.from(t.toFloat32Array())]));
  torch.dispose([...tensors.values()]);
  return out;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'train-'));
  ds = join(root, 'ds');
  await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 2, out: ds, size: 64, workers: 1 });
}, 120_000);

describe('TrainConfig', () => {
  it('names unknown keys, wrong types and bad model overrides', () => {
    const ok = parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o' }, 'cfg', '/base');
    expect(ok).toMatchObject({ lr: 3e-4, ema: 'off', schedule: 'cosine', gradClip: 1, out: '/base/o', datasets: [{ dir: '/base/d' }] });
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', lrr: 1 })).toThrow(/Unrecognized key.*"lrr"/);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: '2', steps: 3, out: 'o' })).toThrow(/batchSize: .*number.*\(got "2"\)/);
    expect(() => parseTrainConfig({ datasets: [], batchSize: 2, steps: 3, out: 'o' })).toThrow(/datasets: /);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', warmupSteps: 9 })).toThrow(/warmupSteps: must not exceed steps \(3\)/);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', ema: 1.5 })).toThrow(/ema: /);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', model: { dim: 30, heads: 4 } })).toThrow(/model\.heads: dim \(30\) must be divisible by heads \(4\)/);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', model: { widht: 3 } })).toThrow(/model: Unrecognized key.*"widht"/);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', model: { text: { vocab: 9 } } })).toThrow(/model\.text\.vocab: is set from the tokenizer/);
    expect(() => parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', augmentation: { image: { shift: -1 } } })).toThrow(/augmentation\.image/);
    const f = join(root, 'bad.json');
    writeFileSync(f, '{ "steps": ');
    expect(() => loadTrainConfig(f)).toThrow(/bad\.json: not valid JSON/);
  });
});

describe('augmentation', () => {
  it('is seeded, changes the images, keeps history frames of one camera aligned', () => {
    const H = 16, W = 16, px = H * W * 3;
    const mk = (): Batch => {
      const images = new Uint8Array(2 * 2 * 2 * px).map((_, i) => (i * 37) % 251);
      for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) images.copyWithin(((b * 2 + c) * 2 + 1) * px, ((b * 2 + c) * 2) * px, ((b * 2 + c) * 2 + 1) * px); // t1 = t0
      return { size: 2, images, imageShape: [H, W] } as unknown as Batch;
    };
    const o = { shift: 3, cropScale: 0.8, brightness: 0.3, contrast: 0.3, saturation: 0.3 };
    const [a, b, c, orig] = [mk(), mk(), mk(), mk()];
    augmentImages(a, 2, 2, o, seededRandom(mixSeed(1, 7, 2)));
    augmentImages(b, 2, 2, o, seededRandom(mixSeed(1, 7, 2)));
    augmentImages(c, 2, 2, o, seededRandom(mixSeed(1, 8, 2)));
    expect(a.images).toEqual(b.images);
    expect(a.images).not.toEqual(c.images);
    expect(a.images).not.toEqual(orig.images);
    expect(a.images.subarray(0, px)).toEqual(a.images.subarray(px, 2 * px)); // same transform for t0 and t1
    expect(mixSeed(1, 2, 3)).not.toBe(mixSeed(1, 3, 2));
  });
});

describe('augmentation geometry', () => {
  it('says where each image came from: a bright pixel lands where the returned geometry puts it', () => {
    const H = 16, W = 16, px = H * W * 3, n = 6;
    const images = new Uint8Array(n * 2 * px); // 6 samples x 2 cameras x 1 frame, one white pixel at column 8, row 7
    for (let k = 0; k < n * 2; k++) images.fill(255, k * px + (7 * W + 8) * 3, k * px + (7 * W + 8) * 3 + 3);
    const b = { size: n, images, imageShape: [H, W] } as unknown as Batch;
    const geo = augmentImages(b, 2, 1, { shift: 3, cropScale: 0.8, brightness: 0, contrast: 0, saturation: 0 }, seededRandom(3));
    expect(geo).toHaveLength(n * 2);
    expect(new Set(geo.map((g) => `${g.x0},${g.y0}`)).size).toBeGreaterThan(1);
    geo.forEach((g, k) => {
      let sx = 0, sy = 0, m = 0;
      for (let i = 0; i < H * W; i++) if (images[k * px + i * 3]! > 128) { sx += (i % W) + 0.5; sy += Math.floor(i / W) + 0.5; m++; }
      expect(m).toBeGreaterThan(0);
      expect(Math.abs(sx / m - (8.5 - g.x0) / g.scale)).toBeLessThan(0.75);
      expect(Math.abs(sy / m - (7.5 - g.y0) / g.scale)).toBeLessThan(0.75);
    });
  });
});

describe('history drop', () => {
  it('flags past frames of a seeded share of samples, never the current frame, keeping flags already set', () => {
    const mk = (): Batch => ({ size: 200, imagePad: new Uint8Array(200 * 3) } as unknown as Batch);
    const a = mk(), b = mk(), none = mk();
    a.imagePad[3] = 1; b.imagePad[3] = 1; // sample 1 starts its episode: its first past frame is padding already
    dropHistory(a, 3, 0.3, seededRandom(4));
    dropHistory(b, 3, 0.3, seededRandom(4));
    dropHistory(none, 3, 0, seededRandom(4));
    expect(a.imagePad).toEqual(b.imagePad);
    expect(none.imagePad.every((v) => v === 0)).toBe(true);
    expect(a.imagePad[3]).toBe(1);
    let dropped = 0;
    for (let i = 0; i < 200; i++) {
      const [p0, p1, cur] = [a.imagePad[3 * i], a.imagePad[3 * i + 1], a.imagePad[3 * i + 2]];
      expect(cur, `sample ${i}: the current frame`).toBe(0);
      if (p1) { expect(p0).toBe(1); dropped++; }
    }
    expect(dropped / 200).toBeGreaterThan(0.2);
    expect(dropped / 200).toBeLessThan(0.4);
  });
});

describe('train', () => {
  it('two runs of one seed give identical weights; the version directory is complete and loads as a Policy', async () => {
    const a = await train(base(join(root, 'a')), { progressBar: false });
    const b = await train(base(join(root, 'b')), { progressBar: false });
    const wa = weightsOf(a.versionDir), wb = weightsOf(b.versionDir);
    expect([...wa.keys()]).toEqual([...wb.keys()]);
    for (const [k, v] of wa) expect(wb.get(k), k).toEqual(v);
    const metrics = readFileSync(a.metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number; lr: number });
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(metrics[0]!.lr).toBeCloseTo(5e-4); // warm-up: step 0 of 2
    for (const f of ['weights.safetensors', 'config.json', 'normalization.json', 'tokenizer.json', 'lineage.json', 'MODEL_CARD.md', 'loss.png', 'loss.html']) expect(existsSync(join(a.versionDir, f)), f).toBe(true);
    const lineage = JSON.parse(readFileSync(join(a.versionDir, 'lineage.json'), 'utf8'));
    expect(lineage.datasets[0].contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lineage.datasets[0].files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(['meta/info.json', 'meta/tasks.parquet']));
    expect(lineage.datasets[0].files.some((f: { path: string }) => f.path.endsWith('.mp4'))).toBe(true);
    expect(lineage.seed).toBe(5);
    expect(lineage.git.commit ?? lineage.git.note).toBeTruthy();
    const card = readFileSync(join(a.versionDir, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/## Trained on[\s\S]*kara6[\s\S]*## Limits/);
    const policy = await Policy.load(a.versionDir);
    expect(policy.cfg.vision.imageSize).toEqual([64, 64]);
    policy.dispose();
    // another seed, other weights
    const c = await train(base(join(root, 'c'), { seed: 6, steps: 2 }), { progressBar: false });
    expect(weightsOf(c.versionDir).get('action_head.proj.weight') ?? [...weightsOf(c.versionDir).values()][0]).not.toEqual(wa.get('action_head.proj.weight') ?? [...wa.values()][0]);
  }, 60_000);

  it('with pointers the pointer loss is trained and logged from the recorded targets; without them it is absent', async () => {
    const withPtr = await train(base(join(root, 'ptr'), { steps: 3, model: { ...model, roomReads: 'image', vision: { ...model.vision, pointers: 2, pointerBlock: 1 } } }), { progressBar: false });
    const lines = readFileSync(withPtr.metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pointer?: number });
    expect(lines).toHaveLength(3);
    // cross-entropy over a 16x16 map: positive, near log(256) = 5.5 at the start
    for (const m of lines) expect(m.pointer).toBeGreaterThan(1);
    const card = readFileSync(join(withPtr.versionDir, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/reading the scene camera's current frame directly, its estimate given to the action readouts\); 2 instruction-conditioned pointers over block 1's feature map, pointer 0 trained to look at the target\./);
    // with the goal: pointer 1 learns the goal's pixel too, and the version's policy estimates both
    const goal = await train(base(join(root, 'goal'), { steps: 2, model: { ...model, roomReads: 'image', roomGoal: true, vision: { ...model.vision, pointers: 2, pointerBlock: 1 } } }), { progressBar: false });
    for (const m of readFileSync(goal.metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pointer?: number; room: number })) {
      expect(m.pointer).toBeGreaterThan(1);
      expect(m.room).toBeGreaterThan(0);
    }
    expect(readFileSync(join(goal.versionDir, 'MODEL_CARD.md'), 'utf8')).toMatch(/head for the target position and the goal's \(reading[\s\S]*pointer 0 trained to look at the target and pointer 1 at the goal\./);
    // with the wrist camera too: the same first batch and initial weights (no new parameters), and a pointer loss that
    // now also averages in pointer 0 over the wrist image
    const wrist = await train(base(join(root, 'wrist-ptr'), { steps: 3, model: { ...model, roomReads: 'image', wristPointer: true, vision: { ...model.vision, pointers: 2, pointerBlock: 1 } } }), { progressBar: false });
    const wl = readFileSync(wrist.metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pointer?: number });
    expect(wl[0]!.pointer).toBeGreaterThan(1);
    expect(Math.abs(wl[0]!.pointer! - lines[0]!.pointer!)).toBeGreaterThan(1e-3);
    expect(readFileSync(join(wrist.versionDir, 'MODEL_CARD.md'), 'utf8')).toMatch(/pointer 0 trained to look at the target \(in the wrist camera too\)\./);
    const plain = await train(base(join(root, 'no-ptr'), { steps: 2 }), { progressBar: false });
    expect(JSON.parse(readFileSync(plain.metricsPath, 'utf8').trim().split('\n')[0]!).pointer).toBeUndefined();
  });
  it('wander data trains the room head only: no action loss from it, kept out of the normalization; misuse is refused', async () => {
    const wander = join(root, 'wander');
    await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 2, out: wander, size: 64, workers: 1, seedStart: 1_000_000, policy: 'wander', wanderSteps: 6 });
    const demos = { dir: ds, use: 'all' as const };
    expect(() => roomOnlyDatasets([demos, { dir: wander, use: 'all' }], true)).toThrow(/wander.*random arm motion .*provenance policy 'wander'.*use: 'room'/);
    expect(() => roomOnlyDatasets([demos, { dir: wander, use: 'room' }], false)).toThrow(/use: 'room' but the model has no room head/);
    expect(() => roomOnlyDatasets([{ dir: wander, use: 'room' }], true)).toThrow(/at least one must hold demonstrations/);
    expect([...roomOnlyDatasets([demos, { dir: wander, use: 'room' }], true)]).toEqual([1]);
    await expect(train(base(join(root, 'w-bad'), { datasets: [{ dir: ds }, { dir: wander }] }), { progressBar: false })).rejects.toThrow(/use: 'room'/);

    // nearly every sample drawn from the wander data: the action loss is exactly 0, the room loss is not
    const w = await train(base(join(root, 'w'), { datasets: [{ dir: ds, weight: 1e-9 }, { dir: wander, weight: 1, use: 'room' }], steps: 4 }), { progressBar: false });
    const metrics = readFileSync(w.metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: number; room: number });
    for (const m of metrics) { expect(m.action).toBe(0); expect(m.room).toBeGreaterThan(0); }
    const demoOnly = await train(base(join(root, 'w-ref'), { steps: 1, warmupSteps: 0 }), { progressBar: false });
    const norm = (dir: string) => readFileSync(join(dir, 'normalization.json'), 'utf8');
    expect(norm(w.versionDir)).toBe(norm(demoOnly.versionDir));
    expect(readFileSync(join(w.versionDir, 'MODEL_CARD.md'), 'utf8')).toMatch(/wander` \| kara6 \| 12 \| room head only \(not demonstrations\)/);
    expect(JSON.parse(readFileSync(join(w.versionDir, 'lineage.json'), 'utf8')).data.uses).toEqual(['all', 'room']);
    // the approach drawn 3x as often: the demonstrations get frame weights, the wander data (no grasps to find) none
    const weighted = await train(base(join(root, 'w-grasp'), { datasets: [{ dir: ds, weight: 1 }, { dir: wander, weight: 1, use: 'room' }], steps: 1, warmupSteps: 0, sampling: { beforeGrasp: 3 } }), { progressBar: false });
    expect(readFileSync(join(weighted.versionDir, 'MODEL_CARD.md'), 'utf8')).toContain('Sampling: the frames up to each demonstration\'s first grasp drawn 3x as often as the others.');
  }, 120_000);

  it('fine-tunes from a model version (init): its weights, tokenizer and config, overrides on top, named in the lineage and card', async () => {
    const parent = await train(base(join(root, 'ft-parent'), { steps: 4 }), { progressBar: false });
    // a step of lr 1e-9 moves no weight by more than ~1e-9: what the run starts from is what it ships
    const still = { steps: 1, warmupSteps: 0, lr: 1e-9, ema: 'off' as const, seed: 9 };
    const child = await train(base(join(root, 'ft-child'), { ...still, init: parent.versionDir, model: { roomWeight: 2 } }), { progressBar: false });
    const wp = weightsOf(parent.versionDir), wc = weightsOf(child.versionDir);
    expect([...wc.keys()]).toEqual([...wp.keys()]);
    for (const [k, v] of wp) wc.get(k)!.forEach((x, i) => expect(Math.abs(x - v[i]!), k).toBeLessThan(1e-6));
    // the same run without init starts elsewhere
    const scratch = weightsOf((await train(base(join(root, 'ft-scratch'), still), { progressBar: false })).versionDir);
    expect([...scratch].some(([k, v]) => v.some((x, i) => Math.abs(x - wp.get(k)![i]!) > 1e-3))).toBe(true);
    expect(readFileSync(join(child.versionDir, 'tokenizer.json'), 'utf8')).toBe(readFileSync(join(parent.versionDir, 'tokenizer.json'), 'utf8'));
    const cfgOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model: Record<string, unknown> }).model;
    expect(cfgOf(child.versionDir)).toEqual({ ...cfgOf(parent.versionDir), roomWeight: 2 });
    const lineage = JSON.parse(readFileSync(join(child.versionDir, 'lineage.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    expect(lineage.init).toEqual({ dir: parent.versionDir, name: 'ft-parent', weightsSha256: createHash('sha256').update(readFileSync(join(parent.versionDir, 'weights.safetensors'))).digest('hex') });
    expect(readFileSync(join(child.versionDir, 'MODEL_CARD.md'), 'utf8')).toContain(`Fine-tuned: started from the weights of \`${parent.versionDir}\` (ft-parent), weights sha256 \`${lineage.init.weightsSha256.slice(0, 16)}\``);
    // bad inputs are named, and nothing is trained
    await expect(train(base(join(root, 'ft-bad1'), { ...still, init: join(root, 'ds') }), { progressBar: false })).rejects.toThrow(/train config init .*ds: config\.json is missing/);
    await expect(train(base(join(root, 'ft-bad2'), { ...still, init: parent.versionDir, model: { dim: 48, heads: 2 } }), { progressBar: false })).rejects.toThrow(/its weights do not fit the model of this run .*a fine-tune keeps the architecture/);
    await expect(train(base(join(root, 'ft-bad3'), { ...still, init: parent.versionDir, model: { horizon: 0 } }), { progressBar: false })).rejects.toThrow(/horizon/);
    for (const d of ['ft-bad1', 'ft-bad2', 'ft-bad3']) expect(existsSync(join(root, d, 'model')), d).toBe(false);
    expect(parseTrainConfig({ datasets: [{ dir: 'd' }], batchSize: 2, steps: 3, out: 'o', init: 'v/model' }, 'cfg', '/base').init).toBe('/base/v/model');
  }, 90_000);

  it('a fine-tune adds an arm: the known arm keeps its embodiment token and normalization, the new one starts fresh', async () => {
    const one = { ...model, embodiments: ['kara6'], stateLayout: { proprio: { kara6: 14 } } };
    const parent = await train(base(join(root, 'emb-parent'), { steps: 2, model: one }), { progressBar: false });
    const ds7 = join(root, 'ds7');
    await collect({ tasks: ['cup-on-tray'], embodiment: 'kara7', episodes: 1, out: ds7, size: 64, workers: 1 });
    const still = { steps: 1, warmupSteps: 0, lr: 1e-9, ema: 'off' as const, seed: 9 };
    // on kara7's data alone, without naming it: refused, nothing trained
    await expect(train(base(join(root, 'emb-bad'), { ...still, datasets: [{ dir: ds7 }], init: parent.versionDir }), { progressBar: false })).rejects.toThrow(/embodiment 'kara7', not one of the model's embodiments \(kara6\): add it to model\.embodiments/);
    const lines: string[] = [];
    const child = await train(base(join(root, 'emb-child'), { ...still, datasets: [{ dir: ds7 }], init: parent.versionDir, model: { embodiments: ['kara6', 'kara7'], stateLayout: { proprio: { kara6: 14, kara7: 15 } } } }), { progressBar: false, log: (l) => lines.push(l) });
    const wp = weightsOf(parent.versionDir), wc = weightsOf(child.versionDir);
    const table = 'embodiment.table.weight', dim = model.dim;
    expect(wp.get(table)!.length).toBe(dim);
    expect(wc.get(table)!.length).toBe(2 * dim);
    wc.get(table)!.slice(0, dim).forEach((x, i) => expect(Math.abs(x - wp.get(table)![i]!)).toBeLessThan(1e-6)); // kara6's token
    expect(wc.get(table)!.slice(dim).some((x, i) => Math.abs(x - wp.get(table)![i]!) > 1e-4)).toBe(true); // kara7's: fresh
    for (const [k, v] of wp) if (k !== table) wc.get(k)!.forEach((x, i) => expect(Math.abs(x - v[i]!), k).toBeLessThan(1e-6));
    // kara6 keeps the version's normalization (no kara6 data here); kara7's comes from its dataset
    const normOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'normalization.json'), 'utf8')) as { embodiments: Record<string, { action: { mean: number[] } }> };
    expect(normOf(child.versionDir).embodiments.kara6).toEqual(normOf(parent.versionDir).embodiments.kara6);
    expect(Object.keys(normOf(child.versionDir).embodiments).sort()).toEqual(['kara6', 'kara7']);
    expect(lines).toContainEqual(expect.stringMatching(/normalization of kara6 kept from .*emb-parent/));
    expect(JSON.parse(readFileSync(join(child.versionDir, 'lineage.json'), 'utf8')).init.addedEmbodiments).toEqual(['kara7']);
    expect(readFileSync(join(child.versionDir, 'MODEL_CARD.md'), 'utf8')).toContain('Arms added by this fine-tune (each from a fresh embodiment token): kara7.');
    // a version whose normalization.json is broken is named, not carried over blindly
    const broken = mkdtempSync(join(tmpdir(), 'emb-broken-'));
    writeFileSync(join(broken, 'normalization.json'), JSON.stringify({ stateKeys: ['x'], embodiments: { kara6: { state: { mean: [0], std: [0] } } } }));
    expect(() => carryNormalization(broken, normOf(child.versionDir) as Parameters<typeof carryNormalization>[1], ['kara6', 'kara7', 'widowx250'])).toThrow(/emb-broken-.*normalization\.json.*embodiments\.kara6/);
    // the fine-tuned version drives both arms in the simulator
    const policy = await Policy.load(child.versionDir);
    try {
      for (const arm of ['kara6', 'kara7']) {
        const { env } = await createTaskEnv('cup-on-tray', { embodiment: arm, width: 64, height: 64, history: 2 });
        try {
          const chunk = policy.infer(env.reset(0).observation);
          expect(chunk.length, arm).toBe(10);
          expect(chunk.every((a) => a.length === 7 && a.every(Number.isFinite)), arm).toBe(true);
        } finally {
          env.dispose();
        }
      }
    } finally {
      policy.dispose();
    }
  }, 120_000);

  it('resumes after SIGKILL to exactly the uninterrupted run\'s weights', async () => {
    const ref = await train(base(join(root, 'ref')), { progressBar: false });
    const out = join(root, 'killed');
    const cfgPath = join(root, 'killed.json');
    writeFileSync(cfgPath, JSON.stringify(base(out)));
    const script = fileURLToPath(new URL('./testing/train-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, cfgPath, '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const t0 = Date.now();
    // kill once a checkpoint exists and the run has gone past it (steps after the checkpoint are lost and redone)
    while (!/step 5\n/.test(stdout) && Date.now() - t0 < 60_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode, stderr).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'model'))).toBe(false); // it really died before the end
    const resumed = await train(loadTrainConfig(cfgPath), { progressBar: false });
    expect(resumed.resumedFrom).toBe(4);
    const wr = weightsOf(ref.versionDir), wk = weightsOf(resumed.versionDir);
    for (const [k, v] of wr) expect(wk.get(k), k).toEqual(v);
    const steps = readFileSync(resumed.metricsPath, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // lines of the lost step 5 are replaced, not doubled
    const refLoss = readFileSync(ref.metricsPath, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
    const resLoss = readFileSync(resumed.metricsPath, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
    expect(resLoss).toEqual(refLoss);
    // a different config on the same folder is refused
    await expect(train({ ...base(out), lr: 2e-3 }, { progressBar: false })).rejects.toThrow(/checkpoint of another training config/);
  }, 90_000);
});
