// The openpi wire codec: msgpack with numpy's convention (openpi-client msgpack_numpy.py). An n-d array travels as a
// map whose keys are msgpack **bin**: {b"__ndarray__": true, b"data": bin, b"dtype": "<f4", b"shape": [..]}; a numpy
// scalar as {b"__npgeneric__": true, b"data": value, b"dtype": str}. packMessage writes NdArray values and plain typed
// arrays that way (everything else as ordinary msgpack; a Node Buffer as bin); unpackMessage is the inverse and checks
// every array (known dtype, shape of non-negative ints, data length = prod(shape) * itemsize), with errors that name
// the key path. Decoding uses @msgpack/msgpack's Decoder; writing uses msgpack-writer.ts (bin map keys).
import { Decoder, ExtData } from '@msgpack/msgpack';
import { MsgpackWriter, EncodeError, MAX_DEPTH } from './msgpack-writer.ts';
import { describe, dtypeOf, parseDtype, type TypedArray } from './dtype.ts';
import { scanMsgpack } from './scan.ts';

export type { TypedArray } from './dtype.ts';
export { EncodeError } from './msgpack-writer.ts';

/** An n-d array: numpy dtype string, shape, and C-order data in the typed array of that dtype ('|b1': Uint8Array of 0/1). */
export interface NdArray<T extends TypedArray = TypedArray> {
  dtype: string;
  shape: number[];
  data: T;
}

/** A numpy scalar (np.float32(1.5), np.bool_(True), ...): its dtype string and its value. */
export interface NpScalar {
  npgeneric: true;
  dtype: string;
  value: number | bigint | boolean;
}

/** A message that is not valid openpi msgpack; `path` names where (e.g. `["observation/state"].shape`). */
export class ProtocolError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'ProtocolError';
  }
}

type Path = (string | number)[];
/** `["observation/state"]["shape"][1]` style: keys may themselves hold '/' and '.'. */
export const pathString = (path: Path): string => path.map((k) => (typeof k === 'number' ? `[${k}]` : `[${JSON.stringify(k)}]`)).join('');

/** A 1-D (or given shape) NdArray over a typed array, its dtype taken from the array type. */
export function ndarray<T extends TypedArray>(data: T, shape: number[] = [data.length]): NdArray<T> {
  return { dtype: dtypeOf(data), shape, data };
}

export const npScalar = (dtype: string, value: number | bigint | boolean): NpScalar => ({ npgeneric: true, dtype, value });

const isTypedArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

export function isNdArray(v: unknown): v is NdArray {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.dtype === 'string' && Array.isArray(o.shape) && isTypedArray(o.data);
}

/** Marks the NdArrays unpackMessage built from `__ndarray__` maps (a str-keyed look-alike map is not one). */
const FROM_WIRE = Symbol('karakuri.ndarray.fromWire');

/** An NdArray that came off the wire as an openpi `__ndarray__` map (bin keys), not a map that merely looks like one. */
export const isWireNdArray = (v: unknown): v is NdArray => isNdArray(v) && (v as unknown as Record<symbol, unknown>)[FROM_WIRE] === true;

export function isNpScalar(v: unknown): v is NpScalar {
  return v !== null && typeof v === 'object' && (v as NpScalar).npgeneric === true && typeof (v as NpScalar).dtype === 'string';
}

// ---------------------------------------------------------------- packing

const KEY = Object.fromEntries(['__ndarray__', '__npgeneric__', 'data', 'dtype', 'shape'].map((k) => [k, Buffer.from(k, 'latin1')])) as Record<'__ndarray__' | '__npgeneric__' | 'data' | 'dtype' | 'shape', Buffer>;

const bytesOf = (a: TypedArray | Uint8ClampedArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function packArray(w: MsgpackWriter, a: NdArray, path: Path): void {
  let parsed;
  try { parsed = parseDtype(a.dtype); } catch (e) { throw new EncodeError(`${pathString(path)}: ${(e as Error).message}`); }
  const { dtype } = parsed;
  const natural = dtypeOf(a.data);
  if (natural !== dtype.str && !(dtype.kind === 'b' && natural === '|u1')) throw new EncodeError(`${pathString(path)}: dtype '${a.dtype}' but the data is a ${a.data.constructor.name} (${natural})`);
  const n = a.shape.reduce((p, d) => p * d, 1);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0) || n !== a.data.length) throw new EncodeError(`${pathString(path)}: shape [${a.shape.join(', ')}] does not fit ${a.data.length} elements`);
  w.mapHeader(4);
  w.bin(KEY.__ndarray__); w.bool(true);
  w.bin(KEY.data); w.bin(bytesOf(a.data));
  w.bin(KEY.dtype); w.str(dtype.str);  // the data is always little-endian in JS
  w.bin(KEY.shape); w.arrayHeader(a.shape.length); for (const d of a.shape) w.number(d);
}

function packScalar(w: MsgpackWriter, s: NpScalar, path: Path): void {
  let dtype;
  try { dtype = parseDtype(s.dtype).dtype; } catch (e) { throw new EncodeError(`${pathString(path)}: ${(e as Error).message}`); }
  w.mapHeader(3);
  w.bin(KEY.__npgeneric__); w.bool(true);
  w.bin(KEY.data);
  if (dtype.kind === 'b') w.bool(Boolean(s.value));
  else if (dtype.kind === 'f') w.float64(Number(s.value));        // obj.item() of a numpy float is a Python float
  else if (typeof s.value === 'bigint') w.bigint(s.value);
  else w.number(Number(s.value));
  w.bin(KEY.dtype); w.str(dtype.str);
}

function pack(w: MsgpackWriter, v: unknown, path: Path, depth: number): void {
  if (depth > MAX_DEPTH) throw new EncodeError(`${pathString(path)}: nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
  if (v === null || v === undefined) return w.nil();
  switch (typeof v) {
    case 'boolean': return w.bool(v);
    case 'number': return w.number(v);
    case 'bigint': return w.bigint(v);
    case 'string': return w.str(v);
    case 'object': break;
    default: throw new EncodeError(`${pathString(path)}: cannot send a ${typeof v}`);
  }
  if (Buffer.isBuffer(v)) return w.bin(v);
  if (isTypedArray(v)) return packArray(w, ndarray(v), path);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw new EncodeError(`${pathString(path)}: cannot send a ${Object.prototype.toString.call(v)} (use a typed array, or a Buffer for bin)`);
  if (isNdArray(v)) return packArray(w, v, path);
  if (isNpScalar(v)) return packScalar(w, v, path);
  if (Array.isArray(v)) {
    w.arrayHeader(v.length);
    v.forEach((x, i) => pack(w, x, [...path, i], depth + 1));
    return;
  }
  if (v instanceof Map) {
    w.mapHeader(v.size);
    for (const [k, x] of v) {
      if (typeof k === 'string') w.str(k);
      else if (k instanceof Uint8Array) w.bin(k);
      else throw new EncodeError(`${pathString(path)}: a map key must be a string or a Uint8Array (bin), got ${typeof k}`);
      pack(w, x, [...path, typeof k === 'string' ? k : Buffer.from(k).toString('latin1')], depth + 1);
    }
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new EncodeError(`${pathString(path)}: cannot send a ${(v as object).constructor?.name ?? 'object'}`);
  const entries = Object.entries(v as Record<string, unknown>);
  w.mapHeader(entries.length);
  for (const [k, x] of entries) { w.str(k); pack(w, x, [...path, k], depth + 1); }
}

/**
 * msgpack bytes of `value` in openpi's convention: NdArray values and typed arrays become `__ndarray__` maps with bin
 * keys, NpScalar values `__npgeneric__` maps, Buffers bin, JS Maps may carry bin (Uint8Array) keys, object keys are str.
 */
export function packMessage(value: unknown): Uint8Array {
  const w = new MsgpackWriter();
  pack(w, value, [], 0);
  return w.bytes();
}

// ---------------------------------------------------------------- unpacking

// The decoder only builds plain objects, so each key is tagged with its msgpack type and untagged by revive():
// '\0b' + latin1 bytes = bin, '\0n' + digits = int, '\0s' + key = a str that itself starts with NUL, else the str.
const BIN = '\u0000b', NUM = '\u0000n', ESC = '\u0000s';
function tagKey(key: unknown): string {
  if (typeof key === 'string') return key.startsWith('\u0000') ? ESC + key : key;
  if (key instanceof Uint8Array) return BIN + Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
  if (typeof key === 'number' || typeof key === 'bigint') return NUM + String(key);
  throw new Error(`a map key must be a str, bin or int, got ${describe(key)}`);
}
const untag = (k: string): { kind: 'str' | 'bin' | 'int'; key: string } =>
  k.startsWith(BIN) ? { kind: 'bin', key: Buffer.from(k.slice(2), 'latin1').toString('utf8') }
    : k.startsWith(NUM) ? { kind: 'int', key: k.slice(2) }
      : k.startsWith(ESC) ? { kind: 'str', key: k.slice(2) } : { kind: 'str', key: k };

const isPlainMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof ExtData) && !(v instanceof Date);

function reviveArray(m: Record<string, unknown>, path: Path): NdArray {
  const at = (k: string) => pathString([...path, k]);
  const dataRaw = m[BIN + 'data'], shapeRaw = m[BIN + 'shape'];
  if (!(dataRaw instanceof Uint8Array)) throw new ProtocolError(at('data'), `an __ndarray__ needs a bin key "data" holding bin, got ${describe(dataRaw)}${m.data !== undefined ? ' (found a str key "data": ndarray keys must be msgpack bin)' : ''}`);
  let parsed;
  try { parsed = parseDtype(m[BIN + 'dtype']); } catch (e) { throw new ProtocolError(at('dtype'), (e as Error).message); }
  if (!Array.isArray(shapeRaw)) throw new ProtocolError(at('shape'), `an __ndarray__ needs a bin key "shape" holding an array of ints, got ${describe(shapeRaw)}`);
  if (shapeRaw.length > 32) throw new ProtocolError(at('shape'), `${shapeRaw.length} dimensions (numpy allows 32)`);
  const shape = shapeRaw.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new ProtocolError(pathString([...path, 'shape', i]), `a dimension must be a non-negative int, got ${describe(d)}`);
    return d;
  });
  const { dtype, bigEndian } = parsed;
  const n = shape.reduce((p, d) => p * d, 1);
  if (n * dtype.itemsize !== dataRaw.length) throw new ProtocolError(at('data'), `${dataRaw.length} bytes, but shape [${shape.join(', ')}] of '${dtype.str}' needs ${n * dtype.itemsize}`);
  const copy = new Uint8Array(dataRaw.length);  // owned and aligned for the typed array
  copy.set(dataRaw);
  if (bigEndian) for (let i = 0; i < copy.length; i += dtype.itemsize) copy.subarray(i, i + dtype.itemsize).reverse();
  const out: NdArray = { dtype: dtype.str, shape, data: dtype.make(copy.buffer, 0, n) };
  Object.defineProperty(out, FROM_WIRE, { value: true, enumerable: false });
  return out;
}

function reviveScalar(m: Record<string, unknown>, path: Path): NpScalar {
  let dtype;
  try { dtype = parseDtype(m[BIN + 'dtype']).dtype; } catch (e) { throw new ProtocolError(pathString([...path, 'dtype']), (e as Error).message); }
  const v = m[BIN + 'data'];
  if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') throw new ProtocolError(pathString([...path, 'data']), `a __npgeneric__ needs a number or bool "data", got ${describe(v)}`);
  return { npgeneric: true, dtype: dtype.str, value: v };
}

function revive(v: unknown, path: Path, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtocolError(pathString(path), `nested deeper than ${MAX_DEPTH} levels`);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length);
  if (v instanceof ExtData || v instanceof Date) throw new ProtocolError(pathString(path), 'msgpack extension types are not part of the openpi protocol');
  if (Array.isArray(v)) return v.map((x, i) => revive(x, [...path, i], depth + 1));
  const m = v as Record<string, unknown>;
  if (Object.hasOwn(m, BIN + '__ndarray__')) return reviveArray(m, path);
  if (Object.hasOwn(m, BIN + '__npgeneric__')) return reviveScalar(m, path);
  const out: Record<string, unknown> = {};
  for (const [tagged, x] of Object.entries(m)) {
    const { key } = untag(tagged);
    if (key === '__proto__') throw new ProtocolError(pathString(path), 'the key "__proto__" is not allowed');
    if (Object.hasOwn(out, key)) throw new ProtocolError(pathString(path), `key ${JSON.stringify(key)} appears twice (as str and bin)`);
    out[key] = revive(x, [...path, key], depth + 1);
  }
  return out;
}

/** Most msgpack items (values, keys, containers) a message may hold by default; see scan.ts. */
export const MAX_ITEMS = 10_000;

/**
 * Decodes one msgpack message in openpi's convention: `__ndarray__` maps (bin keys) become NdArray (data copied into
 * its own aligned typed array, big-endian converted), `__npgeneric__` maps NpScalar, bin values Buffers, map keys
 * strings. Throws ProtocolError naming the path for malformed msgpack, trailing bytes, extension types, bad arrays,
 * and for messages of more than `maxItems` items (checked before decoding, in time bounded by maxItems).
 */
export function unpackMessage(bytes: Uint8Array, opts: { maxItems?: number } = {}): unknown {
  let raw: unknown;
  try {
    scanMsgpack(bytes, opts.maxItems ?? MAX_ITEMS, MAX_DEPTH);
  } catch (e) {
    throw new ProtocolError('', `malformed msgpack: ${(e as Error).message}`);
  }
  try {
    // every element needs at least one byte: a length above the message's size is a lie
    const max = bytes.length;
    const dec = new Decoder({ mapKeyConverter: tagKey as (k: unknown) => string, maxArrayLength: max, maxMapLength: max, maxBinLength: max, maxStrLength: max, maxExtLength: max });
    raw = dec.decode(bytes);
  } catch (e) {
    throw new ProtocolError('', `malformed msgpack: ${(e as Error).message}`);
  }
  return revive(raw, [], 0);
}

export { isPlainMap };
