// Tensor basics: dtypes in and out of TypedArrays, item/tolist/toString, autograd state, noGrad, runtime facts.
import { describe, expect, it } from 'vitest';
import * as torch from './index.ts';

describe('dtypes round-trip through TypedArrays', () => {
  const cases: [torch.DType, torch.TypedArray][] = [
    ['float32', new Float32Array([1.5, -2, 3])], ['float64', new Float64Array([1e-300, 2, -3])],
    ['int64', new BigInt64Array([1n, -(2n ** 40n), 3n])], ['int32', new Int32Array([1, -2, 2 ** 30])],
    ['uint8', new Uint8Array([0, 128, 255])],
  ];
  it.each(cases)('%s', (dtype, arr) => {
    const t = torch.tensor(arr, { shape: [3] });
    expect(t.dtype).toBe(dtype);
    expect(t.data()).toEqual(arr);
    expect(t.data()).not.toBe(arr); // a copy, not the caller's buffer
  });
  it('bool, float16 and bfloat16', () => {
    const b = torch.tensor([1, 0, 1], { dtype: 'bool' });
    expect(b.dtype).toBe('bool');
    expect(b.toNumbers()).toEqual([1, 0, 1]);
    const h = torch.tensor([1.5, -2], { dtype: 'float16' });
    expect(h.dtype).toBe('float16');
    expect(h.data()).toEqual(new Uint16Array([0x3e00, 0xc000])); // IEEE half bits
    expect(h.toNumbers()).toEqual([1.5, -2]);
    expect(torch.tensor([1.5], { dtype: 'bfloat16' }).toNumbers()).toEqual([1.5]);
  });
  it('item, tolist, toString, shape queries', () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.ndim).toBe(2);
    expect(t.numel).toBe(6);
    expect(t.size(-1)).toBe(3);
    expect(() => t.size(2)).toThrow(/dimension out of range/);
    expect(t.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(torch.scalar(7).item()).toBe(7);
    expect(t.toString()).toBe('Tensor([[1,2,3],[4,5,6]], shape=[2, 3], dtype=float32)');
    expect(torch.arange(100).toString()).toMatch(/^Tensor\(\[0, 1, 2, 3, 4, 5, 6, 7, \.\.\.\], shape=\[100\], dtype=int64\)$/);
    const d = torch.ones([1]);
    d.dispose();
    expect(d.toString()).toBe('Tensor(<disposed>)');
  });
  it('conversions', () => {
    expect(torch.tensor([1.7, -1.7]).long().toNumbers()).toEqual([1, -1]);
    expect(torch.tensor([0, 2]).bool().toNumbers()).toEqual([0, 1]);
    expect(torch.tensor([3], { dtype: 'int32' }).float().dtype).toBe('float32');
  });
});

describe('autograd state', () => {
  it('requiresGrad, grad accumulation, detach, noGrad, isLeaf, gradFn', () => {
    const w = torch.tensor([1, 2]).requiresGrad_();
    expect(w.isLeaf).toBe(true);
    const y = w.mul(w).sum();
    expect(y.gradFn).toBe('SumBackward0');
    y.backward(null, { retainGraph: true });
    expect(w.grad!.toNumbers()).toEqual([2, 4]);
    y.backward();
    expect(w.grad!.toNumbers()).toEqual([4, 8]); // accumulates, as in PyTorch
    w.grad = null;
    expect(w.grad).toBeNull();
    expect(w.detach().requiresGrad).toBe(false);
    const z = torch.noGrad(() => w.mul(2));
    expect(z.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(() => torch.noGrad(() => { throw new Error('x'); })).toThrow('x');
    expect(torch.isGradEnabled()).toBe(true); // restored after a throw
    expect(torch.enableGrad(() => torch.noGrad(() => torch.isGradEnabled()))).toBe(false);
  });
  it('backward with an explicit gradient', () => {
    const a = torch.tensor([1, 2, 3]).requiresGrad_();
    a.mul(3).backward(torch.tensor([1, 0, 2]));
    expect(a.grad!.toNumbers()).toEqual([3, 0, 6]);
  });
});

describe('runtime', () => {
  it('reports threads and an optimized BLAS', () => {
    const info = torch.runtimeInfo();
    expect(info.libtorch).toMatch(/^\d+\.\d+/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    torch.tidy(() => torch.matmul(torch.ones([64, 64]), torch.ones([64, 64])));
    expect(torch.loadedBlas().some((l) => /openblas|mkl|blis/i.test(l))).toBe(true);
    const n = torch.getNumThreads();
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    torch.setNumThreads(n);
  });
});
