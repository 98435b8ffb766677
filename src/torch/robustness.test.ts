// Bad input never crashes the process: every mistake below throws a JS Error that says what was wrong, and the
// library keeps working afterwards.
import { describe, expect, it, afterAll } from 'vitest';
import * as torch from './index.ts';
import { native } from './native.ts';
import { aten } from './ops/call.ts';

const { F } = torch;
const i64 = (v: number[]) => torch.tensor(v, { dtype: 'int64' });
const disposed = () => { const d = torch.ones([2, 2]); d.dispose(); return d; };

const cases: [string, () => unknown, RegExp][] = [
  ['matmul shape mismatch', () => torch.matmul(torch.ones([2, 3]), torch.ones([2, 3])), /cannot be multiplied \(2x3 and 2x3\)/],
  ['add non-broadcastable', () => torch.ones([2, 3]).add(torch.ones([4])), /size of tensor a \(3\) must match the size of tensor b \(4\)/],
  ['reshape to wrong size', () => torch.ones([6]).reshape(4, 2), /shape '\[4, 2\]' is invalid for input of size 6/],
  ['view of non-contiguous', () => torch.ones([2, 3]).T.view(6), /view size is not compatible/],
  ['conv2d channel mismatch', () => F.conv2d(torch.ones([1, 3, 5, 5]), torch.ones([2, 4, 3, 3])), /expected input\[1, 3, 5, 5\] to have 4 channels/],
  ['conv2d int input', () => F.conv2d(torch.ones([1, 1, 3, 3], 'int64'), torch.ones([1, 1, 2, 2])), /(type|dtype|Long|same)/i],
  ['index_select float index', () => torch.ones([3]).indexSelect(0, torch.tensor([0.5])), /index_select\(\): Expected dtype int(32|64)/],
  ['index_select out of range', () => torch.ones([3]).indexSelect(0, i64([5])), /index out of range/],
  ['gather out of range', () => torch.ones([2, 2]).gather(1, i64([7, 0]).reshape(2, 1)), /index 7 is out of bounds/],
  ['select out of range', () => torch.ones([2, 2]).select(0, 9), /index 9 out of range/],
  ['embedding index out of range', () => F.embedding(torch.ones([3, 2]), i64([3])), /index out of range/],
  ['cross_entropy class out of range', () => F.crossEntropy(torch.ones([1, 3]), i64([5])), /Target 5 is out of bounds/],
  ['disposed tensor in an op', () => disposed().add(1), /tensor was disposed/],
  ['disposed tensor as second operand', () => torch.ones([2, 2]).add(disposed()), /add other: tensor was disposed/],
  ['disposed: shape', () => disposed().shape, /shape: tensor was disposed/],
  ['disposed: item', () => disposed().item(), /item: tensor was disposed/],
  ['disposed: data', () => disposed().data(), /tensor was disposed/],
  ['disposed: backward', () => disposed().backward(), /backward: tensor was disposed/],
  ['disposed: grad', () => disposed().grad, /grad: tensor was disposed/],
  ['disposed in a list argument', () => torch.cat([torch.ones([1]), disposed()]), /cat tensors\[1\]: tensor was disposed/],
  ['item on many elements', () => torch.ones([3]).item(), /3 elements cannot be converted/],
  ['backward on non-scalar', () => torch.ones([3]).requiresGrad_().mul(2).backward(), /only for scalar outputs/],
  ['backward without grad', () => torch.ones([1]).mul(2).backward(), /does not require grad/],
  ['in-place on a leaf requiring grad', () => torch.ones([2]).requiresGrad_().add_(1), /leaf Variable that requires grad .* in-place/],
  ['ragged nested array', () => torch.tensor([[1, 2], [3]]), /ragged nested array at data\[1\]/],
  ['non-number element', () => torch.tensor([1, 'a' as unknown as number]), /element at data\[1\] is string/],
  ['data/shape size mismatch', () => torch.tensor(new Float32Array(5), { shape: [2, 2] }), /needs 4 elements but the data has 5/],
  ['unknown dtype', () => torch.zeros([2], 'float128' as torch.DType), /unknown dtype 'float128'/],
  ['non-integer where int expected', () => torch.ones([4]).reshape(2.5, 2), /argument 'shape' \(position 1\)\[0\]: expected an integer, got number 2.5/],
  ['string where int expected', () => aten('sum', 'dim_IntList')([torch.ones([2]).handle, ['x'] as unknown as number[]]), /expected an integer, got string 'x'/],
  ['string where tensor expected', () => torch.add(torch.ones([1]), 'x' as unknown as torch.Tensor), /add other: expected a Tensor, got string/],
  ['plain number as tensor handle', () => aten('neg')([12345]), /argument 'self' \(position 0\): expected a Tensor/],
  ['missing required argument', () => aten('matmul')([torch.ones([2]).handle]), /missing required argument 'other'/],
  ['too many arguments', () => aten('neg')([torch.ones([1]).handle, 1, 2]), /expected at most 1 arguments, got 3/],
  ['unknown op', () => aten('no_such_op')([]), /unknown op aten::no_such_op/],
  ['dropout p out of range', () => F.dropout(torch.ones([2]), 1.5, true), /p must be in \[0, 1\]/],
  ['randint empty range', () => torch.randint(5, 5, [2]), /high \(5\) must be greater than low \(5\)/],
  ['negative shape', () => torch.zeros([-1]), /negative/],
  ['setGrad shape mismatch', () => { const p = torch.ones([2]).requiresGrad_(); p.grad = torch.ones([3]); }, /gradient shape \[3\] does not match tensor shape \[2\]/],
  ['tidy with a promise', () => torch.tidy(() => Promise.resolve(1) as unknown as number), /returned a Promise/],
  ['manualSeed negative', () => torch.manualSeed(-1), /non-negative integer/],
  ['setNumThreads 0', () => torch.setNumThreads(0), /n must be an integer in \[1, 1024\], got 0/],
  ['fromBuffer wrong byte count', () => native.fromBuffer(new Float32Array(3), [2, 2], 6), /needs 16 bytes but the data has 12/],
];

describe('bad input gives clear errors, never a crash', () => {
  it.each(cases)('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  it('non-finite values flow through and are detectable', () => {
    const a = torch.tensor([1, NaN, Infinity, -Infinity]);
    expect(torch.isnan(a).toNumbers()).toEqual([0, 1, 0, 0]);
    expect(torch.isfinite(a).toNumbers()).toEqual([1, 0, 0, 0]);
    expect(Number.isNaN(a.sum().item())).toBe(true);
    expect(torch.ones([2]).div(0).toNumbers()).toEqual([Infinity, Infinity]);
    expect(torch.tensor([0]).log().item()).toBe(-Infinity);
    const g = torch.tensor([NaN, 1]).requiresGrad_();
    g.mul(2).sum().backward();
    expect(g.grad!.toNumbers()).toEqual([2, 2]);
  });

  afterAll(() => {
    // after all of the above the library still computes correctly
    expect(torch.tensor([[1, 2], [3, 4]]).matmul(torch.eye(2)).toNumbers()).toEqual([1, 2, 3, 4]);
  });
});
