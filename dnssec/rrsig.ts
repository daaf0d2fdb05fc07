/**
 * RRSIG creation and verification (RFC 4034 §3). The signed data is RRSIG_RDATA (without the
 * signature, signer name lowercased) followed by the RRset in canonical form (RFC 4034 §3.1.8.1,
 * §6.2, §6.3): owner lowercased, class IN, the original TTL, canonical rdata sorted as octet
 * strings, duplicates removed.
 *
 * Signing is hot (a million-name zone goes through here), so the signed data is assembled in one
 * module-level scratch buffer that is reused: node:crypto copies its input before signing.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { LOWER, wireNameLength, type WireName } from '../zones/name.js';
import { canonicalRdata } from '../zones/rdata/index.js';
import { RRClass } from '../zones/rrtype.js';
import { DnssecAlgorithm, DnssecError } from './algorithm.js';
import { keyTag, publicKeyFromDnskey, type DnssecKey } from './keys.js';

export interface RRsetToSign {
  owner: WireName;
  type: number;
  ttl: number;
  rdatas: readonly Uint8Array[];
}

export interface RrsigFields {
  typeCovered: number;
  algorithm: number;
  labels: number;
  originalTtl: number;
  expiration: number;
  inception: number;
  keyTag: number;
  signer: WireName;
  signature: Uint8Array;
}

/** Octets of the fixed RRSIG fields before the signer name. */
const FIXED = 18;

let scratch = Buffer.allocUnsafe(64 * 1024);

function ensureScratch(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch;
}

/** RFC 4034 §3.1.3: labels of the owner, not counting the root nor a leading "*" label. */
export function rrsigLabels(owner: WireName): number {
  let n = 0;
  for (let p = 0; owner[p]! !== 0; p += owner[p]! + 1) n++;
  if (owner[0] === 1 && owner[1] === 0x2a) n--;
  return n;
}

/** RRSIG rdata for `set` signed by `key`; `inception` and `expiration` in unix seconds. */
export function signRRset(set: RRsetToSign, signer: WireName, key: DnssecKey, inception: number, expiration: number): Uint8Array {
  if (set.rdatas.length === 0) throw new DnssecError('cannot sign an empty RRset', 'MESHDNS_ERR_DNSSEC_SIGN');
  const signerLength = wireNameLength(signer);
  const headerLength = FIXED + signerLength;
  const rdatas = canonicalSorted(set.type, set.rdatas);
  const ownerLength = wireNameLength(set.owner);
  let size = headerLength;
  for (const r of rdatas) size += ownerLength + 10 + r.length;
  const buf = ensureScratch(size);
  buf.writeUInt16BE(set.type, 0);
  buf[2] = key.algorithm;
  buf[3] = rrsigLabels(set.owner);
  buf.writeUInt32BE(set.ttl >>> 0, 4);
  buf.writeUInt32BE(expiration >>> 0, 8); // RFC 4034 §3.1.5: serial number arithmetic, modulo 2^32
  buf.writeUInt32BE(inception >>> 0, 12);
  buf.writeUInt16BE(key.keyTag, 16);
  writeLower(buf, FIXED, signer, signerLength);
  writeRRset(buf, headerLength, set.owner, ownerLength, set.type, set.ttl, rdatas);
  const signature = signWith(key.algorithm, key.privateKey, buf.subarray(0, size));
  const out = new Uint8Array(headerLength + signature.length);
  out.set(buf.subarray(0, headerLength), 0);
  out.set(signature, headerLength);
  return out;
}

/**
 * True when `rrsig` is a valid signature over `set` by `dnskey`: type covered, algorithm and key
 * tag match, and the signature verifies. The validity period is not checked (the caller knows the
 * time). A wildcard expansion (RRSIG labels below the owner's) is verified as `*.` + the owner's
 * rightmost labels (RFC 4035 §5.3.2).
 */
export function verifyRRsig(set: RRsetToSign, rrsig: Uint8Array, dnskey: Uint8Array): boolean {
  const f = rrsigFields(rrsig);
  if (f.typeCovered !== set.type || dnskey.length < 4 || f.algorithm !== dnskey[3] || f.keyTag !== keyTag(dnskey)) return false;
  const owner = signedOwner(set.owner, f.labels);
  if (owner === undefined) return false;
  const publicKey = cachedPublicKey(dnskey);
  const signerLength = f.signer.length;
  const headerLength = FIXED + signerLength;
  const rdatas = canonicalSorted(set.type, set.rdatas);
  let size = headerLength;
  for (const r of rdatas) size += owner.length + 10 + r.length;
  const buf = ensureScratch(size);
  buf.set(rrsig.subarray(0, FIXED), 0);
  writeLower(buf, FIXED, f.signer, signerLength);
  writeRRset(buf, headerLength, owner, owner.length, set.type, f.originalTtl, rdatas);
  const data = buf.subarray(0, size);
  switch (f.algorithm) {
    case DnssecAlgorithm.ECDSAP256SHA256:
      return cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, f.signature);
    case DnssecAlgorithm.ED25519:
      return cryptoVerify(null, data, publicKey, f.signature);
    default:
      return cryptoVerify('sha256', data, publicKey, f.signature);
  }
}

/** The fields of RRSIG rdata; DnssecError when it is truncated. */
export function rrsigFields(rdata: Uint8Array): RrsigFields {
  if (rdata.length < FIXED + 1) throw new DnssecError(`RRSIG rdata is ${rdata.length} octets, too short`, 'MESHDNS_ERR_DNSSEC_RRSIG');
  const view = new DataView(rdata.buffer, rdata.byteOffset, rdata.length);
  let signerLength: number;
  try {
    signerLength = wireNameLength(rdata, FIXED);
  } catch {
    throw new DnssecError('RRSIG signer name is truncated or malformed', 'MESHDNS_ERR_DNSSEC_RRSIG');
  }
  return {
    typeCovered: view.getUint16(0),
    algorithm: rdata[2]!,
    labels: rdata[3]!,
    originalTtl: view.getUint32(4),
    expiration: view.getUint32(8),
    inception: view.getUint32(12),
    keyTag: view.getUint16(16),
    signer: rdata.slice(FIXED, FIXED + signerLength),
    signature: rdata.slice(FIXED + signerLength),
  };
}

/** ECDSA sign options, one object per key rather than one per signature. */
const ecdsaOptions = new WeakMap<KeyObject, { key: KeyObject; dsaEncoding: 'ieee-p1363' }>();

function signWith(algorithm: number, privateKey: KeyObject, data: Buffer): Buffer {
  switch (algorithm) {
    case DnssecAlgorithm.ECDSAP256SHA256: {
      let options = ecdsaOptions.get(privateKey);
      if (options === undefined) ecdsaOptions.set(privateKey, (options = { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      return cryptoSign('sha256', data, options); // RFC 6605 §4: r ‖ s, 32 octets each
    }
    case DnssecAlgorithm.ED25519:
      return cryptoSign(null, data, privateKey);
    case DnssecAlgorithm.RSASHA256:
      return cryptoSign('sha256', data, privateKey); // PKCS#1 v1.5 (RFC 5702 §3)
    default:
      throw new DnssecError(`DNSSEC algorithm ${algorithm} is not supported`, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  }
}

/** Canonical rdatas in canonical order without duplicates (RFC 4034 §6.3); the input is not touched. */
function canonicalSorted(type: number, rdatas: readonly Uint8Array[]): readonly Uint8Array[] {
  if (rdatas.length === 1) return [canonicalRdata(type, rdatas[0]!)];
  const sorted = rdatas.map((r) => canonicalRdata(type, r)).sort(Buffer.compare);
  let n = 1;
  for (let i = 1; i < sorted.length; i++) if (Buffer.compare(sorted[i]!, sorted[n - 1]!) !== 0) sorted[n++] = sorted[i]!;
  sorted.length = n;
  return sorted;
}

function writeRRset(buf: Buffer, at: number, owner: WireName, ownerLength: number, type: number, ttl: number, rdatas: readonly Uint8Array[]): void {
  let p = at;
  for (const r of rdatas) {
    writeLower(buf, p, owner, ownerLength);
    p += ownerLength;
    buf.writeUInt16BE(type, p);
    buf.writeUInt16BE(RRClass.IN, p + 2);
    buf.writeUInt32BE(ttl >>> 0, p + 4);
    buf.writeUInt16BE(r.length, p + 8);
    buf.set(r, p + 10);
    p += 10 + r.length;
  }
}

function writeLower(buf: Buffer, at: number, name: Uint8Array, length: number): void {
  for (let i = 0; i < length; i++) buf[at + i] = LOWER[name[i]!]!;
}

/** The owner the signature was made over: itself, or `*.` + its rightmost `labels` labels. */
function signedOwner(owner: WireName, labels: number): Uint8Array | undefined {
  const starts: number[] = [];
  for (let p = 0; owner[p]! !== 0; p += owner[p]! + 1) starts.push(p);
  const count = owner[0] === 1 && owner[1] === 0x2a ? starts.length - 1 : starts.length;
  if (labels === count) return owner;
  if (labels > count) return undefined;
  const suffix = owner.subarray(starts[starts.length - labels] ?? owner.length - 1);
  const out = new Uint8Array(2 + suffix.length);
  out[0] = 1;
  out[1] = 0x2a;
  out.set(suffix, 2);
  return out;
}

const publicKeys = new Map<string, KeyObject>();

function cachedPublicKey(dnskey: Uint8Array): KeyObject {
  const id = Buffer.from(dnskey.buffer, dnskey.byteOffset, dnskey.length).toString('base64');
  let key = publicKeys.get(id);
  if (key === undefined) {
    key = publicKeyFromDnskey(dnskey);
    if (publicKeys.size >= 256) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}
