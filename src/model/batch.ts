// One forward pass of the Karakuri VLA over several prepared observations (PolicyInput from Policy.prepare), which may
// come from different Policy instances sharing one model (the policy server's connections) or from one Policy (the
// evaluation's env pool): the inputs are concatenated into batch tensors, run once without gradients, and each
// sample's chunk comes back unnormalized with its own arm's statistics, with the room estimate.
// With an EncodingCache per input (one per stream of observations: a server connection), the instruction's text
// encoding and the vision tokens of frames seen in the previous call are reused, as Policy.infer does for batch 1:
// in closed loop only the newest frame of each camera goes through the image encoder.
import * as torch from '../torch/index.ts';
import { actionChunk, sameFrame, signature, type PolicyInput } from './policy.ts';
import type { EncodedText, KarakuriVLA } from './vla.ts';
import { roomDim } from './config.ts';
type Tensor = torch.Tensor;

/**
 * Encodings one stream of observations reuses between forwardBatch calls: its instruction's text encoding and the
 * vision tokens of the frames in its last call (FiLM makes them depend on the text, so a new instruction drops them).
 * Holds libtorch tensors: dispose() when the stream ends.
 */
export class EncodingCache {
  text: { key: string; enc: EncodedText } | null = null;
  frames: { rgb: Uint8Array; sig: number; tokens: Tensor }[] = [];
  /** Frames run through the image encoder so far (the others came from the cache). */
  framesEncoded = 0;

  /** The cached tokens [1, n, dim] of a frame with these pixels, if any. */
  find(rgb: Uint8Array, sig: number): Tensor | undefined {
    return this.frames.find((f) => f.sig === sig && sameFrame(f.rgb, rgb))?.tokens;
  }

  dropFrames(): void {
    for (const f of this.frames) f.tokens.dispose();
    this.frames = [];
  }

  dispose(): void {
    this.dropFrames();
    if (this.text) torch.dispose(this.text.enc);
    this.text = null;
  }
}

export interface BatchResult {
  /** Per input: H actions of actionDim, unnormalized and clipped to the common action space (actionChunk). */
  actions: Float32Array[][];
  /** Per input: the room head's target position estimate (m). */
  room: [number, number, number][];
  /** Per input, with roomGoal: the room head's estimate of the goal's position (m). */
  goal?: [number, number, number][];
}

function cat<A extends Uint8Array | Float32Array | BigInt64Array>(xs: A[], make: (n: number) => A): A {
  const out = make(xs.reduce((a, x) => a + x.length, 0));
  let off = 0;
  for (const x of xs) { (out as Uint8Array).set(x as Uint8Array, off); off += x.length; }
  return out;
}

/**
 * Text encodings [B, L, dim] / [B, dim] and per-frame vision tokens [B, C*T, n, dim] for the inputs, from their caches
 * where possible; what is missing is encoded (texts in one batch; new frames in one batch per count of new frames)
 * and stored. Each cache then keeps only the frames of its current input. Call inside noGrad + tidy.
 */
function cachedEncodings(model: KarakuriVLA, inputs: readonly PolicyInput[], caches: readonly EncodingCache[]): { text: EncodedText; frameTokens: Tensor } {
  const c = model.cfg, L = c.text.maxTokens, [h, w] = c.vision.imageSize, px = h * w * 3, slots = c.cameras.length * c.history;
  const keys = inputs.map((p) => Array.from(p.tokens.subarray(0, Math.max(1, p.tokenMask.reduce((a, m) => a + m, 0))), String).join(','));
  const needText = inputs.map((_, b) => b).filter((b) => caches[b]!.text?.key !== keys[b]);
  if (needText.length) {
    const enc = model.encodeText(
      torch.tensor(cat(needText.map((b) => inputs[b]!.tokens), (n) => new BigInt64Array(n)), { shape: [needText.length, L] }),
      torch.tensor(cat(needText.map((b) => inputs[b]!.tokenMask), (n) => new Uint8Array(n)), { shape: [needText.length, L], dtype: 'bool' }));
    needText.forEach((b, i) => {
      const cache = caches[b]!;
      cache.dispose();   // a new instruction: its frames' tokens (FiLM) are stale too
      cache.text = { key: keys[b]!, enc: { tokens: torch.keep(enc.tokens.narrow(0, i, 1).contiguous()), pooled: torch.keep(enc.pooled.narrow(0, i, 1).contiguous()) } };
    });
  }
  // per input: each slot's frame, and the distinct frames that are not cached yet
  const plan = inputs.map((p, b) => {
    const frames = Array.from({ length: slots }, (_, s) => p.images.subarray(s * px, (s + 1) * px));
    const sigs = frames.map(signature);
    const missing: number[] = [];
    frames.forEach((f, s) => {
      if (caches[b]!.find(f, sigs[s]!)) return;
      if (!missing.some((m) => sigs[m] === sigs[s] && sameFrame(frames[m]!, f))) missing.push(s);
    });
    return { frames, sigs, missing };
  });
  const groups = new Map<number, number[]>();
  plan.forEach((q, b) => { if (q.missing.length) groups.set(q.missing.length, [...(groups.get(q.missing.length) ?? []), b]); });
  for (const [M, bs] of groups) {
    const buf = new Uint8Array(bs.length * M * px);
    bs.forEach((b, g) => plan[b]!.missing.forEach((s, m) => buf.set(plan[b]!.frames[s]!, (g * M + m) * px)));
    const pooled = torch.cat(bs.map((b) => caches[b]!.text!.enc.pooled), 0);
    const tok = model.video.vision.forward(torch.tensor(buf, { shape: [bs.length, M, h, w, 3], dtype: 'uint8' }), pooled); // (G, M, n, dim)
    bs.forEach((b, g) => plan[b]!.missing.forEach((s, m) => {
      caches[b]!.frames.push({ rgb: plan[b]!.frames[s]!.slice(), sig: plan[b]!.sigs[s]!, tokens: torch.keep(tok.select(0, g).select(0, m).unsqueeze(0).contiguous()) });
      caches[b]!.framesEncoded++;
    }));
  }
  const perInput = plan.map((q, b) => {
    const cache = caches[b]!;
    const used = q.frames.map((f, s) => cache.frames.find((e) => e.sig === q.sigs[s] && sameFrame(e.rgb, f))!);
    for (const e of cache.frames) if (!used.includes(e)) e.tokens.dispose();
    cache.frames = cache.frames.filter((e) => used.includes(e));
    return torch.stack(used.map((e) => e.tokens), 1); // (1, C*T, n, dim)
  });
  return {
    text: { tokens: torch.cat(caches.map((k) => k.text!.enc.tokens), 0), pooled: torch.cat(caches.map((k) => k.text!.enc.pooled), 0) },
    frameTokens: torch.cat(perInput, 0),
  };
}

/**
 * Runs `inputs` through `model` as one batch. Inputs are copied before the call returns (callers may reuse buffers
 * after). `caches` (one per input, or none): reuse text and frame encodings per stream (see EncodingCache).
 */
export function forwardBatch(model: KarakuriVLA, inputs: readonly PolicyInput[], caches?: readonly EncodingCache[]): BatchResult {
  if (inputs.length === 0) return { actions: [], room: [] };
  if (caches && caches.length !== inputs.length) throw new RangeError(`forwardBatch: ${caches.length} caches for ${inputs.length} inputs (one per input, or none)`);
  const c = model.cfg, B = inputs.length, [h, w] = c.vision.imageSize, T = c.history, L = c.text.maxTokens;
  const D = inputs[0]!.state.length;
  const px = c.cameras.length * T * h * w * 3;
  inputs.forEach((p, i) => {
    if (p.images.length !== px || p.imagePad.length !== T || p.state.length !== D || p.stateMask.length !== D || p.tokens.length !== L || p.tokenMask.length !== L) {
      throw new RangeError(`forwardBatch: input ${i} does not have the model's shapes (images ${p.images.length}/${px}, imagePad ${p.imagePad.length}/${T}, state ${p.state.length}/${D}, tokens ${p.tokens.length}/${L})`);
    }
  });
  const { actions, room } = torch.noGrad(() => torch.tidy(() => {
    const cached = caches ? cachedEncodings(model, inputs, caches) : {};
    const r = model.forward({
      images: torch.tensor(cat(inputs.map((p) => p.images), (n) => new Uint8Array(n)), { shape: [B, c.cameras.length, T, h, w, 3], dtype: 'uint8' }),
      imagePad: torch.tensor(cat(inputs.map((p) => p.imagePad), (n) => new Uint8Array(n)), { shape: [B, T], dtype: 'bool' }),
      state: torch.tensor(cat(inputs.map((p) => p.state), (n) => new Float32Array(n)), { shape: [B, D] }),
      stateMask: torch.tensor(cat(inputs.map((p) => p.stateMask), (n) => new Uint8Array(n)), { shape: [B, D], dtype: 'bool' }),
      tokens: torch.tensor(cat(inputs.map((p) => p.tokens), (n) => new BigInt64Array(n)), { shape: [B, L] }),
      tokenMask: torch.tensor(cat(inputs.map((p) => p.tokenMask), (n) => new Uint8Array(n)), { shape: [B, L], dtype: 'bool' }),
      embodiment: torch.tensor(BigInt64Array.from(inputs, (p) => BigInt(p.embodiment)), { shape: [B] }),
    }, cached);
    return { actions: r.actions.toFloat32Array(), room: r.room.toFloat32Array() };
  }));
  const H = c.horizon, A = c.actionDim, R = roomDim(c);
  const xyz = (b: number, at: number): [number, number, number] => [room[b * R + at]!, room[b * R + at + 1]!, room[b * R + at + 2]!];
  return {
    actions: inputs.map((p, b) => actionChunk(actions, b, p.norm.action, H, A)),
    room: inputs.map((_, b) => xyz(b, 0)),
    ...(R === 6 ? { goal: inputs.map((_, b) => xyz(b, 3)) } : {}),
  };
}
