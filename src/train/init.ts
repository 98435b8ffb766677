// Fine-tuning: a training run that starts from a model version's weights (train config `init`) instead of a random
// initialisation, as LeRobot's `--policy.path` and openpi's weight loaders do. It takes the version's model config
// (with the run's `model` overrides on top), its tokenizer (byte-level BPE, so new instructions still encode) and
// its weights; the optimizer, the learning-rate schedule and the EMA start afresh, and the normalization is
// computed from the run's own datasets as in any run. The lineage names the version and its weights' hash.
// A run may list other embodiments than the version (model.embodiments): an arm the version knows keeps its learned
// embodiment token, a new arm starts from a fresh one, and an arm left out is dropped. An arm the run keeps but has no
// data of (a fine-tune on a new arm's data alone) keeps the version's normalization statistics, so it is still driven.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as torch from '../torch/index.ts';
import { parseModelConfig, type ModelConfig } from '../model/config.ts';
import type { TextTokenizer, TrainableModel } from './components.ts';
import { sha256File } from './version.ts';
import { deepMerge, isPlainObject } from '../merge.ts';
import { EMBODIMENT_TABLE } from '../model/embodiment.ts';
import { readNormalization } from '../model/checkpoint.ts';
import type { Normalization } from './version.ts';

/** What the lineage and the model card keep of the version a run started from. */
export interface InitLineage {
  /** The version directory, absolute. */
  dir: string;
  /** sha256 of its weights.safetensors. */
  weightsSha256: string;
  /** Its name on its model card ("# Model card: <name>"), when it has one. */
  name?: string;
  /** Arms the run added to the version's embodiments (each starts from a fresh embodiment token). */
  addedEmbodiments?: string[];
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
  const added = cfg.embodiments.filter((e) => !parent.embodiments.includes(e));
  return {
    cfg, tokenizer,
    lineage: { dir, weightsSha256, ...(name ? { name } : {}), ...(added.length ? { addedEmbodiments: added } : {}) },
    loadWeights(model) {
      const { tensors } = torch.loadSafetensors(weightsPath);
      try {
        if (parent.embodiments.join('\n') !== cfg.embodiments.join('\n')) remapEmbodiments(tensors, parent.embodiments, cfg.embodiments, model);
        model.loadStateDict(tensors);
      } catch (e) {
        throw new Error(`${where}: its weights do not fit the model of this run (${(e as Error).message}); a fine-tune keeps the architecture (dim, layers, vision, horizon, ...) of the version it starts from`);
      } finally {
        for (const t of tensors.values()) t.dispose();
      }
    },
  };
}

/**
 * Rewrites the version's embodiment table (rows in `from`'s order) for a model of the embodiments `to`: an arm in
 * both keeps its row, a new arm gets the model's own freshly initialised row. Other tensors are left to the strict load.
 */
function remapEmbodiments(tensors: Map<string, torch.Tensor>, from: readonly string[], to: readonly string[], model: TrainableModel): void {
  const old = tensors.get(EMBODIMENT_TABLE), fresh = model.stateDict().get(EMBODIMENT_TABLE);
  if (!old || !fresh) throw new Error(`no ${EMBODIMENT_TABLE} to carry the embodiments over (${from.join(', ')} -> ${to.join(', ')})`);
  const dim = fresh.shape[1]!;
  if (old.shape.join(',') !== `${from.length},${dim}`) throw new Error(`${EMBODIMENT_TABLE}: shape [${old.shape.join(', ')}] in the version, want [${from.length}, ${dim}] for its embodiments (${from.join(', ')})`);
  const src = old.toFloat32Array(), rows = fresh.toFloat32Array(); // copies: the model's own tensor is not written
  to.forEach((e, i) => {
    const j = from.indexOf(e);
    if (j >= 0) rows.set(src.subarray(j * dim, (j + 1) * dim), i * dim);
  });
  old.dispose();
  tensors.set(EMBODIMENT_TABLE, torch.tensor(rows, { shape: [to.length, dim] }));
}

/**
 * The run's normalization with, for each arm of `embodiments` that the run's datasets lack, the statistics of the
 * version in `initDir` (when it has them for the same state features). Returns the arms carried over.
 */
export function carryNormalization(initDir: string, own: Normalization, embodiments: readonly string[]): { normalization: Normalization; carried: string[] } {
  const missing = embodiments.filter((e) => !own.embodiments[e]);
  const file = join(initDir, 'normalization.json');
  if (!missing.length || !existsSync(file)) return { normalization: own, carried: [] };
  const parent = readNormalization(file);
  if (parent.stateKeys.join('\n') !== own.stateKeys.join('\n')) return { normalization: own, carried: [] };
  const carried = missing.filter((e) => parent.embodiments[e]);
  return { normalization: { ...own, embodiments: { ...own.embodiments, ...Object.fromEntries(carried.map((e) => [e, parent.embodiments[e]!])) } }, carried };
}
