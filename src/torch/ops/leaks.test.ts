// Every public op, called outside any tidy scope, leaves no native tensor behind once its result is disposed, also
// when it throws. Composite ops (several native calls) are where leaks hide; a new op added to the public API without
// an entry here fails the coverage test, so the table grows with the API.
import { describe, expect, it } from 'vitest';
import * as torch from '../index.ts';
import type { Tensor } from '../tensor.ts';

const { F } = torch;
const keep = <T extends Tensor>(t: T): T => torch.keep(t);
// Inputs are made once and kept, so only what the op itself allocates is counted.
const img = keep(torch.randn([2, 3, 6, 6]));
const w3 = keep(torch.randn([4, 3, 3, 3]));
const mat = keep(torch.randn([3, 4]));
const mat2 = keep(torch.randn([4, 2]));
const batch = keep(torch.randn([2, 3, 4]));
const batch2 = keep(torch.randn([2, 4, 5]));
const vec = keep(torch.randn([4]));
const pos = keep(torch.rand([4]).add(0.5));
const bools = keep(torch.tensor([true, false, true, true]));
const idx = keep(torch.tensor([0, 2, 1], { dtype: 'int64' }));
const badIdx = keep(torch.tensor([9], { dtype: 'int64' }));
const gidx = keep(torch.tensor([[0], [3], [1]], { dtype: 'int64' }));
const q = keep(torch.randn([1, 2, 3, 4]));
const attnMask = keep(torch.tensor([1, 0, 0, 1, 1, 0, 1, 1, 1], { dtype: 'bool', shape: [3, 3] }));
const addMask = keep(torch.zeros([3, 3]));
const wrongMask = keep(torch.ones([5, 5], 'bool'));
const wrongV = keep(torch.ones([1, 2, 4, 4]));
const logits = keep(torch.randn([3, 5]));
const targets = keep(torch.tensor([0, 4, 2], { dtype: 'int64' }));
const probs = keep(torch.rand([3, 5]));
const ints = keep(torch.ones([2, 2], 'int64'));
const wrongW = keep(torch.ones([4, 5, 3, 3]));
const matT = keep(mat.T);
const mat2T = keep(mat2.T);
const empty = keep(torch.empty([0]));
const single = keep(torch.ones([1, 2]));
const posWeight = keep(torch.ones([1]));

type Call = () => unknown;
/** name -> [a successful call, a call that throws (or null when none is meaningful)] */
const calls: Record<string, [Call, Call | null]> = {
  // arithmetic and pointwise
  add: [() => torch.add(mat, vec, 2), () => torch.add(mat, mat2)],
  sub: [() => torch.sub(mat, 1), () => torch.sub(mat, mat2)],
  mul: [() => torch.mul(mat, vec), () => torch.mul(mat, mat2)],
  div: [() => torch.div(mat, pos), () => torch.div(mat, mat2)],
  pow: [() => torch.pow(pos, vec), () => torch.pow(ints, -1)],
  maximum: [() => torch.maximum(mat, vec), () => torch.maximum(mat, mat2)],
  minimum: [() => torch.minimum(mat, vec), () => torch.minimum(mat, mat2)],
  rsub: [() => torch.rsub(mat, 1), () => torch.rsub(bools, 1)],
  neg: [() => torch.neg(mat), () => torch.neg(bools)],
  abs: [() => torch.abs(mat), null],
  exp: [() => torch.exp(mat), null],
  log: [() => torch.log(pos), null],
  log1p: [() => torch.log1p(pos), null],
  sqrt: [() => torch.sqrt(pos), null],
  rsqrt: [() => torch.rsqrt(pos), null],
  square: [() => torch.square(mat), null],
  sin: [() => torch.sin(mat), null],
  cos: [() => torch.cos(mat), null],
  tanh: [() => torch.tanh(mat), null],
  sigmoid: [() => torch.sigmoid(mat), null],
  relu: [() => torch.relu(mat), () => torch.relu(bools)],
  silu: [() => torch.silu(mat), () => torch.silu(ints)],
  gelu: [() => torch.gelu(mat, 'tanh'), () => torch.gelu(mat, 'cubic' as 'tanh')],
  leakyRelu: [() => torch.leakyRelu(mat, 0.2), () => torch.leakyRelu(bools)],
  sign: [() => torch.sign(mat), null],
  floor: [() => torch.floor(mat), null],
  round: [() => torch.round(mat), null],
  reciprocal: [() => torch.reciprocal(pos), null],
  isnan: [() => torch.isnan(mat), null],
  isfinite: [() => torch.isfinite(mat), null],
  logicalNot: [() => torch.logicalNot(bools), null],
  logicalAnd: [() => torch.logicalAnd(bools, bools), () => torch.logicalAnd(bools, mat2)],
  logicalOr: [() => torch.logicalOr(bools, bools), () => torch.logicalOr(bools, mat2)],
  clamp: [() => torch.clamp(mat, -0.5, 0.5), () => torch.clamp(mat, null, null)],
  eq: [() => torch.eq(mat, vec), () => torch.eq(mat, mat2)],
  ne: [() => torch.ne(mat, 0), () => torch.ne(mat, mat2)],
  lt: [() => torch.lt(mat, vec), () => torch.lt(mat, mat2)],
  le: [() => torch.le(mat, 0), () => torch.le(mat, mat2)],
  gt: [() => torch.gt(mat, vec), () => torch.gt(mat, mat2)],
  ge: [() => torch.ge(mat, 0), () => torch.ge(mat, mat2)],
  maskedFill: [() => torch.maskedFill(vec, bools, 0), () => torch.maskedFill(vec, vec, 0)],
  where: [() => torch.where(bools, vec, 0), () => torch.where(vec, vec, vec)],
  lerp: [() => torch.lerp(vec, pos, 0.3), () => torch.lerp(vec, mat2, 0.3)],
  // in place (on fresh tensors, disposed by the harness)
  add_: [() => torch.ones([2]).add_(1), () => { const t = torch.ones([2]); try { return torch.add_(t, mat); } finally { t.dispose(); } }],
  mul_: [() => torch.ones([2]).mul_(2), () => { const t = torch.ones([2], 'int64'); try { return torch.mul_(t, 0.5); } finally { t.dispose(); } }],
  zero_: [() => torch.ones([2]).zero_(), () => { const t = torch.ones([2]).requiresGrad_(); try { return torch.zero_(t); } finally { t.dispose(); } }],
  fill_: [() => torch.ones([2]).fill_(3), () => { const t = torch.ones([2], 'uint8'); try { return torch.fill_(t, 300); } finally { t.dispose(); } }],
  copy_: [() => torch.ones([4]).copy_(vec), () => { const t = torch.ones([2]); try { return torch.copy_(t, vec); } finally { t.dispose(); } }],
  // creation
  tensor: [() => torch.tensor([[1, 2], [3, 4]], { dtype: 'float16', requiresGrad: true }), () => torch.tensor([1, 2], { dtype: 'int64', requiresGrad: true })],
  toDtype: [() => torch.toDtype(mat, 'float64'), () => torch.toDtype(mat, 'float8' as 'float32')],
  clone: [() => torch.clone(mat), null],
  zeros: [() => torch.zeros([2, 3]), () => torch.zeros([-1])],
  ones: [() => torch.ones([2, 3], 'int32'), () => torch.ones([2 ** 40, 2 ** 40])],
  full: [() => torch.full([2], 7), () => torch.full([2], 300, 'uint8')],
  empty: [() => torch.empty([2, 3]), () => torch.empty([-2])],
  scalar: [() => torch.scalar(3), () => torch.scalar(1e300)],
  arange: [() => torch.arange(0, 5, 0.5), () => torch.arange(0, 5, 0)],
  linspace: [() => torch.linspace(0, 1, 5), () => torch.linspace(0, 1, -1)],
  eye: [() => torch.eye(3), () => torch.eye(-1)],
  zerosLike: [() => torch.zerosLike(mat), null],
  onesLike: [() => torch.onesLike(mat), null],
  fullLike: [() => torch.fullLike(mat, 2), () => torch.fullLike(ints, 1e30)],
  // linear algebra
  matmul: [() => torch.matmul(mat, mat2), () => torch.matmul(mat, mat)],
  mm: [() => torch.mm(mat, mat2), () => torch.mm(mat, vec)],
  bmm: [() => torch.bmm(batch, batch2), () => torch.bmm(mat, mat2)],
  linear: [() => torch.linear(mat, mat2T, null), () => torch.linear(mat, mat2)],
  einsum: [() => torch.einsum('ij,jk->ik', [mat, mat2]), () => torch.einsum('ij,jk->ik', [mat, mat])],
  // reductions
  sum: [() => torch.sum(mat, [0], true), () => torch.sum(mat, 5)],
  mean: [() => torch.mean(mat, 1), () => torch.mean(ints)],
  max: [() => torch.max(mat), () => torch.max(empty)],
  min: [() => torch.min(mat), null],
  maxDim: [() => torch.maxDim(mat, 1), () => torch.maxDim(mat, 4)],
  minDim: [() => torch.minDim(mat, 0, true), () => torch.minDim(mat, 4)],
  amax: [() => torch.amax(mat, [0, 1]), () => torch.amax(mat, 4)],
  amin: [() => torch.amin(mat, 1), () => torch.amin(mat, 4)],
  argmax: [() => torch.argmax(mat, 1), () => torch.argmax(mat, 4)],
  argmin: [() => torch.argmin(mat), () => torch.argmin(mat, 4)],
  std: [() => torch.std(mat, 1), () => torch.std(ints)],
  variance: [() => torch.variance(mat, [0, 1], false), () => torch.variance(ints)],
  norm: [() => torch.norm(mat), () => torch.norm(ints)],
  cumsum: [() => torch.cumsum(mat, 1), () => torch.cumsum(mat, 3)],
  logsumexp: [() => torch.logsumexp(mat, 1), () => torch.logsumexp(mat, 3)],
  all: [() => torch.all(bools), null],
  any: [() => torch.any(bools), null],
  // shapes and indexing
  reshape: [() => torch.reshape(mat, [4, 3]), () => torch.reshape(mat, [5])],
  view: [() => torch.view(mat, [-1]), () => torch.view(matT, [-1])],
  permute: [() => torch.permute(batch, [2, 0, 1]), () => torch.permute(batch, [0, 0, 1])],
  transpose: [() => torch.transpose(mat, 0, 1), () => torch.transpose(mat, 0, 3)],
  expand: [() => torch.expand(vec, [3, 4]), () => torch.expand(vec, [3])],
  squeeze: [() => torch.squeeze(single), () => torch.squeeze(mat, 4)],
  unsqueeze: [() => torch.unsqueeze(mat, 0), () => torch.unsqueeze(mat, 5)],
  flatten: [() => torch.flatten(batch, 1), () => torch.flatten(batch, 2, 0)],
  contiguous: [() => torch.contiguous(matT), null],
  detach: [() => torch.detach(mat), null],
  slice: [() => torch.slice(mat, 1, 1, 3), () => torch.slice(mat, 1, 0, 3, 0)],
  select: [() => torch.select(mat, 0, 2), () => torch.select(mat, 0, 3)],
  narrow: [() => torch.narrow(mat, 1, 1, 2), () => torch.narrow(mat, 1, 3, 2)],
  indexSelect: [() => torch.indexSelect(mat, 1, idx), () => torch.indexSelect(mat, 0, badIdx)],
  gather: [() => torch.gather(mat, 1, gidx), () => torch.gather(mat, 0, gidx)],
  index: [() => torch.index(mat, [idx]), () => torch.index(mat, [badIdx])],
  cat: [() => torch.cat([mat, mat], 1), () => torch.cat([mat, mat2], 0)],
  stack: [() => torch.stack([mat, mat]), () => torch.stack([mat, mat2])],
  split: [() => torch.split(mat, 2, 1), () => torch.split(mat, [1, 1], 0)],
  chunk: [() => torch.chunk(mat, 3, 0), () => torch.chunk(mat, 0)],
  unbind: [() => torch.unbind(mat, 1), () => torch.unbind(mat, 2)],
  tril: [() => torch.tril(mat), () => torch.tril(vec)],
  triu: [() => torch.triu(mat, 1), () => torch.triu(vec)],
  repeat: [() => torch.repeat(mat, [2, 1]), () => torch.repeat(mat, [2])],
  flip: [() => torch.flip(mat, [0]), () => torch.flip(mat, [0, 0])],
  // random
  rand: [() => torch.rand([3]), () => torch.rand([3], 'int64')],
  randn: [() => torch.randn([3]), () => torch.randn([3], 'bool')],
  randint: [() => torch.randint(0, 5, [3]), () => torch.randint(0, 5, [-3])],
  randperm: [() => torch.randperm(5), () => torch.randperm(-1)],
  normal: [() => torch.normal(1, 2, [3]), () => torch.normal(0, -1, [3])],
  uniform: [() => torch.uniform([3], -1, 1), () => torch.uniform([3], 1, -1)],
  uniform_: [() => torch.uniform_(torch.empty([3]), 2, 3), () => { const t = torch.empty([3]); try { return torch.uniform_(t, 3, 2); } finally { t.dispose(); } }],
  normal_: [() => torch.normal_(torch.empty([3])), () => { const t = torch.empty([3], 'int64'); try { return torch.normal_(t); } finally { t.dispose(); } }],
  // torch.nn.functional
  'F.conv2d': [() => F.conv2d(img, w3, null, { stride: 2, padding: 1 }), () => F.conv2d(img, wrongW)],
  'F.maxPool2d': [() => F.maxPool2d(img, 2), () => F.maxPool2d(img, 2, { padding: 2 })],
  'F.avgPool2d': [() => F.avgPool2d(img, 3, { stride: 1 }), () => F.avgPool2d(img, 2, { stride: 0 })],
  'F.adaptiveAvgPool2d': [() => F.adaptiveAvgPool2d(img, [2, 3]), () => F.adaptiveAvgPool2d(img, -1)],
  'F.adaptiveMaxPool2d': [() => F.adaptiveMaxPool2d(img, 2), () => F.adaptiveMaxPool2d(img, -1)],
  'F.layerNorm': [() => F.layerNorm(mat, [4], vec, vec), () => F.layerNorm(mat, [3])],
  'F.groupNorm': [() => F.groupNorm(img, 3), () => F.groupNorm(img, 2)],
  'F.softmax': [() => F.softmax(mat, 1), () => F.softmax(mat, 2)],
  'F.logSoftmax': [() => F.logSoftmax(mat, 0), () => F.logSoftmax(mat, 2)],
  'F.embedding': [() => F.embedding(mat, idx), () => F.embedding(mat, badIdx)],
  'F.dropout': [() => F.dropout(mat, 0.5, true), () => F.dropout(mat, 2, true)],
  'F.interpolate': [() => F.interpolate(img, [9, 9]), () => F.interpolate(img, [0, 0])],
  'F.scaledDotProductAttention': [() => F.scaledDotProductAttention(q, q, q, attnMask, 0.5, true), () => F.scaledDotProductAttention(q, q, q, wrongMask)],
  'F.relu': [() => F.relu(mat), null],
  'F.gelu': [() => F.gelu(mat), null],
  'F.silu': [() => F.silu(mat), null],
  'F.sigmoid': [() => F.sigmoid(mat), null],
  'F.tanh': [() => F.tanh(mat), null],
  'F.leakyRelu': [() => F.leakyRelu(mat), null],
  'F.mseLoss': [() => F.mseLoss(mat, mat), () => F.mseLoss(mat, mat2)],
  'F.l1Loss': [() => F.l1Loss(mat, mat, 'none'), () => F.l1Loss(mat, mat2)],
  'F.smoothL1Loss': [() => F.smoothL1Loss(mat, mat, 'sum', 0.5), () => F.smoothL1Loss(mat, mat, 'mean', -1)],
  'F.crossEntropy': [() => F.crossEntropy(logits, targets, { labelSmoothing: 0.1 }), () => F.crossEntropy(logits, badIdx)],
  'F.binaryCrossEntropyWithLogits': [() => F.binaryCrossEntropyWithLogits(logits, probs, { posWeight }), () => F.binaryCrossEntropyWithLogits(logits, mat)],
};
// Functions that are not tensor ops (scopes, runtime, serialisation, classes) or are covered elsewhere.
const NOT_OPS = new Set(['Tensor', 'tidy', 'keep', 'dispose', 'noGrad', 'enableGrad', 'isGradEnabled', 'liveTensors', 'manualSeed',
  'setNumThreads', 'getNumThreads', 'runtimeInfo', 'loadedBlas', 'saveSafetensors', 'loadSafetensors', 'serializeSafetensors',
  'parseSafetensors', 'saveModule', 'loadModule']);

const live = () => torch.liveTensors().tensors;
/** Live-tensor change of running fn outside any scope and disposing whatever it returned. */
function leaked(fn: Call, expectThrow: boolean): number {
  const before = live();
  let result: unknown;
  let threw = false;
  try { result = fn(); } catch { threw = true; }
  expect(threw).toBe(expectThrow);
  torch.dispose(result);
  return live() - before;
}

describe('no op leaks native tensors', () => {
  it('every public op has an entry in the table', () => {
    const publicOps = [
      ...Object.keys(torch).filter((k) => typeof (torch as Record<string, unknown>)[k] === 'function' && !NOT_OPS.has(k)),
      ...Object.keys(F).map((k) => `F.${k}`),
    ];
    expect(publicOps.filter((k) => !(k in calls))).toEqual([]);
  });

  it.each(Object.entries(calls))('%s', (_name, [ok, bad]) => {
    expect(leaked(ok, false)).toBe(0);
    if (bad) expect(leaked(bad, true)).toBe(0);
  });

  it('Tensor methods that convert internally: toFloat32Array, toNumbers, tolist, toString, grad', () => {
    const h = torch.tensor([1, 2], { dtype: 'float16' });
    const before = live();
    h.toFloat32Array();
    h.toNumbers();
    h.tolist();
    void h.toString();
    ints.toFloat32Array();
    expect(live()).toBe(before);
    const p = torch.ones([2]).requiresGrad_();
    const s = p.sum();
    s.backward();
    const g = p.grad!; // a new handle on the same gradient
    expect(live()).toBe(before + 3);
    torch.dispose([g, s, p, h]);
    expect(live()).toBe(before - 1);
  });
});
