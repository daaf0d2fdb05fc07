import { RRType } from '../../zones/rrtype.js';
import { findRRset, type ZoneNode } from '../../zones/store/node.js';

/** How a zone proves that names and types do not exist: decided by its apex (RFC 5155 §7.2). */
export type DenialChain =
  | { kind: 'none' }
  | { kind: 'nsec' }
  | { kind: 'nsec3'; salt: Uint8Array; iterations: number };

const NONE: DenialChain = { kind: 'none' };
const NSEC: DenialChain = { kind: 'nsec' };

/**
 * NSEC3 when the apex holds NSEC3PARAM (RFC 5155 §4: it tells authoritative servers which chain to
 * answer from), else NSEC when the apex holds NSEC, else none (an unsigned zone).
 */
export function denialChainOf(apex: ZoneNode): DenialChain {
  const params = findRRset(apex, RRType.NSEC3PARAM);
  // RFC 5155 §4.1.2: only an NSEC3PARAM with flags 0 (and SHA-1, the one hash defined) is used
  const rdata = params?.rrs.find((rr) => rr.rdata.length >= 5 && rr.rdata[0] === 1 && rr.rdata[1] === 0)?.rdata;
  if (rdata) {
    const iterations = (rdata[2]! << 8) | rdata[3]!;
    const saltLength = rdata[4]!;
    return { kind: 'nsec3', iterations, salt: rdata.slice(5, 5 + saltLength) };
  }
  if (findRRset(apex, RRType.NSEC)) return NSEC;
  return NONE;
}

/** Whether `hash` equals the hash spelled by the leftmost label of an NSEC3 owner's name key. */
export function ownerHashEquals(nameKey: Uint8Array, hash: Uint8Array): boolean {
  // compare base32hex digits: encode `hash` on the fly against the label (no allocation)
  const end = nameKey.length - 1;
  let start = end - 1;
  while (start >= 0 && nameKey[start] !== 0) start--;
  start++;
  if (end - start !== Math.ceil((hash.length * 8) / 5)) return false;
  let bits = 0;
  let value = 0;
  let p = start;
  for (const b of hash) {
    value = ((value << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      if (nameKey[p++] !== DIGITS[(value >>> (bits - 5)) & 31]) return false;
      bits -= 5;
    }
  }
  return bits === 0 || nameKey[p] === DIGITS[(value << (5 - bits)) & 31];
}

const DIGITS = Buffer.from('0123456789abcdefghijklmnopqrstuv', 'latin1');

/** The ancestor of `key` (or itself) one label below `ancestorKey`: the "next closer name" of RFC 5155 §1.3. */
export function nextCloserKey(key: Uint8Array, ancestorKey: Uint8Array): Uint8Array {
  const end = key.indexOf(0, ancestorKey.length);
  return key.subarray(0, end + 1);
}
