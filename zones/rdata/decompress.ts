/**
 * Rdata out of a received DNS message, with compressed embedded names expanded (RFC 1035 §4.1.4)
 * for the types whose names may arrive compressed (see layout.ts). Pointers must point strictly
 * backwards, each one before the previous (so no loop is possible), and stay inside the message.
 */
import { count, fail } from './fields.js';
import { layoutOf } from './layout.js';

const out = new Uint8Array(65535 + 4 * 256);

export function rdataFromWire(type: number, message: Uint8Array, offset: number, length: number): Uint8Array {
  const end = offset + length;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || end > message.length) {
    fail(`rdata of ${length} octets at offset ${offset} does not fit in the ${message.length}-octet message`);
  }
  const layout = layoutOf(type);
  if (!layout?.decompress) return message.slice(offset, end);
  const t = layout.name;
  let p = offset;
  let o = 0;
  for (const f of layout.fields) {
    if (typeof f === 'number') {
      if (p + f > end) fail(`${t} rdata is truncated: ${length} octets, the fixed fields need more`);
      out.set(message.subarray(p, p + f), o);
      o += f;
      p += f;
      continue;
    }
    switch (f) {
      case 'name':
      case 'name+':
        [p, o] = expandName(message, p, end, o, t);
        break;
      case 'str': {
        if (p >= end) fail(`${t} rdata is truncated: character-string missing`);
        const next = p + 1 + message[p]!;
        if (next > end) fail(`${t} character-string says ${message[p]} octets, only ${end - p - 1} left`);
        out.set(message.subarray(p, next), o);
        o += next - p;
        p = next;
        break;
      }
      case 'rest':
      case 'rest1':
        if (f === 'rest1' && p >= end) fail(`${t} rdata is truncated: its last field is empty`);
        out.set(message.subarray(p, end), o);
        o += end - p;
        p = end;
        break;
      default:
        throw new Error(`decompression layout of ${t} uses the field kind ${f}`);
    }
  }
  if (p !== end) fail(`${t} rdata has ${count(end - p, 'trailing octet')}`);
  if (o > 0xffff) fail(`${t} rdata is ${o} octets once decompressed, above 65535`);
  return out.slice(0, o);
}

/** Copies the possibly compressed name at `start` into `out` at `o`; returns [rdata pos after it, new o]. */
function expandName(msg: Uint8Array, start: number, end: number, o: number, t: string): [number, number] {
  let pos = start;
  let bound = end; // labels before the first pointer must lie inside the rdata
  let after = -1; // rdata position after the first pointer
  let lowest = start;
  let size = 0;
  for (;;) {
    if (pos >= bound) fail(`${t} embedded name is truncated at offset ${pos}`);
    const len = msg[pos]!;
    if (len >= 0xc0) {
      if (pos + 1 >= bound) fail(`${t} embedded name has a truncated compression pointer at offset ${pos}`);
      const target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      if (target >= lowest) fail(`${t} embedded name has a compression pointer at offset ${pos} to ${target}, not before ${lowest}`);
      if (after < 0) after = pos + 2;
      bound = msg.length;
      lowest = target;
      pos = target;
      continue;
    }
    if (len > 63) fail(`${t} embedded name has an unsupported label type 0x${len.toString(16)} at offset ${pos}`);
    if (pos + 1 + len > bound) fail(`${t} embedded name is truncated at offset ${pos}`);
    size += len + 1;
    if (size > 255) fail(`${t} embedded name is longer than 255 octets`);
    out.set(msg.subarray(pos, pos + 1 + len), o);
    o += len + 1;
    pos += len + 1;
    if (len === 0) break;
  }
  return [after < 0 ? pos : after, o];
}
