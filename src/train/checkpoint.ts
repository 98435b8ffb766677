// Training checkpoints and the EMA of the weights. A checkpoint is one safetensors file (written atomically: temp file,
// fsync, rename) holding the model's state (model.*), AdamW's moments and step counts (optim.*), the EMA weights
// (ema.*) and, as metadata, the step, the loader position, the seed and a hash of the config it belongs to.
// libtorch's generator state cannot be read out, so training reseeds it at every step from (seed, step): the step
// *is* the RNG state, and a resumed run draws exactly the numbers the uninterrupted one would.
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as torch from '../torch/index.ts';
import * as FE from '../torch/optim/foreach.ts';
import type { TrainConfig } from './config.ts';

type Tensor = torch.Tensor;
export const CHECKPOINT_FORMAT = 'karakuri-train-checkpoint/1';

/** Exponential moving average of parameters: e = d e + (1 - d) p, with d = min(decay, (1 + t) / (10 + t)) at update t. */
export class Ema {
  readonly shadow: Map<string, Tensor>;
  updates = 0;
  constructor(private readonly params: [string, Tensor][], readonly decay: number) {
    this.shadow = new Map(params.map(([k, p]) => [k, torch.keep(torch.noGrad(() => p.detach().clone()))]));
  }
  update(): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    this.updates++;
    const e = [...this.shadow.values()].map((t) => t.handle), p = this.params.map(([, t]) => t.handle);
    torch.noGrad(() => { FE.mul_(e, d); FE.add_(e, p, 1 - d); });
  }
  /** The model's state dict with every parameter replaced by its average (buffers as they are). */
  weights(model: Map<string, Tensor>): Map<string, Tensor> {
    return new Map([...model].map(([k, t]) => [k, this.shadow.get(k) ?? t]));
  }
  load(state: Map<string, Tensor>, updates: number): void {
    const missing = [...this.shadow.keys()].filter((k) => !state.has(k));
    if (missing.length) throw new Error(`EMA state: missing ${missing.join(', ')}`);
    torch.noGrad(() => { for (const [k, t] of this.shadow) t.copy_(state.get(k)!); });
    this.updates = updates;
  }
  dispose(): void { for (const t of this.shadow.values()) t.dispose(); }
}

/** What a checkpoint says besides tensors. */
export interface CheckpointMeta {
  format: string;
  /** Optimizer steps done (the next step to run). */
  step: number;
  /** The next loader batch number (batch b feeds step b). */
  loaderBatch: number;
  seed: number;
  configHash: string;
  emaUpdates: number;
  /** How every random number of step s is drawn (the RNG state is a function of the step). */
  rng: string;
  savedAt: string;
}

/** A hash of everything in the config that changes the numbers (not out, checkpointEvery, evalEvery, workers, name). */
export function configHash(c: TrainConfig): string {
  const { out: _o, checkpointEvery: _c, evalEvery: _e, evalBatches: _b, workers: _w, name: _n, datasets, ...rest } = c;
  const stable = (v: unknown): unknown => (Array.isArray(v) ? v.map(stable) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])])) : v);
  return createHash('sha256').update(JSON.stringify(stable({ ...rest, datasets: datasets.map((d) => ({ dir: d.dir, weight: d.weight ?? null })) }))).digest('hex').slice(0, 16);
}

export function saveCheckpoint(path: string, parts: { model: Map<string, Tensor>; optim: Map<string, Tensor>; ema?: Map<string, Tensor> }, meta: Omit<CheckpointMeta, 'format' | 'savedAt'>): void {
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of parts.model) tensors.set(`model.${k}`, t);
  for (const [k, t] of parts.optim) tensors.set(`optim.${k}`, t);
  for (const [k, t] of parts.ema ?? []) tensors.set(`ema.${k}`, t);
  const full: CheckpointMeta = { format: CHECKPOINT_FORMAT, ...meta, savedAt: new Date().toISOString() };
  torch.saveSafetensors(path, tensors, { karakuri: JSON.stringify(full) });
}

export interface LoadedCheckpoint { meta: CheckpointMeta; model: Map<string, Tensor>; optim: Map<string, Tensor>; ema: Map<string, Tensor>; dispose(): void }

export function loadCheckpoint(path: string): LoadedCheckpoint {
  if (!existsSync(path)) throw new Error(`checkpoint ${path}: not found`);
  const { tensors, metadata } = torch.loadSafetensors(path);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(metadata.karakuri ?? 'null') as CheckpointMeta;
    if (meta?.format !== CHECKPOINT_FORMAT) throw new Error(`format ${JSON.stringify(meta?.format)}, expected ${CHECKPOINT_FORMAT}`);
  } catch (e) {
    torch.dispose([...tensors.values()]);
    throw new Error(`checkpoint ${path}: not a Karakuri training checkpoint (${(e as Error).message})`);
  }
  const part = (p: string) => new Map([...tensors].filter(([k]) => k.startsWith(p)).map(([k, t]) => [k.slice(p.length), t]));
  return { meta, model: part('model.'), optim: part('optim.'), ema: part('ema.'), dispose: () => torch.dispose([...tensors.values()]) };
}
