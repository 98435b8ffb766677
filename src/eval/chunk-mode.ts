// How a policy's action chunks become one action per control step, shared by closed-loop evaluation
// (src/eval/rollout.ts) and the robot client SDK (src/serve/client/executor.ts). Depends on nothing.

/**
 * How a policy's action chunks are executed: the first k actions then a new chunk ({ execute: k }), every action of
 * each chunk ('whole'), or temporal ensembling (ACT: a new chunk every step, overlapping predictions averaged with
 * weights exp(-m i), i = 0 the oldest; 'ensemble' is m = 0.01).
 */
export type ChunkMode = { execute: number } | 'whole' | 'ensemble' | { ensemble: { m: number } };

/** The ensembling weight m of a mode (null: not an ensemble) and how many actions of a chunk to execute. */
export function chunkPlan(mode: ChunkMode): { ensembleM: number | null; execute: number } {
  if (mode === 'whole') return { ensembleM: null, execute: Infinity };
  if (mode === 'ensemble') return { ensembleM: 0.01, execute: 1 };
  if ('ensemble' in mode) {
    if (!(mode.ensemble.m >= 0)) throw new RangeError(`chunk.ensemble.m must be >= 0, got ${mode.ensemble.m}`);
    return { ensembleM: mode.ensemble.m, execute: 1 };
  }
  if (!(Number.isInteger(mode.execute) && mode.execute >= 1)) throw new RangeError(`chunk.execute must be a positive integer, got ${mode.execute}`);
  return { ensembleM: null, execute: mode.execute };
}
