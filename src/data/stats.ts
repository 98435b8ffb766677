// Per-feature statistics of an episode and their merge across episodes, computed the way LeRobot does
// (lerobot/datasets/compute_stats.py, read on GitHub): min, max, mean, std (population), count and the quantiles
// q01 q10 q50 q90 q99 per dimension. Quantiles come from a 5000-bin histogram between min - 1e-10 and max + 1e-10
// with linear interpolation inside the bin (RunningQuantileStats); for float32 (and uint8/bool) data the bin
// edges are computed in float32, as numpy 2 does, so the quantiles match LeRobot's to the last bit of float32
// rounding. Images and videos: LeRobot's frame sampling (sample_indices) and downsampling of frames of 300 px or
// more, stats per channel over all sampled pixels, divided by 255; count is the number of sampled frames.
// Merging (aggregate_stats): min of mins, max of maxes, count-weighted mean, parallel variance, and quantiles as
// the count-weighted mean of the episodes' quantiles (LeRobot's own approximation; it is not the global quantile).
import { featureSize, type Column, type Feature } from './features.ts';

export const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.99] as const;
export const QUANTILE_KEYS = ['q01', 'q10', 'q50', 'q90', 'q99'] as const;
export type QuantileKey = (typeof QUANTILE_KEYS)[number];
const BINS = 5000;

/** One feature's stats; every entry is flat per dimension (images: 3 values, one per channel; count: [n]). */
export type FeatureStats = { min: number[]; max: number[]; mean: number[]; std: number[]; count: number[] } & Partial<Record<QuantileKey, number[]>>;

const f32 = Math.fround;

/** numpy's rint / np.round: half to even. */
const rint = (x: number) => { const r = Math.round(x); return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r; };

/** LeRobot's estimate_num_samples + sample_indices: which frames of an episode go into image stats. */
export function sampleIndices(n: number): number[] {
  const min = n < 100 ? n : 100;
  const num = Math.max(min, Math.min(Math.floor(n ** 0.75), 10_000));
  if (num <= 1) return num === 1 ? [0] : [];
  const step = (n - 1) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? n - 1 : rint(i * step)));
}

/** Histogram bin edges as np.linspace(lo, hi, BINS + 1) computes them, in float32 or float64. */
function edgesOf(min: number, max: number, float32: boolean): Float64Array {
  const e = new Float64Array(BINS + 1);
  if (float32) {
    const lo = f32(min - f32(1e-10)), hi = f32(max + f32(1e-10)), step = f32(f32(hi - lo) / BINS);
    for (let i = 0; i < BINS; i++) e[i] = f32(f32(i * step) + lo);
    e[BINS] = hi;
  } else {
    const lo = min - 1e-10, hi = max + 1e-10, step = (hi - lo) / BINS;
    for (let i = 0; i < BINS; i++) e[i] = i * step + lo;
    e[BINS] = hi;
  }
  return e;
}

/** np.histogram's bin of x for explicit edges: e[i] <= x < e[i+1], the last bin closed; -1 when outside. */
function binOf(e: Float64Array, x: number): number {
  if (!(x >= e[0]!) || x > e[BINS]!) return -1;
  let lo = 0, hi = BINS + 1; // first index with e[idx] > x
  while (lo < hi) { const mid = (lo + hi) >> 1; if (e[mid]! > x) hi = mid; else lo = mid + 1; }
  return Math.min(lo - 1, BINS - 1);
}

/** RunningQuantileStats._compute_single_quantile over a histogram. */
function quantileOf(hist: Float64Array, e: Float64Array, target: number, float32: boolean): number {
  let cum = 0, idx = 0;
  for (; idx < BINS; idx++) { cum += hist[idx]!; if (cum >= target) break; } // np.searchsorted(cumsum, target) (left)
  if (idx === 0) return e[0]!;
  if (idx >= BINS) return e[BINS]!;
  const before = cum - hist[idx]!, inBin = hist[idx]!;
  if (inBin === 0) return e[idx]!;
  const width = float32 ? f32(e[idx + 1]! - e[idx]!) : e[idx + 1]! - e[idx]!;
  return e[idx]! + ((target - before) / inBin) * width;
}

/** Stats of one dimension given its values through `each` (n values), as LeRobot computes them. */
function dimStats(n: number, each: (f: (x: number, weight: number) => void) => void, float32: boolean, elements: number) {
  let min = Infinity, max = -Infinity, sum = 0;
  each((x, w) => { if (x < min) min = x; if (x > max) max = x; sum += x * w; });
  const mean = sum / n;
  let ss = 0;
  each((x, w) => { ss += (x - mean) * (x - mean) * w; });
  const std = Math.sqrt(ss / n);
  const q: number[] = [];
  if (elements < 2) for (const _ of QUANTILES) q.push(mean); // _compute_basic_stats: quantiles are the mean
  else {
    const e = edgesOf(min, max, float32), hist = new Float64Array(BINS);
    each((x, w) => { const b = binOf(e, x); if (b >= 0) hist[b] += w; });
    for (const p of QUANTILES) q.push(quantileOf(hist, e, p * elements, float32));
  }
  return { min, max, mean, std, q };
}

function assemble(dims: ReturnType<typeof dimStats>[], count: number, divide = 1): FeatureStats {
  const s: FeatureStats = { min: dims.map((d) => d.min / divide), max: dims.map((d) => d.max / divide), mean: dims.map((d) => d.mean / divide),
    std: dims.map((d) => d.std / divide), count: [count] };
  QUANTILE_KEYS.forEach((k, i) => { s[k] = dims.map((d) => d.q[i]! / divide); });
  return s;
}

/** Height and width of an image/video feature (shape [H, W, C], or [C, H, W] when names say channels first). */
function imageSize(f: Feature): { h: number; w: number } {
  const s = f.shape;
  if (s.length !== 3) throw new RangeError(`featureStats: a(n) ${f.dtype} feature needs a 3-D shape, got [${s.join(', ')}]`);
  const chw = Array.isArray(f.names) && f.names[0] === 'channels' || (s[0]! <= 4 && s[2]! > 4);
  return chw ? { h: s[1]!, w: s[2]! } : { h: s[0]!, w: s[1]! };
}

function imageStats(frames: (Uint8Array | Float32Array)[], f: Feature): FeatureStats {
  if (frames.length === 0) throw new RangeError('featureStats: no frames');
  const { h, w } = imageSize(f);
  const c = frames[0]!.length / (h * w);
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`featureStats: a frame of ${frames[0]!.length} values does not fit ${h}x${w}`);
  frames.forEach((fr, i) => { if (fr.length !== h * w * c) throw new RangeError(`featureStats: frame ${i} has ${fr.length} values, expected ${h}x${w}x${c}`); });
  const picked = sampleIndices(frames.length).map((i) => frames[i]!);
  const k = Math.max(w, h) < 300 ? 1 : Math.trunc(w > h ? w / 150 : h / 150); // auto_downsample_height_width: img[:, ::k, ::k]
  const rows = Math.ceil(h / k), cols = Math.ceil(w / k), elements = picked.length * rows * cols;
  const isBytes = picked[0] instanceof Uint8Array;
  const dims: ReturnType<typeof dimStats>[] = [];
  for (let ch = 0; ch < c; ch++) {
    if (isBytes) { // uint8: count each byte value once, then weigh it
      const counts = new Float64Array(256);
      for (const fr of picked) for (let y = 0; y < h; y += k) for (let x = 0; x < w; x += k) counts[fr[(y * w + x) * c + ch]!]++;
      dims.push(dimStats(elements, (fn) => { for (let v = 0; v < 256; v++) if (counts[v]) fn(v, counts[v]!); }, true, elements));
    } else {
      dims.push(dimStats(elements, (fn) => { for (const fr of picked) for (let y = 0; y < h; y += k) for (let x = 0; x < w; x += k) fn(fr[(y * w + x) * c + ch]!, 1); }, true, elements));
    }
  }
  return assemble(dims, picked.length, isBytes ? 255 : 1);
}

/**
 * Stats of one feature over one episode. Numeric features: a Column of length x prod(shape) values. Image and video
 * features: the episode's H x W x 3 uint8 frames (values /255), or H x W float32 depth frames (metres, not scaled).
 */
export function featureStats(values: Column | Uint8Array[] | Float32Array[], feature: Feature): FeatureStats {
  if (feature.dtype === 'string') throw new RangeError('featureStats: string features have no stats');
  if (feature.dtype === 'image' || feature.dtype === 'video') {
    if (!Array.isArray(values)) throw new RangeError(`featureStats: a(n) ${feature.dtype} feature needs one array per frame`);
    return imageStats(values, feature);
  }
  if (Array.isArray(values)) throw new RangeError(`featureStats: a ${feature.dtype} feature needs a Column (typed array), got an array of frames`);
  const d = featureSize(feature);
  const n = values.length / d;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`featureStats: ${values.length} values do not make whole frames of ${d} (shape [${feature.shape.join(', ')}])`);
  const float32 = values instanceof Float32Array || values instanceof Uint8Array; // numpy promotes these to float32, the rest to float64
  const num = values instanceof BigInt64Array ? (i: number) => Number(values[i]!) : (i: number) => (values as Exclude<Column, BigInt64Array>)[i]!;
  const dims = Array.from({ length: d }, (_, j) => dimStats(n, (fn) => { for (let i = 0; i < n; i++) fn(num(i * d + j), 1); }, float32, n));
  return assemble(dims, n);
}

/** LeRobot's aggregate_stats: merges per-episode stats (the union of their features). */
export function aggregateStats(perEpisode: Record<string, FeatureStats>[]): Record<string, FeatureStats> {
  const keys = [...new Set(perEpisode.flatMap((s) => Object.keys(s)))];
  const out: Record<string, FeatureStats> = {};
  for (const key of keys) {
    const list = perEpisode.map((s, e) => [s[key], e] as const).filter((x): x is readonly [FeatureStats, number] => x[0] !== undefined);
    const dim = list[0]![0].mean.length;
    for (const [s, e] of list) {
      for (const k of ['min', 'max', 'mean', 'std'] as const) if (s[k]?.length !== dim) throw new RangeError(`aggregateStats: ${key} of entry ${e} has ${k} of length ${s[k]?.length}, expected ${dim}`);
      if (s.count?.length !== 1 || !(s.count[0]! >= 0)) throw new RangeError(`aggregateStats: ${key} of entry ${e} needs count [n], got ${JSON.stringify(s.count)}`);
    }
    const total = list.reduce((a, [s]) => a + s.count[0]!, 0);
    if (!(total > 0)) throw new RangeError(`aggregateStats: ${key} has a total count of 0`);
    const over = (f: (s: FeatureStats, j: number) => number) => Array.from({ length: dim }, (_, j) => list.reduce((a, [s]) => a + f(s, j), 0));
    const mean = over((s, j) => s.mean[j]! * s.count[0]!).map((v) => v / total);
    const variance = over((s, j) => (s.std[j]! ** 2 + (s.mean[j]! - mean[j]!) ** 2) * s.count[0]!).map((v) => v / total);
    const r: FeatureStats = {
      min: Array.from({ length: dim }, (_, j) => Math.min(...list.map(([s]) => s.min[j]!))),
      max: Array.from({ length: dim }, (_, j) => Math.max(...list.map(([s]) => s.max[j]!))),
      mean, std: variance.map(Math.sqrt), count: [total],
    };
    for (const q of QUANTILE_KEYS) {
      if (list[0]![0][q] === undefined || !list.every(([s]) => s[q]?.length === dim)) continue; // only when every entry has it
      r[q] = over((s, j) => s[q]![j]! * s.count[0]!).map((v) => v / total);
    }
    out[key] = r;
  }
  return out;
}

const isImage = (f: Feature | undefined) => f?.dtype === 'image' || f?.dtype === 'video';

/** Stats in LeRobot's JSON layout (stats.json, episodes stats): image/video entries nested as [C, 1, 1]. */
export function toLeRobotStats(stats: Record<string, FeatureStats>, features: Record<string, Feature>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, Object.fromEntries(Object.entries(s).map(([name, v]) =>
    [name, name !== 'count' && isImage(features[k]) ? (v as number[]).map((x) => [[x]]) : v]))]));
}

/** Reads LeRobot's JSON stats (any nesting, e.g. [3, 1, 1]) back into flat FeatureStats. */
export function fromLeRobotStats(json: Record<string, Record<string, unknown>>): Record<string, FeatureStats> {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);
  return Object.fromEntries(Object.entries(json).map(([k, s]) => [k, Object.fromEntries(Object.entries(s).map(([n, v]) => [n, flat(v)])) as FeatureStats]));
}
