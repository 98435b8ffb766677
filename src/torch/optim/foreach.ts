// Multi-tensor ("foreach") updates: one native call updates a whole list of tensors in place, so an optimizer step
// costs a handful of calls whatever the number of parameters. Lists are of raw handles; callers own them.
import { aten } from '../ops/call.ts';
import { native, type TensorHandle } from '../native.ts';

const MUL_S = aten('_foreach_mul_', 'Scalar');
const ADD_S = aten('_foreach_add_', 'Scalar');
const ADD_SL = aten('_foreach_add_', 'ScalarList');
const ADD_L = aten('_foreach_add_', 'List');
const ADD_L_OUT = aten('_foreach_add', 'List');
const ADDCMUL_S = aten('_foreach_addcmul_', 'Scalar');
const ADDCDIV_S = aten('_foreach_addcdiv_', 'Scalar');
const ADDCDIV_SL = aten('_foreach_addcdiv_', 'ScalarList');
const SQRT = aten('_foreach_sqrt');
const NORM = aten('_foreach_norm', 'Scalar');
const CLONE = aten('clone');

type H = TensorHandle[];
export const mul_ = (xs: H, s: number): void => { MUL_S([xs, s]); };
export const addScalar_ = (xs: H, s: number): void => { ADD_S([xs, s]); };
/** xs[i] += s[i] */
export const addScalarList_ = (xs: H, s: number[]): void => { ADD_SL([xs, s]); };
/** xs[i] += alpha * ys[i] */
export const add_ = (xs: H, ys: H, alpha = 1): void => { ADD_L([xs, ys, alpha]); };
/** New tensors xs[i] + alpha * ys[i]; the caller frees them. */
export const add = (xs: H, ys: H, alpha = 1): H => ADD_L_OUT([xs, ys, alpha]) as H;
/** xs[i] += value * a[i] * b[i] */
export const addcmul_ = (xs: H, a: H, b: H, value: number): void => { ADDCMUL_S([xs, a, b, value]); };
/** xs[i] += value * a[i] / b[i] */
export const addcdiv_ = (xs: H, a: H, b: H, value: number): void => { ADDCDIV_S([xs, a, b, value]); };
/** xs[i] += values[i] * a[i] / b[i] */
export const addcdivList_ = (xs: H, a: H, b: H, values: number[]): void => { ADDCDIV_SL([xs, a, b, values]); };
/** New tensors sqrt(xs[i]); the caller frees them. */
export const sqrt = (xs: H): H => SQRT([xs]) as H;
/** New 0-d tensors ||xs[i]||_p; the caller frees them. */
export const norm = (xs: H, p = 2): H => NORM([xs, p]) as H;
/** A new copy of one tensor; the caller owns it. */
export const clone = (x: TensorHandle): TensorHandle => CLONE([x]) as TensorHandle;
export const free = (xs: H): void => { for (const x of xs) native.free(x); };
