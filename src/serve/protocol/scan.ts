// A structural pre-scan of msgpack bytes that stops as soon as a message has more items than allowed, before any
// decoder builds objects: an 8 MB message of tiny ints or maps would otherwise take the decoder seconds, blocking the
// server's event loop for every robot. It walks headers only (str / bin / ext payloads are skipped), so its cost is
// bounded by the item budget, not the message size. An openpi observation has a few dozen items (array data is one bin).

/** Throws an Error saying why `bytes` is not one msgpack value of at most `maxItems` items nested at most `maxDepth` deep. */
export function scanMsgpack(bytes: Uint8Array, maxItems: number, maxDepth: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0, items = 0;
  const stack: number[] = [1];   // items still to read at each open level
  const need = (n: number) => { if (pos + n > bytes.length) throw new Error(`truncated at byte ${pos}: ${n} more bytes needed`); };
  const skip = (n: number) => { need(n); pos += n; };
  while (stack.length) {
    if (stack[stack.length - 1] === 0) { stack.pop(); continue; }
    stack[stack.length - 1]!--;
    if (++items > maxItems) throw new Error(`more than ${maxItems} items (an observation has a few dozen; array data belongs in one bin)`);
    need(1);
    const t = bytes[pos++]!;
    let children = 0;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) { /* fixint, nil, bool */ }
    else if (t >= 0x80 && t <= 0x8f) children = 2 * (t & 0x0f);
    else if (t >= 0x90 && t <= 0x9f) children = t & 0x0f;
    else if (t >= 0xa0 && t <= 0xbf) skip(t & 0x1f);
    else switch (t) {
      case 0xc4: case 0xd9: need(1); skip(1 + v.getUint8(pos)); break;                                  // bin8, str8
      case 0xc5: case 0xda: need(2); skip(2 + v.getUint16(pos)); break;                                 // bin16, str16
      case 0xc6: case 0xdb: need(4); skip(4 + v.getUint32(pos)); break;                                 // bin32, str32
      case 0xc7: need(1); skip(2 + v.getUint8(pos)); break;                                             // ext8
      case 0xc8: need(2); skip(3 + v.getUint16(pos)); break;
      case 0xc9: need(4); skip(5 + v.getUint32(pos)); break;
      case 0xca: skip(4); break; case 0xcb: skip(8); break;                                             // floats
      case 0xcc: case 0xd0: skip(1); break; case 0xcd: case 0xd1: skip(2); break;
      case 0xce: case 0xd2: skip(4); break; case 0xcf: case 0xd3: skip(8); break;                       // ints
      case 0xd4: skip(2); break; case 0xd5: skip(3); break; case 0xd6: skip(5); break; case 0xd7: skip(9); break; case 0xd8: skip(17); break; // fixext
      case 0xdc: need(2); children = v.getUint16(pos); pos += 2; break;
      case 0xdd: need(4); children = v.getUint32(pos); pos += 4; break;
      case 0xde: need(2); children = 2 * v.getUint16(pos); pos += 2; break;
      case 0xdf: need(4); children = 2 * v.getUint32(pos); pos += 4; break;
      default: throw new Error(`byte 0x${t.toString(16)} at ${pos - 1} is not a msgpack type`);
    }
    if (children > 0) {
      if (stack.length > maxDepth) throw new Error(`nested deeper than ${maxDepth} levels`);
      if (children > maxItems * 2) throw new Error(`a container of ${children} entries exceeds the ${maxItems} items allowed`);
      stack.push(children);
    }
  }
  if (pos !== bytes.length) throw new Error(`${bytes.length - pos} extra bytes after the message`);
}
