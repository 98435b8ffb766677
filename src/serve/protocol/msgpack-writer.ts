// A small msgpack writer for the openpi wire format. @msgpack/msgpack's Encoder writes every map key as a msgpack str
// and keeps its map encoding private, but openpi's numpy convention needs maps whose keys are msgpack bin
// (b"__ndarray__", b"data", ...). This writer emits exactly what Python's msgpack.Packer(use_bin_type=True) emits:
// smallest int formats (positive as uint), float64 for non-integers, str8/16/32, bin8/16/32, fix/16/32 arrays and maps.
// Map keys come from plain objects (str keys) or from a JS Map whose keys are strings (str) or Uint8Arrays (bin).

const MAX_DEPTH = 64;

/** Something the writer cannot put on the wire (a function, a symbol, a cycle, too deep), with where it was. */
export class EncodeError extends Error {
  constructor(message: string) { super(message); this.name = 'EncodeError'; }
}

export class MsgpackWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written so far (a copy owned by the caller). */
  bytes(): Uint8Array { return this.buf.slice(0, this.pos); }

  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v; }
  private u16(v: number): void { this.ensure(2); this.view.setUint16(this.pos, v); this.pos += 2; }
  private u32(v: number): void { this.ensure(4); this.view.setUint32(this.pos, v); this.pos += 4; }
  raw(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }

  nil(): void { this.u8(0xc0); }
  bool(v: boolean): void { this.u8(v ? 0xc3 : 0xc2); }

  /** A JS number: a safe integer as the smallest msgpack int, anything else (fractions, NaN, +-Inf) as float64. */
  number(v: number): void {
    if (!Number.isSafeInteger(v)) { this.ensure(9); this.buf[this.pos++] = 0xcb; this.view.setFloat64(this.pos, v); this.pos += 8; return; }
    if (v >= 0) {
      if (v < 0x80) this.u8(v);
      else if (v < 0x100) { this.u8(0xcc); this.u8(v); }
      else if (v < 0x10000) { this.u8(0xcd); this.u16(v); }
      else if (v < 0x100000000) { this.u8(0xce); this.u32(v); }
      else { this.ensure(9); this.buf[this.pos++] = 0xcf; this.view.setBigUint64(this.pos, BigInt(v)); this.pos += 8; }
    } else {
      if (v >= -0x20) this.u8(v & 0xff);
      else if (v >= -0x80) { this.u8(0xd0); this.ensure(1); this.view.setInt8(this.pos++, v); }
      else if (v >= -0x8000) { this.u8(0xd1); this.ensure(2); this.view.setInt16(this.pos, v); this.pos += 2; }
      else if (v >= -0x80000000) { this.u8(0xd2); this.ensure(4); this.view.setInt32(this.pos, v); this.pos += 4; }
      else { this.ensure(9); this.buf[this.pos++] = 0xd3; this.view.setBigInt64(this.pos, BigInt(v)); this.pos += 8; }
    }
  }

  /** A bigint as int64 / uint64 (errors outside both ranges). */
  bigint(v: bigint): void {
    this.ensure(9);
    if (v >= 0n && v < 1n << 64n) { this.buf[this.pos++] = 0xcf; this.view.setBigUint64(this.pos, v); }
    else if (v < 0n && v >= -(1n << 63n)) { this.buf[this.pos++] = 0xd3; this.view.setBigInt64(this.pos, v); }
    else throw new EncodeError(`bigint ${v} does not fit in 64 bits`);
    this.pos += 8;
  }

  /** A float64 even for integral values (Python floats always go out as float64). */
  float64(v: number): void { this.ensure(9); this.buf[this.pos++] = 0xcb; this.view.setFloat64(this.pos, v); this.pos += 8; }

  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    const n = b.length;
    if (n < 32) this.u8(0xa0 + n);
    else if (n < 0x100) { this.u8(0xd9); this.u8(n); }
    else if (n < 0x10000) { this.u8(0xda); this.u16(n); }
    else { this.u8(0xdb); this.u32(n); }
    this.raw(b);
  }

  bin(b: Uint8Array): void {
    const n = b.length;
    if (n < 0x100) { this.u8(0xc4); this.u8(n); }
    else if (n < 0x10000) { this.u8(0xc5); this.u16(n); }
    else if (n < 0x100000000) { this.u8(0xc6); this.u32(n); }
    else throw new EncodeError(`bin of ${n} bytes exceeds msgpack's 4 GiB limit`);
    this.raw(b);
  }

  arrayHeader(n: number): void {
    if (n < 16) this.u8(0x90 + n);
    else if (n < 0x10000) { this.u8(0xdc); this.u16(n); }
    else { this.u8(0xdd); this.u32(n); }
  }

  mapHeader(n: number): void {
    if (n < 16) this.u8(0x80 + n);
    else if (n < 0x10000) { this.u8(0xde); this.u16(n); }
    else { this.u8(0xdf); this.u32(n); }
  }
}

export { MAX_DEPTH };
