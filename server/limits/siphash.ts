/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed hash RFC 9018 §4.4 uses for server cookies.
 * node:crypto has no SipHash. 64-bit lanes are kept as pairs of 32-bit halves (no BigInt, no
 * allocation per call): `state` holds v0..v3 as [hi, lo] pairs.
 */

const state = new Uint32Array(8);

/** SipHash-2-4 of `data[start, end)` under a 16-octet key, written little-endian into out[at, at + 8). */
export function siphash24(key: Uint8Array, data: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  if (key.length !== 16) throw new RangeError(`SipHash key must be 16 octets, not ${key.length}`);
  const k0l = le32(key, 0), k0h = le32(key, 4), k1l = le32(key, 8), k1h = le32(key, 12);
  const v = state;
  // "somepseudorandomlygeneratedbytes"
  v[0] = k0h ^ 0x736f6d65; v[1] = k0l ^ 0x70736575;
  v[2] = k1h ^ 0x646f7261; v[3] = k1l ^ 0x6e646f6d;
  v[4] = k0h ^ 0x6c796765; v[5] = k0l ^ 0x6e657261;
  v[6] = k1h ^ 0x74656462; v[7] = k1l ^ 0x79746573;
  const length = end - start;
  const whole = start + (length & ~7);
  for (let p = start; p < whole; p += 8) compress(le32(data, p + 4), le32(data, p));
  // the last block: the remaining octets, the length's low byte in the top octet
  let ml = 0;
  let mh = (length & 0xff) << 24;
  for (let i = 0; whole + i < end; i++) {
    const b = data[whole + i]!;
    if (i < 4) ml |= b << (8 * i);
    else mh |= b << (8 * (i - 4));
  }
  compress(mh >>> 0, ml >>> 0);
  v[5] = (v[5]! ^ 0xff) >>> 0;
  round(); round(); round(); round();
  const hl = (v[1]! ^ v[3]! ^ v[5]! ^ v[7]!) >>> 0;
  const hh = (v[0]! ^ v[2]! ^ v[4]! ^ v[6]!) >>> 0;
  out[at] = hl; out[at + 1] = hl >>> 8; out[at + 2] = hl >>> 16; out[at + 3] = hl >>> 24;
  out[at + 4] = hh; out[at + 5] = hh >>> 8; out[at + 6] = hh >>> 16; out[at + 7] = hh >>> 24;
}

function compress(mh: number, ml: number): void {
  const v = state;
  v[6] = v[6]! ^ mh; v[7] = v[7]! ^ ml;
  round(); round();
  v[0] = v[0]! ^ mh; v[1] = v[1]! ^ ml;
}

/** One SipRound over state (v0 at 0-1, v1 at 2-3, v2 at 4-5, v3 at 6-7; hi first). */
function round(): void {
  const v = state;
  add(0, 2); rotl(2, 13); xor(2, 0); swap(0);
  add(4, 6); rotl(6, 16); xor(6, 4);
  add(0, 6); rotl(6, 21); xor(6, 0);
  add(4, 2); rotl(2, 17); xor(2, 4); swap(4);
  void v;
}

/** v[a] += v[b] (mod 2^64) */
function add(a: number, b: number): void {
  const v = state;
  const lo = v[a + 1]! + v[b + 1]!;
  v[a] = v[a]! + v[b]! + (lo > 0xffffffff ? 1 : 0);
  v[a + 1] = lo;
}

function xor(a: number, b: number): void {
  const v = state;
  v[a] = v[a]! ^ v[b]!;
  v[a + 1] = v[a + 1]! ^ v[b + 1]!;
}

/** rotate left by 32: swap the halves */
function swap(a: number): void {
  const v = state;
  const h = v[a]!;
  v[a] = v[a + 1]!;
  v[a + 1] = h;
}

/** rotate left by n (0 < n < 32) */
function rotl(a: number, n: number): void {
  const v = state;
  const h = v[a]!, l = v[a + 1]!;
  v[a] = (h << n) | (l >>> (32 - n));
  v[a + 1] = (l << n) | (h >>> (32 - n));
}

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}
