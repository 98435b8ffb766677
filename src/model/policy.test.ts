// On real recorded data and a real simulator: a tiny KarakuriVLA overfits a handful of recorded frames (loss drops by
// more than 10x in a few hundred steps), and the Policy builds from a live Observation the same normalized state the
// loader gives for that frame, flags the env's reset padding as padded history, and returns H unnormalized actions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../torch/index.ts';
import { collect } from '../data/collect.ts';
import { DataLoader } from '../data/loader/loader.ts';
import { toTensors, type TensorBatch } from '../data/loader/tensors.ts';
import { Dataset } from '../data/lerobot/dataset.ts';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import type { Observation } from '../sim/observation.ts';
import { STATE_KEYS } from './config.ts';
import { embodimentTensor } from './embodiment.ts';
import { KarakuriVLA, type VLAInput } from './vla.ts';
import { Policy } from './policy.ts';
import { savePolicyFiles, type EmbodimentNorm } from './checkpoint.ts';
import { Tokenizer } from './language/tokenizer.ts';
import { tokenTensors } from './language/text-encoder.ts';
import { tinyConfig } from './test-helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'karakuri-policy-'));
const dir = join(tmp, 'ds');
const TARGET = 'privileged.target_position';
let batch: TensorBatch;
let norm: EmbodimentNorm;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await collect({ tasks: ['cup-on-tray'], embodiment: 'kara6', episodes: 1, out: dir, size: 64, workers: 1 });
  const loader = await DataLoader.create({
    datasets: [{ dir }], batchSize: 6, seed: 0, workers: 1,
    spec: { cameras: ['observation.images.scene', 'observation.images.wrist'], imageHistory: [-1, 0], state: [...STATE_KEYS], action: 'action', horizon: 10, extras: [TARGET] },
  });
  batch = toTensors(await loader.nextBatch(), 2, 2);
  await loader.close();
  const stats = JSON.parse(readFileSync(join(dir, 'meta', 'stats.json'), 'utf8')) as Record<string, { mean: number[]; std: number[] }>;
  const cat = (keys: readonly string[], k: 'mean' | 'std') => keys.flatMap((f) => stats[f]![k].map((v) => (k === 'std' ? Math.max(v, 1e-2) : v)));
  norm = { state: { mean: cat(STATE_KEYS, 'mean'), std: cat(STATE_KEYS, 'std') }, action: { mean: cat(['action'], 'mean'), std: cat(['action'], 'std') } };
  tokenizer = Tokenizer.train([...batch.task, 'put the red cup on the tray'], { vocabSize: 300, minFrequency: 1 });
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cfgFor = (vocab: number) => tinyConfig({ dim: 32, heads: 2, layers: 2, text: { vocab, maxTokens: 16, layers: 1 }, vision: { channels: [8, 16, 16], stemStride: 2, tokensPerImage: 16, imageSize: [64, 64], groups: 4 } });

describe('real frames', () => {
  it('a tiny model overfits 6 recorded frames: loss drops by more than 10x in a few hundred steps', () => {
    const STEPS = 300;
    torch.manualSeed(0);
    const model = new KarakuriVLA(cfgFor(tokenizer.vocabSize));
    const { tokens, tokenMask } = tokenTensors(tokenizer.encodeBatch(batch.task, 16), 16);
    const inp: VLAInput = { images: batch.images, imagePad: batch.imagePad, state: batch.state, stateMask: batch.stateMask, tokens, tokenMask, embodiment: embodimentTensor(model.cfg, batch.robotType) };
    const tg = { action: batch.action, actionPad: batch.actionPad, room: batch.extras[TARGET]! };
    const opt = new torch.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
    const losses: number[] = [];
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      losses.push(torch.tidy(() => {
        opt.zeroGrad();
        const l = model.loss(inp, tg);
        l.total.backward();
        opt.step();
        return l.total.item();
      }));
    }
    const secs = (performance.now() - t0) / 1000;
    const first = losses[0]!, last = Math.min(...losses.slice(-10));
    console.log(`overfit: loss ${first.toFixed(3)} -> ${last.toFixed(4)} (${(first / last).toFixed(1)}x) in ${STEPS} steps, ${secs.toFixed(1)} s`);
    expect(first / last).toBeGreaterThan(10);
    model.dispose(); opt.dispose();
  });
});

describe('Policy on a live observation', () => {
  it('same normalized state as the loader, reset padding flagged, H unnormalized actions; load from a version directory', async () => {
    torch.manualSeed(0);
    const model = new KarakuriVLA(cfgFor(tokenizer.vocabSize));
    savePolicyFiles(join(tmp, 'model'), { model, normalization: { stateKeys: [...STATE_KEYS], embodiments: { kara6: norm } }, tokenizer });
    const policy = await Policy.load(join(tmp, 'model'));
    const { env } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 64, height: 64, history: 2 });
    try {
      const start = env.reset(0); // the recorded episode's seed
      const obs = start.observation;
      const p = policy.prepare(obs);
      expect(Array.from(p.imagePad)).toEqual([1, 0]); // the env repeats the first frame at reset
      expect(Array.from(p.stateMask)).toEqual([...Array(22).fill(1), 0]);
      // the loader's normalized state of the same frame (global frame 0 of the dataset)
      const ds = await Dataset.open(dir);
      const f0 = await ds.frame(0);
      const raw = STATE_KEYS.flatMap((k) => Array.from(f0[k] as Float32Array));
      raw.forEach((v, j) => expect(p.state[j]).toBeCloseTo((v - norm.state.mean[j]!) / norm.state.std[j]!, 3));
      expect(p.state[22]).toBe(0);
      const chunk = policy.infer(obs);
      expect(chunk).toHaveLength(10);
      for (const a of chunk) { expect(a).toHaveLength(7); expect(a.every(Number.isFinite)).toBe(true); }
      // unnormalized: the model's normalized output * std + mean
      const direct = torch.noGrad(() => torch.tidy(() => policy.model.forward(inputOf(policy, p)).actions.toFloat32Array()));
      expect(chunk[3]![2]).toBeCloseTo(direct[3 * 7 + 2]! * norm.action.std[2]! + norm.action.mean[2]!, 5);
      // after a step the history is real
      const next = env.step(chunk[0]!).observation;
      expect(Array.from(policy.prepare(next).imagePad)).toEqual([0, 0]);
      // the second call encodes only the two new frames (the past ones come from the cache) and still matches
      const before = policy.framesEncoded;
      expect(before).toBe(2); // at reset: one distinct frame per camera
      const chunk2 = policy.infer(next);
      expect(policy.framesEncoded - before).toBe(2);
      const direct2 = torch.noGrad(() => torch.tidy(() => policy.model.forward(inputOf(policy, policy.prepare(next))).actions.toFloat32Array()));
      for (const k of [0, 5, 9]) for (const j of [0, 3, 6]) expect(chunk2[k]![j]).toBeCloseTo(direct2[k * 7 + j]! * norm.action.std[j]! + norm.action.mean[j]!, 5);
      // a frame buffer refilled in place is encoded again, not taken from the cache
      const again = policy.framesEncoded;
      next.images.scene!.at(-1)!.rgb.fill(7);
      policy.infer(next);
      expect(policy.framesEncoded - again).toBe(1);
      // bad observations are named
      expect(() => policy.infer({ ...next, embodiment: 'ur5e' } as Observation)).toThrow(/unknown embodiment 'ur5e'/);
      expect(() => policy.infer({ ...next, embodiment: 'kara7' } as Observation)).toThrow(/no normalization statistics for embodiment 'kara7' \(have: kara6\)/);
      const { wrist: _w, ...sceneOnly } = next.images;
      expect(() => policy.infer({ ...next, images: sceneOnly } as Observation)).toThrow(/has no 'wrist' camera \(it has: scene\)/);
      // with a single frame per observation the policy keeps its own history
      policy.reset();
      const single = (o: Observation): Observation => ({ ...o, images: Object.fromEntries(Object.entries(o.images).map(([k, v]) => [k, v.slice(-1)])) });
      expect(Array.from(policy.prepare(single(obs)).imagePad)).toEqual([1, 0]);
      const q = policy.prepare(single(next));
      expect(Array.from(q.imagePad)).toEqual([0, 0]);
      const px = 64 * 64 * 3;
      expect(Buffer.from(q.images.subarray(0, px)).equals(Buffer.from(obs.images.scene!.at(-1)!.rgb))).toBe(true); // t = 0: the previous frame
    } finally {
      env.dispose();
      policy.dispose(); model.dispose();
    }
  });
});

function inputOf(policy: Policy, p: ReturnType<Policy['prepare']>): VLAInput {
  const c = policy.cfg;
  return {
    images: torch.tensor(p.images, { shape: [1, 2, 2, 64, 64, 3], dtype: 'uint8' }),
    imagePad: torch.tensor(p.imagePad, { shape: [1, 2], dtype: 'bool' }),
    state: torch.tensor(p.state, { shape: [1, p.state.length] }),
    stateMask: torch.tensor(p.stateMask, { shape: [1, p.state.length], dtype: 'bool' }),
    tokens: torch.tensor(p.tokens, { shape: [1, c.text.maxTokens] }),
    tokenMask: torch.tensor(p.tokenMask, { shape: [1, c.text.maxTokens], dtype: 'bool' }),
    embodiment: torch.tensor([p.embodiment], { dtype: 'int64' }),
  };
}
