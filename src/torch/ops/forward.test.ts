// Forward values of the ops against small hand-computed answers.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';

const { F } = torch;
type Nested = number | Nested[];
const t = (v: Nested[], dtype?: torch.DType) => torch.tensor(v, { dtype });
const close = (a: number[], b: number[], tol = 1e-5) => { expect(a.length).toBe(b.length); a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, -Math.log10(tol))); };

describe('forward values', () => {
  it('broadcasting arithmetic and promotion', () => {
    expect(t([[1, 2], [3, 4]]).add(t([10, 20])).tolist()).toEqual([[11, 22], [13, 24]]);
    expect(t([1, 2, 3]).sub(1).mul(2).div(4).toNumbers()).toEqual([0, 0.5, 1]);
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    expect(i.add(1).dtype).toBe('int64');
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.add(t([0.5, 0.5])).toNumbers()).toEqual([1.5, 2.5]);
    expect(t([2, 3]).pow(2).toNumbers()).toEqual([4, 9]);
  });
  it('matmul, linear, conv2d', () => {
    expect(t([[1, 2], [3, 4]]).matmul(t([[5], [6]])).tolist()).toEqual([[17], [39]]);
    expect(torch.linear(t([[1, 1]]), t([[1, 2], [3, 4]]), t([1, -1])).tolist()).toEqual([[4, 6]]);
    // 3x3 all-ones image, 2x2 all-ones kernel, no padding -> each output sums 4 pixels
    const img = torch.ones([1, 1, 3, 3]);
    expect(F.conv2d(img, torch.ones([1, 1, 2, 2])).tolist()).toEqual([[[[4, 4], [4, 4]]]]);
    expect(F.conv2d(img, torch.ones([1, 1, 3, 3]), null, { padding: 1 }).tolist()).toEqual([[[[4, 6, 4], [6, 9, 6], [4, 6, 4]]]]);
  });
  it('pooling and resizing', () => {
    const a = t([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    expect(F.maxPool2d(a, 2).tolist()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(F.avgPool2d(a, 2).tolist()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    expect(F.adaptiveAvgPool2d(a, 1).item()).toBe(8.5);
    expect(F.interpolate(t([[[[1, 2], [3, 4]]]]), [4, 4], 'nearest').tolist()).toEqual([[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
  });
  it('normalisation and softmax', () => {
    close(F.layerNorm(t([[1, 2, 3]]), [3]).toNumbers(), [-1.22474, 0, 1.22474], 1e-4);
    close(F.softmax(t([0, Math.log(3)]), 0).toNumbers(), [0.25, 0.75]);
    close(F.logSoftmax(t([0, 0]), 0).toNumbers(), [Math.log(0.5), Math.log(0.5)]);
    close(F.groupNorm(t([[[1], [3]]]), 1).toNumbers(), [-1, 1], 1e-4);
  });
  it('reductions', () => {
    const a = t([[1, 5, 3], [4, 2, 6]]);
    expect(a.sum().item()).toBe(21);
    expect(a.sum(0).toNumbers()).toEqual([5, 7, 9]);
    expect(a.mean(1).toNumbers()).toEqual([3, 4]);
    expect(a.max().item()).toBe(6);
    expect(a.min().item()).toBe(1);
    expect(a.argmax(1).toNumbers()).toEqual([1, 2]);
    expect(t([1, 2, 3, 4]).var().item()).toBeCloseTo(5 / 3, 6);
    expect(t([1, 2, 3, 4]).std(undefined, false).item()).toBeCloseTo(Math.sqrt(1.25), 6);
    expect(torch.cumsum(t([1, 2, 3]), 0).toNumbers()).toEqual([1, 3, 6]);
    const { values, indices } = torch.maxDim(a, 0);
    expect(values.toNumbers()).toEqual([4, 5, 6]);
    expect(indices.toNumbers()).toEqual([1, 0, 1]);
  });
  it('comparisons, clamp, where, maskedFill', () => {
    const a = t([1, 2, 3]);
    expect(a.gt(1.5).toNumbers()).toEqual([0, 1, 1]);
    expect(a.eq(t([1, 0, 3])).dtype).toBe('bool');
    expect(a.clamp(1.5, 2.5).toNumbers()).toEqual([1.5, 2, 2.5]);
    expect(torch.where(a.lt(2), a, 0).toNumbers()).toEqual([1, 0, 0]);
    expect(a.maskedFill(a.ge(2), -1).toNumbers()).toEqual([1, -1, -1]);
    expect(t([-1, 4]).abs().sqrt().toNumbers()).toEqual([1, 2]);
  });
  it('shapes and indexing', () => {
    const a = torch.arange(6).reshape(2, 3);
    expect(a.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(a.permute(1, 0).shape).toEqual([3, 2]);
    expect(a.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(a.flatten().toNumbers()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.slice(1, 1).tolist()).toEqual([[1, 2], [4, 5]]);
    expect(a.select(0, 1).toNumbers()).toEqual([3, 4, 5]);
    expect(a.gather(1, torch.tensor([[2], [0]], { dtype: 'int64' })).tolist()).toEqual([[2], [3]]);
    expect(a.indexSelect(0, torch.tensor([1, 1], { dtype: 'int64' })).tolist()).toEqual([[3, 4, 5], [3, 4, 5]]);
    expect(torch.cat([a, a], 0).shape).toEqual([4, 3]);
    expect(torch.stack([a, a], 2).shape).toEqual([2, 3, 2]);
    expect(a.split(1, 1).map((p) => p.shape)).toEqual([[2, 1], [2, 1], [2, 1]]);
    expect(a.chunk(2, 0).map((p) => p.toNumbers())).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(a.expand(2, 2, 3).shape).toEqual([2, 2, 3]);
    expect(torch.index(a, [torch.tensor([1, 0], { dtype: 'int64' })]).tolist()).toEqual([[3, 4, 5], [0, 1, 2]]);
  });
  it('losses', () => {
    expect(F.mseLoss(t([1, 2]), t([3, 2])).item()).toBe(2);
    expect(F.l1Loss(t([1, 2]), t([3, 2]), 'sum').item()).toBe(2);
    expect(F.smoothL1Loss(t([0, 0]), t([0.5, 3])).item()).toBeCloseTo((0.125 + 2.5) / 2, 6);
    expect(F.crossEntropy(t([[0, 0]]), torch.tensor([1], { dtype: 'int64' })).item()).toBeCloseTo(Math.log(2), 6);
    expect(F.binaryCrossEntropyWithLogits(t([0]), t([1])).item()).toBeCloseTo(Math.log(2), 6);
  });
  it('embedding and dropout', () => {
    const w = t([[1, 1], [2, 2], [3, 3]]);
    expect(F.embedding(w, torch.tensor([2, 0], { dtype: 'int64' })).tolist()).toEqual([[3, 3], [1, 1]]);
    const d = F.dropout(torch.ones([1000]), 0.5, true).toNumbers();
    const kept = d.filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    expect(F.dropout(torch.ones([5]), 0.5, false).toNumbers()).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('random', () => {
  const draw = () => [torch.rand([4]), torch.randn([4]), torch.randint(0, 100, [4]), torch.randperm(6), torch.normal(5, 0.1, [3]), torch.uniform_(torch.empty([3]), 2, 3), F.dropout(torch.ones([16]), 0.5, true)].map((x) => x.toNumbers());
  it('manualSeed makes every sampler reproducible', () => {
    torch.manualSeed(42);
    const a = draw();
    torch.manualSeed(42);
    expect(draw()).toEqual(a);
    torch.manualSeed(43);
    expect(draw()).not.toEqual(a);
  });
  it('samplers respect their ranges', () => {
    torch.manualSeed(0);
    const r = torch.randint(3, 7, [1000]).toNumbers();
    expect(Math.min(...r)).toBe(3);
    expect(Math.max(...r)).toBe(6);
    expect([...torch.randperm(10).toNumbers()].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const n = torch.randn([20000]);
    expect(n.mean().item()).toBeCloseTo(0, 1);
    expect(n.std().item()).toBeCloseTo(1, 1);
    const u = torch.rand([1000]).toNumbers();
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('more forward values (hand-computed)', () => {
  it('activations', () => {
    close(F.gelu(t([1, -1, 0])).toNumbers(), [0.8413447, -0.1586553, 0]);
    close(F.gelu(t([1]), 'tanh').toNumbers(), [0.8411920]);
    close(F.silu(t([1, 0])).toNumbers(), [0.7310586, 0]);
    close(F.sigmoid(t([0, Math.log(3)])).toNumbers(), [0.5, 0.75]);
    expect(F.relu(t([-1, 0, 2])).toNumbers()).toEqual([0, 0, 2]);
    close(F.tanh(t([Math.log(2)])).toNumbers(), [0.6]);
    close(F.leakyRelu(t([-2, 3]), 0.1).toNumbers(), [-0.2, 3]);
    close(t([4, 9]).log().toNumbers(), [Math.log(4), Math.log(9)]);
    close(t([1, 2]).exp().toNumbers(), [Math.E, Math.E ** 2]);
    expect(t([2, 3]).pow(t([3, 2])).toNumbers()).toEqual([8, 9]);
  });
  it('comparisons on mixed dtypes and broadcasting', () => {
    const a = t([[1, 2], [3, 4]]);
    expect(a.ne(2).tolist()).toEqual([[true, false], [true, true]]);
    expect(a.le(t([1, 3])).tolist()).toEqual([[true, true], [false, false]]);
    expect(a.ge(torch.tensor([3], { dtype: 'int64' })).tolist()).toEqual([[false, false], [true, true]]);
    expect(torch.where(t([1, 0]).bool(), a, t([[9], [8]])).tolist()).toEqual([[1, 9], [3, 8]]);
  });
  it('interpolate bilinear, both corner conventions', () => {
    const img = t([[[[1, 2], [3, 4]]]]);
    expect(F.interpolate(img, [3, 3], 'bilinear', true).tolist()).toEqual([[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]]);
    expect(F.interpolate(img, [4, 4]).tolist()).toEqual([[[[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]]]);
  });
  it('pools with stride/padding and adaptive pools', () => {
    const a = torch.arange(1, 17).float().reshape(1, 1, 4, 4);
    expect(F.adaptiveAvgPool2d(a, 2).tolist()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    expect(F.adaptiveMaxPool2d(a, 2).tolist()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(F.maxPool2d(a, 3, { stride: 2, padding: 1 }).tolist()).toEqual([[[[6, 8], [14, 16]]]]);
    // count_include_pad: padded zeros count, so the corner averages 1 of 4
    expect(F.avgPool2d(a, 2, { padding: 1 }).select(3, 0).flatten().toNumbers()).toEqual([0.25, (5 + 9) / 4, 13 / 4]);
  });
  it('conv2d with stride and groups', () => {
    const x = torch.arange(0, 32).float().reshape(1, 2, 4, 4);
    const w = torch.tensor([[[[1, 0], [0, 0]]], [[[0, 0], [0, 1]]]]); // depthwise: ch0 picks top-left, ch1 bottom-right
    expect(F.conv2d(x, w, t([0, 100]), { stride: 2, groups: 2 }).tolist()).toEqual([[[[0, 2], [8, 10]], [[121, 123], [129, 131]]]]);
  });
  it('layer norm with affine parameters, var/std by dim', () => {
    close(F.layerNorm(t([[1, 2, 3]]), [3], t([2, 2, 2]), t([1, 1, 1])).toNumbers(), [1 - 2 * 1.2247357, 1, 1 + 2 * 1.2247357], 1e-4);
    expect(t([[1, 2], [3, 5]]).var(0).toNumbers()).toEqual([2, 4.5]);
    close(t([[1, 2], [3, 5]]).std(1, false).toNumbers(), [0.5, 1]);
  });
  it('scaled dot-product attention', () => {
    const q = t([[[1, 0]]]), k = t([[[1, 0], [0, 1]]]), v = t([[[1, 2], [3, 4]]]);
    const p = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    close(F.scaledDotProductAttention(q, k, v).toNumbers(), [p + 3 * (1 - p), 2 * p + 4 * (1 - p)]);
    expect(F.scaledDotProductAttention(q, k, v, torch.tensor([[true, false]])).toNumbers()).toEqual([1, 2]);
    close(F.scaledDotProductAttention(q, k, v, t([[0, -Infinity]])).toNumbers(), [1, 2]);
  });
  it('losses with weights, ignore_index, label smoothing, pos_weight, reductions', () => {
    const i64 = (v: number[]) => torch.tensor(v, { dtype: 'int64' });
    const logits = t([[0, 0], [0, Math.log(3)]]);
    close([F.crossEntropy(logits, i64([1, -100])).item()], [Math.log(2)]);
    // weighted mean: (w1 * l0 + w0 * l1) / (w1 + w0)
    const l0 = Math.log(2), l1 = -Math.log(0.25);
    close([F.crossEntropy(logits, i64([1, 0]), { weight: t([1, 3]) }).item()], [(3 * l0 + 1 * l1) / 4]);
    // label smoothing 0.2 over 2 classes: target (0.1, 0.9) for class 1 of row 0
    close([F.crossEntropy(t([[0, 0]]), i64([1]), { labelSmoothing: 0.2 }).item()], [Math.log(2)]);
    close([F.crossEntropy(t([[0, Math.log(3)]]), t([[0.5, 0.5]])).item()], [0.5 * -Math.log(0.25) + 0.5 * -Math.log(0.75)]);
    close([F.binaryCrossEntropyWithLogits(t([0]), t([1]), { posWeight: t([3]) }).item()], [3 * Math.log(2)]);
    expect(F.l1Loss(t([1, 2]), t([3, 2]), 'none').toNumbers()).toEqual([2, 0]);
    expect(F.mseLoss(t([1, 2]), t([3, 2]), 'sum').item()).toBe(4);
  });
});

describe('random, per sampler', () => {
  const samplers: [string, () => torch.Tensor][] = [
    ['rand', () => torch.rand([5])], ['randn', () => torch.randn([5], 'float64')], ['randint', () => torch.randint(-3, 3, [5])],
    ['randperm', () => torch.randperm(8)], ['normal', () => torch.normal(2, 3, [5])], ['uniform', () => torch.uniform([5], -2, 2)],
    ['uniform_', () => torch.uniform_(torch.empty([5]), 5, 6)], ['normal_', () => torch.normal_(torch.empty([5]), 1, 0.5)],
    ['dropout mask', () => F.dropout(torch.ones([32]), 0.5, true)],
  ];
  it.each(samplers)('%s: same seed, same draw; the generator advances', (_name, draw) => {
    torch.manualSeed(7);
    const a = draw().toNumbers(), b = draw().toNumbers();
    torch.manualSeed(7);
    expect(draw().toNumbers()).toEqual(a);
    expect(draw().toNumbers()).toEqual(b);
    expect(b).not.toEqual(a);
  });
  it('uniform matches rand scaled, and ranges and dtypes hold', () => {
    torch.manualSeed(1);
    const r = torch.rand([100]).toNumbers();
    torch.manualSeed(1);
    const u = torch.uniform([100], -2, 2).toNumbers();
    u.forEach((v, i) => expect(v).toBeCloseTo(r[i]! * 4 - 2, 5));
    expect(torch.randint(0, 5, [3]).dtype).toBe('int64');
    expect(torch.randint(0, 5, [3], 'int32').dtype).toBe('int32');
    expect(torch.randperm(4).dtype).toBe('int64');
    expect(torch.normal(0, 1, [2], 'float64').dtype).toBe('float64');
    const n = torch.normal(5, 0.5, [20000]);
    expect(n.mean().item()).toBeCloseTo(5, 1);
    expect(n.std().item()).toBeCloseTo(0.5, 1);
    expect(() => torch.uniform([2], 1, 0)).toThrow(/uniform_ expects to return a \[from, to\) range/);
  });
});
