/**
 * RR identity inside an RRset (RFC 2181 §5): same type and the same rdata, where embedded
 * domain names compare without regard to case (RFC 4034 §6.2 canonical form).
 */
import { canonicalRdata } from './rdata/index.js';

export function rdataEqual(type: number, a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let same = true;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      same = false;
      break;
    }
  }
  if (same) return true;
  return Buffer.from(canonicalRdata(type, a)).equals(canonicalRdata(type, b));
}

/**
 * What makes two rdatas the same RR: the RFC 4034 §6.2 canonical form (embedded names lowercased
 * for the types listed there), as a latin1 string so a Set can hold it.
 */
export function rdataIdentity(type: number, rdata: Uint8Array): string {
  let canonical: Uint8Array;
  try {
    canonical = canonicalRdata(type, rdata);
  } catch {
    canonical = rdata; // malformed rdata never comes from the parser; compare the bytes then
  }
  return Buffer.from(canonical.buffer, canonical.byteOffset, canonical.length).toString('latin1');
}
