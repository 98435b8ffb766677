// EnvPool: many envs spread over worker threads (one per core by default), for parallel rollouts. Either step all
// envs in lock-step (a vectorized env: resetAll / stepAll), or hand whole episodes to whichever env is free
// (runEpisodes). Errors inside a worker come back as rejected promises with the worker's message.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { EnvConfigInput } from '../env.ts';
import type { EpisodeJob, EpisodeResult, Reply, Request, ResetValue, StepValue, TakeoverJob } from './protocol.ts';

export type { EpisodeJob, EpisodeResult, TakeoverJob, TaskModule } from './protocol.ts';

interface Slot { worker: Worker; local: number }

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

export class EnvPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (r: Reply) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        if (r.ok) p.resolve(r.value); else p.reject(new Error(r.error));
      });
      const failAll = (e: Error) => { for (const p of this.pending.values()) p.reject(e); this.pending.clear(); };
      w.on('error', failAll);
      w.on('exit', (code) => { if (!this.closed) failAll(new Error(`env pool worker exited with code ${code}`)); });
    }
  }

  /**
   * Starts `workers` threads (default: one per core) with `envsPerWorker` envs each, all built from `config`.
   * `taskModule` (a module URL or absolute path, see TaskModule) gives the envs their task hooks and an expert;
   * `taskArgs` reach its hooks() (e.g. which registered task to build).
   */
  static async create(config: EnvConfigInput, opts: { workers?: number; envsPerWorker?: number; taskModule?: string | URL; taskArgs?: unknown } = {}): Promise<EnvPool> {
    const n = opts.workers ?? availableParallelism();
    const per = opts.envsPerWorker ?? 1;
    if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(per) && per >= 1)) throw new RangeError(`EnvPool: workers and envsPerWorker must be positive integers, got ${n} and ${per}`);
    const entry = new URL('./worker-entry.mjs', import.meta.url);
    const module = new URL('./worker.ts', import.meta.url).href;
    const workers = Array.from({ length: n }, () => new Worker(entry, { workerData: { module } }));
    const pool = new EnvPool(workers);
    try {
      const taskModule = opts.taskModule === undefined ? undefined : opts.taskModule instanceof URL ? opts.taskModule.href
        : opts.taskModule.startsWith('file:') ? opts.taskModule : pathToFileURL(opts.taskModule).href;
      await Promise.all(workers.map((w) => pool.call(w, { type: 'init', config, envs: per, taskModule, taskArgs: opts.taskArgs })));
    } catch (e) {
      await pool.close();
      throw e;
    }
    for (let k = 0; k < per; k++) for (const w of workers) pool.slots.push({ worker: w, local: k });
    return pool;
  }

  get size(): number { return this.slots.length; }

  private call(worker: Worker, body: Body<Request>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('EnvPool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id });
    });
  }

  resetAll(seeds: number[]): Promise<ResetValue[]> {
    if (seeds.length !== this.size) throw new RangeError(`resetAll: ${seeds.length} seeds for ${this.size} envs`);
    return Promise.all(this.slots.map((s, i) => this.call(s.worker, { type: 'reset', env: s.local, seed: seeds[i]! }) as Promise<ResetValue>));
  }

  /** Resets env `i` alone (e.g. when its episode ended while the others run on). */
  reset(i: number, seed: number): Promise<ResetValue> {
    const s = this.slots[i];
    if (!s) throw new RangeError(`reset: no env ${i} (the pool has ${this.size})`);
    return this.call(s.worker, { type: 'reset', env: s.local, seed }) as Promise<ResetValue>;
  }

  /** Steps env `i` alone. */
  step(i: number, action: number[]): Promise<StepValue> {
    const s = this.slots[i];
    if (!s) throw new RangeError(`step: no env ${i} (the pool has ${this.size})`);
    return this.call(s.worker, { type: 'step', env: s.local, action }) as Promise<StepValue>;
  }

  stepAll(actions: number[][]): Promise<StepValue[]> {
    if (actions.length !== this.size) throw new RangeError(`stepAll: ${actions.length} actions for ${this.size} envs`);
    return Promise.all(this.slots.map((s, i) => this.call(s.worker, { type: 'step', env: s.local, action: actions[i]! }) as Promise<StepValue>));
  }

  /**
   * The task module's expert takes env `i` over from its current state (after reset/step calls) and runs to the end of
   * the episode or job.maxSteps; with job.record the result carries the expert's part as a Rollout. Once per episode.
   */
  takeover(i: number, job: TakeoverJob): Promise<EpisodeResult> {
    const s = this.slots[i];
    if (!s) throw new RangeError(`takeover: no env ${i} (the pool has ${this.size})`);
    return this.call(s.worker, { type: 'takeover', env: s.local, job }) as Promise<EpisodeResult>;
  }

  /** Runs every job on the next free env; results come back in job order. */
  async runEpisodes(jobs: EpisodeJob[], onDone?: (r: EpisodeResult, done: number) => void): Promise<EpisodeResult[]> {
    const results: EpisodeResult[] = new Array(jobs.length);
    let next = 0, done = 0;
    await Promise.all(this.slots.map(async (s) => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = (await this.call(s.worker, { type: 'episode', env: s.local, job: jobs[i]! })) as EpisodeResult;
        onDone?.(results[i]!, ++done);
      }
    }));
    return results;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled(this.workers.map((w) => this.call(w, { type: 'close' })));
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
