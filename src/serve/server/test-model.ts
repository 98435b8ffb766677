// Shared by the server's tests and its benchmark: a random-init Karakuri model version directory (savePolicyFiles)
// with statistics for kara6 and kara7, and observation messages in the wire's shapes (Karakuri or LIBERO key names).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../torch/index.ts';
import { parseModelConfig, STATE_KEYS, type ModelConfig, type ModelConfigInput } from '../../model/config.ts';
import { KarakuriVLA } from '../../model/vla.ts';
import { savePolicyFiles } from '../../model/checkpoint.ts';
import { Tokenizer } from '../../model/language/tokenizer.ts';
import { tinyConfig } from '../../model/test-helpers.ts';
import { ndarray, type NdArray } from '../protocol/ndarray.ts';

export const PROMPTS = ['put the red cup on the tray', 'pick up the sponge', 'open the drawer', 'wipe the table'];

/** Writes a random-init model version into a fresh temp dir; `config` given: that (default-size) config, else tinyConfig. */
export function writeTestModel(opts: { seed?: number; config?: ModelConfigInput | 'tiny' } = {}): { dir: string; cfg: ModelConfig } {
  torch.manualSeed(opts.seed ?? 0);
  const tokenizer = Tokenizer.train(PROMPTS, { vocabSize: 300, minFrequency: 1 });
  const cfg = opts.config === undefined || opts.config === 'tiny'
    ? tinyConfig({ text: { vocab: tokenizer.vocabSize, maxTokens: 12, layers: 1 } })
    : parseModelConfig({ ...opts.config, text: { vocab: tokenizer.vocabSize } });
  const model = new KarakuriVLA(cfg);
  const stat = (n: number, mean = 0, std = 1) => ({ mean: Array(n).fill(mean), std: Array(n).fill(std) });
  const base = cfg.stateLayout.wrench + cfg.stateLayout.touch;
  const embodiments = Object.fromEntries(['kara6', 'kara7'].map((e) => [e, { state: stat(base + cfg.stateLayout.proprio[e]!, 0.1, 0.5), action: { mean: [0, 0, 0, 0, 0, 0, 0.5], std: [0.01, 0.01, 0.01, 0.1, 0.1, 0.1, 0.5] } }]));
  const dir = mkdtempSync(join(tmpdir(), 'karakuri-serve-model-'));
  savePolicyFiles(dir, { model, normalization: { stateKeys: [...STATE_KEYS], embodiments }, tokenizer });
  model.dispose();
  return { dir, cfg };
}

/** A deterministic uint8 H x W x 3 image. */
export function testImage(h: number, w: number, seed: number): Uint8Array {
  const a = new Uint8Array(h * w * 3);
  for (let i = 0; i < a.length; i++) a[i] = (i * 31 + seed * 97 + ((i / 3) | 0) * 7) & 0xff;
  return a;
}

/** A kara6 proprio vector in Karakuri's layout: 6 joints, EE position, EE quaternion (w x y z), gripper. */
export const kara6State = (k = 0): Float32Array => Float32Array.of(0.1 * k, -0.5, 0.9, 0, 0.3, 0, 0.4, 0, 0.3, 1, 0, 0, 0, 0.8);

/** An observation message with Karakuri's key names for kara6 unless told (images at the model's size unless h/w given). */
export function karakuriMessage(cfg: ModelConfig, o: { seed?: number; prompt?: string; h?: number; w?: number; embodiment?: string; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  const [mh, mw] = cfg.vision.imageSize;
  const h = o.h ?? mh, w = o.w ?? mw, seed = o.seed ?? 0;
  return {
    'observation.images.scene': ndarray(testImage(h, w, seed), [h, w, 3]),
    'observation.images.wrist': ndarray(testImage(h, w, seed + 1), [h, w, 3]),
    'observation.state': ndarray(kara6State(seed)),
    'observation.wrench': ndarray(Float32Array.of(0.1, 0, -0.2, 0, 0.01, 0)),
    'observation.touch': ndarray(Float32Array.of(0, 0.5)),
    task: o.prompt ?? PROMPTS[0]!,
    embodiment: o.embodiment ?? 'kara6',
    ...o.extra,
  };
}

/** The same observation with LIBERO's key names (uint8 224x224x3 images as openpi's examples send them). */
export function liberoMessage(o: { seed?: number; prompt?: string; state?: NdArray } = {}): Record<string, unknown> {
  const seed = o.seed ?? 0;
  return {
    'observation/image': ndarray(testImage(224, 224, seed), [224, 224, 3]),
    'observation/wrist_image': ndarray(testImage(224, 224, seed + 1), [224, 224, 3]),
    'observation/state': o.state ?? ndarray(Float64Array.from(kara6State(seed))),
    prompt: o.prompt ?? PROMPTS[0]!,
  };
}
