// The model version directory as the model reads and writes it (train writes it with savePolicyFiles, Policy.load
// reads it with loadPolicyFiles, so the formats agree): weights.safetensors (saveModule/loadModule), config.json
// ({ model: ModelConfig, train?: the training config }), normalization.json (per embodiment: state/action mean/std,
// the loader's convention: state = [wrench, touch, proprio] of that arm, std floored at 1e-2) and tokenizer.json.
// Every JSON file is validated with zod and cross-checked against the model config; errors name the file.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import * as torch from '../torch/index.ts';
import { parseWith } from '../validation.ts';
import { writeFileDurable } from '../files.ts';
import { ModelConfig, STATE_KEYS, type ModelConfig as ModelConfigT } from './config.ts';
import { KarakuriVLA } from './vla.ts';
import { Tokenizer } from './language/tokenizer.ts';

export const FILES = { weights: 'weights.safetensors', config: 'config.json', normalization: 'normalization.json', tokenizer: 'tokenizer.json' } as const;

const Stat = z.strictObject({ mean: z.array(z.number()).min(1), std: z.array(z.number().positive()).min(1) })
  .refine((s) => s.mean.length === s.std.length, 'mean and std must have the same length');
export const EmbodimentNorm = z.strictObject({ state: Stat, action: Stat });
export const Normalization = z.strictObject({
  /** The features concatenated into the state, in order (the model's STATE_KEYS). */
  stateKeys: z.array(z.string()).default([...STATE_KEYS]),
  embodiments: z.record(z.string(), EmbodimentNorm),
});
export type EmbodimentNorm = z.output<typeof EmbodimentNorm>;
export type Normalization = z.output<typeof Normalization>;

export const PolicyConfigFile = z.strictObject({ model: ModelConfig, train: z.unknown().optional() });

/** Checks that normalization fits the model: state keys in order, one entry per known embodiment with the right widths. */
export function checkNormalization(n: Normalization, cfg: ModelConfigT, where: string = FILES.normalization): void {
  const problems: string[] = [];
  if (n.stateKeys.join(',') !== STATE_KEYS.join(',')) problems.push(`stateKeys are [${n.stateKeys.join(', ')}], the model reads [${STATE_KEYS.join(', ')}]`);
  for (const [e, v] of Object.entries(n.embodiments)) {
    const p = cfg.stateLayout.proprio[e];
    if (p === undefined) { problems.push(`embodiment '${e}' is not one of the model's (${cfg.embodiments.join(', ')})`); continue; }
    const sw = cfg.stateLayout.wrench + cfg.stateLayout.touch + p;
    if (v.state.mean.length !== sw) problems.push(`${e}.state has ${v.state.mean.length} components, expected ${sw} (wrench ${cfg.stateLayout.wrench} + touch ${cfg.stateLayout.touch} + proprio ${p})`);
    if (v.action.mean.length !== cfg.actionDim) problems.push(`${e}.action has ${v.action.mean.length} components, expected ${cfg.actionDim}`);
  }
  if (Object.keys(n.embodiments).length === 0) problems.push('no embodiment has statistics');
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
}

const writeJson = (path: string, v: unknown) => writeFileDurable(path, JSON.stringify(v, null, 2) + '\n');

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new Error(`${path}: missing (a model version directory holds ${Object.values(FILES).join(', ')})`);
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
}

/** Reads and validates a model version's normalization.json (errors name the file). */
export function readNormalization(path: string): Normalization {
  return parseWith(Normalization, readJson(path), path, 'normalization');
}

export interface PolicyFiles {
  model: KarakuriVLA;
  normalization: Normalization;
  tokenizer: Tokenizer;
  /** The training config, stored as given in config.json's "train". */
  train?: unknown;
}

/** Writes weights.safetensors, config.json, normalization.json and tokenizer.json into `dir` (created if needed). */
export function savePolicyFiles(dir: string, f: PolicyFiles): void {
  const cfg = f.model.cfg;
  const norm = parseWith(Normalization, f.normalization, 'savePolicyFiles normalization', 'normalization');
  checkNormalization(norm, cfg);
  if (f.tokenizer.vocabSize !== cfg.text.vocab) throw new Error(`savePolicyFiles: the tokenizer has ${f.tokenizer.vocabSize} tokens, the model's text.vocab is ${cfg.text.vocab}`);
  mkdirSync(dir, { recursive: true });
  torch.saveModule(join(dir, FILES.weights), f.model, { format: 'pt', karakuri: 'KarakuriVLA' });
  writeJson(join(dir, FILES.config), f.train === undefined ? { model: cfg } : { model: cfg, train: f.train });
  writeJson(join(dir, FILES.normalization), norm);
  f.tokenizer.save(join(dir, FILES.tokenizer));
}

/** Reads a model version directory: validated config, the model with its weights (eval mode), normalization, tokenizer. */
export function loadPolicyFiles(dir: string): PolicyFiles {
  const cfgPath = join(dir, FILES.config), normPath = join(dir, FILES.normalization);
  const file = parseWith(PolicyConfigFile, readJson(cfgPath), cfgPath, 'config');
  const norm = readNormalization(normPath);
  checkNormalization(norm, file.model, normPath);
  const tokPath = join(dir, FILES.tokenizer);
  if (!existsSync(tokPath)) throw new Error(`${tokPath}: missing`);
  const tokenizer = Tokenizer.load(tokPath);
  if (tokenizer.vocabSize !== file.model.text.vocab) throw new Error(`${tokPath}: ${tokenizer.vocabSize} tokens, but config.json's model.text.vocab is ${file.model.text.vocab}`);
  const weights = join(dir, FILES.weights);
  if (!existsSync(weights)) throw new Error(`${weights}: missing`);
  const model = new KarakuriVLA(file.model);
  try {
    torch.loadModule(weights, model);
  } catch (e) {
    model.dispose();
    throw new Error(`${weights}: does not fit the model of config.json (${(e as Error).message})`);
  }
  model.eval();
  return { model, normalization: norm, tokenizer, ...(file.train === undefined ? {} : { train: file.train }) };
}
