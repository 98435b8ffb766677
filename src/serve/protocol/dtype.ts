// numpy dtype strings of the openpi wire format ('<f4', '|u1', ...) and the JS typed arrays that hold their data.
// Little-endian and byte-order-free dtypes map to a typed array directly; big-endian ones ('>f4') are accepted and
// byte-swapped into the little-endian typed array. Object, complex, void, string, datetime and float16 dtypes are
// rejected with a message saying why.

export type TypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface DtypeInfo {
  /** The canonical numpy string as numpy writes it (dtype.str): '|u1', '<f4', ... */
  str: string;
  kind: 'b' | 'i' | 'u' | 'f';
  itemsize: number;
  make: (buf: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

const info = (str: string, kind: DtypeInfo['kind'], itemsize: number, make: DtypeInfo['make']): DtypeInfo => ({ str, kind, itemsize, make });
const TABLE: Record<string, DtypeInfo> = {
  b1: info('|b1', 'b', 1, (b, o, n) => new Uint8Array(b, o, n)),
  u1: info('|u1', 'u', 1, (b, o, n) => new Uint8Array(b, o, n)),
  i1: info('|i1', 'i', 1, (b, o, n) => new Int8Array(b, o, n)),
  u2: info('<u2', 'u', 2, (b, o, n) => new Uint16Array(b, o, n)),
  i2: info('<i2', 'i', 2, (b, o, n) => new Int16Array(b, o, n)),
  u4: info('<u4', 'u', 4, (b, o, n) => new Uint32Array(b, o, n)),
  i4: info('<i4', 'i', 4, (b, o, n) => new Int32Array(b, o, n)),
  u8: info('<u8', 'u', 8, (b, o, n) => new BigUint64Array(b, o, n)),
  i8: info('<i8', 'i', 8, (b, o, n) => new BigInt64Array(b, o, n)),
  f4: info('<f4', 'f', 4, (b, o, n) => new Float32Array(b, o, n)),
  f8: info('<f8', 'f', 8, (b, o, n) => new Float64Array(b, o, n)),
};

const REJECTED: Record<string, string> = {
  O: 'object arrays (pickled Python objects) are not accepted',
  c: 'complex numbers are not accepted',
  V: 'void / structured dtypes are not accepted',
  S: 'byte-string arrays are not accepted (send a str)',
  U: 'unicode-string arrays are not accepted (send a str)',
  M: 'datetime arrays are not accepted',
  m: 'timedelta arrays are not accepted',
};

/** A parsed dtype string: its table entry and whether its data is big-endian. Throws a message naming the problem. */
export function parseDtype(s: unknown): { dtype: DtypeInfo; bigEndian: boolean } {
  if (typeof s !== 'string') throw new Error(`dtype must be a numpy dtype string such as '<f4', got ${describe(s)}`);
  const m = /^([<>|=]?)([a-zA-Z])(\d*)(.*)$/.exec(s);
  if (!m) throw new Error(`dtype '${s}' is not a numpy dtype string (such as '<f4', '|u1', '<i8')`);
  const [, order, kind, size, rest] = m as unknown as [string, string, string, string, string];
  if (REJECTED[kind]) throw new Error(`dtype '${s}': ${REJECTED[kind]}`);
  if (kind === 'f' && size === '2') throw new Error(`dtype '${s}': float16 is not supported (send float32)`);
  const dtype = rest === '' ? TABLE[kind + size] : undefined;
  if (!dtype) throw new Error(`dtype '${s}' is not supported (supported: ${Object.values(TABLE).map((d) => d.str).join(', ')})`);
  return { dtype, bigEndian: order === '>' && dtype.itemsize > 1 };
}

/** The numpy dtype string of a typed array's element type. */
export function dtypeOf(a: TypedArray | Uint8ClampedArray): string {
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return '|u1';
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof BigInt64Array) return '<i8';
  if (a instanceof BigUint64Array) return '<u8';
  throw new Error(`no numpy dtype for ${Object.prototype.toString.call(a)}`);
}

/** A short description of a value for error messages ("a str", "a map", "an array of 3", "5"). */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return v.length <= 40 ? `the str ${JSON.stringify(v)}` : `a str of ${v.length} chars`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (v instanceof Uint8Array) return `bin of ${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'a map';
  return typeof v;
}
