import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as torch from './index.ts';
import { serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors } from './safetensors.ts';

/** Builds a safetensors byte string by hand, straight from the format description. */
function handBuilt(headerJson: string, data: number[]): Buffer {
  const pad = (8 - (Buffer.byteLength(headerJson) % 8)) % 8;
  const head = Buffer.from(headerJson + ' '.repeat(pad));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return Buffer.concat([len, head, Buffer.from(data)]);
}
// f32 [1.0, -2.0] and i64 [7]
const F32 = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];
const I64 = [7, 0, 0, 0, 0, 0, 0, 0];
const HEADER = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]}}';

const made: torch.Tensor[] = [];
afterEach(() => { for (const t of made.splice(0)) t.dispose(); });
const track = <T extends torch.Tensor>(t: T) => { made.push(t); return t; };

describe('safetensors', () => {
  it('parses hand-built bytes from the spec', () => {
    const { tensors, metadata } = parseSafetensors(handBuilt(HEADER, [...F32, ...I64]));
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
    expect(ours.equals(handBuilt(HEADER, [...F32, ...I64]))).toBe(true);
    expect((ours.readBigUInt64LE(0) + 8n) % 8n).toBe(0n); // header padded to a multiple of 8
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

  const bad: [string, Buffer, RegExp][] = [
    ['too short', Buffer.from([1, 2, 3]), /too short/],
    ['header past the end', (() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(100n); return b; })(), /runs past the end/],
    ['invalid JSON', handBuilt('{"a": nope}', []), /not valid JSON/],
    ['unknown dtype', handBuilt('{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}', [0]), /tensor 'a': unknown dtype 'Q8'/],
    ['size mismatch', handBuilt('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', F32), /tensor 'a': 8 bytes .* needs 12/],
    ['offsets past data', handBuilt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0]), /past the data/],
    ['overlap', handBuilt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /overlap/],
    ['gap', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /gap of 4 bytes/],
    ['duplicate name', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', F32), /duplicate tensor name 'a'/],
    ['bad entry', handBuilt('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor 'a': bad header entry/],
    ['trailing bytes', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', F32), /4 bytes of data after the last tensor/],
  ];
  it.each(bad)('rejects %s with an error naming the problem', (_name, bytes, msg) => {
    const before = torch.liveTensors().tensors;
    expect(() => parseSafetensors(bytes, 'x.safetensors')).toThrow(msg);
    expect(torch.liveTensors().tensors).toBe(before); // nothing leaked on failure
  });

  it('a failed save leaves the existing file untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const path = join(dir, 'keep.safetensors');
    writeFileSync(path, 'precious');
    const t = track(torch.ones([2]));
    expect(() => saveSafetensors(path, { __metadata__: t })).toThrow(/__metadata__/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['keep.safetensors']);
  });

  const python = spawnSync('python3', ['-c', 'import safetensors.numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!python)('Python safetensors reads our file (when installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    saveSafetensors(join(dir, 'p.safetensors'), { w: track(torch.tensor([[1, 2], [3, 4]])) });
    const r = spawnSync('python3', ['-c', `from safetensors.numpy import load_file; d=load_file('${join(dir, 'p.safetensors')}'); print(d['w'].tolist())`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('[[1.0, 2.0], [3.0, 4.0]]');
    expect(existsSync(join(dir, 'p.safetensors'))).toBe(true);
  });
});
