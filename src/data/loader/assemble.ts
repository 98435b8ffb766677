// Turning a list of samples into one training batch (typed arrays, ready to become tensors): per sample, the
// camera frames of a short history, the state vector (several features concatenated) normalized with its own
// dataset's statistics and padded to the widest embodiment with a mask, a chunk of future actions normalized the same
// way with a padding mask where the episode ends, and pass-through extras (e.g. the privileged target position).
// Pure: workers call it on their own in-memory sources.

/** What a loader needs of one dataset, in memory inside a worker. */
export interface FrameSource {
  readonly numFrames: number;
  readonly robotType: string;
  /** The episode holding global frame `i`: its [from, to) global frame range. */
  episodeRange(i: number): { from: number; to: number };
  /** A per-frame numeric feature: numFrames x dim values. */
  numeric(key: string): { data: Float32Array; dim: number };
  /** An RGB frame of a video/image feature: H x W x 3. */
  image(key: string, i: number): Uint8Array;
  imageShape(key: string): [number, number];
  task(i: number): string;
}

/** Mean and std per component of a feature (from the dataset's meta/stats.json). */
export interface Norm { mean: Float32Array; std: Float32Array }

export interface BatchSpec {
  /** Camera feature keys, e.g. observation.images.scene. */
  cameras: string[];
  /** Frame offsets of the image history (<= 0), oldest first, e.g. [-1, 0]. */
  imageHistory: number[];
  /** Features concatenated into the state vector. */
  state: string[];
  action: string;
  /** Future actions per sample: offsets 0 .. horizon-1. */
  horizon: number;
  /** Per-frame features passed through as they are. */
  extras: string[];
}

export interface Batch {
  size: number;
  /** [B, cameras, T, H, W, 3] uint8 */
  images: Uint8Array;
  /** [B, T]: 1 where the history frame lies before the episode's start (the first frame is repeated) */
  imagePad: Uint8Array;
  imageShape: [number, number];
  /** [B, D] normalized state, zero beyond a sample's own dimension; [B, D] mask, 1 where real */
  state: Float32Array;
  stateMask: Uint8Array;
  stateDim: number;
  /** [B, H, A] normalized actions; [B, H] 1 where past the episode's end (the last action is repeated) */
  action: Float32Array;
  actionPad: Uint8Array;
  actionDim: number;
  extras: Record<string, { data: Float32Array; dim: number }>;
  dataset: Int32Array;
  frame: Int32Array;
  robotType: string[];
  task: string[];
}

export interface DatasetView { source: FrameSource; state: Norm; action: Norm }

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** The state width of a dataset under `spec`. */
export const stateWidth = (s: FrameSource, spec: BatchSpec): number => spec.state.reduce((a, k) => a + s.numeric(k).dim, 0);

export function assembleBatch(views: readonly DatasetView[], refs: readonly { dataset: number; frame: number }[], spec: BatchSpec): Batch {
  const B = refs.length, T = spec.imageHistory.length, C = spec.cameras.length, H = spec.horizon;
  const shape: [number, number] = C ? views[refs[0]?.dataset ?? 0]!.source.imageShape(spec.cameras[0]!) : [0, 0];
  const px = shape[0] * shape[1] * 3;
  const D = Math.max(...views.map((v) => stateWidth(v.source, spec)));
  const A = views[0]!.source.numeric(spec.action).dim;
  const out: Batch = {
    size: B, images: new Uint8Array(B * C * T * px), imagePad: new Uint8Array(B * T), imageShape: shape,
    state: new Float32Array(B * D), stateMask: new Uint8Array(B * D), stateDim: D,
    action: new Float32Array(B * H * A), actionPad: new Uint8Array(B * H), actionDim: A,
    extras: {}, dataset: new Int32Array(B), frame: new Int32Array(B), robotType: [], task: [],
  };
  for (const k of spec.extras) out.extras[k] = { data: new Float32Array(B * views[0]!.source.numeric(k).dim), dim: views[0]!.source.numeric(k).dim };
  refs.forEach((r, b) => {
    const v = views[r.dataset];
    if (!v) throw new RangeError(`batch sample ${b}: no dataset ${r.dataset}`);
    const s = v.source;
    if (!(r.frame >= 0 && r.frame < s.numFrames)) throw new RangeError(`batch sample ${b}: frame ${r.frame} outside dataset ${r.dataset} (${s.numFrames} frames)`);
    const { from, to } = s.episodeRange(r.frame);
    out.dataset[b] = r.dataset; out.frame[b] = r.frame; out.robotType.push(s.robotType); out.task.push(s.task(r.frame));
    // images: history frames inside the episode, else the episode's first frame, flagged
    spec.imageHistory.forEach((off, t) => {
      const f = r.frame + off;
      if (f < from) out.imagePad[b * T + t] = 1;
      const src = clamp(f, from, to - 1);
      spec.cameras.forEach((cam, c) => {
        const img = s.image(cam, src);
        if (img.length !== px) throw new Error(`dataset ${r.dataset} camera ${cam}: frame ${src} has ${img.length} bytes, the batch's frames have ${px} (mixed datasets must share the camera size)`);
        out.images.set(img, (((b * C + c) * T + t) * px));
      });
    });
    // state: concatenated features, normalized with this dataset's stats
    let o = 0;
    for (const k of spec.state) {
      const { data, dim } = s.numeric(k);
      for (let j = 0; j < dim; j++) {
        out.state[b * D + o + j] = (data[r.frame * dim + j]! - v.state.mean[o + j]!) / v.state.std[o + j]!;
        out.stateMask[b * D + o + j] = 1;
      }
      o += dim;
    }
    // future actions, padded past the episode's end with the last action
    const act = s.numeric(spec.action);
    if (act.dim !== A) throw new Error(`dataset ${r.dataset}: action '${spec.action}' has ${act.dim} components, the batch's have ${A}`);
    for (let h = 0; h < H; h++) {
      const f = r.frame + h;
      if (f >= to) out.actionPad[b * H + h] = 1;
      const src = Math.min(f, to - 1);
      for (let j = 0; j < A; j++) out.action[(b * H + h) * A + j] = (act.data[src * A + j]! - v.action.mean[j]!) / v.action.std[j]!;
    }
    for (const k of spec.extras) {
      const { data, dim } = s.numeric(k);
      out.extras[k]!.data.set(data.subarray(r.frame * dim, (r.frame + 1) * dim), b * dim);
    }
  });
  return out;
}

/** The buffers of a batch (to transfer it between threads). */
export const batchTransfer = (b: Batch): ArrayBuffer[] =>
  [b.images, b.imagePad, b.state, b.stateMask, b.action, b.actionPad, b.dataset, b.frame, ...Object.values(b.extras).map((e) => e.data)].map((a) => a.buffer as ArrayBuffer);
