// Pointwise math with broadcasting: arithmetic, unary functions, comparisons, selection, and in-place updates.
import { aten, wrap, h } from './call.ts';
import { native } from '../native.ts';
import { DTYPE_CODE } from '../dtype.ts';
import type { Tensor, TensorOrScalar } from '../tensor.ts';

const isNum = (x: unknown): x is number => typeof x === 'number';

/** One binary op with a Tensor overload and a Scalar overload, e.g. aten::add.Tensor / aten::add.Scalar. */
function binary(name: string, tensorOverload = 'Tensor', scalarOverload = 'Scalar') {
  const t = aten(name, tensorOverload);
  const s = aten(name, scalarOverload);
  return (a: Tensor, b: TensorOrScalar, ...rest: number[]): Tensor =>
    isNum(b) ? wrap(s([h(a, name), b, ...rest])) : wrap(t([h(a, name), h(b, `${name} other`), ...rest]));
}
function unary(name: string) {
  const f = aten(name);
  return (a: Tensor): Tensor => wrap(f([h(a, name)]));
}

const ADD = binary('add');
const SUB = binary('sub');
export const add = (a: Tensor, b: TensorOrScalar, alpha = 1): Tensor => ADD(a, b, alpha);
export const sub = (a: Tensor, b: TensorOrScalar, alpha = 1): Tensor => SUB(a, b, alpha);
export const mul = binary('mul');
export const div = binary('div');
export const pow = binary('pow', 'Tensor_Tensor', 'Tensor_Scalar');
export const maximum = (a: Tensor, b: Tensor): Tensor => wrap(MAXIMUM([h(a, 'maximum'), h(b, 'maximum other')]));
export const minimum = (a: Tensor, b: Tensor): Tensor => wrap(MINIMUM([h(a, 'minimum'), h(b, 'minimum other')]));
const MAXIMUM = aten('maximum');
const MINIMUM = aten('minimum');
/** 1 - x style: scalar minus tensor. */
export const rsub = (a: Tensor, scalar: number): Tensor => wrap(RSUB([h(a, 'rsub'), scalar]));
const RSUB = aten('rsub', 'Scalar');

export const neg = unary('neg');
export const abs = unary('abs');
export const exp = unary('exp');
export const log = unary('log');
export const log1p = unary('log1p');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const square = unary('square');
export const sin = unary('sin');
export const cos = unary('cos');
export const tanh = unary('tanh');
export const sigmoid = unary('sigmoid');
export const relu = unary('relu');
export const silu = unary('silu');
export const sign = unary('sign');
export const floor = unary('floor');
export const round = unary('round');
export const reciprocal = unary('reciprocal');
export const isnan = unary('isnan');
export const isfinite = unary('isfinite');
export const logicalNot = unary('logical_not');
const GELU = aten('gelu');
/** GELU; approximate 'tanh' for the tanh approximation, 'none' (default) for the exact erf form. */
export const gelu = (a: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => wrap(GELU([h(a, 'gelu'), approximate]));
const LEAKY = aten('leaky_relu');
export const leakyRelu = (a: Tensor, slope = 0.01): Tensor => wrap(LEAKY([h(a, 'leaky_relu'), slope]));
const LOGICAL_AND = aten('logical_and');
const LOGICAL_OR = aten('logical_or');
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => wrap(LOGICAL_AND([h(a, 'logical_and'), h(b, 'logical_and other')]));
export const logicalOr = (a: Tensor, b: Tensor): Tensor => wrap(LOGICAL_OR([h(a, 'logical_or'), h(b, 'logical_or other')]));

const CLAMP = aten('clamp');
export const clamp = (a: Tensor, min: number | null, max: number | null = null): Tensor => wrap(CLAMP([h(a, 'clamp'), min, max]));

export const eq = binary('eq');
export const ne = binary('ne');
export const lt = binary('lt');
export const le = binary('le');
export const gt = binary('gt');
export const ge = binary('ge');

const MASKED_FILL = aten('masked_fill', 'Scalar');
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  const self = h(a, 'masked_fill');
  const m = h(mask, 'masked_fill mask');
  // libtorch 1.13 silently ignores a floating-point mask (nothing is filled); PyTorch 2 rejects it
  const code = native.dtype(m);
  if (code !== DTYPE_CODE.bool && code !== DTYPE_CODE.uint8) {
    throw new TypeError(`masked_fill: mask must be a bool tensor, got dtype ${mask.dtype}`);
  }
  return wrap(MASKED_FILL([self, m, value]));
}
const WHERE = aten('where', 'self');
const WHERE_SCALAR_OTHER = aten('where', 'ScalarOther');
/** Elementwise cond ? a : b (b may be a number). */
export const where = (cond: Tensor, a: Tensor, b: TensorOrScalar): Tensor =>
  isNum(b)
    ? wrap(WHERE_SCALAR_OTHER([h(cond, 'where condition'), h(a, 'where self'), b]))
    : wrap(WHERE([h(cond, 'where condition'), h(a, 'where self'), h(b, 'where other')]));

const LERP = aten('lerp', 'Scalar');
export const lerp = (a: Tensor, b: Tensor, w: number): Tensor => wrap(LERP([h(a, 'lerp'), h(b, 'lerp end'), w]));

// ---- in place: these mutate `a` (autograd records them; leaves that require grad refuse them) -----------
const ADD_T = aten('add_', 'Tensor');
const ADD_S = aten('add_', 'Scalar');
const MUL_T = aten('mul_', 'Tensor');
const MUL_S = aten('mul_', 'Scalar');
const ZERO = aten('zero_');
const FILL = aten('fill_', 'Scalar');
const COPY = aten('copy_');
/** Runs an in-place op and drops the duplicate handle it returns (the caller keeps `a`). */
function inPlace(r: unknown): void {
  native.free(r as number);
}
export const add_ = (a: Tensor, b: TensorOrScalar, alpha = 1): void =>
  inPlace(isNum(b) ? ADD_S([h(a, 'add_'), b, alpha]) : ADD_T([h(a, 'add_'), h(b, 'add_ other'), alpha]));
export const mul_ = (a: Tensor, b: TensorOrScalar): void =>
  inPlace(isNum(b) ? MUL_S([h(a, 'mul_'), b]) : MUL_T([h(a, 'mul_'), h(b, 'mul_ other')]));
export const zero_ = (a: Tensor): void => inPlace(ZERO([h(a, 'zero_')]));
export const fill_ = (a: Tensor, v: number): void => inPlace(FILL([h(a, 'fill_'), v]));
export const copy_ = (a: Tensor, src: Tensor): void => inPlace(COPY([h(a, 'copy_'), h(src, 'copy_ src')]));
