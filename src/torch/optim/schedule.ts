// Learning-rate schedules as plain functions of the step, and a scheduler that applies one to an optimizer.
import { z } from 'zod';
import type { Optimizer } from './optimizer.ts';

export type Schedule = (step: number) => number;

export const constant = (lr: number): Schedule => () => lr;

export const WarmupCosineOptions = z.object({
  baseLr: z.number().positive(),
  warmupSteps: z.number().int().min(0),
  totalSteps: z.number().int().positive(),
  minLr: z.number().min(0).default(0),
}).strict().refine((o) => o.warmupSteps <= o.totalSteps, { message: 'warmupSteps must not exceed totalSteps' });

/** Linear warm-up from 0 to baseLr over warmupSteps, then cosine decay to minLr at totalSteps (held after). */
export function warmupCosine(options: z.input<typeof WarmupCosineOptions>): Schedule {
  const parsed = WarmupCosineOptions.safeParse(options);
  if (!parsed.success) throw new Error(`warmupCosine: invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  const { baseLr, warmupSteps, totalSteps, minLr } = parsed.data;
  return (step) => {
    if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * t));
  };
}

/** Sets optimizer.lr = schedule(step) on each step() call (call it once per optimizer step). */
export class LRScheduler {
  private t = 0;
  constructor(readonly optimizer: Optimizer, readonly schedule: Schedule) {
    optimizer.lr = schedule(0);
  }
  step(): number {
    this.t++;
    this.optimizer.lr = this.schedule(this.t);
    return this.optimizer.lr;
  }
  get lastStep(): number { return this.t; }
}
