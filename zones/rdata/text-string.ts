/**
 * Character strings (RFC 1035 §3.3, §5.1): presentation text with `\X` and `\DDD` escapes ⇄ octets.
 * Output follows Knot: always quoted; `"` and `\` escaped with a backslash; bytes outside the
 * printable ASCII range as `\DDD`.
 */
import { fail, q } from './fields.js';

/** Scratch space for decoding; rdata never exceeds 65535 octets. */
export const scratch = new Uint8Array(65536 + 1024);

/**
 * Decodes the escapes of `text` into `out` from `pos`, returns the new end position. Non-ASCII
 * characters are written as their UTF-8 octets. Throws on a bad escape or when `limit` is passed.
 */
export function unescapeInto(text: string, out: Uint8Array, pos: number, limit: number, field: string): number {
  const n = text.length;
  let p = pos;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
      if (i >= n) fail(`${field} ${q(text)} ends with a lone backslash`);
      c = text.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) {
        const d2 = text.charCodeAt(i + 1) - 0x30;
        const d3 = text.charCodeAt(i + 2) - 0x30;
        if (!(d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9)) fail(`${field} ${q(text)} has a \\DDD escape without three digits`);
        c = (c - 0x30) * 100 + d2 * 10 + d3;
        if (c > 255) fail(`${field} ${q(text)} has the escape \\${text.slice(i, i + 3)}, above 255`);
        i += 2;
      } else if (c > 0x7f) {
        fail(`${field} ${q(text)} escapes a non-ASCII character; write its octets as \\DDD`);
      }
    } else if (c > 0x7f) {
      p = utf8Into(text, i, out, p, limit);
      if (p < 0) tooLong(text, field, limit - pos);
      if (c >= 0xd800 && c <= 0xdbff) i++; // surrogate pair: one code point
      continue;
    }
    if (p >= limit) tooLong(text, field, limit - pos);
    out[p++] = c;
  }
  return p;
}

function tooLong(text: string, field: string, max: number): never {
  fail(`${field} ${q(text)} is longer than ${max} octets`);
}

/** Writes the UTF-8 octets of the code point at `i`; -1 when they do not fit before `limit`. */
function utf8Into(text: string, i: number, out: Uint8Array, pos: number, limit: number): number {
  const cp = text.codePointAt(i)!;
  let p = pos;
  if (p + (cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4) > limit) return -1;
  if (cp < 0x800) {
    out[p++] = 0xc0 | (cp >> 6);
    out[p++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    out[p++] = 0xe0 | (cp >> 12);
    out[p++] = 0x80 | ((cp >> 6) & 0x3f);
    out[p++] = 0x80 | (cp & 0x3f);
  } else {
    out[p++] = 0xf0 | (cp >> 18);
    out[p++] = 0x80 | ((cp >> 12) & 0x3f);
    out[p++] = 0x80 | ((cp >> 6) & 0x3f);
    out[p++] = 0x80 | (cp & 0x3f);
  }
  return p;
}

/**
 * Writes one length-prefixed character-string at `pos` of `out`; returns the new end. At most 255
 * octets (RFC 1035 §3.3).
 */
export function charStringInto(text: string, out: Uint8Array, pos: number, field: string): number {
  const end = unescapeInto(text, out, pos + 1, Math.min(out.length, pos + 1 + 255), field);
  out[pos] = end - pos - 1;
  return end;
}

/** The octets of `text` with escapes decoded (for values that are not length-prefixed). */
export function unescapeText(text: string, field: string, max = 65535): Uint8Array {
  const end = unescapeInto(text, scratch, 0, Math.min(scratch.length, max), field);
  return scratch.slice(0, end);
}

/** Knot's text form of octets: quoted, `"` and `\` backslash-escaped, non-printables as `\DDD`. */
export function quotedText(r: Uint8Array, start: number, end: number): string {
  return '"' + escapeText(r, start, end, false) + '"';
}

/**
 * Escapes octets for use inside or outside quotes. With `bare` also escapes what would end or
 * split an unquoted token (space, `;`, `(`, `)`), so the result is one token without quotes.
 */
export function escapeText(r: Uint8Array, start: number, end: number, bare: boolean): string {
  let out = '';
  let run = start; // start of a run of octets copied unchanged
  for (let i = start; i < end; i++) {
    const b = r[i]!;
    let esc: string | undefined;
    if (b < 0x20 || b > 0x7e) esc = '\\' + (b < 10 ? '00' : b < 100 ? '0' : '') + b;
    else if (b === 0x22 || b === 0x5c) esc = '\\' + String.fromCharCode(b);
    else if (bare && (b === 0x20 || b === 0x3b || b === 0x28 || b === 0x29)) esc = '\\' + String.fromCharCode(b);
    if (esc === undefined) continue;
    if (i > run) out += latin1(r, run, i);
    out += esc;
    run = i + 1;
  }
  if (end > run) out += latin1(r, run, end);
  return out;
}

function latin1(r: Uint8Array, start: number, end: number): string {
  // printable ASCII only reaches here, so latin1 is exact
  return end - start < 16 ? String.fromCharCode(...r.subarray(start, end)) : Buffer.from(r.buffer, r.byteOffset + start, end - start).toString('latin1');
}

/** Reads a length-prefixed character-string at `pos` as quoted text; checks it fits before `end`. */
export function charStringToText(r: Uint8Array, pos: number, end: number, what: string): { text: string; next: number } {
  if (pos >= end) fail(`${what} is missing at offset ${pos}`);
  const len = r[pos]!;
  const next = pos + 1 + len;
  if (next > end) fail(`${what} at offset ${pos} says ${len} octets, only ${end - pos - 1} left`);
  return { text: quotedText(r, pos + 1, next), next };
}
