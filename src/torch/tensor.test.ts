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

describe('every dtype: creation, export, item, tolist, toString', () => {
  const dtypes: [torch.DType, string][] = [
    ['float32', 'Float32Array'], ['float64', 'Float64Array'], ['int64', 'BigInt64Array'], ['int32', 'Int32Array'],
    ['uint8', 'Uint8Array'], ['bool', 'Uint8Array'], ['float16', 'Uint16Array'], ['bfloat16', 'Uint16Array'],
  ];
  it.each(dtypes)('%s', (dtype, arrayName) => {
    const t = torch.tensor([[1, 0], [3, 4]], { dtype });
    expect(t.dtype).toBe(dtype);
    expect(t.data().constructor.name).toBe(arrayName);
    const isBool = dtype === 'bool';
    expect(t.tolist()).toEqual(isBool ? [[true, false], [true, true]] : [[1, 0], [3, 4]]);
    expect(t.toNumbers()).toEqual(isBool ? [1, 0, 1, 1] : [1, 0, 3, 4]);
    expect(t.select(1, 0).select(0, 1).item()).toBe(isBool ? 1 : 3);
    expect(t.toString()).toBe(`Tensor(${isBool ? '[[true,false],[true,true]]' : '[[1,0],[3,4]]'}, shape=[2, 2], dtype=${dtype})`);
    // through its own TypedArray and back, and through float32
    const back = torch.tensor(t.data(), { shape: t.shape, dtype });
    expect(back.toNumbers()).toEqual(t.toNumbers());
    expect(t.toFloat32Array()).toEqual(new Float32Array(isBool ? [1, 0, 1, 1] : [1, 0, 3, 4]));
  });

  it('values that need each dtype exactly', () => {
    const big = torch.tensor(new BigInt64Array([2n ** 53n + 1n, -(2n ** 62n)]));
    expect(big.data()).toEqual(new BigInt64Array([2n ** 53n + 1n, -(2n ** 62n)])); // exact through BigInt64Array
    expect(torch.tensor([2 ** 40], { dtype: 'int64' }).item()).toBe(2 ** 40);
    expect(torch.tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(torch.tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(torch.tensor([-1, 256, 3.7], { dtype: 'int32' }).toNumbers()).toEqual([-1, 256, 3]); // truncates like PyTorch
    expect(torch.tensor([1 / 3], { dtype: 'float16' }).toNumbers()[0]).toBeCloseTo(0.33325, 5); // nearest half
    expect(torch.tensor([1 / 3], { dtype: 'bfloat16' }).toNumbers()[0]).toBeCloseTo(0.333984, 5); // nearest bfloat16
    expect(torch.tensor([true, false, true]).dtype).toBe('bool'); // booleans make a bool tensor, as in PyTorch
    expect(torch.tensor([[true], [false]]).tolist()).toEqual([[true], [false]]);
    expect(torch.tensor([]).shape).toEqual([0]);
    expect(torch.tensor([]).dtype).toBe('float32');
    expect(torch.tensor(5).shape).toEqual([]);
    expect(torch.tensor(5).tolist()).toBe(5);
  });

  it('float16 and bfloat16 compute and keep their dtype', () => {
    const h = torch.tensor([1.5, 2], { dtype: 'float16' });
    expect(h.add(h).dtype).toBe('float16');
    expect(h.add(h).toNumbers()).toEqual([3, 4]);
    expect(h.sum().item()).toBe(3.5);
    const b = torch.tensor([1.5, 2], { dtype: 'bfloat16' });
    expect(b.mul(2).toNumbers()).toEqual([3, 4]);
    expect(b.float().dtype).toBe('float32');
  });
});

describe('type promotion follows PyTorch', () => {
  const t = (d: torch.DType) => torch.ones([2], d);
  const cases: [string, () => torch.Tensor, torch.DType][] = [
    ['int64 + float32', () => t('int64').add(t('float32')), 'float32'],
    ['int32 + int64', () => t('int32').add(t('int64')), 'int64'],
    ['uint8 + int32', () => t('uint8').add(t('int32')), 'int32'],
    ['bool + uint8', () => t('bool').add(t('uint8')), 'uint8'],
    ['bool + bool', () => t('bool').add(t('bool')), 'bool'],
    ['float32 + float64', () => t('float32').add(t('float64')), 'float64'],
    ['float16 + float32', () => t('float16').add(t('float32')), 'float32'],
    ['bfloat16 + float16', () => t('bfloat16').add(t('float16')), 'float32'],
    ['int64 * 2.5 (python float)', () => t('int64').mul(2.5), 'float32'],
    ['int64 * 2 (python int)', () => t('int64').mul(2), 'int64'],
    ['uint8 + 0-d int64 (same category: tensor wins)', () => t('uint8').add(torch.scalar(1, 'int64')), 'uint8'],
    ['float32 + 0-d float64 (same category)', () => t('float32').add(torch.scalar(1, 'float64')), 'float32'],
    ['int64 + 0-d float64 (higher category)', () => t('int64').add(torch.scalar(1.5, 'float64')), 'float64'],
    ['int64 / int64 (true division)', () => t('int64').div(t('int64')), 'float32'],
    ['int32 sqrt', () => t('int32').sqrt(), 'float32'],
    ['bool sum', () => t('bool').sum(), 'int64'],
    ['int32 sum', () => t('int32').sum(), 'int64'],
    ['float32 comparison', () => t('float32').lt(t('int64')), 'bool'],
    ['where float32/int64', () => torch.where(t('bool'), t('float32'), t('int64')), 'float32'],
    ['cat float32 + int64', () => torch.cat([t('float32'), t('int64')]), 'float32'],
    ['int64 cumsum', () => torch.cumsum(t('int64'), 0), 'int64'],
    ['bool cumsum', () => torch.cumsum(t('bool'), 0), 'int64'],
  ];
  it.each(cases)('%s', (_name, fn, dtype) => {
    expect(fn().dtype).toBe(dtype);
  });
  it('values wrap in small integer types as in PyTorch', () => {
    expect(t('uint8').add(300).toNumbers()).toEqual([45, 45]);
    expect(t('int64').div(t('int64').mul(2)).toNumbers()).toEqual([0.5, 0.5]);
    expect(torch.ones([2], 'int64').add(torch.tensor([0.5, 1.5])).toNumbers()).toEqual([1.5, 2.5]);
  });
});

describe('autograd corners', () => {
  it('double backward through createGraph', () => {
    const x = torch.tensor([2, -1], { dtype: 'float64' }).requiresGrad_();
    x.pow(3).sum().backward(null, { createGraph: true });
    const g = x.grad!; // 3x^2, itself differentiable
    expect(g.toNumbers()).toEqual([12, 3]);
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.sum().backward();
    expect(x.grad!.toNumbers()).toEqual([12, -6]); // 6x
  });
  it('backward inside noGrad still runs; a graph built inside noGrad has nothing to differentiate', () => {
    const x = torch.ones([2]).requiresGrad_();
    const y = x.mul(3).sum();
    torch.noGrad(() => y.backward());
    expect(x.grad!.toNumbers()).toEqual([3, 3]);
    const z = torch.noGrad(() => x.mul(3).sum());
    expect(() => z.backward()).toThrow(/does not require grad and does not have a grad_fn/);
  });
  it('retainGraph lets backward run again and gradients accumulate', () => {
    const a = torch.ones([2]).requiresGrad_();
    const y = a.mul(a).sum();
    for (let i = 0; i < 3; i++) y.backward(null, { retainGraph: true });
    expect(a.grad!.toNumbers()).toEqual([6, 6]);
  });
  it('graphs and views keep what they need alive after the JS handles are disposed', () => {
    const a = torch.ones([2]).requiresGrad_();
    const y = a.mul(2).exp().sum();
    a.dispose();
    y.backward(); // the graph holds the leaf
    const b = torch.arange(6).reshape(2, 3);
    const v = b.slice(1, 1);
    b.dispose();
    expect(v.tolist()).toEqual([[1, 2], [4, 5]]); // the view holds the storage
  });
  it('an in-place update of a leaf inside noGrad is allowed (the optimizer pattern)', () => {
    const w = torch.ones([2]).requiresGrad_();
    torch.noGrad(() => w.add_(1));
    expect(w.toNumbers()).toEqual([2, 2]);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
  });
});
