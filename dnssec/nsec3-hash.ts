/** NSEC3 owner hashing (RFC 5155 §5) and the base32hex encoding of hashed owner labels (RFC 4648 §7). */
import { createHash } from 'node:crypto';
import { lowerName, type WireName } from '../zones/name.js';
import { DnssecError } from './algorithm.js';

/** Hash algorithm 1 (SHA-1) over the lowercased wire name: IH(salt, x, k) = H(IH(salt, x, k-1) ‖ salt). */
export function nsec3Hash(name: WireName, salt: Uint8Array, iterations: number): Buffer {
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffff) {
    throw new DnssecError(`NSEC3 iterations ${iterations} out of range 0..65535`, 'MESHDNS_ERR_DNSSEC_NSEC3');
  }
  let digest = createHash('sha1').update(lowerName(name)).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) {
  VALUES[ALPHABET.charCodeAt(i)] = i;
  VALUES[ALPHABET.toUpperCase().charCodeAt(i)] = i;
}

/** Lowercase base32hex without padding. */
export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Inverse of base32hex (either case, padding allowed); undefined when the text is not base32hex. */
export function fromBase32hex(text: string): Buffer | undefined {
  const body = text.replace(/=+$/, '');
  if (/=/.test(body)) return undefined;
  const rest = body.length % 8;
  if (rest === 1 || rest === 3 || rest === 6) return undefined; // lengths no octet string encodes to
  const out = Buffer.allocUnsafe(Math.floor((body.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let p = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? VALUES[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[p++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined; // non-zero pad bits: not canonical
  return out;
}
