// The training data loader: shuffled batches from one or several datasets (different embodiments welcome: each is
// normalized with its own statistics and the state is padded to the widest), prepared by worker threads ahead of
// time, delivered in a fixed order for a seed, and turned into tensors of the tensor library. Video frames come from
// each dataset's decoded-frame cache, built once before the workers start, so decoding never starves training.
import { Worker } from 'node:worker_threads';
import { BatchSampler } from './sampler.ts';
import type { Batch, BatchSpec } from './assemble.ts';
import { datasetNorms, prepareSource, type SourceInfo } from './source.ts';
import type { LoaderReply, LoaderRequest } from './protocol.ts';

export type { Batch, BatchSpec } from './assemble.ts';

export interface LoaderOptions {
  /** weight: the dataset's sampling weight; frameWeights: one per frame (BatchSampler), e.g. src/train/sampling.ts's. */
  datasets: { dir: string; weight?: number; frameWeights?: Float64Array }[];
  spec: BatchSpec;
  batchSize: number;
  seed: number;
  /** Worker threads preparing batches (default 1). */
  workers?: number;
  /** Batches prepared ahead (default 2 per worker). */
  prefetch?: number;
  dropLast?: boolean;
}

export class DataLoader {
  private next = 0;
  private readonly inflight = new Map<number, Promise<Batch>>();
  private readonly pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private rr = 0;
  private closed = false;

  private constructor(
    private readonly workers: Worker[], readonly sampler: BatchSampler, private readonly prefetch: number,
    readonly sources: SourceInfo[],
  ) {
    for (const w of workers) {
      w.on('message', (m: LoaderReply) => {
        const p = this.pending.get(m.batch);
        if (!p) return;
        this.pending.delete(m.batch);
        if (m.ok) p.resolve(m.value); else p.reject(new Error(m.error));
      });
      const fail = (e: Error) => { for (const p of this.pending.values()) p.reject(e); this.pending.clear(); };
      w.on('error', fail);
      w.on('exit', (code) => { if (!this.closed) fail(new Error(`data loader worker exited with code ${code}`)); });
    }
  }

  static async create(o: LoaderOptions): Promise<DataLoader> {
    if (o.datasets.length === 0) throw new Error('data loader: no datasets');
    // open every dataset once here: validates the spec against its features and builds its frame cache
    const sources = await Promise.all(o.datasets.map((d) => prepareSource(d.dir, o.spec)));
    const norms = sources.map((s) => datasetNorms(s, o.spec));
    const weights = o.datasets.some((d) => d.weight !== undefined) ? o.datasets.map((d) => d.weight ?? 1) : undefined;
    const frameWeights = o.datasets.some((d) => d.frameWeights) ? o.datasets.map((d) => d.frameWeights ?? null) : undefined;
    const sampler = new BatchSampler({ sizes: sources.map((s) => s.numFrames), batchSize: o.batchSize, seed: o.seed, weights, frameWeights, dropLast: o.dropLast });
    const n = o.workers ?? 1;
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`data loader: workers must be a positive integer, got ${n}`);
    const entry = new URL('../../sim/pool/worker-entry.mjs', import.meta.url);
    const module = new URL('./worker.ts', import.meta.url).href;
    const workers = Array.from({ length: n }, () => new Worker(entry, { workerData: { module } }));
    const loader = new DataLoader(workers, sampler, o.prefetch ?? 2 * n, sources);
    try {
      await Promise.all(workers.map((w, i) => loader.call(w, -1 - i, { type: 'init', dirs: o.datasets.map((d) => d.dir), spec: o.spec, norms })));
    } catch (e) {
      await loader.close();
      throw e;
    }
    return loader;
  }

  get batchesPerEpoch(): number { return this.sampler.batchesPerEpoch; }

  private call(w: Worker, batch: number, req: LoaderRequest): Promise<Batch> {
    if (this.closed) return Promise.reject(new Error('data loader is closed'));
    return new Promise((resolve, reject) => {
      this.pending.set(batch, { resolve, reject });
      w.postMessage({ ...req, batch });
    });
  }

  private request(b: number): Promise<Batch> {
    let p = this.inflight.get(b);
    if (!p) {
      const w = this.workers[this.rr++ % this.workers.length]!;
      p = this.call(w, b, { type: 'batch', refs: this.sampler.batch(b) });
      this.inflight.set(b, p);
    }
    return p;
  }

  /** The next batch in order (batch numbers run on across epochs); keeps `prefetch` batches in preparation. */
  async nextBatch(): Promise<Batch> {
    const b = this.next++;
    for (let k = b; k < b + 1 + this.prefetch; k++) this.request(k);
    const batch = await this.request(b);
    this.inflight.delete(b);
    return batch;
  }

  /** Batch number `b` directly (same content as the b-th nextBatch()). */
  batch(b: number): Promise<Batch> {
    const p = this.request(b);
    return p.finally(() => this.inflight.delete(b));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
