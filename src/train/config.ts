// TrainConfig: what `karakuri train` reads from a JSON file, validated strictly with zod (unknown keys and wrong types
// are named with their path and value). The model part is the ModelConfig of src/model/config.ts minus text.vocab,
// which training sets from the tokenizer it trains on the datasets' instructions.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ModelConfig, type ModelConfigInput } from '../model/config.ts';
import { parseWith } from '../validation.ts';

const int = (min: number) => z.number().int().min(min);

export const ImageAugmentation = z.strictObject({
  /** Random shift (DrQ's pad-and-crop with edge replication), at most this many pixels each way; 0 = off. */
  shift: int(0).default(4),
  /** Random crop of [cropScale, 1] of the side, resized back (1 = off). */
  cropScale: z.number().gt(0).max(1).default(1),
  /** Colour jitter: brightness, contrast and saturation factors drawn in [1 - x, 1 + x]; 0 = off. */
  brightness: z.number().min(0).max(1).default(0.2),
  contrast: z.number().min(0).max(1).default(0.2),
  saturation: z.number().min(0).max(1).default(0.2),
});
export type ImageAugmentation = z.output<typeof ImageAugmentation>;

export const InstructionAugmentation = z.strictObject({
  /** Probability that a sample's instruction goes through augmentInstruction (synonym substitution). */
  prob: z.number().min(0).max(1).default(0.5),
});

/** TrainConfig's fields without the cross-field checks (a recipe omits datasets and out from it). */
export const TrainConfigFields = z.strictObject({
  /**
   * LeRobot datasets (relative paths: from the config file's folder); weight: per-dataset sampling weight; use: what
   * it trains: 'all' (demonstrations: actions and the room head) or 'room' (perception data such as wander
   * recordings: the room head's target only, its actions never reach the loss nor the normalization).
   */
  datasets: z.array(z.strictObject({ dir: z.string().min(1), weight: z.number().positive().optional(), use: z.enum(['all', 'room']).default('all') })).min(1),
  /** ModelConfig overrides (src/model/config.ts); text.vocab comes from the tokenizer. With init: on top of that version's. */
  model: z.record(z.string(), z.unknown()).default({}),
  /**
   * Fine-tuning: a model version directory (a run's <out>/model) whose weights, tokenizer and model config this run
   * starts from (src/train/init.ts); the optimizer, schedule and EMA start afresh. Relative: from the config's folder.
   */
  init: z.string().min(1).optional(),
  batchSize: int(1),
  steps: int(1),
  lr: z.number().positive().finite().default(3e-4),
  /** Learning rate at the end of the schedule. */
  minLr: z.number().min(0).finite().default(0),
  weightDecay: z.number().min(0).finite().default(0.01),
  warmupSteps: int(0).default(0),
  /** 'cosine': linear warm-up then cosine decay to minLr; 'constant': warm-up then lr. */
  schedule: z.enum(['cosine', 'constant']).default('cosine'),
  /** Max global gradient norm, or 'off'. */
  gradClip: z.union([z.number().positive().finite(), z.literal('off')]).default(1),
  /** Exponential moving average of the weights: its decay (e.g. 0.999), or 'off'. The version gets the EMA weights. */
  ema: z.union([z.number().gt(0).lt(1), z.literal('off')]).default('off'),
  augmentation: z.strictObject({
    image: z.union([ImageAugmentation, z.literal('off')]).default(ImageAugmentation.parse({})),
    instruction: z.union([InstructionAugmentation, z.literal('off')]).default(InstructionAugmentation.parse({})),
    /**
     * Probability that a sample's past frames are dropped (flagged as before the episode's start, as at its first
     * frame), so that the policy cannot lean on the arm's own recent motion alone (the copycat shortcut of behaviour
     * cloning with history); 0 = off.
     */
    historyDrop: z.number().min(0).max(1).default(0),
  }).default({ image: ImageAugmentation.parse({}), instruction: InstructionAugmentation.parse({}), historyDrop: 0 }),
  /**
   * How frames are drawn. beforeGrasp: every frame of a demonstration up to its first gripper-close command is drawn
   * this many times as often as the others (the approach and the grasp, where closed-loop policies fail; 1 = off;
   * src/train/sampling.ts). Datasets with use 'room' are left alone.
   */
  sampling: z.strictObject({ beforeGrasp: z.number().min(1).max(100).default(1) }).default({ beforeGrasp: 1 }),
  /** Steps between checkpoints (the last step always writes one). */
  checkpointEvery: int(1).default(500),
  /** Steps between monitoring evaluations (eval-mode loss on fixed, un-augmented batches); off when absent. */
  evalEvery: int(1).optional(),
  evalBatches: int(1).default(4),
  seed: int(0).default(0),
  /** Run folder: checkpoint, metrics.jsonl, loss curve, and the model version in <out>/model. */
  out: z.string().min(1),
  /** Data loader worker threads. */
  workers: int(1).default(1),
  /** A name for the model card (default: the out folder's name). */
  name: z.string().min(1).optional(),
});

/** The cross-field checks: warm-up within the run, minLr <= lr, a model config that validates (vocab aside). */
export function checkTrainConfig(c: Pick<z.output<typeof TrainConfigFields>, 'warmupSteps' | 'steps' | 'minLr' | 'lr' | 'model'>, ctx: z.RefinementCtx): void {
  if (c.warmupSteps > c.steps) ctx.addIssue({ code: 'custom', path: ['warmupSteps'], message: `must not exceed steps (${c.steps})` });
  if (c.minLr > c.lr) ctx.addIssue({ code: 'custom', path: ['minLr'], message: `must not exceed lr (${c.lr})` });
  const text = c.model.text;
  if (text && typeof text === 'object' && 'vocab' in text) {
    ctx.addIssue({ code: 'custom', path: ['model', 'text', 'vocab'], message: 'is set from the tokenizer trained on the datasets; leave it out' });
    return;
  }
  const r = ModelConfig.safeParse(withVocab(c.model, 2));
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: ['model', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message });
}

export const TrainConfig = TrainConfigFields.superRefine(checkTrainConfig);
export type TrainConfig = z.output<typeof TrainConfig>;
export type TrainConfigInput = z.input<typeof TrainConfig>;

/** The model overrides with text.vocab filled in. */
export function withVocab(model: Record<string, unknown>, vocab: number): ModelConfigInput {
  const text = (model.text && typeof model.text === 'object' ? model.text : {}) as Record<string, unknown>;
  return { ...model, text: { ...text, vocab } } as ModelConfigInput;
}

/** Validates a config object; relative paths are resolved from `base` (default: the working directory). */
export function parseTrainConfig(input: unknown, where = 'train config', base = process.cwd()): TrainConfig {
  const c = parseWith(TrainConfig, input, where, 'config');
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return { ...c, out: abs(c.out), datasets: c.datasets.map((d) => ({ ...d, dir: abs(d.dir) })), ...(c.init ? { init: abs(c.init) } : {}) };
}

/** Reads and validates a JSON config file; dataset dirs and out are relative to the file's folder. */
export function loadTrainConfig(path: string): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`train config ${path}: cannot read it (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`train config ${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseTrainConfig(json, `train config ${path}`, dirname(resolve(path)));
}
