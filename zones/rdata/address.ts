/**
 * IPv4 and IPv6 addresses, parsed by hand (no regex, no allocation) because A and AAAA dominate big
 * zones. Accepts what inet_pton accepts; prints what glibc inet_ntop prints (Knot uses it), which
 * is RFC 5952 text plus the dotted tail for IPv4-mapped and -compatible addresses.
 */
import { fail, q } from './fields.js';

/** Writes the 4 octets of a dotted-quad IPv4 address at `pos`; no leading zeros (octal ambiguity). */
export function parseIPv4Into(text: string, out: Uint8Array, pos: number, field: string): void {
  if (!ipv4Into(text, 0, text.length, out, pos)) fail(`${field} ${q(text)} is not an IPv4 address`);
}

function ipv4Into(text: string, from: number, to: number, out: Uint8Array, pos: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (digits === 0 || part === 3) return false;
      out[pos + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return false;
    if (digits > 0 && value === 0) return false; // leading zero
    value = value * 10 + d;
    if (value > 255) return false;
    digits++;
  }
  if (digits === 0 || part !== 3) return false;
  out[pos + 3] = value;
  return true;
}

export function ipv4ToText(r: Uint8Array, pos: number): string {
  return `${r[pos]}.${r[pos + 1]}.${r[pos + 2]}.${r[pos + 3]}`;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Writes the 16 octets of an IPv6 address at `pos` (RFC 4291 §2.2 text forms). */
export function parseIPv6Into(text: string, out: Uint8Array, pos: number, field: string): void {
  if (!ipv6Into(text, out, pos)) fail(`${field} ${q(text)} is not an IPv6 address`);
}

function ipv6Into(text: string, out: Uint8Array, pos: number): boolean {
  const n = text.length;
  if (n < 2) return false;
  let i = 0;
  let w = 0; // 16-bit groups written
  let gap = -1; // group index where "::" stands
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === n) {
      out.fill(0, pos, pos + 16);
      return true;
    }
  }
  for (;;) {
    const groupStart = i;
    let value = 0;
    let digits = 0;
    while (i < n) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      value = (value << 4) | d;
      if (++digits > 4) return false;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 0x2e) {
      // dotted IPv4 tail: the last 32 bits
      if (w > 6) return false;
      if (!ipv4Into(text, groupStart, n, out, pos + w * 2)) return false;
      w += 2;
      break;
    }
    if (digits === 0) return false;
    if (w === 8) return false;
    out[pos + w * 2] = value >> 8;
    out[pos + w * 2 + 1] = value & 0xff;
    w++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = w;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return false; // trailing single colon
    }
  }
  if (gap < 0) return w === 8;
  if (w === 8) return false; // "::" must stand for at least one group
  // move the groups after the gap to the end, zero the gap
  const tail = (w - gap) * 2;
  out.copyWithin(pos + 16 - tail, pos + gap * 2, pos + w * 2);
  out.fill(0, pos + gap * 2, pos + 16 - tail);
  return true;
}

/** glibc inet_ntop: longest run (≥ 2) of zero groups as "::", lowercase hex, IPv4 tail when mapped. */
export function ipv6ToText(r: Uint8Array, pos: number): string {
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) words[i] = (r[pos + i * 2]! << 8) | r[pos + i * 2 + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i > 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 7 && words[7] !== 1) || (bestLen === 5 && words[5] === 0xffff))) {
      s += ipv4ToText(r, pos + 12);
      break;
    }
    s += words[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}
