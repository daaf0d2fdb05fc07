/**
 * Shared primitives of the rdata codecs: errors, field counts, unsigned integers, durations,
 * RRSIG timestamps, names, and a small growable writer / bounds-checked reader for wire rdata.
 * Every error names the field, quotes the offending value and says why.
 */
import { NameError, nameToText, parseName, type WireName } from '../name.js';
import { RdataError, type TextContext, type Token } from './codec.js';

export function fail(message: string): never {
  throw new RdataError(message);
}

/** `1 octet`, `2 octets`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The value in double quotes for an error message, shortened when very long. */
export function q(value: string): string {
  const shown = value.length > 80 ? value.slice(0, 72) + '...' : value;
  return `"${shown}"`;
}

/** Checks the token count: exactly `fields.length`, naming the expected fields on error. */
export function expectFields(tokens: readonly Token[], type: string, fields: readonly string[]): void {
  if (tokens.length === fields.length) return;
  if (tokens.length < fields.length) {
    fail(`${type} needs ${count(fields.length, 'field')} (${fields.join(' ')}), got ${tokens.length}: missing ${fields[tokens.length]}`);
  }
  fail(`${type} needs ${count(fields.length, 'field')} (${fields.join(' ')}), got ${tokens.length}: unexpected ${q(tokens[fields.length]!.value)}`);
}

/** Checks that at least `fields.length` tokens are present (the last field runs to the end). */
export function expectAtLeast(tokens: readonly Token[], type: string, fields: readonly string[]): void {
  if (tokens.length >= fields.length) return;
  fail(`${type} needs at least ${fields.length} fields (${fields.join(' ')}), got ${tokens.length}: missing ${fields[tokens.length]}`);
}

/** Unsigned decimal integer in [0, max]; no sign, no fraction, leading zeros allowed. */
export function parseUint(text: string, field: string, max: number): number {
  const n = text.length;
  if (n === 0) fail(`${field} is empty`);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) fail(`${field} ${q(text)} is not an unsigned decimal number`);
    v = v * 10 + c;
    if (v > max) fail(`${field} ${q(text)} is above ${max}`);
  }
  return v;
}

export const parseU8 = (text: string, field: string): number => parseUint(text, field, 0xff);
export const parseU16 = (text: string, field: string): number => parseUint(text, field, 0xffff);
export const parseU32 = (text: string, field: string): number => parseUint(text, field, 0xffffffff);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A TTL-style duration: plain seconds (`3600`) or number-unit pairs (`1h30m`, `2w1d`; units s m h d w,
 * any case), as BIND and Knot accept in SOA timers and the RRSIG original TTL. At most 2^32-1.
 */
export function parseDuration(text: string, field: string): number {
  const n = text.length;
  if (n === 0) fail(`${field} is empty`);
  let total = 0;
  let value = -1; // -1: no digits since the last unit
  let units = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      value = (value < 0 ? 0 : value) * 10 + (c - 0x30);
      if (value > 0xffffffff) fail(`${field} ${q(text)} is above 4294967295 seconds`);
      continue;
    }
    const unit = UNIT_SECONDS[String.fromCharCode(c | 0x20)];
    if (unit === undefined || value < 0) fail(`${field} ${q(text)} is not a duration (like 3600 or 1h30m)`);
    total += value * unit;
    value = -1;
    units++;
  }
  if (value >= 0) {
    // RFC 1035 TTLs are plain numbers; BIND also takes "1h30" but Knot does not: refuse a bare tail
    if (units > 0) fail(`${field} ${q(text)} mixes units and a bare number (write 1h30m, not 1h30)`);
    total = value;
  }
  if (total > 0xffffffff) fail(`${field} ${q(text)} is above 4294967295 seconds`);
  return total;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RRSIG expiration/inception (RFC 4034 §3.2): `YYYYMMDDHHmmSS` in UTC, or seconds since the epoch as
 * an unsigned decimal integer. A 14-digit value is always a date (no integer has 14 digits in 32 bits).
 */
export function parseTimestamp(text: string, field: string): number {
  if (text.length !== 14) return parseU32(text, field);
  for (let i = 0; i < 14; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) fail(`${field} ${q(text)} is not YYYYMMDDHHmmSS nor a number of seconds`);
  }
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const hour = Number(text.slice(8, 10));
  const minute = Number(text.slice(10, 12));
  const second = Number(text.slice(12, 14));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1970 || monthDays === undefined || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) {
    fail(`${field} ${q(text)} is not a valid UTC date and time (YYYYMMDDHHmmSS, from 1970)`);
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (t > 0xffffffff) fail(`${field} ${q(text)} is after 2106-02-07T06:28:15Z, beyond 32-bit seconds`);
  return t;
}

/** YYYYMMDDHHmmSS in UTC, as kdig prints RRSIG times. */
export function timestampToText(t: number): string {
  const iso = new Date(t * 1000).toISOString(); // 2024-01-01T00:00:00.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

/** A domain name field; relative names are completed with the origin. */
export function parseNameField(text: string, ctx: TextContext, field: string): WireName {
  try {
    return parseName(text, ctx.origin);
  } catch (err) {
    if (err instanceof NameError) fail(`${field} ${q(text)} is not a valid domain name: ${err.message}`);
    throw err;
  }
}

/** Growable output buffer for building wire rdata of the less frequent types. */
export class Writer {
  private buf = new Uint8Array(64);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf[this.length++] = v >>> 24;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Patches a byte already written (a length prefix). */
  setU8(at: number, v: number): void {
    this.buf[at] = v;
  }

  finish(type: string): Uint8Array {
    if (this.length > 0xffff) fail(`${type} rdata would be ${this.length} octets, above 65535`);
    return this.buf.slice(0, this.length);
  }
}

/** Bounds-checked reader over wire rdata; errors name the type and the field being read. */
export class Reader {
  pos = 0;
  constructor(
    readonly r: Uint8Array,
    readonly type: string,
  ) {}

  get left(): number {
    return this.r.length - this.pos;
  }

  need(n: number, field: string): void {
    if (this.pos + n > this.r.length) {
      fail(`${this.type} rdata is truncated: ${field} needs ${n} octets at offset ${this.pos}, ${this.left} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.r[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = (this.r[this.pos]! << 8) | this.r[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const p = this.pos;
    this.pos += 4;
    return this.r[p]! * 0x1000000 + ((this.r[p + 1]! << 16) | (this.r[p + 2]! << 8) | this.r[p + 3]!);
  }

  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const b = this.r.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  rest(): Uint8Array {
    const b = this.r.subarray(this.pos);
    this.pos = this.r.length;
    return b;
  }

  /** The remaining octets, which must not be empty. */
  rest1(field: string): Uint8Array {
    if (this.left === 0) fail(`${this.type} rdata is truncated: ${field} is missing`);
    return this.rest();
  }

  /** An uncompressed wire name in presentation form. */
  name(field: string): string {
    const start = this.pos;
    this.pos = nameEnd(this.r, start, this.r.length, `${this.type} ${field}`);
    return nameToText(this.r, start);
  }

  end(): void {
    if (this.pos !== this.r.length) fail(`${this.type} rdata has ${count(this.left, 'trailing octet')} at offset ${this.pos}`);
  }
}

/**
 * Offset just past the uncompressed wire name at `pos`, checking that it fits before `end`, that no
 * label is compressed or longer than 63 octets, and that the whole name is at most 255 octets.
 */
export function nameEnd(r: Uint8Array, pos: number, end: number, what: string): number {
  let p = pos;
  for (;;) {
    if (p >= end) fail(`${what} is truncated at offset ${p}`);
    const len = r[p]!;
    if (len === 0) break;
    if (len > 63) {
      fail(`${what} has ${len >= 0xc0 ? 'a compression pointer' : `a bad label length ${len}`} at offset ${p}`);
    }
    p += len + 1;
  }
  p += 1;
  if (p - pos > 255) fail(`${what} is ${p - pos} octets long, above 255`);
  return p;
}
