/**
 * Client addresses as four 32-bit words (IPv4 in the last word, as IPv4-mapped IPv6 has it), parsed
 * from the text the listeners give, without allocation: rate limiting reads the prefix, cookies
 * hash the address octets.
 */

/** Parses `text` into `out` (network order words); returns 4, 6, or 0 when it is not an address. */
export function parseAddress(text: string, out: Uint32Array): 0 | 4 | 6 {
  if (text.indexOf(':') < 0) {
    const v4 = parseV4(text, 0, text.length);
    if (v4 < 0) return 0;
    out[0] = 0; out[1] = 0; out[2] = 0xffff; out[3] = v4;
    return 4;
  }
  const family = parseV6(text, out);
  // an IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client
  if (family === 6 && out[0] === 0 && out[1] === 0 && out[2] === 0xffff) return 4;
  return family;
}

/** a.b.c.d in text[start, end) as an unsigned 32-bit number, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = -1;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (octet < 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = -1;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + c - 48;
      if (octet > 255) return -1;
    } else return -1;
  }
  if (octet < 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

const groups = new Uint16Array(8);

function parseV6(text: string, out: Uint32Array): 0 | 6 {
  let end = text.indexOf('%'); // a zone index (fe80::1%eth0) is not part of the address
  if (end < 0) end = text.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    while (j < end && j - i < 5) {
      const c = text.charCodeAt(j);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = value * 16 + d;
      j++;
    }
    if (j < end && text.charCodeAt(j) === 46) {
      // the last 32 bits written as IPv4
      const v4 = parseV4(text, i, end);
      if (v4 < 0 || n > 6) return 0;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (j === i || j - i > 4 || n === 8) return 0;
    groups[n++] = value;
    if (j === end) { i = end; break; }
    if (text.charCodeAt(j) !== 58) return 0;
    if (j + 1 < end && text.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return 0;
      gap = n;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return 0;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return 0;
  const fill = 8 - n;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(2 * w, gap, fill);
    const lo = groupAt(2 * w + 1, gap, fill);
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return 6;
}

/** Group g of the full address, the `::` gap (at `gap`, `fill` groups long) expanded to zeros. */
function groupAt(g: number, gap: number, fill: number): number {
  if (gap < 0 || g < gap) return groups[g]!;
  if (g < gap + fill) return 0;
  return groups[g - fill]!;
}

/** An address prefix: `words` masked to `bits` (counted over the 128-bit form; IPv4 prefixes get 96 added). */
export interface Prefix {
  family: 4 | 6;
  words: Uint32Array;
  bits: number;
}

/** "192.0.2.0/24", "2001:db8::/32" or a single address; undefined when it is not one. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const words = new Uint32Array(4);
  const family = parseAddress(slash < 0 ? text : text.slice(0, slash), words);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lengthText) || Number(lengthText) > max) return undefined;
  const bits = Number(lengthText) + (family === 4 ? 96 : 0);
  maskWords(words, bits);
  return { family, words, bits };
}

/** Clears every bit after the first `bits` of the 128-bit address. */
export function maskWords(words: Uint32Array, bits: number): void {
  for (let w = 0; w < 4; w++) {
    const keep = bits - 32 * w;
    if (keep >= 32) continue;
    words[w] = keep <= 0 ? 0 : (words[w]! & (0xffffffff << (32 - keep))) >>> 0;
  }
}

/** Whether the address in `words` (of `family`) lies in the prefix. */
export function inPrefix(words: Uint32Array, family: 4 | 6, prefix: Prefix): boolean {
  if (prefix.family !== family) return false;
  for (let w = 0; w < 4; w++) {
    const keep = prefix.bits - 32 * w;
    if (keep <= 0) return true;
    const mask = keep >= 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    if (((words[w]! & mask) >>> 0) !== prefix.words[w]) return false;
  }
  return true;
}
