// Policy: a trained KarakuriVLA for closed-loop use. infer(observation) builds the model input from a simulator
// Observation (frame history per camera, state normalized with the arm's own statistics and zero-padded with a mask,
// the instruction tokenized once per episode) and returns the action chunk unnormalized (H actions of 7 numbers).
// History: when the observation carries at least `history` frames per camera (Env's own history, one frame per
// control step), those are used, and frames the env padded at reset (copies of the first frame) are flagged as
// padding, as the loader flags frames before an episode's start; otherwise the policy keeps its own per-camera
// history of the frames it was shown (reset() clears it).
import { EE_ACTION_LIMITS } from '../sim/action.ts';
import * as torch from '../torch/index.ts';
import type { Observation } from '../sim/observation.ts';
import { stateDim, type ModelConfig } from './config.ts';
import { embodimentIndex } from './embodiment.ts';
import { loadPolicyFiles, type EmbodimentNorm, type Normalization } from './checkpoint.ts';
import type { EncodedText, KarakuriVLA } from './vla.ts';
type Tensor = torch.Tensor;
import type { Tokenizer } from './language/tokenizer.ts';

/** One observation as the model's batch-1 input (typed arrays in VLAInput's layouts), with the arm's statistics. */
export interface PolicyInput {
  images: Uint8Array;     // [C, T, H, W, 3]
  imagePad: Uint8Array;   // [T]
  state: Float32Array;    // [D] normalized, zero-padded
  stateMask: Uint8Array;  // [D]
  tokens: BigInt64Array;  // [maxTokens]
  tokenMask: Uint8Array;  // [maxTokens]
  embodiment: number;
  norm: EmbodimentNorm;
}

/** A cheap fingerprint of a frame: 512 strided bytes, position-weighted. */
export function signature(f: Uint8Array): number {
  let h = 0;
  const step = Math.max(1, Math.floor(f.length / 512));
  for (let i = 0, k = 1; i < f.length; i += step, k++) h = (h + f[i]! * k) % 2147483647;
  return h;
}

export const sameFrame = (a: Uint8Array, b: Uint8Array): boolean => a === b || (a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length)));

/** Bounds of the common 7-D action (src/sim/action.ts): a model's output is a request, the action space is the contract. */
const ACTION_LO = [-EE_ACTION_LIMITS.pos, -EE_ACTION_LIMITS.pos, -EE_ACTION_LIMITS.pos, -EE_ACTION_LIMITS.rot, -EE_ACTION_LIMITS.rot, -EE_ACTION_LIMITS.rot, EE_ACTION_LIMITS.gripper[0]];
const ACTION_HI = [EE_ACTION_LIMITS.pos, EE_ACTION_LIMITS.pos, EE_ACTION_LIMITS.pos, EE_ACTION_LIMITS.rot, EE_ACTION_LIMITS.rot, EE_ACTION_LIMITS.rot, EE_ACTION_LIMITS.gripper[1]];

/**
 * Sample `b` of a normalized [B, H, A] model output as H actions: unnormalized with the embodiment's action stats and
 * clipped to the common action space's bounds (a slightly-over-1 gripper command is a valid intent, not an error).
 */
export function actionChunk(out: Float32Array, b: number, norm: { mean: ArrayLike<number>; std: ArrayLike<number> }, H: number, A: number): Float32Array[] {
  return Array.from({ length: H }, (_, k) => Float32Array.from({ length: A }, (_, j) => {
    const v = out[(b * H + k) * A + j]! * norm.std[j]! + norm.mean[j]!;
    return A === 7 ? Math.min(ACTION_HI[j]!, Math.max(ACTION_LO[j]!, v)) : v;
  }));
}

export class Policy {
  readonly cfg: ModelConfig;
  private readonly own = new Map<string, Uint8Array[]>();
  private tokens = new Map<string, { ids: BigInt64Array; mask: Uint8Array }>();
  /** The text encoder's output for the current instruction (it is the same all episode). */
  private text: { instruction: string; enc: EncodedText } | null = null;
  private readonly images: Uint8Array;
  /** The frame in each (camera, time) slot of this.images, and VisionEncoder tokens [n, dim] of recent frames. */
  private readonly slots: Uint8Array[] = [];
  private readonly frameCache = new Map<Uint8Array, { tokens: Tensor; sig: number }>();
  /** Frames run through the image encoder so far (the rest came from the cache). */
  framesEncoded = 0;
  private readonly px: number;
  constructor(readonly model: KarakuriVLA, readonly normalization: Normalization, readonly tokenizer: Tokenizer) {
    this.cfg = model.cfg;
    const [h, w] = this.cfg.vision.imageSize;
    this.px = h * w * 3;
    this.images = new Uint8Array(this.cfg.cameras.length * this.cfg.history * this.px);
    model.eval();
  }

  /** Loads a model version directory (weights.safetensors, config.json, normalization.json, tokenizer.json). */
  static async load(dir: string): Promise<Policy> {
    const f = loadPolicyFiles(dir);
    return new Policy(f.model, f.normalization, f.tokenizer);
  }

  /** Forget the frame history (call at every episode start). */
  reset(): void {
    this.own.clear();
    this.dropFrames(new Set());
    if (this.tokens.size > 64) this.tokens.clear();
  }

  private dropText(): void {
    if (this.text) torch.dispose(this.text.enc);
    this.text = null;
    this.dropFrames(new Set());
  }

  private dropFrames(keepOnly: Set<Uint8Array>): void {
    for (const [k, e] of this.frameCache) if (!keepOnly.has(k)) { e.tokens.dispose(); this.frameCache.delete(k); }
  }

  /**
   * Per-frame vision tokens [1, C*T, n, dim] for the current slots: frames seen in the previous call (a past frame was
   * the current one a step ago, the same Uint8Array from the env's history) come from the cache, the rest are encoded
   * in one batch. Called inside noGrad + tidy; the cached tensors are kept.
   */
  private frameTokens(pooled: Tensor): Tensor {
    const [h, w] = this.cfg.vision.imageSize;
    // a cached frame must also still hold the same pixels (a caller may refill one buffer in place)
    const missing = [...new Set(this.slots.filter((f) => this.frameCache.get(f)?.sig !== signature(f)))];
    for (const f of missing) { this.frameCache.get(f)?.tokens.dispose(); this.frameCache.delete(f); }
    this.framesEncoded += missing.length;
    if (missing.length) {
      const buf = new Uint8Array(missing.length * this.px);
      missing.forEach((f, i) => buf.set(f, i * this.px));
      const tok = this.model.video.vision.forward(torch.tensor(buf, { shape: [1, missing.length, h, w, 3], dtype: 'uint8' }), pooled); // (1, M, n, dim)
      missing.forEach((f, i) => this.frameCache.set(f, { tokens: torch.keep(tok.select(1, i).contiguous()), sig: signature(f) })); // (1, n, dim)
    }
    this.dropFrames(new Set(this.slots));
    return torch.stack(this.slots.map((f) => this.frameCache.get(f)!.tokens), 1); // (1, C*T, n, dim)
  }

  /** The cached text encoding of `instruction` (tokens: its ids and mask, batch 1). */
  private encodedText(instruction: string, tokens: Tensor, tokenMask: Tensor): EncodedText {
    if (this.text?.instruction !== instruction) {
      this.dropText();
      const enc = torch.noGrad(() => this.model.encodeText(tokens, tokenMask));
      torch.keep(enc.tokens); torch.keep(enc.pooled);
      this.text = { instruction, enc };
    }
    return this.text.enc;
  }

  private norm(embodiment: string): EmbodimentNorm {
    embodimentIndex(this.cfg, embodiment);
    const n = this.normalization.embodiments[embodiment];
    if (!n) throw new Error(`Policy: no normalization statistics for embodiment '${embodiment}' (have: ${Object.keys(this.normalization.embodiments).join(', ')})`);
    return n;
  }

  /** Fills this.images ([C, T, H, W, 3]) from the observation; returns imagePad [T] (1 = before the episode's start). */
  private frames(obs: Observation): Uint8Array {
    const { cameras, history: T } = this.cfg;
    const [h, w] = this.cfg.vision.imageSize;
    const pad = new Uint8Array(T);
    const envHistory = cameras.every((c) => (obs.images[c]?.length ?? 0) >= T);
    const lists = cameras.map((cam) => {
      const got = obs.images[cam];
      if (!got || got.length === 0) throw new Error(`Policy: the observation has no '${cam}' camera (it has: ${Object.keys(obs.images).join(', ') || 'none'}); the model needs ${cameras.join(', ')}`);
      for (const f of got) if (f.rgb.length !== this.px) throw new RangeError(`Policy: '${cam}' frames have ${f.rgb.length} bytes, the model takes ${h}x${w}x3 = ${this.px} (vision.imageSize)`);
      if (envHistory) return got.slice(-T).map((f) => f.rgb);
      const mine = this.own.get(cam) ?? [];
      mine.push(got.at(-1)!.rgb);
      while (mine.length > T) mine.shift();
      this.own.set(cam, mine);
      return mine;
    });
    const n = lists[0]!.length; // frames known (own history: may be < T just after reset)
    for (let t = 0; t < T; t++) {
      const src = Math.max(0, t - (T - n)); // left-pad with the oldest known frame
      if (t < T - n) pad[t] = 1;
      lists.forEach((l, c) => { this.images.set(l[src]!, (c * T + t) * this.px); this.slots[c * T + t] = l[src]!; });
    }
    if (envHistory) {
      // the env pads its history at reset with the first frame: a frame equal to the next one on every camera is padding
      for (let t = 0; t + 1 < T; t++) if (lists.every((l) => sameFrame(l[t]!, l[t + 1]!))) pad[t] = 1;
    }
    return pad;
  }

  /** The normalized, zero-padded state [D] and its mask from an observation. */
  private state(obs: Observation, n: EmbodimentNorm): { state: Float32Array; mask: Uint8Array } {
    const p = obs.proprio;
    const raw = [...obs.wrench.force, ...obs.wrench.torque, ...obs.touch, ...p.jointPos, ...p.eePos, ...p.eeQuat, p.gripper];
    if (raw.length !== n.state.mean.length) throw new RangeError(`Policy: '${obs.embodiment}' gives ${raw.length} state components, its statistics have ${n.state.mean.length}`);
    const D = stateDim(this.cfg);
    if (raw.length > D) throw new RangeError(`Policy: ${raw.length} state components exceed the model's ${D}`);
    const state = new Float32Array(D), mask = new Uint8Array(D);
    raw.forEach((v, j) => { state[j] = (v - n.state.mean[j]!) / n.state.std[j]!; mask[j] = 1; });
    return { state, mask };
  }

  private tokenize(text: string): { ids: BigInt64Array; mask: Uint8Array } {
    let t = this.tokens.get(text);
    if (!t) { t = this.tokenizer.encodeBatch([text], this.cfg.text.maxTokens); this.tokens.set(text, t); }
    return t;
  }

  /** The model input of one observation as typed arrays (batch 1), and the arm's statistics. */
  prepare(obs: Observation): PolicyInput {
    const norm = this.norm(obs.embodiment);
    const embodiment = embodimentIndex(this.cfg, obs.embodiment);
    const imagePad = this.frames(obs);
    const { state, mask } = this.state(obs, norm);
    const tok = this.tokenize(obs.instruction);
    return { images: this.images, imagePad, state, stateMask: mask, tokens: tok.ids, tokenMask: tok.mask, embodiment, norm };
  }

  /** The action chunk for this observation: H actions in the common 7-D action space, unnormalized. */
  infer(obs: Observation): Float32Array[] {
    const p = this.prepare(obs);
    const { cameras, history: T, horizon: H, actionDim: A } = this.cfg;
    const [h, w] = this.cfg.vision.imageSize;
    const D = p.state.length, n = p.norm;
    const out = torch.noGrad(() => torch.tidy(() => {
      // the text cut to its real length: padding keys are masked anyway, and the trunk's sequence gets shorter
      const n = Math.max(1, p.tokenMask.reduce((a, m) => a + m, 0));
      const tokens = torch.tensor(p.tokens.subarray(0, n), { shape: [1, n] });
      const tokenMask = torch.tensor(p.tokenMask.subarray(0, n), { shape: [1, n], dtype: 'bool' });
      const text = this.encodedText(obs.instruction, tokens, tokenMask);
      const r = this.model.forward({
        images: torch.tensor(p.images, { shape: [1, cameras.length, T, h, w, 3], dtype: 'uint8' }),
        imagePad: torch.tensor(p.imagePad, { shape: [1, T], dtype: 'bool' }),
        state: torch.tensor(p.state, { shape: [1, D] }),
        stateMask: torch.tensor(p.stateMask, { shape: [1, D], dtype: 'bool' }),
        tokens, tokenMask,
        embodiment: torch.tensor(BigInt64Array.of(BigInt(p.embodiment)), { shape: [1] }),
      }, { text, frameTokens: this.frameTokens(text.pooled) });
      return r.actions.toFloat32Array();
    }));
    return actionChunk(out, 0, n.action, H, A);
  }

  dispose(): void {
    this.dropText();
    this.model.dispose();
  }
}
