// Forward values of the ops with options (stride, padding, dilation, groups, ceil mode, align corners, weights,
// label smoothing, masks, reductions by dim) against small answers worked out by hand (derivations in comments),
// plus NaN/Inf semantics that match PyTorch.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';
import { gradcheck } from '../testing/gradcheck.ts';

const { F } = torch;
type Nested = number | boolean | Nested[];
const t = (v: Nested, shape?: number[]) => torch.tensor(v, { shape });
const i64 = (v: number[]) => torch.tensor(v, { dtype: 'int64' });
const LN2 = Math.log(2);
/** Elementwise |a - b| <= tol, with a readable failure (the whole arrays). */
function close(actual: torch.Tensor | number[], expected: number[], tol = 1e-5): void {
  const a = Array.isArray(actual) ? actual : actual.toNumbers();
  expect(a.length).toBe(expected.length);
  const bad = a.some((v, i) => !(Math.abs(v - expected[i]!) <= tol));
  expect(bad ? a : 'ok').toEqual(bad ? expected : 'ok');
}

describe('convolution options', () => {
  const img = torch.arange(9, undefined, 1, 'float32').reshape(1, 1, 3, 3); // [[0,1,2],[3,4,5],[6,7,8]]
  it('stride 2 + padding 1: 2x2 windows of the zero-padded 5x5 image', () => {
    // windows: {0,0,0,0}=0, {0,0,1,2}=3, {0,3,0,6}=9, {4,5,7,8}=24
    expect(F.conv2d(img, torch.ones([1, 1, 2, 2]), null, { stride: 2, padding: 1 }).tolist()).toEqual([[[[0, 3], [9, 24]]]]);
  });
  it('dilation 2: a 2x2 kernel touches the four corners', () => {
    expect(F.conv2d(img, torch.ones([1, 1, 2, 2]), null, { dilation: 2 }).tolist()).toEqual([[[[0 + 2 + 6 + 8]]]]);
  });
  it('groups = channels (depthwise) with bias: each channel scaled by its own weight', () => {
    const x = t([[[[1, 2], [3, 4]], [[10, 20], [30, 40]]]]);
    const out = F.conv2d(x, t([2, -1], [2, 1, 1, 1]), t([1, 0.5]), { groups: 2 });
    expect(out.tolist()).toEqual([[[[3, 5], [7, 9]], [[-9.5, -19.5], [-29.5, -39.5]]]]);
  });
  it('asymmetric stride and padding pairs', () => {
    // padding [0, 1] pads columns only; stride [1, 3] keeps every row and columns 0 and 3 of the 5 padded columns
    const out = F.conv2d(img, torch.ones([1, 1, 1, 1]), null, { stride: [1, 3], padding: [0, 1] });
    expect(out.tolist()).toEqual([[[[0, 2], [0, 5], [0, 8]]]]);
  });
  it('unbatched [C, H, W] input gives an unbatched output', () => {
    expect(F.conv2d(img.reshape(1, 3, 3), torch.ones([1, 1, 3, 3])).tolist()).toEqual([[[36]]]);
  });
});

describe('pooling options', () => {
  const img = torch.arange(9, undefined, 1, 'float32').reshape(1, 1, 3, 3);
  it('maxPool2d ceil mode keeps the partial windows', () => {
    expect(F.maxPool2d(img, 2).tolist()).toEqual([[[[4]]]]);
    expect(F.maxPool2d(img, 2, { ceilMode: true }).tolist()).toEqual([[[[4, 5], [7, 8]]]]);
  });
  it('maxPool2d padding pads with -inf, not zeros', () => {
    const neg = img.neg(); // all <= 0: zero padding would win every window
    expect(F.maxPool2d(neg, 2, { stride: 2, padding: 1 }).tolist()).toEqual([[[[-0, -1], [-3, -4]]]]);
  });
  it('avgPool2d counts padding in the divisor (PyTorch count_include_pad=True)', () => {
    // each 2x2 window of the padded 4x4 holds one real pixel and three zeros
    expect(F.avgPool2d(t([[[[1, 2], [3, 4]]]]), 2, { padding: 1 }).tolist()).toEqual([[[[0.25, 0.5], [0.75, 1]]]]);
  });
  it('adaptive pools split uneven sizes into overlapping windows', () => {
    // 5 -> 2: windows [0, 3) and [2, 5)
    const row = t([[[[1, 2, 3, 4, 5]]]]);
    expect(F.adaptiveAvgPool2d(row, [1, 2]).tolist()).toEqual([[[[2, 4]]]]);
    expect(F.adaptiveMaxPool2d(row, [1, 2]).tolist()).toEqual([[[[3, 5]]]]);
  });
});

describe('interpolate', () => {
  const row = t([[[[0, 1]]]]);
  it('bilinear, align_corners=false: source x = (dst + 0.5) * in/out - 0.5, clamped', () => {
    close(F.interpolate(row, [1, 4]), [0, 0.25, 0.75, 1]);
  });
  it('bilinear, align_corners=true: corners map to corners', () => {
    close(F.interpolate(row, [1, 4], 'bilinear', true), [0, 1 / 3, 2 / 3, 1]);
  });
  it('nearest downsampling picks floor(dst * in/out)', () => {
    expect(F.interpolate(t([[[[0, 1, 2, 3]]]]), [1, 2], 'nearest').tolist()).toEqual([[[[0, 2]]]]);
  });
});

describe('normalisation with affine parameters', () => {
  it('layerNorm: (x - mean) / sqrt(var + eps) * w + b with the biased variance', () => {
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    close(F.layerNorm(t([[1, 2, 3]]), [3], t([1, 2, 3]), t([0, 1, 0])), [-s, 1, 3 * s]);
    // over the last two dims
    const y = F.layerNorm(t([[[1, 2], [3, 4]]]), [2, 2]);
    const s2 = 1 / Math.sqrt(1.25 + 1e-5);
    close(y, [-1.5 * s2, -0.5 * s2, 0.5 * s2, 1.5 * s2]);
  });
  it('groupNorm: statistics per group of channels, affine per channel', () => {
    // groups {1, 3} (mean 2, var 1) and {10, 20} (mean 15, var 25) both normalise to [-1, 1]
    const x = t([[[1], [3], [10], [20]]]);
    const a = 1 / Math.sqrt(1 + 1e-5), b = 5 / Math.sqrt(25 + 1e-5);
    close(F.groupNorm(x, 2, t([1, 2, 3, 4]), t([0, 0, 1, 1])), [-a, 2 * a, 1 - 3 * b, 1 + 4 * b]);
  });
  it('groupNorm and layerNorm with a bias but no weight (libtorch 1.13 cannot differentiate group_norm that way)', () => {
    const x = t([[[1], [3], [10], [20]]]);
    close(F.groupNorm(x, 2, null, t([0, 0, 1, 1])), [-1, 1, 0, 2], 1e-4);
    const r = gradcheck((a, bias) => F.groupNorm(a, 2, null, bias), [{ shape: [2, 4, 3] }, { shape: [4] }]);
    expect(r.failures).toEqual([]);
    const r2 = gradcheck((a, bias) => F.layerNorm(a, [3], null, bias), [{ shape: [2, 3] }, { shape: [3] }]);
    expect(r2.failures).toEqual([]);
  });
});

describe('activations at known points', () => {
  it('gelu (erf and tanh forms), silu, sigmoid, tanh, leakyRelu, relu', () => {
    close(F.gelu(t([1, -1, 0])), [0.8413447, -0.1586553, 0]);
    close(F.gelu(t([1, -1]), 'tanh'), [0.8411920, -0.1588080]);
    close(F.silu(t([1, -2])), [0.7310586, -2 * 0.1192029]);
    close(F.sigmoid(t([0, 2])), [0.5, 0.8807971]);
    close(F.tanh(t([1])), [0.7615942]);
    close(F.leakyRelu(t([-2, 3]), 0.1), [-0.2, 3]);
    expect(F.relu(t([-1, 0, 2])).toNumbers()).toEqual([0, 0, 2]);
  });
});

describe('attention', () => {
  // q = k = I (2x2), v = [[1, 2], [3, 4]]; row 0 may only see key 0; row 1 sees both with scores [0, 1/sqrt(2)]
  const q = t([[1, 0], [0, 1]]);
  const v = t([[1, 2], [3, 4]]);
  const p1 = 1 / (1 + Math.exp(-1 / Math.SQRT2)); // weight of key 1 for row 1
  const expected = [1, 2, 1 + 2 * p1, 2 + 2 * p1];
  it('a boolean mask (true = may attend) and the equivalent additive mask give the hand-computed result', () => {
    close(F.scaledDotProductAttention(q, q, v, torch.tensor([[true, false], [true, true]])), expected);
    close(F.scaledDotProductAttention(q, q, v, t([[0, -Infinity], [0, 0]])), expected);
  });
  it('without a mask every row averages all values by softmax weight', () => {
    const p = 1 / (1 + Math.exp(-1 / Math.SQRT2));
    close(F.scaledDotProductAttention(q, q, v), [1 + 2 * (1 - p), 2 + 2 * (1 - p), 1 + 2 * p, 2 + 2 * p]);
  });
  it('a row with every key masked comes out NaN (as PyTorch’s math attention does), so it can be detected', () => {
    const out = F.scaledDotProductAttention(q, q, v, torch.tensor([[false, false], [true, true]]));
    expect(torch.isnan(out).toNumbers()).toEqual([1, 1, 0, 0]);
  });
});

describe('losses with options', () => {
  // logits [0, ln 3] -> probabilities [1/4, 3/4]; logits [0, 0] -> [1/2, 1/2]
  const logits = t([[0, Math.log(3)], [0, 0]]);
  it('crossEntropy: class weights, reductions, ignoreIndex', () => {
    const w = t([1, 3]);
    // sample losses: -ln(1/4) = 2 ln2 (class 0, weight 1) and ln2 (class 1, weight 3)
    close(F.crossEntropy(logits, i64([0, 1]), { weight: w, reduction: 'none' }), [2 * LN2, 3 * LN2]);
    close(F.crossEntropy(logits, i64([0, 1]), { weight: w, reduction: 'sum' }), [5 * LN2]);
    close(F.crossEntropy(logits, i64([0, 1]), { weight: w }), [5 * LN2 / 4]); // divided by the summed weights
    close(F.crossEntropy(logits, i64([0, -100])), [2 * LN2]); // ignored samples leave the mean
    close(F.crossEntropy(logits, i64([0, 1]), { ignoreIndex: 1 }), [2 * LN2]);
  });
  it('crossEntropy: label smoothing and probability targets', () => {
    const nll = 2 * LN2, logq = [-2 * LN2, Math.log(3 / 4)];
    const smooth = 0.9 * nll + (0.1 / 2) * -(logq[0]! + logq[1]!);
    close(F.crossEntropy(t([[0, Math.log(3)]]), i64([0]), { labelSmoothing: 0.1 }), [smooth]);
    close(F.crossEntropy(t([[0, Math.log(3)]]), t([[0.5, 0.5]])), [-(0.5 * logq[0]! + 0.5 * logq[1]!)]);
  });
  it('binaryCrossEntropyWithLogits: posWeight scales positives, weight scales samples', () => {
    const x = t([0, 0]), y = t([1, 0]);
    close(F.binaryCrossEntropyWithLogits(x, y, { posWeight: t([3]), reduction: 'none' }), [3 * LN2, LN2]);
    close(F.binaryCrossEntropyWithLogits(x, y, { posWeight: t([3]), weight: t([2, 1]) }), [(6 * LN2 + LN2) / 2]);
    // stable for huge logits: no inf/NaN
    close(F.binaryCrossEntropyWithLogits(t([100, -100]), t([1, 0]), { reduction: 'sum' }), [0]);
    close(F.binaryCrossEntropyWithLogits(t([100]), t([0])), [100]);
  });
  it('pointwise losses broadcast input and target as PyTorch does, with correct gradients (libtorch 1.13 alone got them wrong)', () => {
    // [3, 1] against [3] is a [3, 3] comparison: loss and gradient of the explicitly expanded pair
    close(F.mseLoss(t([[0], [1], [2]]), t([0, 1, 2]), 'sum'), [2 * (1 + 4 + 1)]);
    const cases: [string, (a: torch.Tensor, b: torch.Tensor) => torch.Tensor, number[], number[]][] = [
      ['mse mean', (a, b) => F.mseLoss(a, b), [3], [2, 3]],
      ['mse sum', (a, b) => F.mseLoss(a, b, 'sum'), [3, 1], [3]],
      ['l1 mean', (a, b) => F.l1Loss(a, b), [3, 1], [3]],
      ['smoothL1 mean', (a, b) => F.smoothL1Loss(a, b, 'mean', 0.3), [3, 1], [3]],
      ['smoothL1 none', (a, b) => F.smoothL1Loss(a, b, 'none'), [2, 1, 3], [4, 1]],
    ];
    for (const [name, fn, sa, sb] of cases) {
      const r = gradcheck(fn, [{ shape: sa }, { shape: sb }]);
      expect([name, r.failures]).toEqual([name, []]);
    }
  });
  it('binaryCrossEntropyWithLogits refuses different input and target shapes up front', () => {
    expect(() => F.binaryCrossEntropyWithLogits(torch.zeros([3, 1]), torch.zeros([3]))).toThrow(
      'binary_cross_entropy_with_logits: target size [3] must be the same as input size [3, 1]');
  });
  it('smoothL1 (beta), l1 and mse reductions', () => {
    // |d| = 0.25 < beta: 0.5 d^2 / beta = 0.0625; |d| = 2: |d| - beta/2 = 1.75
    close(F.smoothL1Loss(t([0, 0]), t([0.25, 2]), 'none', 0.5), [0.0625, 1.75]);
    close(F.smoothL1Loss(t([0, 0]), t([0.25, 2]), 'mean', 0.5), [0.90625]);
    close(F.l1Loss(t([1, -1]), t([0, 1]), 'none'), [1, 2]);
    close(F.mseLoss(t([1, -1]), t([0, 1]), 'sum'), [5]);
  });
});

describe('reductions by dimension', () => {
  const a = t([[1, 2, 3, 4], [2, 2, 2, 2]]);
  it('std/var (unbiased and not), sum/mean keepdim, cumsum, amax/amin, argmin, logsumexp, norm', () => {
    close(a.std(1), [Math.sqrt(5 / 3), 0]);
    close(a.var(0, false), [0.25, 0, 0.25, 1]);
    expect(a.sum(1, true).tolist()).toEqual([[10], [8]]);
    expect(a.mean([0, 1]).item()).toBe(18 / 8);
    expect(torch.cumsum(a, 1).tolist()).toEqual([[1, 3, 6, 10], [2, 4, 6, 8]]);
    expect(torch.amax(a, 0).toNumbers()).toEqual([2, 2, 3, 4]);
    expect(torch.amin(a, 1).toNumbers()).toEqual([1, 2]);
    expect(torch.argmin(a, 1).toNumbers()).toEqual([0, 0]); // first of the ties
    close(torch.logsumexp(t([0, Math.log(3)]), 0), [Math.log(4)]);
    expect(t([3, 4]).norm().item()).toBe(5);
    expect(t([3, -4]).norm(1).item()).toBe(7);
    const { values, indices } = torch.minDim(a, 1, true);
    expect(values.tolist()).toEqual([[1], [2]]);
    expect(indices.dtype).toBe('int64');
  });
  it('std/var of a single element: NaN with a non-finite gradient (libtorch 1.13 threw an invalid-gradient error in backward)', () => {
    for (const shape of [[1], [1, 1], []]) {
      for (const f of [(x: torch.Tensor) => x.std(), (x: torch.Tensor) => x.var()]) {
        const x = torch.ones(shape).requiresGrad_();
        const s = f(x);
        s.backward();
        expect(Number.isNaN(s.item())).toBe(true);
        expect(x.grad!.shape).toEqual(shape);
        expect(x.grad!.toNumbers().some(Number.isFinite)).toBe(false); // NaN (Infinity for var of a 0-d tensor)
      }
    }
    const x = torch.ones([1]).requiresGrad_();
    x.var(undefined, false).backward(); // the biased variance of one element is 0, with gradient 0
    expect(x.grad!.toNumbers()).toEqual([0]);
  });
  it('integer reductions stay integers', () => {
    const n = torch.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(n.sum().dtype).toBe('int64');
    expect(n.sum().item()).toBe(10);
    expect(torch.cumsum(n, 0).tolist()).toEqual([[1, 2], [4, 6]]);
    expect(n.max().item()).toBe(4);
  });
});

describe('NaN and Inf follow IEEE/PyTorch semantics', () => {
  const x = t([NaN, 1, Infinity, -Infinity]);
  it('comparisons are false for NaN (ne is true); max/min/argmax propagate NaN', () => {
    expect(x.eq(x).toNumbers()).toEqual([0, 1, 1, 1]);
    expect(x.ne(x).toNumbers()).toEqual([1, 0, 0, 0]);
    expect(x.gt(0).toNumbers()).toEqual([0, 1, 1, 0]);
    expect(Number.isNaN(x.max().item())).toBe(true);
    expect(Number.isNaN(x.min().item())).toBe(true);
    expect(x.argmax().item()).toBe(0); // NaN counts as the largest, as in PyTorch
    expect(torch.maximum(x, t([0, 0, 0, 0])).toNumbers()).toEqual([NaN, 1, Infinity, 0]);
  });
  it('clamp keeps NaN; relu/sigmoid/tanh saturate at infinities', () => {
    expect(x.clamp(-1, 1).toNumbers()).toEqual([NaN, 1, 1, -1]);
    expect(x.relu().toNumbers()).toEqual([NaN, 1, Infinity, 0]);
    expect(x.sigmoid().toNumbers()).toEqual([NaN, 0.7310585975646973, 1, 0]);
    expect(x.tanh().toNumbers()).toEqual([NaN, 0.7615941762924194, 1, -1]);
  });
  it('softmax of an infinite logit and an all -inf row', () => {
    expect(F.softmax(t([-Infinity, 0]), 0).toNumbers()).toEqual([0, 1]);
    expect(F.softmax(t([-Infinity, -Infinity]), 0).toNumbers()).toEqual([NaN, NaN]);
  });
  it('toString, tolist and item show NaN and infinities as such', () => {
    expect(x.toString()).toBe('Tensor([NaN,1,Infinity,-Infinity], shape=[4], dtype=float32)');
    expect(x.tolist()).toEqual([NaN, 1, Infinity, -Infinity]);
    expect(x.select(0, 3).item()).toBe(-Infinity);
    expect(torch.scalar(NaN).toString()).toBe('Tensor(NaN, shape=[], dtype=float32)');
  });
  it('integer true division by zero gives infinities, 0/0 gives NaN', () => {
    const n = torch.tensor([1, -1, 0], { dtype: 'int64' });
    expect(n.div(torch.zeros([3], 'int64')).toNumbers()).toEqual([Infinity, -Infinity, NaN]);
  });
});
