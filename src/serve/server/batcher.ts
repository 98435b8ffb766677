// Micro-batching of prepared observations across connections: jobs queue; a batch runs when max-batch jobs wait, when
// every open connection has one waiting (nobody else can join, so waiting would only add latency: a lone robot never
// waits), or when max-wait ms have passed since the oldest job arrived. A batch runs at most max-batch jobs in one call
// of `run`; the rest wait for the next turn.

export interface BatchOptions {
  maxBatch: number;
  maxWaitMs: number;
}

export class Batcher<J extends { enqueuedAt: number }> {
  private queue: J[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    private readonly opts: BatchOptions,
    private readonly run: (jobs: J[]) => void,
    /** How many jobs could possibly be waiting (open connections): a full house runs at once. */
    private readonly capacity: () => number,
  ) {}

  get waiting(): number { return this.queue.length; }

  push(job: J): void {
    if (this.closed) return;
    this.queue.push(job);
    this.schedule();
  }

  /** Removes the queued jobs that match (a closed connection's). */
  drop(match: (j: J) => boolean): void {
    this.queue = this.queue.filter((j) => !match(j));
    if (this.queue.length === 0) this.clearTimers();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null; this.immediate = null;
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.immediate) return;
    const full = this.queue.length >= this.opts.maxBatch || this.queue.length >= this.capacity();
    const waited = performance.now() - this.queue[0]!.enqueuedAt;
    if (full || waited >= this.opts.maxWaitMs) {
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
      // setImmediate: frames already read in this I/O turn join the batch first
      this.immediate = setImmediate(() => { this.immediate = null; this.flush(); });
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = null; this.flush(); }, Math.max(0, this.opts.maxWaitMs - waited));
    }
  }

  private flush(): void {
    if (this.closed || this.queue.length === 0) return;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const jobs = this.queue.splice(0, this.opts.maxBatch);
    try {
      this.run(jobs);
    } finally {
      this.schedule();
    }
  }
}
