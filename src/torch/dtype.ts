// Data types: names as in PyTorch, their libtorch codes (c10::ScalarType) and the TypedArray that holds each.
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_CODE: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const CODE_DTYPE = new Map<number, DType>(Object.entries(DTYPE_CODE).map(([k, v]) => [v, k as DType]));

export function dtypeFromCode(code: number): DType {
  const d = CODE_DTYPE.get(code);
  if (!d) throw new Error(`unsupported libtorch dtype code ${code}`);
  return d;
}

export function dtypeCode(d: DType): number {
  const c = DTYPE_CODE[d];
  if (c === undefined) throw new Error(`unknown dtype '${String(d)}' (expected one of ${Object.keys(DTYPE_CODE).join(', ')})`);
  return c;
}

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float16: 2, float32: 4, float64: 8, bool: 1, bfloat16: 2,
};

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** The TypedArray view used for each dtype's raw bytes (float16/bfloat16 are exposed as their uint16 bits). */
export function typedView(d: DType, buf: ArrayBuffer): TypedArray {
  switch (d) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    case 'float16': case 'bfloat16': return new Uint16Array(buf);
  }
}

/** The dtype a TypedArray naturally holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) throw new TypeError('Uint16Array data needs an explicit dtype (float16 or bfloat16)');
  const name = (a as object)?.constructor?.name ?? typeof a;
  throw new TypeError(`unsupported array type ${name} (use Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array, Uint8Array, or Uint16Array for float16/bfloat16 bits)`);
}

export const isFloating = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
