// Which frames each batch holds, decided up front from the seed alone (so the order is the same whatever thread
// prepares which batch): without weights, each epoch is a seeded permutation of every frame of every dataset;
// with per-dataset weights, each sample first draws its dataset by weight, then a frame uniformly (with replacement),
// so that a small dataset of another embodiment is not drowned by a large one.
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
  /** Drop the last incomplete batch of an epoch (default true). */
  dropLast?: boolean;
}

export class BatchSampler {
  private readonly offsets: number[];
  private readonly total: number;
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
    if ((o.dropLast ?? true) && !o.weights && this.total < o.batchSize) throw new RangeError(`sampler: ${this.total} frames in all, fewer than one batch of ${o.batchSize}`);
  }

  /** Batches per epoch (weighted sampling: as many as the unweighted epoch would have). */
  get batchesPerEpoch(): number {
    return (this.o.dropLast ?? true) ? Math.floor(this.total / this.o.batchSize) : Math.ceil(this.total / this.o.batchSize);
  }

  /** The samples of batch number `b` (0, 1, 2, ... across epochs). */
  batch(b: number): SampleRef[] {
    const B = this.o.batchSize;
    if (this.o.weights) {
      const r = seededRandom((this.o.seed * 0x9e3779b1) ^ (b * 0x85ebca6b));
      const w = this.o.weights, sum = w.reduce((a, x) => a + x, 0);
      return Array.from({ length: B }, () => {
        let u = r() * sum, d = 0;
        while (d < w.length - 1 && (u -= w[d]!) >= 0) d++;
        while (w[d] === 0) d--; // float edge: never an empty dataset
        return { dataset: d, frame: Math.floor(r() * this.o.sizes[d]!) };
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
