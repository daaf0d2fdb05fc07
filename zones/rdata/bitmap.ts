/**
 * The type bitmap of NSEC, NSEC3 (RFC 4034 §4.1.2, RFC 5155 §3.2.1) and CSYNC (RFC 7477 §2.1.1):
 * windows of up to 32 octets, in increasing window order, without empty windows or trailing zero
 * octets. Presentation form: type mnemonics (or TYPEnnn) separated by spaces, any order.
 */
import { typeFromText, typeToText } from '../rrtype.js';
import type { Token } from './codec.js';
import { fail, q } from './fields.js';

/** Encodes the type mnemonics of tokens[from..]; duplicates are merged, order does not matter. */
export function bitmapFromText(tokens: readonly Token[], from: number, field: string): Uint8Array {
  const types: number[] = [];
  for (let i = from; i < tokens.length; i++) {
    const text = tokens[i]!.value;
    const type = typeFromText(text);
    if (type === undefined) fail(`${field} type ${q(text)} is not a known RR type (use TYPEnnn for others)`);
    types.push(type);
  }
  return bitmapOf(types);
}

/** The bitmap of these types (0..65535); duplicates are merged, order does not matter. */
export function bitmapOf(types: Iterable<number>): Uint8Array {
  const bits = new Uint8Array(8192);
  const windowLength = new Uint8Array(256); // octets used in each window
  for (const type of types) {
    bits[type >> 3]! |= 0x80 >> (type & 7);
    const w = type >> 8;
    const len = ((type & 0xff) >> 3) + 1;
    if (len > windowLength[w]!) windowLength[w] = len;
  }
  let size = 0;
  for (let w = 0; w < 256; w++) if (windowLength[w]! > 0) size += 2 + windowLength[w]!;
  const out = new Uint8Array(size);
  let p = 0;
  for (let w = 0; w < 256; w++) {
    const len = windowLength[w]!;
    if (len === 0) continue;
    out[p++] = w;
    out[p++] = len;
    out.set(bits.subarray(w * 32, w * 32 + len), p);
    p += len;
  }
  return out;
}

/** Checks the bitmap structure from `pos` to `end`; throws naming the defect. */
export function checkBitmap(r: Uint8Array, pos: number, end: number, what: string): void {
  let last = -1;
  let p = pos;
  while (p < end) {
    if (p + 2 > end) fail(`${what} type bitmap is truncated at offset ${p}`);
    const w = r[p]!;
    const len = r[p + 1]!;
    if (w <= last) fail(`${what} type bitmap window ${w} at offset ${p} is not after window ${last}`);
    if (len < 1 || len > 32) fail(`${what} type bitmap window ${w} has length ${len}, not 1 to 32`);
    if (p + 2 + len > end) fail(`${what} type bitmap window ${w} is truncated`);
    if (r[p + 1 + len] === 0) fail(`${what} type bitmap window ${w} ends with a zero octet`);
    last = w;
    p += 2 + len;
  }
}

/** The types of a bitmap, in increasing order. */
export function bitmapTypes(r: Uint8Array, pos: number, end: number): number[] {
  const types: number[] = [];
  let p = pos;
  while (p + 2 <= end) {
    const w = r[p]!;
    const len = r[p + 1]!;
    for (let i = 0; i < len && p + 2 + i < end; i++) {
      const b = r[p + 2 + i]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) types.push(w * 256 + i * 8 + bit);
    }
    p += 2 + len;
  }
  return types;
}

/** Space-separated mnemonics, as Knot prints them. */
export function bitmapToText(r: Uint8Array, pos: number, end: number, what: string): string {
  checkBitmap(r, pos, end, what);
  return bitmapTypes(r, pos, end).map(typeToText).join(' ');
}
