// Matrix products: matmul (broadcasting), mm, bmm, linear (x W^T + b), einsum.
import { aten, wrap, h, hOpt } from './call.ts';
import type { Tensor } from '../tensor.ts';

const MATMUL = aten('matmul');
const MM = aten('mm');
const BMM = aten('bmm');
const LINEAR = aten('linear');
const EINSUM = aten('einsum');
export const matmul = (a: Tensor, b: Tensor): Tensor => wrap(MATMUL([h(a, 'matmul'), h(b, 'matmul other')]));
export const mm = (a: Tensor, b: Tensor): Tensor => wrap(MM([h(a, 'mm'), h(b, 'mm mat2')]));
export const bmm = (a: Tensor, b: Tensor): Tensor => wrap(BMM([h(a, 'bmm'), h(b, 'bmm mat2')]));
/** x W^T + b, with W of shape [out, in] as in PyTorch. */
export const linear = (x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor =>
  wrap(LINEAR([h(x, 'linear input'), h(weight, 'linear weight'), hOpt(bias, 'linear bias')]));
export const einsum = (equation: string, operands: Tensor[]): Tensor =>
  wrap(EINSUM([equation, operands.map((t, i) => h(t, `einsum operands[${i}]`))]));
