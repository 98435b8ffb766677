// Fine-tuning: a training run that starts from a model version's weights (train config `init`) instead of a random
// initialisation, as LeRobot's `--policy.path` and openpi's weight loaders do. It takes the version's model config
// (with the run's `model` overrides on top), its tokenizer (byte-level BPE, so new instructions still encode) and
// its weights; the optimizer, the learning-rate schedule and the EMA start afresh, and the normalization is
// computed from the run's own datasets as in any run. The lineage names the version and its weights' hash.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as torch from '../torch/index.ts';
import { parseModelConfig, type ModelConfig } from '../model/config.ts';
import type { TextTokenizer, TrainableModel } from './components.ts';
import { sha256File } from './version.ts';
import { deepMerge, isPlainObject } from '../merge.ts';

/** What the lineage and the model card keep of the version a run started from. */
export interface InitLineage {
  /** The version directory, absolute. */
  dir: string;
  /** sha256 of its weights.safetensors. */
  weightsSha256: string;
  /** Its name on its model card ("# Model card: <name>"), when it has one. */
  name?: string;
}

export interface InitVersion {
  /** The version's model config with the run's overrides applied. */
  cfg: ModelConfig;
  tokenizer: TextTokenizer;
  lineage: InitLineage;
  /** Copies the version's weights into `model` (strict: every tensor by name and shape, or nothing changes). */
  loadWeights(model: TrainableModel): void;
}

/**
 * Reads the model version in `dir` for a run to start from: config.json's model config (with `overrides` merged on
 * top and validated again), tokenizer.json and weights.safetensors. Errors name the directory and the file.
 */
export async function readInitVersion(dir: string, overrides: Record<string, unknown>, loadTokenizer: (path: string) => TextTokenizer): Promise<InitVersion> {
  dir = resolve(dir);
  const where = `train config init ${dir}`;
  const file = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`${where}: ${f} is missing (a model version directory, such as a training run's <out>/model, holds config.json, weights.safetensors, tokenizer.json and normalization.json)`);
    return p;
  };
  const cfgPath = file('config.json'), weightsPath = file('weights.safetensors'), tokPath = file('tokenizer.json');
  let json: unknown;
  try { json = JSON.parse(readFileSync(cfgPath, 'utf8')); } catch (e) { throw new Error(`${where}: config.json is not valid JSON (${(e as Error).message})`); }
  if (!isPlainObject(json) || !isPlainObject(json.model)) throw new Error(`${where}: config.json has no "model" object`);
  const parent = parseModelConfig(json.model, `${cfgPath} model`);
  const cfg = parseModelConfig(deepMerge(parent as unknown as Record<string, unknown>, overrides), `${where}: its model config with the run's model overrides`);
  const tokenizer = loadTokenizer(tokPath);
  if (tokenizer.vocabSize !== cfg.text.vocab) throw new Error(`${where}: tokenizer.json has ${tokenizer.vocabSize} tokens, config.json's model.text.vocab is ${cfg.text.vocab}`);
  const weightsSha256 = await sha256File(weightsPath);
  const card = join(dir, 'MODEL_CARD.md');
  const name = existsSync(card) ? /^# Model card: (.+)$/m.exec(readFileSync(card, 'utf8'))?.[1]?.trim() : undefined;
  return {
    cfg, tokenizer,
    lineage: { dir, weightsSha256, ...(name ? { name } : {}) },
    loadWeights(model) {
      try {
        torch.loadModule(weightsPath, model);
      } catch (e) {
        throw new Error(`${where}: its weights do not fit the model of this run (${(e as Error).message}); a fine-tune keeps the architecture (dim, layers, vision, horizon, ...) of the version it starts from`);
      }
    },
  };
}
