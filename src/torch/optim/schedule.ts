// Learning-rate schedules as plain functions of the step (0-based), and a scheduler that applies one to an
// optimizer's lr (every param group follows, scaled by its own lr ratio).
import { z } from 'zod';
import { parseOptions, type Optimizer } from './optimizer.ts';

export type Schedule = (step: number) => number;

/** The same lr at every step. */
export function constant(lr: number): Schedule {
  if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`constant: lr must be a finite number >= 0, got ${lr}`);
  return () => lr;
}

export const WarmupCosineOptions = z.object({
  baseLr: z.number().positive().finite(),
  warmupSteps: z.number().int().min(0),
  totalSteps: z.number().int().positive(),
  minLr: z.number().min(0).finite().default(0),
}).strict()
  .refine((o) => o.warmupSteps <= o.totalSteps, { message: 'warmupSteps must not exceed totalSteps', path: ['warmupSteps'] })
  .refine((o) => o.minLr <= o.baseLr, { message: 'minLr must not exceed baseLr', path: ['minLr'] });

/**
 * Linear warm-up to baseLr over warmupSteps (step s < warmupSteps gives baseLr * (s + 1) / warmupSteps), then cosine
 * decay from baseLr at step warmupSteps to minLr at step totalSteps, held at minLr after.
 */
export function warmupCosine(options: z.input<typeof WarmupCosineOptions>): Schedule {
  const { baseLr, warmupSteps, totalSteps, minLr } = parseOptions(WarmupCosineOptions, options, 'warmupCosine');
  return (step) => {
    if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * t));
  };
}

/** Sets optimizer.lr = schedule(step): schedule(lastStep) at construction, then the next step on each step() call. */
export class LRScheduler {
  private t: number;
  /** lastStep: the step to resume from (default 0: a fresh run). */
  constructor(readonly optimizer: Optimizer, readonly schedule: Schedule, opts: { lastStep?: number } = {}) {
    this.t = opts.lastStep ?? 0;
    if (!(Number.isInteger(this.t) && this.t >= 0)) throw new RangeError(`LRScheduler: lastStep must be an integer >= 0, got ${opts.lastStep}`);
    optimizer.lr = schedule(this.t);
  }
  /** Call once after each optimizer.step(); returns the lr now set. */
  step(): number {
    this.t++;
    this.optimizer.lr = this.schedule(this.t);
    return this.optimizer.lr;
  }
  get lastStep(): number { return this.t; }
}
