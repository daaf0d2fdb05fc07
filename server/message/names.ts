import type { WireName } from '../../zones/name.js';

/** Names inside DNS messages, where they may be compressed (RFC 1035 §4.1.4). */

/** Offset after a possibly compressed name, or -1 when it is malformed. */
export function skipName(msg: Uint8Array, p: number): number {
  for (let guard = 0; guard < 128; guard++) {
    const l = msg[p];
    if (l === undefined) return -1;
    if (l === 0) return p + 1;
    if ((l & 0xc0) === 0xc0) return p + 2 <= msg.length ? p + 2 : -1;
    if (l > 63) return -1;
    p += l + 1;
  }
  return -1;
}

/** A possibly compressed name, decompressed (pointers must go backwards). */
export function readName(msg: Uint8Array, p: number): WireName | undefined {
  const out: number[] = [];
  let limit = p;
  for (let guard = 0; guard < 128; guard++) {
    const l = msg[p];
    if (l === undefined) return undefined;
    if (l === 0) {
      out.push(0);
      return out.length <= 255 ? Uint8Array.from(out) : undefined;
    }
    if ((l & 0xc0) === 0xc0) {
      const target = ((l & 0x3f) << 8) | msg[p + 1]!;
      if (target >= limit) return undefined;
      limit = target;
      p = target;
      continue;
    }
    if (l > 63) return undefined;
    for (let i = 0; i <= l; i++) out.push(msg[p + i]!);
    p += l + 1;
  }
  return undefined;
}
