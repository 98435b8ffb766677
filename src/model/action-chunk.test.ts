// actionChunk: a normalized model output becomes actions in the common action space (unnormalized, clipped to it).
import { describe, expect, it } from 'vitest';
import { actionChunk } from './policy.ts';

describe('actionChunk', () => {
  it('unnormalizes with the arm\'s stats and clips to the action space', () => {
    const norm = { mean: [0, 0, 0, 0, 0, 0, 0.5], std: [0.01, 0.01, 0.01, 0.1, 0.1, 0.1, 0.5] };
    // 2 samples x 2 steps x 7
    const out = Float32Array.from([
      1, -2, 0, 0, 0, 0, 0, /**/ 9, 0, 0, 8, 0, 0, 1.00002, // sample 0
      0, 0, 0, 0, 0, 0, -3, /**/ 0, 0, 0, 0, 0, 0, 0, // sample 1
    ]);
    const a = actionChunk(out, 0, norm, 2, 7);
    expect(Array.from(a[0]!).map((v) => +v.toFixed(6))).toEqual([0.01, -0.02, 0, 0, 0, 0, 0.5]);
    expect(a[1]![0]).toBeCloseTo(0.05, 6); // 0.09 m asked, 5 cm is the most one step may move
    expect(a[1]![3]).toBeCloseTo(0.5, 6); // 0.8 rad asked
    expect(a[1]![6]).toBe(1); // 1.00001 gripper: clipped, not an error
    expect(actionChunk(out, 1, norm, 2, 7)[0]![6]).toBe(0); // -1 gripper
  });
});
