// Bad input never crashes the process: every mistake below throws a JS Error that says what was wrong, and the
// library keeps working afterwards.
import { describe, expect, it, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

const o = (...s: number[]) => torch.ones(s);
const ints = (...s: number[]) => torch.ones(s, 'int64');
// Found by probing ~400 bad calls against libtorch 1.13 (none crashed the process); the ones whose message or
// behaviour needed the TypeScript layer are marked "guarded".
const more: [string, () => unknown, RegExp][] = [
  // wrong shapes
  ['conv2d 1-d input', () => F.conv2d(o(4), o(1, 1, 2, 2)), /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[4\]/],
  ['conv2d kernel larger than input', () => F.conv2d(o(1, 1, 2, 2), o(1, 1, 3, 3)), /Kernel size can't be greater than actual input size/],
  ['conv2d bias size', () => F.conv2d(o(1, 1, 4, 4), o(2, 1, 2, 2), o(3)), /expected bias to be 1-dimensional with 2 elements, but got bias of size \[3\]/],
  ['conv2d groups not dividing', () => F.conv2d(o(1, 4, 4, 4), o(4, 2, 2, 2), null, { groups: 3 }), /Given groups=3, expected weight to be divisible by 3/],
  ['conv2d stride 0', () => F.conv2d(o(1, 1, 4, 4), o(1, 1, 2, 2), null, { stride: 0 }), /non-positive stride is not supported/],
  ['conv2d groups 0', () => F.conv2d(o(1, 1, 4, 4), o(1, 1, 2, 2), null, { groups: 0 }), /non-positive groups is not supported/],
  ['conv2d negative padding', () => F.conv2d(o(1, 1, 4, 4), o(1, 1, 2, 2), null, { padding: -1 }), /negative padding is not supported/],
  ['conv2d mixed float64/float32', () => F.conv2d(torch.ones([1, 1, 4, 4], 'float64'), o(1, 1, 2, 2)), /expected scalar type Double but found Float/],
  ['conv2d bool', () => F.conv2d(torch.ones([1, 1, 3, 3], 'bool'), torch.ones([1, 1, 2, 2], 'bool')), /not implemented for 'Bool'/],
  ['maxPool2d kernel 0', () => F.maxPool2d(o(1, 1, 4, 4), 0), /stride should not be zero/],
  ['maxPool2d output too small', () => F.maxPool2d(o(1, 1, 2, 2), 5), /Output size is too small/],
  ['maxPool2d padding > kernel/2', () => F.maxPool2d(o(1, 1, 4, 4), 2, { padding: 2 }), /pad should be at most half of kernel size/],
  ['maxPool2d int', () => F.maxPool2d(ints(1, 1, 4, 4), 2), /"max_pool2d" not implemented for 'Long'/],
  ['adaptiveAvgPool2d negative size', () => F.adaptiveAvgPool2d(o(1, 1, 4, 4), -1), /elements of output_size must be greater than or equal to 0/],
  ['adaptiveMaxPool2d empty input', () => F.adaptiveMaxPool2d(o(1, 1, 0, 4), 2), /Expected input to have non-zero size for non-batch dimensions/],
  ['interpolate 3-d input (guarded)', () => F.interpolate(o(1, 4, 4), [2, 2]), /interpolate: expected a 4-D \[N, C, H, W\] input, got a 3-D tensor/],
  ['interpolate unknown mode (guarded: was silently bilinear)', () => F.interpolate(o(1, 1, 4, 4), [2, 2], 'bicubic' as 'nearest'), /mode must be 'bilinear' or 'nearest', got 'bicubic'/],
  ['interpolate size length (guarded)', () => F.interpolate(o(1, 1, 4, 4), [2] as unknown as [number, number]), /size must be \[height, width\], got \[2\]/],
  ['interpolate size 0', () => F.interpolate(o(1, 1, 4, 4), [0, 0]), /Input and output sizes should be greater than 0/],
  ['layerNorm wrong normalized shape', () => F.layerNorm(o(2, 3), [4]), /Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[2, 3\]/],
  ['layerNorm empty normalized shape', () => F.layerNorm(o(2, 3), []), /Expected normalized_shape to be at least 1-dimensional/],
  ['groupNorm 0 groups', () => F.groupNorm(o(1, 4, 3), 0), /Expected num groups to be greater than 0, got 0/],
  ['groupNorm groups not dividing', () => F.groupNorm(o(1, 4, 3), 3), /divisible by num_groups/],
  ['groupNorm weight size', () => F.groupNorm(o(1, 4, 3), 2, o(3)), /weight to be a vector of size equal to the number of channels/],
  ['softmax dim out of range', () => F.softmax(o(2, 3), 5), /Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)/],
  ['softmax of int', () => F.softmax(ints(3), 0), /not implemented for 'Long'/],
  ['bmm batch mismatch', () => torch.bmm(o(2, 2, 2), o(3, 2, 2)), /Expected size for first two dimensions of batch2 tensor to be: \[2, 2\] but got: \[3, 2\]/],
  ['bmm 2-d', () => torch.bmm(o(2, 2), o(2, 2)), /batch1 must be a 3D tensor/],
  ['linear weight shape', () => torch.linear(o(2, 3), o(4, 2)), /mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x4\)/],
  ['matmul int x float', () => torch.matmul(ints(2, 2), o(2, 2)), /expected scalar type Long but found Float/],
  ['matmul 0-d', () => torch.matmul(torch.scalar(1), o(2)), /both arguments to matmul need to be at least 1D/],
  ['cat sizes mismatch', () => torch.cat([o(2, 3), o(3, 2)], 0), /Sizes of tensors must match except in dimension 0/],
  ['cat empty list', () => torch.cat([]), /expected a non-empty list of Tensors/],
  ['cat not an array (guarded)', () => torch.cat(o(2) as unknown as torch.Tensor[]), /cat: expected an array of Tensors, got object/],
  ['stack unequal', () => torch.stack([o(2), o(3)]), /stack expects each tensor to be equal size/],
  ['split sizes not summing', () => o(4).split([1, 2]), /split_with_sizes expects split_sizes to sum exactly to 4/],
  ['split size 0', () => o(4).split(0), /split_size can only be 0 if dimension size is 0/],
  ['chunk 0', () => o(4).chunk(0), /chunk expects `chunks` to be greater than 0, got: 0/],
  ['reshape two -1', () => o(4).reshape(-1, -1), /only one dimension can be inferred/],
  ['permute duplicate dims', () => o(2, 3).permute(0, 0), /duplicate dims are not allowed/],
  ['expand incompatible', () => o(2, 3).expand(4, 3), /expanded size of the tensor \(4\) must match the existing size \(2\)/],
  ['transpose dim out of range', () => o(2, 3).transpose(0, 5), /Dimension out of range/],
  ['squeeze dim out of range', () => o(2, 1).squeeze(5), /Dimension out of range/],
  ['flatten start after end', () => o(2, 3).flatten(1, 0), /start_dim cannot come after end_dim/],
  ['narrow past the end', () => o(4).narrow(0, 2, 5), /start \(2\) \+ length \(5\) exceeds dimension size \(4\)/],
  ['slice step 0', () => o(4).slice(0, 0, 4, 0), /slice step must be positive/],
  ['select on 0-d', () => torch.scalar(1).select(0, 0), /select\(\) cannot be applied to a 0-dim tensor/],
  ['sum repeated dim', () => o(2, 2).sum([0, 0]), /dim 0 appears multiple times/],
  ['max of empty', () => o(0).max(), /Expected reduction dim to be specified for input.numel\(\) == 0/],
  ['maxDim empty dim', () => torch.maxDim(o(0, 3), 0), /Expected reduction dim 0 to have non-zero size/],
  ['mean of int', () => ints(2).mean(), /mean\(\): could not infer output dtype/],
  ['std of int', () => ints(3).std(), /std and var only support floating point/],
  ['einsum bad equation', () => torch.einsum('ij,jk->q', [o(2, 2), o(2, 2)]), /output subscript q does not appear/],
  ['sdpa head size mismatch', () => F.scaledDotProductAttention(o(1, 2, 4), o(1, 2, 3), o(1, 2, 4)), /Expected size for first two dimensions of batch2 tensor/],
  ['sdpa mask shape', () => F.scaledDotProductAttention(o(1, 2, 4), o(1, 2, 4), o(1, 2, 4), torch.ones([3, 3], 'bool')), /size of tensor a \(3\) must match the size of tensor b \(2\)/],
  // wrong dtypes
  ['embedding float indices', () => F.embedding(o(3, 2), torch.tensor([0])), /'indices' to have one of the following scalar types: Long, Int; but got CPUFloatType/],
  ['embedding 1-d weight', () => F.embedding(o(3), i64([0])), /'weight' must be 2-D/],
  ['gather int32 index', () => o(2, 2).gather(1, torch.tensor([[0], [0]], { dtype: 'int32' })), /gather\(\): Expected dtype int64 for index/],
  ['index_select bool index', () => o(3).indexSelect(0, torch.tensor([1], { dtype: 'bool' })), /Expected dtype int32 or int64 for index/],
  ['index_select 2-d index', () => o(3).indexSelect(0, i64([0, 1]).reshape(1, 2)), /Index is supposed to be a vector/],
  ['advanced index with float', () => torch.index(o(3), [torch.tensor([0])]), /tensors used as indices must be long, byte or bool tensors/],
  ['masked_fill float mask (guarded: libtorch 1.13 silently filled nothing)', () => o(3).maskedFill(torch.tensor([0, 1, 0]), 5), /masked_fill: mask must be a bool tensor, got dtype float32/],
  ['masked_fill int64 mask (guarded)', () => o(3).maskedFill(ints(3), 5), /mask must be a bool tensor, got dtype int64/],
  ['where float condition', () => torch.where(o(3), o(3), o(3)), /where expected condition to be a boolean tensor, but got a tensor with dtype Float/],
  ['cross_entropy int32 target', () => F.crossEntropy(o(2, 3), torch.tensor([0, 1], { dtype: 'int32' })), /expected scalar type Long but found Int/],
  ['cross_entropy float class indices', () => F.crossEntropy(o(2, 3), torch.tensor([0, 1])), /expected scalar type Long but found Float/],
  ['cross_entropy batch mismatch', () => F.crossEntropy(o(2, 3), i64([0, 1, 2])), /Expected input batch_size \(2\) to match target batch_size \(3\)/],
  ['cross_entropy weight size', () => F.crossEntropy(o(2, 3), i64([0, 1]), { weight: o(5) }), /weight tensor should be defined either for all 3 classes or no classes/],
  ['cross_entropy label smoothing > 1', () => F.crossEntropy(o(2, 3), i64([0, 1]), { labelSmoothing: 2 }), /label_smoothing must be between 0.0 and 1.0/],
  ['bce shape mismatch', () => F.binaryCrossEntropyWithLogits(o(3), o(4)), /target size \[4\] must be the same as input size \[3\]/],
  ['mse of int', () => F.mseLoss(ints(3), ints(3)), /"mse_cpu" not implemented for 'Long'/],
  ['smooth_l1 negative beta', () => F.smoothL1Loss(o(3), o(3), 'mean', -1), /does not support negative values for beta/],
  ['unknown loss reduction', () => F.mseLoss(o(3), o(3), 'avg' as 'mean'), /reduction must be 'none', 'mean' or 'sum', got 'avg'/],
  ['gelu unknown approximation', () => F.gelu(o(3), 'fast' as 'tanh'), /approximate argument must be either none or tanh/],
  ['neg of bool', () => torch.ones([3], 'bool').neg(), /Negation, the `-` operator, on a bool tensor is not supported/],
  ['int to a negative int power', () => ints(3).pow(-1), /Integers to negative integer powers are not allowed/],
  ['float alpha with ints', () => ints(3).add(ints(3), 0.5), /alpha must not be a floating point number/],
  ['in-place result dtype', () => ints(2).add_(o(2)), /result type Float can't be cast to the desired output type Long/],
  ['requiresGrad on an int tensor', () => ints(2).requiresGrad_(), /Only Tensors of floating point and complex dtype can require gradients/],
  ['rand of int dtype', () => torch.rand([2], 'int64'), /not implemented for 'Long'/],
  ['dropout of int', () => F.dropout(ints(4), 0.5, true), /result type Float can't be cast to the desired output type Long/],
  ['tensor(): Uint16Array as int32 (guarded)', () => torch.tensor(new Uint16Array(2), { dtype: 'int32' }), /a Uint16Array holds float16 or bfloat16 bits, so dtype must be one of those, got 'int32'/],
  ['tensor(): unsupported TypedArray (guarded)', () => torch.tensor(new Uint32Array(2) as unknown as Float32Array), /unsupported array type Uint32Array/],
  ['tensor(): int64 out of range (guarded: wrapped)', () => torch.tensor([2 ** 63], { dtype: 'int64' }), /9223372036854776000 is out of the int64 range/],
  ['tensor(): non-integer int64', () => torch.tensor([1.5], { dtype: 'int64' }), /1.5 is not an integer \(dtype int64\)/],
  ['tensor(): bigint element', () => torch.tensor([1n as unknown as number]), /element at data\[0\] is bigint/],
  ['tensor(): null', () => torch.tensor(null as unknown as number), /element at data is object/],
  ['tensor(): ragged deeper', () => torch.tensor([[[1, 2]], [[3]]]), /ragged nested array at data\[1\]\[0\]: expected length 2, got 1/],
  // bad indices
  ['embedding negative index', () => F.embedding(o(3, 2), i64([-1])), /index out of range in self/],
  ['index_select negative', () => o(3).indexSelect(0, i64([-1])), /index out of range in self/],
  ['gather negative', () => o(2, 2).gather(1, i64([-1, 0]).reshape(2, 1)), /index -1 is out of bounds for dimension 1 with size 2/],
  ['select negative out of range', () => o(2, 2).select(0, -3), /index -3 out of range for tensor of size \[2, 2\] at dimension 0/],
  ['advanced index out of range', () => torch.index(o(3), [i64([5])]), /index 5 is out of bounds for dimension 0 with size 3/],
  ['advanced bool mask shape', () => torch.index(o(3), [torch.tensor([1, 0], { dtype: 'bool' })]), /The shape of the mask \[2\] at index 0 does not match/],
  ['cross_entropy negative class', () => F.crossEntropy(o(2, 3), i64([-5, 0])), /Target -5 is out of bounds/],
  ['cross_entropy class out of range, spatial', () => F.crossEntropy(o(1, 3, 2, 2), torch.tensor([[[0, 9], [1, 1]]], { dtype: 'int64' })), /Target 9 is out of bounds/],
  ['cross_entropy class out of range with label smoothing', () => F.crossEntropy(o(2, 3), i64([7, 0]), { labelSmoothing: 0.1 }), /Target 7 is out of bounds/],
  // wrong JS argument types
  ['size(0.5) (guarded: returned undefined)', () => o(2, 3).size(0.5), /size\(dim\): dim must be an integer, got 0.5/],
  ['size("x") (guarded)', () => o(2, 3).size('x' as unknown as number), /dim must be an integer, got string/],
  ['string in a shape', () => o(4).reshape('2' as unknown as number, 2), /argument 'shape' \(position 1\)\[0\]: expected an integer, got string '2'/],
  ['string alpha', () => o(4).add(1, 'x' as unknown as number), /argument 'alpha' \(position 2\): expected a number, got string 'x'/],
  ['boolean as tensor operand', () => o(2).mul(true as unknown as number), /mul other: expected a Tensor, got boolean/],
  ['bigint as tensor operand', () => o(2).add(1n as unknown as number), /add other: expected a Tensor, got bigint/],
  ['shape not an array', () => torch.zeros('abc' as unknown as number[]), /argument 'size' \(position 0\): expected an array, got string 'abc'/],
  ['missing shape', () => torch.zeros(undefined as unknown as number[]), /missing required argument 'size'/],
  ['missing dim', () => (F.softmax as (x: unknown) => unknown)(o(3)), /aten::softmax: missing required argument 'dim' \(position 1\)/],
  ['missing weight', () => (F.conv2d as (x: unknown) => unknown)(o(1, 1, 3, 3)), /conv2d weight: expected a Tensor, got undefined/],
  ['huge integer', () => torch.randint(0, 2 ** 62, [2]), /argument 'high' \(position 1\): expected an integer/],
  ['NaN as integer', () => torch.zeros([NaN]), /expected an integer, got number nan/],
  ['requiresGrad = "yes"', () => { (o(2) as unknown as { requiresGrad: unknown }).requiresGrad = 'yes'; }, /requiresGrad_: expected a boolean/],
  ['unknown dtype in to()', () => o(2).to('float' as torch.DType), /unknown dtype 'float'/],
  ['tidy of a non-function (guarded)', () => torch.tidy(5 as unknown as () => number), /tidy\(fn\): fn must be a function, got number/],
  ['setNumThreads huge (guarded: libgomp hung)', () => torch.setNumThreads(100_000), /n must be an integer in \[1, 1024\], got 100000/],
  ['setNumThreads fraction (guarded)', () => torch.setNumThreads(1.5), /got 1.5/],
  ['manualSeed fraction', () => torch.manualSeed(1.5), /non-negative integer/],
  ['native: opId with numbers', () => (native.opId as (a: unknown, b: unknown) => unknown)(1, 2), /expected two strings/],
  ['native: unknown op id', () => native.call(1e9, []), /unknown op id 1000000000/],
  ['native: fractional handle', () => native.shape(1.5), /shape: expected a Tensor/],
  ['native: dtype code', () => native.fromBuffer(new Float32Array(2), [1], 9), /unsupported dtype code 9/],
  ['native: size overflow', () => native.fromBuffer(new Uint8Array(0), [2 ** 32, 2 ** 32], 0), /Storage size calculation overflowed/],
  // autograd misuse
  ['backward twice', () => { const a = o(2).requiresGrad_(); const y = a.exp().sum(); y.backward(); y.backward(); }, /Trying to backward through the graph a second time/],
  ['backward gradient shape', () => { const a = o(2).requiresGrad_(); a.mul(2).backward(o(3)); }, /invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]/],
  ['backward after an in-place change', () => { const a = o(2).requiresGrad_(); const b = a.exp(); b.add_(1); b.sum().backward(); }, /modified by an inplace operation/],
  ['in-place on a view of a leaf', () => { const a = o(2, 2).requiresGrad_(); a.select(0, 0).add_(1); }, /a view of a leaf Variable that requires grad is being used in an in-place operation/],
  ['in-place fill_/zero_/copy_/mul_ on a leaf', () => { const a = o(2).requiresGrad_(); for (const f of [() => a.fill_(1), () => a.zero_(), () => a.copy_(o(2)), () => a.mul_(2)]) expect(f).toThrow(/leaf Variable that requires grad/); throw new Error('all refused'); }, /all refused/],
  ['in-place on an expanded tensor', () => o(1).expand(3).add_(1), /more than one element of the written-to tensor refers to a single memory location/],
  ['requiresGrad = false on a computed tensor (guarded: silently ignored)', () => { o(2).requiresGrad_().mul(2).requiresGrad = false; }, /only change requires_grad flags of leaf tensors/],
  // int32 truncation inside libtorch 1.13
  ['conv2d groups 2^32 (guarded: SIGFPE killed the process)', () => F.conv2d(o(1, 1, 2, 2), o(1, 1, 1, 1), null, { groups: 2 ** 32 }), /conv2d: groups must be at most 2147483647, got 4294967296/],
  ['conv2d groups 2^32 + 4 (guarded: silently acted as 4)', () => F.conv2d(o(1, 4, 2, 2), o(4, 1, 1, 1), null, { groups: 2 ** 32 + 4 }), /groups must be at most 2147483647/],
  ['avgPool2d kernel 2^32 + 2 (guarded: silently pooled 2x2)', () => F.avgPool2d(o(1, 1, 4, 4), 2 ** 32 + 2), /avg_pool2d: kernel size 4294967298 is out of range/],
  ['maxPool2d stride 2^40 (guarded)', () => F.maxPool2d(o(1, 1, 4, 4), 2, { stride: 2 ** 40 }), /max_pool2d: stride 1099511627776 is out of range/],
  ['advanced index without index tensors (guarded: libtorch INTERNAL ASSERT)', () => torch.index(o(2), [null]), /index: give at least one index tensor/],
  ['advanced index with an empty list (guarded)', () => torch.index(o(2), []), /give at least one index tensor/],
  // 256 TiB: beyond a 47-bit address space, so refused even where the kernel overcommits memory
  ['huge allocation', () => torch.zeros([2 ** 23, 2 ** 23]), /can't allocate memory: you tried to allocate 281474976710656 bytes/],
];

describe('more bad input', () => {
  it.each(more)('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  it('every Tensor method and getter refuses a disposed tensor', () => {
    const proto = torch.Tensor.prototype;
    const checked: string[] = [];
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (['constructor', 'dispose', 'toString', 'disposed'].includes(name)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      const t = disposed();
      const call = d.get ? () => d.get!.call(t) : () => (d.value as (...a: unknown[]) => unknown).call(t, 0, 0, 0);
      expect(call, name).toThrow(/disposed/);
      if (d.set) expect(() => d.set!.call(t, null), `${name} =`).toThrow(/disposed/);
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(['shape', 'item', 'data', 'tolist', 'backward', 'grad', 'requiresGrad', 'add', 'matmul', 'reshape', 'sum', 'to']));
    expect(checked.length).toBeGreaterThan(80);
    const live = torch.ones([2]).requiresGrad_();
    expect(() => { live.grad = disposed(); }).toThrow(/setGrad gradient: tensor was disposed/);
    expect(() => live.mul(2).sum().backward(disposed())).toThrow(/backward gradient: tensor was disposed/);
    expect(() => F.conv2d(torch.ones([1, 1, 3, 3]), torch.ones([1, 1, 2, 2]), disposed())).toThrow(/conv2d bias: tensor was disposed/);
    expect(() => torch.where(disposed(), live, live)).toThrow(/where condition: tensor was disposed/);
  });

  it('a stale handle is never mistaken for the tensor that reuses its slot', () => {
    const d = torch.ones([2]);
    const stale = d.handle;
    d.dispose();
    const fresh = torch.ones([3]);
    expect(() => native.shape(stale)).toThrow(/shape: tensor was disposed/);
    expect(fresh.shape).toEqual([3]);
    native.free(stale); // freeing a stale handle does nothing to the new tensor
    expect(fresh.shape).toEqual([3]);
  });

  it('NaN and Inf propagate through ops and gradients without errors', () => {
    expect(F.softmax(torch.tensor([-Infinity, -Infinity]), 0).toNumbers().every(Number.isNaN)).toBe(true);
    const att = F.scaledDotProductAttention(o(1, 2, 4), o(1, 2, 4), o(1, 2, 4), torch.zeros([2, 2], 'bool'));
    expect(torch.all(torch.isnan(att)).item()).toBe(1); // fully masked rows give NaN, as in PyTorch
    const x = torch.tensor([0, 1, Infinity]).requiresGrad_();
    x.sqrt().sum().backward();
    expect(x.grad!.toNumbers()).toEqual([Infinity, 0.5, 0]);
    expect(torch.isfinite(x.grad!).toNumbers()).toEqual([0, 1, 1]);
    expect(Number.isNaN(o(1).std().item())).toBe(true); // one sample: unbiased std is NaN
    expect(o(3).maskedFill(torch.tensor([true, false, true]), NaN).toNumbers().map(Number.isNaN)).toEqual([true, false, true]);
  });
});

describe('out of memory', () => {
  // Copying a tensor out needs a second buffer. The addon used to allocate it with Napi::ArrayBuffer::New, and V8
  // aborts the process when that fails ("FATAL ERROR: v8::ArrayBuffer::New Allocation failed"); data() now
  // allocates it in JS, where failure is a RangeError. The child caps its own address space just above what it
  // uses after making a 1 GiB tensor (untouched, so cheap), leaving no room for the copy.
  it.skipIf(!existsSync('/usr/bin/prlimit'))('data() on a tensor whose copy does not fit throws a RangeError', () => {
    const script = `
      const torch = await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});
      const { execFileSync } = await import('node:child_process');
      const { readFileSync } = await import('node:fs');
      const t = torch.empty([2 ** 30], 'uint8');
      const vm = Number(/VmSize:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
      execFileSync('/usr/bin/prlimit', ['--pid=' + process.pid, '--as=' + (vm + 256 * 2 ** 20)]);
      let message = 'no error';
      try { t.data(); } catch (e) { message = e.constructor.name + ': ' + e.message; }
      console.log(JSON.stringify({ message, after: torch.ones([2]).add(1).toNumbers() }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { message: string; after: number[] };
    expect(out.message).toMatch(/^RangeError: data\(\): cannot allocate 1073741824 bytes for a copy of this \[1073741824\] uint8 tensor/);
    expect(out.after).toEqual([2, 2]);
  });
});

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
