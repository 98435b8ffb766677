// Creating tensors: from JS data (nested arrays, TypedArrays, scalars), filled shapes, ranges, identity,
// copies and dtype conversion.
import { native } from '../native.ts';
import { aten, wrap, h } from './call.ts';
import { Tensor } from '../tensor.ts';
import { dtypeCode, dtypeOfArray, type DType, type TypedArray } from '../dtype.ts';

type Nested = number | boolean | Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
    if (cur === undefined) break;
  }
  return shape;
}

function flattenChecked(data: Nested, shape: number[], dim: number, out: number[], path: string): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new TypeError(`tensor(): ragged nested array at ${path} (expected a number)`);
    const v = typeof data === 'boolean' ? (data ? 1 : 0) : data;
    if (typeof v !== 'number') throw new TypeError(`tensor(): element at ${path} is ${typeof data}, expected a number`);
    out.push(v);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new TypeError(`tensor(): ragged nested array at ${path}: expected length ${shape[dim]}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  data.forEach((x, i) => flattenChecked(x, shape, dim + 1, out, `${path}[${i}]`));
}

function allBooleans(data: Nested): boolean {
  return Array.isArray(data) ? data.every(allBooleans) : typeof data === 'boolean';
}

function toTypedArray(values: ArrayLike<number>, dtype: DType): TypedArray {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int64': return BigInt64Array.from(Array.from(values, (v) => {
      if (!Number.isInteger(v)) throw new TypeError(`tensor(): ${v} is not an integer (dtype int64)`);
      // 2^63 itself is exactly representable as a double but not as an int64 (BigInt64Array would wrap it)
      if (v >= 2 ** 63 || v < -(2 ** 63)) throw new RangeError(`tensor(): ${v} is out of the int64 range`);
      return BigInt(v);
    }));
    case 'int32': return Int32Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint8': return Uint8Array.from(values);
    case 'bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'float16': case 'bfloat16': return Float32Array.from(values); // converted below
  }
}

/**
 * A new tensor holding a copy of `data`: a number, a nested array, or a TypedArray (with `shape`; default 1-D).
 * Numbers default to float32, booleans to bool; TypedArrays keep their own dtype unless `dtype` says otherwise.
 */
export function tensor(data: Nested | TypedArray, opts: { shape?: number[]; dtype?: DType; requiresGrad?: boolean } = {}): Tensor {
  let t: Tensor;
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const shape = opts.shape ?? [arr.length];
    let own: DType;
    if (arr instanceof Uint16Array) {
      own = opts.dtype ?? 'float16';
      if (own !== 'float16' && own !== 'bfloat16') {
        throw new TypeError(`tensor(): a Uint16Array holds float16 or bfloat16 bits, so dtype must be one of those, got '${own}'`);
      }
    } else {
      own = dtypeOfArray(arr);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== arr.length) throw new RangeError(`tensor(): shape [${shape.join(', ')}] needs ${n} elements but the data has ${arr.length}`);
    t = new Tensor(native.fromBuffer(arr, shape, dtypeCode(own)));
    if (opts.dtype && opts.dtype !== own) t = convert(t, opts.dtype);
  } else {
    const shape = opts.shape ?? inferShape(data);
    const flat: number[] = [];
    flattenChecked(data, inferShape(data), 0, flat, 'data');
    // like PyTorch, all-boolean data makes a bool tensor; numbers default to float32
    const dtype = opts.dtype ?? (flat.length > 0 && allBooleans(data) ? 'bool' : 'float32');
    const storeAs: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== flat.length) throw new RangeError(`tensor(): shape [${shape.join(', ')}] needs ${n} elements but the data has ${flat.length}`);
    t = new Tensor(native.fromBuffer(toTypedArray(flat, storeAs), shape, dtypeCode(storeAs)));
    if (storeAs !== dtype) t = convert(t, dtype);
  }
  if (opts.requiresGrad) {
    try {
      t.requiresGrad = true;
    } catch (err) {
      t.dispose(); // e.g. an integer dtype: the caller never sees t, so it must not outlive the error
      throw err;
    }
  }
  return t;
}

/** t converted to dtype; t is freed either way (also when the conversion throws). */
function convert(t: Tensor, dtype: DType): Tensor {
  try {
    return toDtype(t, dtype);
  } finally {
    t.dispose();
  }
}

const TO_DTYPE = aten('to', 'dtype');
const CLONE = aten('clone');
/** A tensor of another dtype (autograd flows through float conversions). Same dtype: a new handle, no copy. */
export const toDtype = (a: Tensor, dtype: DType): Tensor => wrap(TO_DTYPE([h(a, 'to'), dtypeCode(dtype)]));
export const clone = (a: Tensor): Tensor => wrap(CLONE([h(a, 'clone')]));

const ZEROS = aten('zeros');
const ONES = aten('ones');
const FULL = aten('full');
const EMPTY = aten('empty', 'memory_format');
const ARANGE = aten('arange', 'start_step');
const LINSPACE = aten('linspace');
const EYE = aten('eye');
const ZEROS_LIKE = aten('zeros_like');
const ONES_LIKE = aten('ones_like');
const FULL_LIKE = aten('full_like');
const SCALAR = aten('scalar_tensor');

const code = (d: DType | undefined, fallback: DType = 'float32'): number => dtypeCode(d ?? fallback);
export const zeros = (shape: number[], dtype?: DType): Tensor => wrap(ZEROS([shape, code(dtype)]));
export const ones = (shape: number[], dtype?: DType): Tensor => wrap(ONES([shape, code(dtype)]));
export const full = (shape: number[], value: number, dtype?: DType): Tensor => wrap(FULL([shape, value, code(dtype)]));
export const empty = (shape: number[], dtype?: DType): Tensor => wrap(EMPTY([shape, code(dtype)]));
export const scalar = (value: number, dtype?: DType): Tensor => wrap(SCALAR([value, code(dtype)]));
/** [start, end) by step; dtype defaults to int64 when all arguments are integers, else float32. */
export function arange(start: number, end?: number, step = 1, dtype?: DType): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  const ints = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  return wrap(ARANGE([s, e, step, code(dtype, ints ? 'int64' : 'float32')]));
}
export const linspace = (start: number, end: number, steps: number, dtype?: DType): Tensor => wrap(LINSPACE([start, end, steps, code(dtype)]));
export const eye = (n: number, dtype?: DType): Tensor => wrap(EYE([n, code(dtype)]));
export const zerosLike = (a: Tensor): Tensor => wrap(ZEROS_LIKE([h(a, 'zeros_like')]));
export const onesLike = (a: Tensor): Tensor => wrap(ONES_LIKE([h(a, 'ones_like')]));
export const fullLike = (a: Tensor, value: number): Tensor => wrap(FULL_LIKE([h(a, 'full_like'), value]));
