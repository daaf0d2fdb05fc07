/**
 * DNSSEC keys: a node:crypto private key with its DNSKEY rdata and key tag (RFC 4034 §2, appendix B).
 * Public key fields: RFC 3110 §2 (RSA), RFC 6605 §4 (ECDSA P-256: x ‖ y), RFC 8080 §3 (Ed25519).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DnssecAlgorithm, DnssecError, requireSupportedAlgorithm } from './algorithm.js';

export interface DnssecKey {
  algorithm: number;
  /** 256 = ZSK, 257 = SEP (KSK or CSK). */
  flags: number;
  /** Whole DNSKEY rdata: flags(2) protocol=3 algorithm public-key-field. */
  dnskey: Uint8Array;
  keyTag: number;
  privateKey: KeyObject;
}

export const DNSKEY_PROTOCOL = 3; // RFC 4034 §2.1.2

export function generateKey(algorithm: number, flags: number, options?: { rsaBits?: number }): { key: DnssecKey; pkcs8: Buffer } {
  requireSupportedAlgorithm(algorithm);
  const pair =
    algorithm === DnssecAlgorithm.RSASHA256
      ? generateKeyPairSync('rsa', { modulusLength: options?.rsaBits ?? 2048, publicExponent: 65537 })
      : algorithm === DnssecAlgorithm.ECDSAP256SHA256
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  return { key: keyFromPrivateKey(pair.privateKey, pair.publicKey, algorithm, flags), pkcs8 };
}

export function keyFromPkcs8(pkcs8: Uint8Array, algorithm: number, flags: number): DnssecKey {
  requireSupportedAlgorithm(algorithm);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new DnssecError(`private key is not valid PKCS#8: ${(e as Error).message}`, 'MESHDNS_ERR_DNSSEC_KEY');
  }
  return keyFromPrivateKey(privateKey, createPublicKey(privateKey), algorithm, flags);
}

/** A DnssecKey from a node:crypto private key; DnssecError when the key type does not fit `algorithm`. */
export function keyFromPrivateKey(privateKey: KeyObject, publicKey: KeyObject, algorithm: number, flags: number): DnssecKey {
  requireKeyFitsAlgorithm(privateKey, algorithm);
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) throw new DnssecError(`DNSKEY flags ${flags} out of range`, 'MESHDNS_ERR_DNSSEC_KEY');
  const dnskey = dnskeyRdata(flags, algorithm, publicKeyField(algorithm, publicKey));
  return { algorithm, flags, dnskey, keyTag: keyTag(dnskey), privateKey };
}

function requireKeyFitsAlgorithm(key: KeyObject, algorithm: number): void {
  const type = key.asymmetricKeyType;
  const fits =
    algorithm === DnssecAlgorithm.RSASHA256
      ? type === 'rsa'
      : algorithm === DnssecAlgorithm.ECDSAP256SHA256
        ? type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        : algorithm === DnssecAlgorithm.ED25519 && type === 'ed25519';
  if (!fits) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new DnssecError(
      `a ${type ?? 'unknown'}${curve ? ` (${curve})` : ''} key cannot be used with DNSSEC algorithm ${algorithm}`,
      'MESHDNS_ERR_DNSSEC_KEY_MISMATCH',
    );
  }
}

/** RFC 4034 appendix B: the 16-bit sum of the rdata as 16-bit words, folded once. */
export function keyTag(dnskeyRdata: Uint8Array): number {
  let ac = 0;
  for (let i = 0; i < dnskeyRdata.length; i++) ac += i & 1 ? dnskeyRdata[i]! : dnskeyRdata[i]! << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

export function dnskeyRdata(flags: number, algorithm: number, publicKeyField: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + publicKeyField.length);
  out[0] = flags >>> 8;
  out[1] = flags & 0xff;
  out[2] = DNSKEY_PROTOCOL;
  out[3] = algorithm;
  out.set(publicKeyField, 4);
  return out;
}

export function publicKeyField(algorithm: number, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  switch (algorithm) {
    case DnssecAlgorithm.RSASHA256: {
      const e = b64url(jwk.e, 'e');
      const n = b64url(jwk.n, 'n');
      // RFC 3110 §2: exponent length in one octet, or 0 followed by two octets when above 255
      const head = e.length <= 255 ? Uint8Array.of(e.length) : Uint8Array.of(0, e.length >>> 8, e.length & 0xff);
      return Buffer.concat([head, e, n]);
    }
    case DnssecAlgorithm.ECDSAP256SHA256:
      return Buffer.concat([fixed(b64url(jwk.x, 'x'), 32), fixed(b64url(jwk.y, 'y'), 32)]);
    case DnssecAlgorithm.ED25519:
      return b64url(jwk.x, 'x');
    default:
      requireSupportedAlgorithm(algorithm);
      throw new DnssecError(`DNSSEC algorithm ${algorithm} is not supported`, 'MESHDNS_ERR_DNSSEC_ALGORITHM');
  }
}

/** The node:crypto public key of a DNSKEY rdata; DnssecError when the key field is malformed. */
export function publicKeyFromDnskey(dnskey: Uint8Array): KeyObject {
  if (dnskey.length < 4) throw new DnssecError('DNSKEY rdata shorter than 4 octets', 'MESHDNS_ERR_DNSSEC_KEY');
  const algorithm = dnskey[3]!;
  requireSupportedAlgorithm(algorithm);
  const field = Buffer.from(dnskey.buffer, dnskey.byteOffset + 4, dnskey.length - 4);
  let jwk: JsonWebKey;
  if (algorithm === DnssecAlgorithm.RSASHA256) {
    let p = 1;
    let eLen = field[0];
    if (eLen === 0) {
      eLen = field.length >= 3 ? field.readUInt16BE(1) : undefined;
      p = 3;
    }
    if (eLen === undefined || eLen === 0 || p + eLen >= field.length) throw new DnssecError('RSA DNSKEY public key field is truncated', 'MESHDNS_ERR_DNSSEC_KEY');
    jwk = { kty: 'RSA', e: field.subarray(p, p + eLen).toString('base64url'), n: field.subarray(p + eLen).toString('base64url') };
  } else if (algorithm === DnssecAlgorithm.ECDSAP256SHA256) {
    if (field.length !== 64) throw new DnssecError(`ECDSA P-256 DNSKEY key field is ${field.length} octets, not 64`, 'MESHDNS_ERR_DNSSEC_KEY');
    jwk = { kty: 'EC', crv: 'P-256', x: field.subarray(0, 32).toString('base64url'), y: field.subarray(32).toString('base64url') };
  } else {
    if (field.length !== 32) throw new DnssecError(`Ed25519 DNSKEY key field is ${field.length} octets, not 32`, 'MESHDNS_ERR_DNSSEC_KEY');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: field.toString('base64url') };
  }
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    throw new DnssecError(`DNSKEY public key is not valid: ${(e as Error).message}`, 'MESHDNS_ERR_DNSSEC_KEY');
  }
}

function b64url(v: string | undefined, what: string): Buffer {
  if (v === undefined) throw new DnssecError(`public key has no "${what}" component`, 'MESHDNS_ERR_DNSSEC_KEY');
  return Buffer.from(v, 'base64url');
}

/** Left-pads a big-endian integer to `size` octets (JWK coordinates are already fixed-size; this is a guard). */
function fixed(b: Buffer, size: number): Buffer {
  if (b.length === size) return b;
  const out = Buffer.alloc(size);
  b.copy(out, size - b.length);
  return out;
}
