// ActionExecutor: turns the action chunks a policy server sends into one action per control step, the two ways
// src/eval/rollout.ts does in evaluation (same ChunkMode): execute the first k of each chunk (or all of it), then ask again; or
// temporal ensembling (ACT): a new chunk every step, the action for step t the weighted mean of every chunk's
// prediction for t, weights exp(-m i) with i = 0 the oldest (m = 0.01 for 'ensemble'). Chunks are stamped with the
// step of the observation they answer, so a late chunk (asked at step t, back at t + 2) is used from its place.
import { chunkPlan, type ChunkMode } from '../../eval/chunk-mode.ts';

export type { ChunkMode } from '../../eval/chunk-mode.ts';

export class ActionExecutor {
  readonly execute: number;
  readonly ensembleM: number | null;
  /** execute mode: the plan left, with the step its first action is for. */
  private plan: { t: number; actions: Float64Array[] } | null = null;
  private chunks: { t: number; actions: Float64Array[] }[] = [];

  constructor(mode: ChunkMode) {
    ({ ensembleM: this.ensembleM, execute: this.execute } = chunkPlan(mode));
  }

  /** Forgets every chunk (a new episode). */
  reset(): void { this.plan = null; this.chunks = []; }

  /** Whether step `t` should ask the server for a new chunk. */
  wants(t: number): boolean {
    if (this.ensembleM !== null) return true;
    return !this.plan || t >= this.plan.t + this.plan.actions.length;
  }

  /** A chunk answering the observation of step `t`. */
  add(t: number, actions: readonly Float64Array[]): void {
    if (actions.length === 0) return;
    if (this.ensembleM === null) this.plan = { t, actions: actions.slice(0, this.execute) };
    else this.chunks.push({ t, actions: [...actions] });
  }

  /** The action for step `t`, or null when no chunk covers it. */
  action(t: number): Float64Array | null {
    if (this.ensembleM === null) {
      const p = this.plan;
      return p && t >= p.t && t < p.t + p.actions.length ? p.actions[t - p.t]! : null;
    }
    this.chunks = this.chunks.filter((c) => t - c.t < c.actions.length);
    const preds = this.chunks.filter((c) => t >= c.t).map((c) => c.actions[t - c.t]!); // oldest first
    if (preds.length === 0) return null;
    const D = preds[0]!.length;
    if (preds.some((p) => p.length !== D)) return null;
    const m = this.ensembleM, w = preds.map((_, i) => Math.exp(-m * i)), W = w.reduce((a, x) => a + x, 0);
    return Float64Array.from({ length: D }, (_, j) => preds.reduce((a, p, i) => a + w[i]! * p[j]!, 0) / W);
  }
}
