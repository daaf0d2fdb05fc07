/**
 * Rdata of the denial-of-existence records: NSEC (RFC 4034 §4), NSEC3 and NSEC3PARAM (RFC 5155 §3–4),
 * and their type bitmaps (RFC 4034 §4.1.2).
 */
import { wireNameLength, type WireName } from '../zones/name.js';
import { bitmapOf, bitmapTypes as readBitmap, checkBitmap } from '../zones/rdata/bitmap.js';
import { DnssecError } from './algorithm.js';

export interface Nsec3Fields {
  hashAlgorithm: number;
  /** Bit 0x01 = opt-out (RFC 5155 §3.1.2.1). */
  flags: number;
  iterations: number;
  salt: Uint8Array;
  nextHashed: Uint8Array;
  types: number[];
}

export const NSEC3_SHA1 = 1;
export const NSEC3_OPT_OUT = 0x01;

/** Windows of up to 32 octets, in increasing order, without empty windows or trailing zero octets. */
export function typeBitmap(types: Iterable<number>): Uint8Array {
  const list = [...types];
  for (const type of list) {
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) throw new DnssecError(`type ${type} out of range`, 'MESHDNS_ERR_DNSSEC_BITMAP');
  }
  return bitmapOf(list);
}

/** The types of a bitmap in increasing order; throws when the bitmap is malformed. */
export function bitmapTypes(bitmap: Uint8Array): number[] {
  try {
    checkBitmap(bitmap, 0, bitmap.length, 'NSEC');
  } catch (e) {
    throw new DnssecError((e as Error).message, 'MESHDNS_ERR_DNSSEC_BITMAP');
  }
  return readBitmap(bitmap, 0, bitmap.length);
}

export function nsecRdata(next: WireName, types: Iterable<number>): Uint8Array {
  const nextLength = wireNameLength(next);
  const bitmap = typeBitmap(types);
  const out = new Uint8Array(nextLength + bitmap.length);
  out.set(next.subarray(0, nextLength), 0);
  out.set(bitmap, nextLength);
  return out;
}

export function nsecFields(rdata: Uint8Array): { next: WireName; types: number[] } {
  let nextLength: number;
  try {
    nextLength = wireNameLength(rdata);
  } catch {
    throw new DnssecError('NSEC next domain name is truncated or malformed', 'MESHDNS_ERR_DNSSEC_NSEC');
  }
  return { next: rdata.slice(0, nextLength), types: bitmapTypes(rdata.subarray(nextLength)) };
}

export function nsec3Rdata(f: Omit<Nsec3Fields, 'hashAlgorithm'> & { hashAlgorithm?: number }): Uint8Array {
  checkSalt(f.salt);
  checkIterations(f.iterations);
  if (f.nextHashed.length < 1 || f.nextHashed.length > 255) throw new DnssecError(`NSEC3 next hashed owner is ${f.nextHashed.length} octets`, 'MESHDNS_ERR_DNSSEC_NSEC3');
  const bitmap = typeBitmap(f.types);
  const out = new Uint8Array(6 + f.salt.length + f.nextHashed.length + bitmap.length);
  out[0] = f.hashAlgorithm ?? NSEC3_SHA1;
  out[1] = f.flags;
  out[2] = f.iterations >>> 8;
  out[3] = f.iterations & 0xff;
  out[4] = f.salt.length;
  out.set(f.salt, 5);
  let p = 5 + f.salt.length;
  out[p++] = f.nextHashed.length;
  out.set(f.nextHashed, p);
  out.set(bitmap, p + f.nextHashed.length);
  return out;
}

export function nsec3Fields(rdata: Uint8Array): Nsec3Fields {
  const truncated = (): never => {
    throw new DnssecError('NSEC3 rdata is truncated', 'MESHDNS_ERR_DNSSEC_NSEC3');
  };
  if (rdata.length < 5) truncated();
  const saltLength = rdata[4]!;
  const hashAt = 5 + saltLength;
  if (rdata.length < hashAt + 1) truncated();
  const hashLength = rdata[hashAt]!;
  const bitmapAt = hashAt + 1 + hashLength;
  if (rdata.length < bitmapAt) truncated();
  return {
    hashAlgorithm: rdata[0]!,
    flags: rdata[1]!,
    iterations: (rdata[2]! << 8) | rdata[3]!,
    salt: rdata.slice(5, hashAt),
    nextHashed: rdata.slice(hashAt + 1, bitmapAt),
    types: bitmapTypes(rdata.subarray(bitmapAt)),
  };
}

/** Hash algorithm 1, flags 0 (RFC 5155 §4.1.2: the opt-out flag lives only in NSEC3 records). */
export function nsec3paramRdata(iterations: number, salt: Uint8Array): Uint8Array {
  checkSalt(salt);
  checkIterations(iterations);
  const out = new Uint8Array(5 + salt.length);
  out[0] = NSEC3_SHA1;
  out[1] = 0;
  out[2] = iterations >>> 8;
  out[3] = iterations & 0xff;
  out[4] = salt.length;
  out.set(salt, 5);
  return out;
}

function checkSalt(salt: Uint8Array): void {
  if (salt.length > 255) throw new DnssecError(`NSEC3 salt is ${salt.length} octets, above 255`, 'MESHDNS_ERR_DNSSEC_NSEC3');
}

function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffff) {
    throw new DnssecError(`NSEC3 iterations ${iterations} out of range 0..65535`, 'MESHDNS_ERR_DNSSEC_NSEC3');
  }
}
