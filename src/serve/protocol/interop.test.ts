// Interop with openpi's Python client, without Python: observation bytes are assembled by hand exactly as
// msgpack.Packer(use_bin_type=True) with openpi-client's pack_array writes them (str top-level keys, bin ndarray keys,
// numpy dtype strings, shape as an array of ints, LIBERO's keys and 224x224 uint8 images), sent over a real socket to
// the server, and the reply is read by an independent msgpack reader the way their unpack_array hook does (an
// ndarray is a map holding the *bin* key "__ndarray__").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolicyServer, type PolicyServer } from '../server/server.ts';
import { connect } from '../server/test-ws.ts';
import { kara6State, liberoMessage, PROMPTS, testImage, writeTestModel } from '../server/test-model.ts';
import { packMessage } from './ndarray.ts';

// ---- the bytes Python's msgpack would write (only the formats these messages use)
const cat = (...xs: (Uint8Array | number[])[]) => Buffer.concat(xs.map((x) => Buffer.from(x)));
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const py = {
  map: (n: number) => [0x80 | n],
  str: (s: string) => { const b = Buffer.from(s); return cat(b.length < 32 ? [0xa0 | b.length] : b.length < 256 ? [0xd9, b.length] : [0xda, ...u16(b.length)], b); },
  bin: (b: Uint8Array) => cat(b.length < 256 ? [0xc4, b.length] : b.length < 65536 ? [0xc5, ...u16(b.length)] : [0xc6, ...u32(b.length)], b),
  int: (n: number) => (n < 128 ? [n] : n < 256 ? [0xcc, n] : [0xcd, ...u16(n)]),
  True: [0xc3],
  /** openpi-client msgpack_numpy.pack_array: {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape} */
  ndarray: (data: Uint8Array, dtype: string, shape: number[]) => cat(py.map(4),
    py.bin(Buffer.from('__ndarray__')), py.True, py.bin(Buffer.from('data')), py.bin(data),
    py.bin(Buffer.from('dtype')), py.str(dtype), py.bin(Buffer.from('shape')), [0x90 | shape.length], ...shape.map(py.int)),
};
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** LIBERO's example client: {"observation/image", "observation/wrist_image", "observation/state", "prompt"}. */
function liberoBytes(state: Float64Array, seed = 0): Buffer {
  return cat(py.map(4),
    py.str('observation/image'), py.ndarray(testImage(224, 224, seed), '|u1', [224, 224, 3]),
    py.str('observation/wrist_image'), py.ndarray(testImage(224, 224, seed + 1), '|u1', [224, 224, 3]),
    py.str('observation/state'), py.ndarray(bytesOf(state), '<f8', [state.length]),
    py.str('prompt'), py.str(PROMPTS[0]!));
}

// ---- an independent reader that keeps str and bin apart, with openpi's unpack_array hook
type Py = null | boolean | number | bigint | string | { bin: Buffer } | Py[] | { pymap: [{ str?: string; bin?: string }, Py][] } | { ndarray: { dtype: string; shape: number[]; data: Buffer } };
function read(b: Buffer, p = { i: 0 }): Py {
  const t = b[p.i++]!;
  const take = (n: number) => { const s = b.subarray(p.i, p.i + n); p.i += n; return s; };
  const str = (n: number) => take(n).toString('utf8');
  const arr = (n: number): Py[] => Array.from({ length: n }, () => read(b, p));
  const map = (n: number): Py => {
    const entries: [{ str?: string; bin?: string }, Py][] = [];
    for (let k = 0; k < n; k++) {
      const key = read(b, p);
      const tag = typeof key === 'string' ? { str: key } : key && typeof key === 'object' && 'bin' in key ? { bin: key.bin.toString('latin1') } : (() => { throw new Error('bad key'); })();
      entries.push([tag, read(b, p)]);
    }
    const get = (k: string) => entries.find(([e]) => e.bin === k)?.[1];
    if (get('__ndarray__') !== undefined) return { ndarray: { dtype: get('dtype') as string, shape: get('shape') as number[], data: (get('data') as { bin: Buffer }).bin } };
    return { pymap: entries };
  };
  if (t < 0x80) return t;
  if (t >= 0xe0) return t - 256;
  if ((t & 0xf0) === 0x80) return map(t & 0x0f);
  if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
  if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
  switch (t) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return { bin: Buffer.from(take(take(1)[0]!)) };
    case 0xc5: return { bin: Buffer.from(take(take(2).readUInt16BE(0))) };
    case 0xc6: return { bin: Buffer.from(take(take(4).readUInt32BE(0))) };
    case 0xcb: return take(8).readDoubleBE(0);
    case 0xcc: return take(1)[0]!;
    case 0xcd: return take(2).readUInt16BE(0);
    case 0xce: return take(4).readUInt32BE(0);
    case 0xd9: return str(take(1)[0]!);
    case 0xda: return str(take(2).readUInt16BE(0));
    case 0xdc: return arr(take(2).readUInt16BE(0));
    case 0xde: return map(take(2).readUInt16BE(0));
    default: throw new Error(`reader: unexpected byte 0x${t.toString(16)}`);
  }
}
const field = (m: Py, key: string): Py => {
  if (!m || typeof m !== 'object' || !('pymap' in m)) throw new Error('not a map');
  const e = m.pymap.find(([k]) => k.str === key);
  if (!e) throw new Error(`no str key ${key} (keys: ${m.pymap.map(([k]) => JSON.stringify(k)).join(', ')})`);
  return e[1];
};

const { dir } = writeTestModel();
let server: PolicyServer;
beforeAll(async () => { server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', embodiment: 'kara6' }); });
afterAll(async () => { await server.close(); });

describe('an openpi Python client, byte for byte', () => {
  it('our packMessage writes the same bytes as their packer for a LIBERO observation', () => {
    const state = Float64Array.from(kara6State());
    expect(Buffer.from(packMessage(liberoMessage({ state: { dtype: '<f8', shape: [14], data: state } }))).equals(liberoBytes(state))).toBe(true);
  });

  it('LIBERO keys, 224x224 uint8 images, a float64 state and a str prompt get a float32 [10, 7] chunk they can decode', async () => {
    const c = await connect(server.port, { Authorization: 'Api-Key ignored-when-open' });
    const meta = read((await c.next()).data);
    expect(field(meta, 'horizon')).toBe(10);
    for (let k = 0; k < 3; k++) {
      c.send(liberoBytes(Float64Array.from(kara6State(k)), k));
      const f = await c.next();
      expect(f.binary).toBe(true);
      const reply = read(f.data);
      const actions = field(reply, 'actions') as { ndarray: { dtype: string; shape: number[]; data: Buffer } };
      expect(actions.ndarray.dtype).toBe('<f4');
      expect(actions.ndarray.shape).toEqual([10, 7]);
      expect(actions.ndarray.data.length).toBe(10 * 7 * 4);
      const a = new Float32Array(actions.ndarray.data.buffer.slice(actions.ndarray.data.byteOffset, actions.ndarray.data.byteOffset + 280));
      expect(a.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
      expect(typeof field(field(reply, 'policy_timing'), 'infer_ms')).toBe('number');
      expect(typeof field(field(reply, 'server_timing'), 'infer_ms')).toBe('number');
      if (k > 0) expect(typeof field(field(reply, 'server_timing'), 'prev_total_ms')).toBe('number');
    }
    c.close();
  });

  it("LIBERO's own 8-D state is answered with a text frame naming the expected width, then close 1011", async () => {
    const c = await connect(server.port);
    await c.next();
    c.send(liberoBytes(new Float64Array(8)));
    const f = await c.next();
    expect(f.binary).toBe(false);
    expect(f.data.toString()).toMatch(/observation\/state: state has 8 components, embodiment 'kara6' expects 14 .*8-D LIBERO state/);
    expect((await c.closed).code).toBe(1011);
  });
});
