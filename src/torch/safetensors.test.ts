// safetensors: hand-built bytes from the format description both ways, the reference implementation's own test
// vectors, every dtype through a file, model state dicts, corrupt files, and atomic saves.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from './index.ts';
import { serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors, saveModule, loadModule } from './safetensors.ts';

/** Builds a safetensors byte string by hand, straight from the format description. */
function handBuilt(headerJson: string, data: number[]): Buffer {
  const pad = (8 - (Buffer.byteLength(headerJson) % 8)) % 8;
  const head = Buffer.from(headerJson + ' '.repeat(pad));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return Buffer.concat([len, head, Buffer.from(data)]);
}
// f32 [1.0, -2.0] and i64 [7]; files list the 8-byte dtypes first (descending alignment, then name)
const F32 = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];
const I64 = [7, 0, 0, 0, 0, 0, 0, 0];
const HEADER = '{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';

const made: torch.Tensor[] = [];
afterEach(() => { for (const t of made.splice(0)) t.dispose(); });
const track = <T extends torch.Tensor>(t: T) => { made.push(t); return t; };

describe('safetensors', () => {
  it('parses hand-built bytes from the spec', () => {
    const { tensors, metadata } = parseSafetensors(handBuilt(HEADER, [...I64, ...F32]));
    expect(metadata).toEqual({ format: 'pt' });
    const a = track(tensors.get('a')!), b = track(tensors.get('b')!);
    expect(a.dtype).toBe('float32');
    expect(a.toNumbers()).toEqual([1, -2]);
    expect(b.dtype).toBe('int64');
    expect(b.shape).toEqual([1, 1]);
    expect(b.toNumbers()).toEqual([7]);
  });

  it('writes exactly the bytes the spec gives for a known dict', () => {
    const a = track(torch.tensor([1, -2]));
    const b = track(torch.tensor([[7]], { dtype: 'int64' }));
    const ours = serializeSafetensors({ b, a }, { format: 'pt' });
    expect(ours.equals(handBuilt(HEADER, [...I64, ...F32]))).toBe(true);
    expect(HEADER.length % 8).not.toBe(0); // so the padding is exercised
    expect((ours.readBigUInt64LE(0) + 8n) % 8n).toBe(0n); // header padded to a multiple of 8
  });

  it("matches the reference implementation's test vectors (huggingface/safetensors tensor.rs)", () => {
    const bytes = (...xs: (number[] | string)[]) => Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x) : Buffer.from(x))));
    const le8 = (n: number) => [n, 0, 0, 0, 0, 0, 0, 0];
    // test_empty: no tensors; then only metadata
    expect(serializeSafetensors({}).equals(bytes(le8(8), '{}      '))).toBe(true);
    expect(serializeSafetensors({}, { framework: 'pt' }).equals(bytes(le8(40), '{"__metadata__":{"framework":"pt"}}     '))).toBe(true);
    // test_serialization_forced_alignement: f32 0..5 as [1, 1, 2, 3], header padded from 65 to 72 bytes
    const attn0 = track(torch.arange(0, 6, 1, 'float32').reshape(1, 1, 2, 3));
    const f32s = [...new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer)];
    const want = bytes(le8(72), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ', f32s);
    expect(serializeSafetensors({ attn0 }).equals(want)).toBe(true);
    expect(track(parseSafetensors(want).tensors.get('attn0')!).toNumbers()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('writes non-contiguous tensors row-major', () => {
    const t = track(torch.tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1)); // [[1, 4], [2, 5], [3, 6]]
    const back = parseSafetensors(serializeSafetensors({ t })).tensors.get('t')!;
    track(back);
    expect(back.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it('round-trips every dtype through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const src = new Map<string, torch.Tensor>([
      ['f32', torch.randn([3, 4])], ['f64', torch.randn([2], 'float64')], ['f16', torch.randn([5]).to('float16')],
      ['bf16', torch.randn([5]).to('bfloat16')], ['i64', torch.arange(6)], ['i32', torch.arange(4, undefined, 1, 'int32')],
      ['u8', torch.tensor([0, 255, 3], { dtype: 'uint8' })], ['bool', torch.tensor([1, 0, 1], { dtype: 'bool' })],
      ['empty', torch.zeros([0, 3])],
    ]);
    src.forEach((t) => track(t));
    saveSafetensors(join(dir, 'm.safetensors'), src, { step: '10' });
    const back = loadSafetensors(join(dir, 'm.safetensors'));
    expect(back.metadata).toEqual({ step: '10' });
    for (const [k, t] of src) {
      const u = track(back.tensors.get(k)!);
      expect(u.dtype, k).toBe(t.dtype);
      expect(u.shape, k).toEqual(t.shape);
      expect(Buffer.from(u.data().buffer).equals(Buffer.from(t.data().buffer)), k).toBe(true);
    }
  });

  it('a model state dict saves and loads into a fresh model with identical outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    torch.manualSeed(1);
    const m1 = new torch.nn.MLP([4, 8, 2]);
    torch.manualSeed(2);
    const m2 = new torch.nn.MLP([4, 8, 2]);
    const x = track(torch.randn([3, 4]));
    saveSafetensors(join(dir, 'mlp.safetensors'), m1.stateDict());
    const { tensors } = loadSafetensors(join(dir, 'mlp.safetensors'));
    m2.loadStateDict(tensors);
    tensors.forEach((t) => t.dispose());
    const [y1, y2] = torch.noGrad(() => [track(m1.forward(x)), track(m2.forward(x))]);
    expect(y2.toNumbers()).toEqual(y1.toNumbers());
    m1.dispose(); m2.dispose();
  });

  it('saveModule/loadModule: a model and its AdamW state resume training identically; a wrong file changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const x = track(torch.randn([8, 4])), y = track(torch.randn([8, 2]));
    const setup = (seed: number) => {
      torch.manualSeed(seed);
      const model = new torch.nn.MLP([4, 16, 2]);
      return { model, opt: new torch.optim.AdamW(model.parameters(), { lr: 0.01 }) };
    };
    const step = ({ model, opt }: ReturnType<typeof setup>) =>
      torch.tidy(() => { opt.zeroGrad(); const l = torch.F.mseLoss(model.forward(x), y); l.backward(); opt.step(); return l.item(); });
    const a = setup(1);
    for (let i = 0; i < 5; i++) step(a);
    saveModule(join(dir, 'model.safetensors'), a.model, { step: '5' });
    saveModule(join(dir, 'optim.safetensors'), a.opt);
    const b = setup(2);
    const live = torch.liveTensors().tensors;
    expect(loadModule(join(dir, 'model.safetensors'), b.model)).toEqual({ step: '5' });
    loadModule(join(dir, 'optim.safetensors'), b.opt);
    expect(torch.liveTensors().tensors).toBe(live + 2 * b.model.parameters().length); // only the optimizer's new moments
    for (let i = 0; i < 3; i++) expect(step(b)).toBe(step(a));
    // a file for another model: strict load refuses it, names the keys, and frees what it read
    const other = new torch.nn.MLP([4, 8, 2]);
    saveModule(join(dir, 'other.safetensors'), other);
    const before = b.model.stateDict().get('0.weight')!.toNumbers();
    const live2 = torch.liveTensors().tensors;
    expect(() => loadModule(join(dir, 'other.safetensors'), b.model)).toThrow(/0\.weight: shape \[8, 4\] in the state dict, \[16, 4\] in the model/);
    expect(torch.liveTensors().tensors).toBe(live2);
    expect(b.model.stateDict().get('0.weight')!.toNumbers()).toEqual(before);
    for (const m of [a, b]) { m.opt.dispose(); m.model.dispose(); }
    other.dispose();
  });

  const bad: [string, Buffer, RegExp][] = [
    ['too short', Buffer.from([1, 2, 3]), /too short/],
    ['header past the end', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(100n); return b; })(), /runs past the end/],
    ['header over the limit', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(200_000_000n); return b; })(), /over the 100000000-byte limit/],
    ['header not UTF-8', (() => { const b = handBuilt('{"a":1}', []); b[9] = 0xff; return b; })(), /not valid UTF-8/],
    ['header not an object', handBuilt('[1, 2]', []), /header must be a JSON object/],
    ['invalid JSON', handBuilt('{"a": nope}', []), /not valid JSON/],
    ['unknown dtype', handBuilt('{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}', [0]), /tensor 'a': unknown dtype 'Q8'/],
    ['size mismatch', handBuilt('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', F32), /tensor 'a': 8 bytes .* needs 12/],
    ['offsets past data', handBuilt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0]), /past the data/],
    ['overlap', handBuilt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /overlap/],
    ['gap', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /gap of 4 bytes/],
    ['duplicate name', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /duplicate name 'a'/],
    ['metadata not strings', handBuilt('{"__metadata__":{"step":10}}', []), /__metadata__ value 'step' must be a string, got 10/],
    ['bool byte not 0/1', handBuilt('{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 7]), /tensor 'm': BOOL element 1 is byte 7/],
    ['bad entry', handBuilt('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor 'a': bad header entry/],
    ['trailing bytes', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', F32), /4 bytes of data after the last tensor/],
  ];
  it.each(bad)('rejects %s with an error naming the problem', (_name, bytes, msg) => {
    const before = torch.liveTensors().tensors;
    expect(() => parseSafetensors(bytes, 'x.safetensors')).toThrow(msg);
    expect(() => parseSafetensors(bytes, 'x.safetensors')).toThrow(/^x\.safetensors: /);
    expect(torch.liveTensors().tensors).toBe(before); // nothing leaked on failure
  });

  it('metadata holding JSON is not mistaken for duplicate tensor names', () => {
    const a = track(torch.ones([1]));
    const meta = { config: JSON.stringify({ a: { b: 1 }, list: [{ a: 2 }] }) };
    const back = parseSafetensors(serializeSafetensors({ a }, meta));
    track(back.tensors.get('a')!);
    expect(back.metadata).toEqual(meta);
  });

  it('a save that fails half-way leaves the existing file untouched and no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const path = join(dir, 'keep.safetensors');
    writeFileSync(path, 'precious');
    const good = track(torch.ones([1000]));
    // a tensor whose header info is readable but whose bytes fail, as a disk or device error would, after the
    // first tensor's bytes went to the temp file ('a' < 'b': written second)
    const failing = Object.create(track(torch.ones([3])), { data: { value: () => { throw new Error('device lost'); } } }) as torch.Tensor;
    expect(() => saveSafetensors(path, { a: good, b: failing })).toThrow(/device lost/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['keep.safetensors']);
    // refused before any write: a reserved name, a disposed tensor, non-string metadata
    expect(() => saveSafetensors(path, { __metadata__: good })).toThrow(/__metadata__/);
    const gone = torch.ones([1]); gone.dispose();
    expect(() => saveSafetensors(path, { gone })).toThrow(/tensor 'gone' was disposed/);
    expect(() => saveSafetensors(path, { good }, { n: 3 as unknown as string })).toThrow(/metadata 'n' must be a string/);
    expect(readdirSync(dir)).toEqual(['keep.safetensors']);
    // and a good save replaces it
    saveSafetensors(path, { good });
    expect(readdirSync(dir)).toEqual(['keep.safetensors']);
    expect(track(loadSafetensors(path).tensors.get('good')!).shape).toEqual([1000]);
  });
  // The cross-check against Python's safetensors (when installed) is in safetensors.python.test.ts.
});
