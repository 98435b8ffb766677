// The gradient checker must be able to fail: wrong gradients, NaN on one side, float32 computation, several outputs.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';
import { gradcheck, pseudoRandom } from './gradcheck.ts';

describe('gradcheck', () => {
  it('passes a correct gradient and reports the worst error', () => {
    const r = gradcheck((a, b) => a.mul(b).exp(), [{ shape: [2, 3] }, { shape: [3] }]);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(9);
    expect(r.maxAbsError).toBeLessThan(1e-6);
  });

  it('fails a wrong gradient: x.detach() * x has autograd gradient x but numeric gradient 2x', () => {
    const r = gradcheck((a) => a.detach().mul(a), [{ shape: [4] }]);
    expect(r.failures.length).toBe(4);
    expect(r.failures[0]).toMatch(/^input 0 element 0: autograd .*, finite differences /);
  });

  it('fails when autograd says NaN but the function is smooth (NaN must not compare its way through)', () => {
    // where() picks a everywhere, but the discarded log branch sends 0 * (1/0) = NaN back at x = 0 (a classic
    // autograd pitfall); the function itself is the identity, so the numeric gradient is the output weight
    const r = gradcheck((a) => torch.where(a.gt(-10), a, a.log()), [{ shape: [1], values: [0] }]);
    expect(r.failures).toEqual([expect.stringMatching(/^input 0 element 0: autograd NaN, finite differences 0\.\d+$/)]);
    expect(Number.isNaN(r.maxAbsError)).toBe(true);
  });

  it('agrees when both sides are NaN, and fails when only the numeric side is', () => {
    expect(gradcheck((a) => a.sqrt(), [{ shape: [1], values: [-1] }]).failures).toEqual([]); // 0.5 / sqrt(-1) = NaN
    // log's gradient formula 1/x is finite at -1 although log(-1) is NaN
    expect(gradcheck((a) => a.log(), [{ shape: [1], values: [-1] }]).failures).toEqual([expect.stringMatching(/autograd -0\.\d+, finite differences NaN/)]);
  });

  it('fails an op that computes in float32', () => {
    const r = gradcheck((a) => a.float().mul(3).double().add(a.float()), [{ shape: [2] }]);
    expect(r.failures.some((f) => /output 0 is float32/.test(f) || /finite differences/.test(f))).toBe(true);
    const r2 = gradcheck((a) => a.float().mul(3), [{ shape: [2] }]);
    expect(r2.failures[0]).toBe("output 0 is float32, not float64: the op does not compute in the inputs' precision");
  });

  it('checks every output of a multi-output function with its own weights', () => {
    const ok = gradcheck((a) => a.split(2, 0), [{ shape: [4] }]);
    expect(ok.failures).toEqual([]);
    // a second output whose gradient is cut: the numeric side sees it, autograd does not
    const bad = gradcheck((a) => [a.mul(2), a.detach().mul(a)], [{ shape: [3] }]);
    expect(bad.failures.length).toBe(3);
  });

  it('constant inputs (indices, masks) are used but not differentiated', () => {
    const idx = torch.tensor([2, 0], { dtype: 'int64' });
    const r = gradcheck((a, i) => a.indexSelect(0, i!), [{ shape: [3] }, { shape: [2], constant: idx }]);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(3);
    idx.dispose();
  });

  it('rejects values that do not fit the shape, and frees everything it creates', () => {
    expect(() => gradcheck((a) => a, [{ shape: [3], values: [1, 2] }])).toThrow(/input 0 has 2 values for shape \[3\]/);
    const before = torch.liveTensors().tensors;
    gradcheck((a) => a.sin(), [{ shape: [5] }]);
    expect(torch.liveTensors().tensors).toBe(before);
  });

  it('pseudoRandom is deterministic and in range', () => {
    expect(pseudoRandom(5, 3)).toEqual(pseudoRandom(5, 3));
    expect(pseudoRandom(5, 3)).not.toEqual(pseudoRandom(5, 4));
    expect(pseudoRandom(1000, 1, 2, 3).every((v) => v >= 2 && v < 3)).toBe(true);
  });
});
