// Which frames each batch holds, decided up front from the seed alone (so the order is the same whatever thread
// prepares which batch): without weights, each epoch is a seeded permutation of every frame of every dataset;
// with per-dataset weights, each sample first draws its dataset by weight, then a frame uniformly (with replacement),
// so that a small dataset of another embodiment is not drowned by a large one. Per-frame weights (e.g. the frames
// before a grasp drawn more often, src/train/sampling.ts) make the frame draw weighted too; without per-dataset
// weights each dataset then weighs its frames' total.
import { seededRandom } from '../../sim/random.ts';

/** A sample: dataset number and frame (global index within that dataset). */
export interface SampleRef { dataset: number; frame: number }

export interface SamplerOptions {
  /** Frames per dataset. */
  sizes: readonly number[];
  batchSize: number;
  seed: number;
  /** Per-dataset sampling weights (default: every frame equally, epoch by epoch). */
  weights?: readonly number[];
  /** Per dataset, a weight for each of its frames (null: all alike); draws with replacement. */
  frameWeights?: readonly (Float64Array | null)[];
  /** Drop the last incomplete batch of an epoch (default true). */
  dropLast?: boolean;
}

export class BatchSampler {
  private readonly offsets: number[];
  private readonly total: number;
  /** Per dataset with frame weights: their running sums (the frame draw's CDF). */
  private readonly cdfs: (Float64Array | null)[];
  /** The per-dataset weights in use (o.weights, or each dataset's frame mass when only frame weights are given). */
  private readonly drawWeights: readonly number[] | null;
  private epochPerm: Uint32Array | null = null;
  private epochOf = -1;

  constructor(private readonly o: SamplerOptions) {
    if (o.sizes.length === 0 || o.sizes.some((n) => !(Number.isInteger(n) && n >= 0))) throw new RangeError(`sampler: dataset sizes must be non-negative integers, got [${o.sizes.join(', ')}]`);
    if (!(Number.isInteger(o.batchSize) && o.batchSize > 0)) throw new RangeError(`sampler: batchSize must be a positive integer, got ${o.batchSize}`);
    if (o.weights && (o.weights.length !== o.sizes.length || o.weights.some((w, i) => !(w >= 0) || (w > 0 && o.sizes[i] === 0)) || !o.weights.some((w) => w > 0))) {
      throw new RangeError(`sampler: weights [${o.weights.join(', ')}] must be one non-negative number per dataset (sizes [${o.sizes.join(', ')}]), some positive, none on an empty dataset`);
    }
    this.offsets = [];
    let acc = 0;
    for (const n of o.sizes) { this.offsets.push(acc); acc += n; }
    this.total = acc;
    if (this.total === 0) throw new RangeError('sampler: every dataset is empty');
    const fw = o.frameWeights;
    if (fw && fw.length !== o.sizes.length) throw new RangeError(`sampler: frameWeights has ${fw.length} entries for ${o.sizes.length} datasets`);
    this.cdfs = o.sizes.map((n, d) => {
      const w = fw?.[d];
      if (!w) return null;
      if (w.length !== n) throw new RangeError(`sampler: dataset ${d} has ${n} frames but ${w.length} frame weights`);
      const cdf = new Float64Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (!(w[i]! >= 0 && Number.isFinite(w[i]!))) throw new RangeError(`sampler: dataset ${d}, frame ${i}: weight ${w[i]} is not a finite non-negative number`);
        cdf[i] = sum += w[i]!;
      }
      if (n > 0 && !(sum > 0)) throw new RangeError(`sampler: dataset ${d}: every frame weight is 0`);
      return cdf;
    });
    this.drawWeights = o.weights ?? (fw ? o.sizes.map((n, d) => (this.cdfs[d] ? this.cdfs[d]![n - 1] ?? 0 : n)) : null);
    if ((o.dropLast ?? true) && !this.drawWeights && this.total < o.batchSize) throw new RangeError(`sampler: ${this.total} frames in all, fewer than one batch of ${o.batchSize}`);
  }

  /** Batches per epoch (weighted sampling: as many as the unweighted epoch would have). */
  get batchesPerEpoch(): number {
    return (this.o.dropLast ?? true) ? Math.floor(this.total / this.o.batchSize) : Math.ceil(this.total / this.o.batchSize);
  }

  /** The samples of batch number `b` (0, 1, 2, ... across epochs). */
  batch(b: number): SampleRef[] {
    const B = this.o.batchSize;
    if (this.drawWeights) {
      const r = seededRandom((this.o.seed * 0x9e3779b1) ^ (b * 0x85ebca6b));
      const w = this.drawWeights, sum = w.reduce((a, x) => a + x, 0);
      return Array.from({ length: B }, () => {
        let u = r() * sum, d = 0;
        while (d < w.length - 1 && (u -= w[d]!) >= 0) d++;
        while (w[d] === 0) d--; // float edge: never an empty dataset
        const cdf = this.cdfs[d];
        return { dataset: d, frame: cdf ? drawFrame(cdf, r()) : Math.floor(r() * this.o.sizes[d]!) };
      });
    }
    const per = this.batchesPerEpoch;
    const epoch = Math.floor(b / per), k = b % per;
    const perm = this.permutation(epoch);
    const out: SampleRef[] = [];
    for (let i = k * B; i < Math.min(perm.length, (k + 1) * B); i++) out.push(this.locate(perm[i]!));
    return out;
  }

  private permutation(epoch: number): Uint32Array {
    if (this.epochOf !== epoch || !this.epochPerm) {
      const p = new Uint32Array(this.total);
      for (let i = 0; i < p.length; i++) p[i] = i;
      const r = seededRandom((this.o.seed + 1) * 2654435761 + epoch);
      for (let i = p.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); const t = p[i]!; p[i] = p[j]!; p[j] = t; }
      this.epochPerm = p;
      this.epochOf = epoch;
    }
    return this.epochPerm;
  }

  private locate(g: number): SampleRef {
    let d = this.offsets.length - 1;
    while (this.offsets[d]! > g) d--;
    return { dataset: d, frame: g - this.offsets[d]! };
  }
}

/** The frame whose CDF interval holds u * total (binary search; frames of weight 0 are never drawn). */
function drawFrame(cdf: Float64Array, u: number): number {
  const x = u * cdf[cdf.length - 1]!;
  let lo = 0, hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > x) hi = mid; else lo = mid + 1;
  }
  return lo;
}
