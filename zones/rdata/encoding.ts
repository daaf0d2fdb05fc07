/**
 * Binary fields in presentation form: base64 (RFC 4648 §4), hex (base16) and base32hex without
 * padding (RFC 4648 §7, NSEC3 RFC 5155 §3.3). Multi-token values are joined first, since BIND and
 * others split long blobs on whitespace. Output follows Knot: base64 unsplit, hex uppercase,
 * base32hex lowercase.
 */
import type { Token } from './codec.js';
import { fail, q } from './fields.js';

/** The tokens from `from` on, concatenated (whitespace inside a blob carries no meaning). */
export function joinTokens(tokens: readonly Token[], from: number): string {
  if (from === tokens.length - 1) return tokens[from]!.value;
  let s = '';
  for (let i = from; i < tokens.length; i++) s += tokens[i]!.value;
  return s;
}

const B64 = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/** Strict base64: the standard alphabet, length a multiple of 4, `=` padding only at the end. */
export function parseBase64(text: string, field: string): Uint8Array {
  const n = text.length;
  if (n === 0) fail(`${field} is empty`);
  if (n % 4 !== 0) fail(`${field} ${q(text)} is not valid base64: length ${n} is not a multiple of 4`);
  let pad = 0;
  if (text.charCodeAt(n - 1) === 0x3d) pad = text.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  for (let i = 0; i < n - pad; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || B64[c]! < 0) fail(`${field} ${q(text)} is not valid base64: bad character ${q(text[i]!)} at ${i}`);
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function base64ToText(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Hex digits, any case, an even number of them. */
export function parseHex(text: string, field: string): Uint8Array {
  const n = text.length;
  if (n === 0) fail(`${field} is empty`);
  if (n % 2 !== 0) fail(`${field} ${q(text)} is not valid hex: odd number of digits (${n})`);
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < n; i += 2) {
    const hi = hexVal(text.charCodeAt(i));
    const lo = hexVal(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      fail(`${field} ${q(text)} is not valid hex: bad character ${q(text[at]!)} at ${at}`);
    }
    out[i / 2] = (hi << 4) | lo;
  }
  return out;
}

const HEX = '0123456789ABCDEF';

export function hexToText(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

const B32 = '0123456789abcdefghijklmnopqrstuv';

/** base32hex without padding, any case (RFC 4648 §7); unused trailing bits must be zero. */
export function parseBase32hex(text: string, field: string): Uint8Array {
  const n = text.length;
  if (n === 0) fail(`${field} is empty`);
  const rem = n % 8;
  if (rem === 1 || rem === 3 || rem === 6) fail(`${field} ${q(text)} is not valid base32hex: ${n} characters cannot encode whole octets`);
  const out = new Uint8Array(Math.floor((n * 5) / 8));
  let acc = 0;
  let bits = 0;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let v = -1;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x61 && c <= 0x76) v = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x56) v = c - 0x41 + 10;
    if (v < 0) fail(`${field} ${q(text)} is not valid base32hex: bad character ${q(text[i]!)} at ${i}`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[p++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) fail(`${field} ${q(text)} is not valid base32hex: nonzero trailing bits`);
  return out;
}

export function base32hexToText(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 8) | b[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += B32[(acc >> bits) & 31]!;
    }
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31]!;
  return s;
}
