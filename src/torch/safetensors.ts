// safetensors files (https://huggingface.co/docs/safetensors), byte for byte: an 8-byte little-endian u64 header
// length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}
// padded with spaces to a multiple of 8, then the tensors' bytes (little-endian, row-major) packed in offset order.
// Loading validates every field and names the tensor at fault; saving writes a temp file and renames it, so an
// existing file is never left half-written.
import { readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { Tensor } from './tensor.ts';
import { tensor } from './ops/creation.ts';
import { BYTES_PER_ELEMENT, type DType } from './dtype.ts';

const TO_ST: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST = new Map<string, DType>(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));

export interface SafetensorsContents { tensors: Map<string, Tensor>; metadata: Record<string, string> }

/** The file's bytes for `tensors` (in name order) with optional string metadata. */
export function serializeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Buffer {
  const entries = [...(tensors instanceof Map ? tensors : new Map(Object.entries(tensors)))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`safetensors metadata '${k}' must be a string`);
    header.__metadata__ = metadata;
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error("safetensors: a tensor may not be named '__metadata__'");
    const bytes = new Uint8Array(t.data().buffer as ArrayBuffer); // a copy; little-endian on every platform we run on
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    datas.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  json += ' '.repeat((8 - (jsonBytes % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const d of datas) { out.set(d, at); at += d.byteLength; }
  return out;
}

const Entry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
}).strict();

/** Parses and validates safetensors bytes; `source` names the file in errors. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  const fail = (msg: string): never => { throw new Error(`${source}: ${msg}`); };
  if (buf.byteLength < 8) fail(`too short (${buf.byteLength} bytes) to hold the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(buf.byteLength - 8)) fail(`header length ${n} runs past the end of the data (${buf.byteLength - 8} bytes after the length)`);
  const headerText = new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(8, 8 + Number(n)));
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const keys = [...headerText.matchAll(/"((?:[^"\\]|\\.)*)"\s*:\s*\{/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  const seen = new Set<string>();
  for (const k of keys) { if (seen.has(k) && k in (header as object)) fail(`duplicate tensor name '${k}'`); seen.add(k); }
  const dataStart = 8 + Number(n);
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof raw !== 'object' || raw === null) fail('__metadata__ must be an object of strings');
        for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
          if (typeof v !== 'string') fail(`__metadata__ value '${k}' must be a string`);
          metadata[k] = v as string;
        }
        continue;
      }
      const e = Entry.safeParse(raw);
      if (!e.success) fail(`tensor '${name}': bad header entry (${e.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')})`);
      const { dtype: st, shape, data_offsets: [begin, end] } = e.data!;
      const dtype = FROM_ST.get(st) ?? fail(`tensor '${name}': unknown dtype '${st}'`);
      if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
      if (end > dataLen) fail(`tensor '${name}': data_offsets end ${end} is past the data (${dataLen} bytes)`);
      const need = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
      if (end - begin !== need) fail(`tensor '${name}': ${end - begin} bytes at data_offsets, but ${st} shape [${shape.join(', ')}] needs ${need}`);
      spans.push([begin, end, name]);
      const bytes = new Uint8Array(end - begin); // an aligned copy of its own (Buffer.slice would be a view)
      bytes.set(buf.subarray(dataStart + begin, dataStart + end));
      tensors.set(name, fromBytes(bytes, dtype, shape));
    }
    spans.sort((a, b) => a[0] - b[0]);
    let cursor = 0;
    for (const [b, e, name] of spans) {
      if (b < cursor) fail(`tensor '${name}': data_offsets [${b}, ${e}] overlap the previous tensor`);
      if (b > cursor) fail(`tensor '${name}': gap of ${b - cursor} bytes before its data_offsets [${b}, ${e}]`);
      cursor = e;
    }
    if (cursor !== dataLen) fail(`${dataLen - cursor} bytes of data after the last tensor`);
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

function fromBytes(bytes: Uint8Array, dtype: DType, shape: number[]): Tensor {
  const b = bytes.buffer as ArrayBuffer;
  switch (dtype) {
    case 'float32': return tensor(new Float32Array(b), { shape });
    case 'float64': return tensor(new Float64Array(b), { shape });
    case 'int64': return tensor(new BigInt64Array(b), { shape });
    case 'int32': return tensor(new Int32Array(b), { shape });
    case 'int16': return tensor(new Int16Array(b), { shape });
    case 'int8': return tensor(new Int8Array(b), { shape });
    case 'uint8': return tensor(new Uint8Array(b), { shape });
    case 'bool': return tensor(new Uint8Array(b), { shape, dtype: 'bool' });
    case 'float16': case 'bfloat16': return tensor(new Uint16Array(b), { shape, dtype });
  }
}

/** Writes tensors to `path` atomically (temp file + rename). */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  const bytes = serializeSafetensors(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads and validates a safetensors file; the caller owns (disposes) the returned tensors. */
export function loadSafetensors(path: string): SafetensorsContents {
  return parseSafetensors(readFileSync(path), path);
}
