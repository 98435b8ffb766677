// safetensors files (https://huggingface.co/docs/safetensors), byte for byte: an 8-byte little-endian u64 header
// length N, N bytes of JSON header {"__metadata__": {str: str}, name: {dtype, shape, data_offsets: [begin, end]}}
// padded with spaces to a multiple of 8, then the tensors' bytes (little-endian, row-major) packed in offset order.
// Tensors are laid out as the reference implementation does (by descending dtype alignment, then by name), so our
// bytes equal Python safetensors' for the same dict. Loading validates every field and names the tensor at fault;
// saving streams into a temp file, fsyncs and renames it, so an existing file is never left half-written.
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, rmSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { Tensor } from './tensor.ts';
import { tensor } from './ops/creation.ts';
import { BYTES_PER_ELEMENT, type DType } from './dtype.ts';

const TO_ST: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST = new Map<string, DType>(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));
/** The reference implementation's dtype order (increasing alignment); files list the highest first. */
const ST_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
/** The reference implementation refuses larger headers. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContents { tensors: Map<string, Tensor>; metadata: Record<string, string> }
type Tensors = Map<string, Tensor> | Record<string, Tensor>;

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('safetensors: this platform is big-endian; only little-endian is supported');
}

/** Header bytes (length prefix included) and the tensors in file order, with each one's byte count. */
function prepare(tensors: Tensors, metadata?: Record<string, string>): { head: Buffer; order: [string, Tensor, number][]; dataBytes: number } {
  assertLittleEndian();
  const entries = [...(tensors instanceof Map ? tensors : Object.entries(tensors))].map(([name, t]) => {
    if (name === '__metadata__') throw new Error("safetensors: a tensor may not be named '__metadata__'");
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors: '${name}' is not a Tensor`);
    if (t.disposed) throw new Error(`safetensors: tensor '${name}' was disposed`);
    return { name, t, st: TO_ST[t.dtype], shape: t.shape, key: Buffer.from(name, 'utf8') };
  });
  entries.sort((a, b) => ST_ORDER.indexOf(b.st) - ST_ORDER.indexOf(a.st) || Buffer.compare(a.key, b.key));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  const order: [string, Tensor, number][] = [];
  let offset = 0;
  for (const { name, t, st, shape } of entries) {
    const n = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[t.dtype];
    header[name] = { dtype: st, shape, data_offsets: [offset, offset + n] };
    order.push([name, t, n]);
    offset += n;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  const head = Buffer.alloc(8 + json.length + pad, ' ');
  head.writeBigUInt64LE(BigInt(json.length + pad), 0);
  json.copy(head, 8);
  return { head, order, dataBytes: offset };
}

/** One tensor's bytes, row-major, checked against the size the header promised. */
function bytesOf(name: string, t: Tensor, expected: number): Uint8Array {
  const d = t.data(); // a contiguous copy
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (bytes.byteLength !== expected) throw new Error(`safetensors: tensor '${name}' gave ${bytes.byteLength} bytes, expected ${expected}`);
  return bytes;
}

/** The file's bytes for `tensors` with optional string metadata. */
export function serializeSafetensors(tensors: Tensors, metadata?: Record<string, string>): Buffer {
  const { head, order, dataBytes } = prepare(tensors, metadata);
  const out = Buffer.alloc(head.length + dataBytes);
  head.copy(out, 0);
  let at = head.length;
  for (const [name, t, n] of order) { out.set(bytesOf(name, t, n), at); at += n; }
  return out;
}

/**
 * Writes tensors to `path` atomically: the bytes go to a temp file beside it (one tensor at a time, so memory stays
 * at one tensor's copy), which is fsynced and renamed over `path`. On any failure the temp file is removed and an
 * existing file at `path` is left as it was.
 */
export function saveSafetensors(path: string, tensors: Tensors, metadata?: Record<string, string>): void {
  const { head, order } = prepare(tensors, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd = openSync(tmp, 'wx');
  try {
    writeAll(fd, head);
    for (const [name, t, n] of order) writeAll(fd, bytesOf(name, t, n));
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

const Entry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
}).strict();

/** The keys of the top-level JSON object, duplicates included (JSON.parse keeps only the last). `text` is valid JSON. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r') k++;
        if (text[k] === ':') keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      }
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/** Parses and validates safetensors bytes; `source` names the file in errors. The caller owns the tensors. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  assertLittleEndian();
  const fail = (msg: string): never => { throw new Error(`${source}: ${msg}`); };
  if (buf.byteLength < 8) fail(`too short (${buf.byteLength} bytes) to hold the 8-byte header length`);
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  if (n > BigInt(buf.byteLength - 8)) fail(`header length ${n} runs past the end of the data (${buf.byteLength - 8} bytes after the length)`);
  let headerText = '';
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + Number(n)));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const seen = new Set<string>();
  for (const k of topLevelKeys(headerText)) { if (seen.has(k)) fail(`duplicate name '${k}' in the header`); seen.add(k); }
  const dataStart = 8 + Number(n);
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const infos: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value '${k}' must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = Entry.safeParse(raw);
    if (!e.success) fail(`tensor '${name}': bad header entry (${e.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')})`);
    const { dtype: st, shape, data_offsets: [begin, end] } = e.data!;
    const dtype = FROM_ST.get(st) ?? fail(`tensor '${name}': unknown dtype '${st}' (supported: ${[...FROM_ST.keys()].join(', ')})`);
    if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`tensor '${name}': data_offsets end ${end} is past the data (${dataLen} bytes)`);
    const need = shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[dtype];
    if (!Number.isSafeInteger(need)) fail(`tensor '${name}': shape [${shape.join(', ')}] is too large`);
    if (end - begin !== need) fail(`tensor '${name}': ${end - begin} bytes at data_offsets [${begin}, ${end}], but ${st} shape [${shape.join(', ')}] needs ${need}`);
    infos.push({ name, dtype, shape, begin, end });
  }
  // the data must be covered exactly: tensors back to back from 0 to the end, no gap, no overlap
  const spans = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const { name, begin, end } of spans) {
    if (begin < cursor) fail(`tensor '${name}': data_offsets [${begin}, ${end}] overlap the previous tensor (which ends at ${cursor})`);
    if (begin > cursor) fail(`tensor '${name}': gap of ${begin - cursor} bytes before its data_offsets [${begin}, ${end}]`);
    cursor = end;
  }
  if (cursor !== dataLen) fail(`${dataLen - cursor} bytes of data after the last tensor`);
  const tensors = new Map<string, Tensor>();
  try {
    for (const { name, dtype, shape, begin, end } of infos) {
      const bytes = new Uint8Array(end - begin); // an aligned copy of its own (a subarray may be misaligned)
      bytes.set(buf.subarray(dataStart + begin, dataStart + end));
      if (dtype === 'bool') {
        const bad = bytes.findIndex((v) => v > 1);
        if (bad >= 0) fail(`tensor '${name}': BOOL element ${bad} is byte ${bytes[bad]}, not 0 or 1`);
      }
      tensors.set(name, fromBytes(bytes, dtype, shape));
    }
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

/** Reads and validates a safetensors file; the caller owns (disposes) the returned tensors. */
export function loadSafetensors(path: string): SafetensorsContents {
  return parseSafetensors(readFileSync(path), path);
}

/** What saveModule/loadModule need of a module (nn.Module and optimizers have it). */
export interface HasStateDict {
  stateDict(): Map<string, Tensor>;
  loadStateDict(dict: Map<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/** Saves `module.stateDict()` (an nn.Module's parameters and buffers, or an optimizer's state) to `path` atomically. */
export function saveModule(path: string, module: HasStateDict, metadata?: Record<string, string>): void {
  saveSafetensors(path, module.stateDict(), metadata);
}

/**
 * Loads `path` into `module` with loadStateDict (strict by default for nn modules) and frees the loaded tensors;
 * returns the file's metadata. Nothing in the module changes when the file or its keys/shapes are wrong.
 */
export function loadModule(path: string, module: HasStateDict, opts: { strict?: boolean } = {}): Record<string, string> {
  const { tensors, metadata } = loadSafetensors(path);
  try {
    module.loadStateDict(tensors, opts);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return metadata;
}
