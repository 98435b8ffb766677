// The openpi codec on real bytes: the reference's example bytes exactly, every dtype round-trips, big-endian data is
// converted, bad arrays are refused with the key path named, plain values match @msgpack/msgpack byte for byte, and
// random / mutated bytes only ever raise ProtocolError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { ndarray, npScalar, packMessage, ProtocolError, unpackMessage, type NdArray } from './ndarray.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const s = (t: string) => Buffer.from(t, 'latin1').toString('hex');
/** The reference's example, assembled from its listing: float32[2] under "observation/state". */
const exampleHex = (data: string) => `81b1${s('observation/state')}84c40b${s('__ndarray__')}c3c404${s('data')}c408${data}c405${s('dtype')}a3${s('<f4')}c405${s('shape')}9102`;

/** A raw ndarray map with bin keys, as openpi-client's pack_array builds it. */
function rawArray(dtype: string, shape: number[], data: Uint8Array): Map<string | Uint8Array, unknown> {
  const k = (t: string) => Buffer.from(t);
  return new Map<string | Uint8Array, unknown>([[k('__ndarray__'), true], [k('data'), Buffer.from(data)], [k('dtype'), dtype], [k('shape'), shape]]);
}

describe('the example bytes of the reference', () => {
  it('packMessage writes them exactly and unpackMessage reads them back', () => {
    const data = Buffer.from(Float32Array.of(1.5, -2).buffer).toString('hex');
    const bytes = packMessage({ 'observation/state': ndarray(Float32Array.of(1.5, -2)) });
    expect(hex(bytes)).toBe(exampleHex(data));
    const back = unpackMessage(Buffer.from(exampleHex(data), 'hex')) as Record<string, NdArray>;
    expect(back['observation/state']!.dtype).toBe('<f4');
    expect(back['observation/state']!.shape).toEqual([2]);
    expect(Array.from(back['observation/state']!.data as Float32Array)).toEqual([1.5, -2]);
  });
  it('an empty metadata map is the single byte 0x80', () => {
    expect(hex(packMessage({}))).toBe('80');
  });
});

describe('every dtype round-trips', () => {
  const cases: [string, NdArray][] = [
    ['|u1', ndarray(Uint8Array.of(0, 1, 255, 7, 8, 9), [2, 3])],
    ['|i1', ndarray(Int8Array.of(-128, 0, 127))],
    ['<u2', ndarray(Uint16Array.of(0, 65535))],
    ['<i2', ndarray(Int16Array.of(-32768, 5))],
    ['<u4', ndarray(Uint32Array.of(4294967295, 1))],
    ['<i4', ndarray(Int32Array.of(-5, 6, 7, 8), [2, 2])],
    ['<u8', ndarray(BigUint64Array.of(2n ** 64n - 1n))],
    ['<i8', ndarray(BigInt64Array.of(-(2n ** 63n), 3n))],
    ['<f4', ndarray(Float32Array.of(NaN, Infinity, -0, 1e-30), [1, 4])],
    ['<f8', ndarray(Float64Array.of(Math.PI, -1e300))],
    ['|b1', { dtype: '|b1', shape: [3], data: Uint8Array.of(1, 0, 1) }],
    ['<f4 empty', ndarray(new Float32Array(0), [0, 7])],
    ['<f8 0-d', ndarray(Float64Array.of(2.5), [])],
  ];
  for (const [name, a] of cases) {
    it(name, () => {
      const back = (unpackMessage(packMessage({ a })) as { a: NdArray }).a;
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(back.data.constructor).toBe(a.data.constructor);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(true);
    });
  }
  it('numpy scalars travel as __npgeneric__ with their Python value', () => {
    const bytes = packMessage({ f: npScalar('<f4', 1.5), b: npScalar('|b1', true), i: npScalar('<i8', 3n) });
    expect(hex(bytes)).toContain(`c40d${s('__npgeneric__')}c3c404${s('data')}cb3ff8000000000000c405${s('dtype')}a3${s('<f4')}`);
    expect(unpackMessage(bytes)).toEqual({ f: npScalar('<f4', 1.5), b: npScalar('|b1', true), i: npScalar('<i8', 3) });
  });
  it('a typed array inside arrays and maps is an ndarray; a Buffer stays bin', () => {
    const back = unpackMessage(packMessage({ xs: [Float64Array.of(1, 2)], raw: Buffer.from('abc') })) as { xs: NdArray[]; raw: Buffer };
    expect(back.xs[0]!.dtype).toBe('<f8');
    expect(Buffer.isBuffer(back.raw) && back.raw.toString()).toBe('abc');
  });
  it('big-endian data (">f4", ">i8") is converted to the machine order', () => {
    const be = Buffer.alloc(8); be.writeFloatBE(1.25, 0); be.writeFloatBE(-3, 4);
    const bi = Buffer.alloc(8); bi.writeBigInt64BE(-42n, 0);
    const back = unpackMessage(packMessage({ f: rawArray('>f4', [2], be), i: rawArray('>i8', [1], bi) })) as Record<string, NdArray>;
    expect(back.f!.dtype).toBe('<f4');
    expect(Array.from(back.f!.data as Float32Array)).toEqual([1.25, -3]);
    expect((back.i!.data as BigInt64Array)[0]).toBe(-42n);
  });
  it('a misaligned data bin still gives an aligned Float32Array', () => {
    const bytes = packMessage({ pad: 'x', a: ndarray(Float32Array.of(1, 2, 3)) });
    const back = unpackMessage(bytes) as { a: NdArray };
    expect(back.a.data.byteOffset % 4).toBe(0);
    expect(Array.from(back.a.data as Float32Array)).toEqual([1, 2, 3]);
  });
});

describe('bad arrays are refused, naming the key path', () => {
  const bad = (v: unknown) => { try { unpackMessage(packMessage(v)); } catch (e) { expect(e).toBeInstanceOf(ProtocolError); return (e as Error).message; } throw new Error('no error'); };
  it.each([
    ['object dtype', '|O', [1], new Uint8Array(8), /\["obs"\]\["img"\]\["dtype"\]: dtype '\|O': object arrays/],
    ['complex', '<c8', [1], new Uint8Array(8), /complex numbers are not accepted/],
    ['void', '|V4', [1], new Uint8Array(4), /void/],
    ['unknown dtype', '<q9', [1], new Uint8Array(1), /dtype '<q9' is not supported/],
    ['float16', '<f2', [1], new Uint8Array(2), /float16 is not supported/],
    ['data too short', '<f4', [2, 3], new Uint8Array(20), /\["obs"\]\["img"\]\["data"\]: 20 bytes, but shape \[2, 3\] of '<f4' needs 24/],
    ['negative dimension', '|u1', [-1], new Uint8Array(0), /\["shape"\]\[0\]: a dimension must be a non-negative int/],
    ['fractional dimension', '|u1', [1.5], new Uint8Array(1), /non-negative int/],
    ['huge shape', '|u1', [2 ** 31, 2 ** 31], new Uint8Array(1), /needs/],
  ])('%s', (_n, dtype, shape, data, re) => {
    expect(bad({ obs: { img: rawArray(dtype, shape, data) } })).toMatch(re);
  });
  it('a non-str dtype and a missing data key', () => {
    const m = rawArray('<f4', [1], new Uint8Array(4)); m.set(Buffer.from('dtype'), 5);
    expect(bad({ a: m })).toMatch(/\["a"\]\["dtype"\]: dtype must be a numpy dtype string/);
    const n = new Map<string | Uint8Array, unknown>([[Buffer.from('__ndarray__'), true], ['data', Buffer.alloc(4)], [Buffer.from('dtype'), '<f4'], [Buffer.from('shape'), [1]]]);
    expect(bad({ a: n })).toMatch(/found a str key "data": ndarray keys must be msgpack bin/);
  });
  it('str keys are not recognised as an ndarray (openpi decodes only bin keys)', () => {
    const back = unpackMessage(encode({ a: { __ndarray__: true, data: new Uint8Array(4), dtype: '<f4', shape: [1] } })) as { a: Record<string, unknown> };
    expect(back.a.__ndarray__).toBe(true);
    expect(Buffer.isBuffer(back.a.data)).toBe(true);
  });
  it('malformed msgpack: truncated, trailing bytes, extension types, __proto__ keys', () => {
    const ok = packMessage({ a: ndarray(Float32Array.of(1, 2)) });
    expect(() => unpackMessage(ok.subarray(0, ok.length - 3))).toThrow(/malformed msgpack/);
    expect(() => unpackMessage(Buffer.concat([ok, Buffer.from([0xc0])]))).toThrow(/malformed msgpack: 1 extra bytes after the message/);
    expect(() => unpackMessage(Buffer.from([0x81, 0xa1, 0x61, 0xd4, 0x05, 0x01]))).toThrow(/extension types are not part of the openpi protocol/);
    expect(() => unpackMessage(Buffer.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0xc0]))).toThrow(ProtocolError);
    expect(() => unpackMessage(Buffer.from([0x81, 0xc4, 0x09, ...Buffer.from('__proto__'), 0xc0]))).toThrow(/"__proto__" is not allowed/);
    expect(() => unpackMessage(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]))).toThrow(/malformed msgpack/);
    expect(() => unpackMessage(new Uint8Array(0))).toThrow(/malformed msgpack/);
  });
  it('a message of millions of tiny items is refused in bounded time, before any decoding (no event-loop stall)', () => {
    const N = 8 << 20, flat = Buffer.alloc(N);
    flat[0] = 0xdd; flat.writeUInt32BE(N - 5, 1);                       // array32 of 8 M fixints
    const maps = Buffer.alloc(5 + 40_000 * 4);
    maps[0] = 0xdd; maps.writeUInt32BE(40_000, 1);
    for (let i = 0; i < 40_000; i++) maps.set([0x81, 0xa1, 0x61, 0x01], 5 + i * 4);   // 40 000 maps {a: 1}
    const t0 = performance.now();
    expect(() => unpackMessage(flat)).toThrow(/a container of 8388603 entries exceeds the 10000 items allowed/);
    expect(() => unpackMessage(maps)).toThrow(/exceeds the 10000 items allowed/);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(() => unpackMessage(Buffer.alloc(70).fill(0x91))).toThrow(/nested deeper than 64 levels/);
    expect((unpackMessage(packMessage(new Array(9000).fill(1))) as number[]).length).toBe(9000);
  });
  it('packMessage refuses a dtype that does not match its data, and cycles', () => {
    expect(() => packMessage({ a: { dtype: '<f8', shape: [1], data: Float32Array.of(1) } })).toThrow(/\["a"\]: dtype '<f8' but the data is a Float32Array/);
    const cyc: Record<string, unknown> = {}; cyc.self = cyc;
    expect(() => packMessage(cyc)).toThrow(/nested deeper than 64 levels/);
    expect(() => packMessage({ f: () => 1 })).toThrow(/\["f"\]: cannot send a function/);
  });
});

describe('properties', () => {
  const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('__proto__'));
  it('plain values: packMessage writes exactly what @msgpack/msgpack writes, and they round-trip', () => {
    fc.assert(fc.property(json, (v) => {
      expect(hex(packMessage(v))).toBe(hex(encode(v)));
      expect(unpackMessage(packMessage(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }), { numRuns: 500 });
  });
  it('random float32 arrays of random shapes round-trip exactly', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), fc.integer(), (shape, seed) => {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed + i) * 1e3));
      const back = (unpackMessage(packMessage({ x: ndarray(data, shape) })) as { x: NdArray }).x;
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data));
    }), { numRuns: 300 });
  });
  it('random bytes and mutated valid messages raise only ProtocolError (or decode)', () => {
    const valid = packMessage({ 'observation/state': ndarray(Float32Array.of(1, 2, 3)), prompt: 'pick', img: ndarray(new Uint8Array(12), [2, 2, 3]) });
    const check = (b: Uint8Array) => { try { unpackMessage(b); } catch (e) { if (!(e instanceof ProtocolError)) throw e; } };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(b)), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
      const b = valid.slice(0, Math.max(1, cut));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      check(b);
    }), { numRuns: 3000 });
  });
});
