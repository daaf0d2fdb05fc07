/**
 * LOC (RFC 1876): `d1 [m1 [s1]] N|S d2 [m2 [s2]] E|W alt[m] [size[m] [hp[m] [vp[m]]]]`.
 * Angles are thousandths of an arc second offset by 2^31, altitude is centimetres above -100 km,
 * sizes are mantissa·10^exponent centimetres (truncated like BIND and Knot). Output is Knot's,
 * single-spaced: integers when there is no fraction, else 3 (seconds) or 2 (metres) decimals.
 */
import { RRType } from '../rrtype.js';
import type { RdataCodec, Token } from './codec.js';
import { fail, q } from './fields.js';

const ZERO = 2 ** 31;
const ALT_ZERO = 10000000; // cm: the wire altitude is relative to 100 km below the WGS 84 spheroid
const MAX_ALT = 0xffffffff; // wire value of 42849672.95 m
const MAX_SIZE = 9000000000; // cm: 90000000.00 m

/** A decimal with at most `decimals` fraction digits, scaled to an integer; optional sign. */
function parseFixed(text: string, field: string, decimals: number, signed: boolean, shown = text): number {
  let i = 0;
  let negative = false;
  if (signed && text.charCodeAt(0) === 0x2d) {
    negative = true;
    i = 1;
  }
  let int = 0;
  let frac = 0;
  let fracDigits = -1; // -1 before the dot
  let digits = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e && fracDigits < 0) {
      fracDigits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) fail(`${field} ${q(shown)} is not a decimal number`);
    digits++;
    if (fracDigits < 0) {
      int = int * 10 + d;
      if (int > 1e12) fail(`${field} ${q(shown)} is out of range`);
    } else {
      if (++fracDigits > decimals) fail(`${field} ${q(shown)} has more than ${decimals} decimals`);
      frac = frac * 10 + d;
    }
  }
  if (digits === 0) fail(`${field} ${q(shown)} is not a decimal number`);
  const scale = 10 ** decimals;
  const v = int * scale + frac * 10 ** (decimals - Math.max(fracDigits, 0));
  return negative ? -v : v;
}

/** Metres with an optional `m` suffix, in centimetres. */
function parseMeters(text: string, field: string, signed: boolean): number {
  const last = text.charCodeAt(text.length - 1) | 0x20;
  return parseFixed(last === 0x6d ? text.slice(0, -1) : text, field, 2, signed, text);
}

function encodeSize(cm: number): number {
  let e = 0;
  while (e < 9 && cm >= 10 ** (e + 1)) e++;
  return (Math.floor(cm / 10 ** e) << 4) | e;
}

class Cursor {
  i = 0;
  constructor(readonly tokens: readonly Token[]) {}
  peek(): string | undefined {
    return this.tokens[this.i]?.value;
  }
  next(what: string): string {
    const t = this.tokens[this.i++];
    if (t === undefined) fail(`LOC is missing the ${what}`);
    return t.value;
  }
}

/** One coordinate in thousandths of a second, signed by the hemisphere letter. */
function parseCoordinate(c: Cursor, what: string, maxDeg: number, pos: string, neg: string): number {
  // a token that does not start with a digit ends the degrees-minutes-seconds part
  const isHemisphere = (t: string | undefined): boolean => t !== undefined && !(t.charCodeAt(0) >= 0x30 && t.charCodeAt(0) <= 0x39);
  const deg = parseFixed(c.next(`${what} degrees`), `LOC ${what} degrees`, 0, false);
  if (deg > maxDeg) fail(`LOC ${what} degrees "${deg}" is above ${maxDeg}`);
  let min = 0;
  let ms = 0;
  if (!isHemisphere(c.peek())) {
    const t = c.next(`${what} minutes`);
    min = parseFixed(t, `LOC ${what} minutes`, 0, false);
    if (min > 59) fail(`LOC ${what} minutes ${q(t)} is above 59`);
    if (!isHemisphere(c.peek())) {
      const s = c.next(`${what} seconds`);
      ms = parseFixed(s, `LOC ${what} seconds`, 3, false);
      if (ms >= 60000) fail(`LOC ${what} seconds ${q(s)} is 60 or above`);
    }
  }
  const h = c.next(`${what} hemisphere (${pos} or ${neg})`);
  const letter = h.toUpperCase();
  if (letter !== pos && letter !== neg) fail(`LOC ${what} hemisphere ${q(h)} is not ${pos} or ${neg}`);
  const total = (deg * 3600 + min * 60) * 1000 + ms;
  if (total > maxDeg * 3600000) fail(`LOC ${what} is beyond ${maxDeg} degrees`);
  return letter === pos ? ZERO + total : ZERO - total;
}

export const LOC: RdataCodec = {
  type: RRType.LOC,
  fromText(tokens) {
    const c = new Cursor(tokens);
    const lat = parseCoordinate(c, 'latitude', 90, 'N', 'S');
    const lon = parseCoordinate(c, 'longitude', 180, 'E', 'W');
    const altText = c.next('altitude');
    const alt = parseMeters(altText, 'LOC altitude', true) + ALT_ZERO;
    if (alt < 0 || alt > MAX_ALT) fail(`LOC altitude ${q(altText)} is outside -100000.00m to 42849672.95m`);
    const sizes = [100, 1000000, 1000]; // defaults: size 1m, horizontal 10km, vertical 10m (RFC 1876 §3)
    const names = ['size', 'horizontal precision', 'vertical precision'];
    for (let k = 0; k < 3 && c.peek() !== undefined; k++) {
      const t = c.next(names[k]!);
      const cm = parseMeters(t, `LOC ${names[k]}`, false);
      if (cm > MAX_SIZE) fail(`LOC ${names[k]} ${q(t)} is above 90000000.00m`);
      sizes[k] = cm;
    }
    if (c.peek() !== undefined) fail(`LOC has an unexpected field ${q(c.peek()!)} after the vertical precision`);
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    out[0] = 0;
    out[1] = encodeSize(sizes[0]!);
    out[2] = encodeSize(sizes[1]!);
    out[3] = encodeSize(sizes[2]!);
    view.setUint32(4, lat);
    view.setUint32(8, lon);
    view.setUint32(12, alt);
    return out;
  },
  toText(r) {
    checkLoc(r);
    const view = new DataView(r.buffer, r.byteOffset, r.byteLength);
    const lat = coordinateToText(view.getUint32(4), 'N', 'S');
    const lon = coordinateToText(view.getUint32(8), 'E', 'W');
    const alt = metersToText(view.getUint32(12) - ALT_ZERO);
    return `${lat} ${lon} ${alt} ${sizeToText(r[1]!)} ${sizeToText(r[2]!)} ${sizeToText(r[3]!)}`;
  },
};

/** Version 0, 16 octets, size digits 0–9 (RFC 1876 §2), angles within ±90° and ±180°. */
export function checkLoc(r: Uint8Array): void {
  if (r.length < 1) fail('LOC rdata is empty');
  if (r[0] !== 0) fail(`LOC version ${r[0]} is not 0`);
  if (r.length !== 16) fail(`LOC rdata is ${r.length} octets, must be 16`);
  for (let i = 1; i <= 3; i++) {
    if (r[i]! >> 4 > 9 || (r[i]! & 15) > 9) fail(`LOC size/precision octet ${i} (0x${r[i]!.toString(16)}) has a digit above 9`);
  }
  const view = new DataView(r.buffer, r.byteOffset, r.byteLength);
  // angles beyond the poles or the antimeridian have no presentation form
  if (Math.abs(view.getUint32(4) - ZERO) > 90 * 3600000) fail(`LOC latitude 0x${view.getUint32(4).toString(16)} is beyond 90 degrees`);
  if (Math.abs(view.getUint32(8) - ZERO) > 180 * 3600000) fail(`LOC longitude 0x${view.getUint32(8).toString(16)} is beyond 180 degrees`);
}

function coordinateToText(w: number, pos: string, neg: string): string {
  const v = w >= ZERO ? w - ZERO : ZERO - w;
  const deg = Math.floor(v / 3600000);
  const min = Math.floor((v % 3600000) / 60000);
  const ms = v % 60000;
  const sec = ms % 1000 === 0 ? String(ms / 1000) : `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
  return `${deg} ${min} ${sec} ${w >= ZERO ? pos : neg}`;
}

function metersToText(cm: number): string {
  const a = Math.abs(cm);
  const sign = cm < 0 ? '-' : '';
  return a % 100 === 0 ? `${sign}${a / 100}m` : `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}m`;
}

function sizeToText(b: number): string {
  return metersToText((b >> 4) * 10 ** (b & 15));
}
