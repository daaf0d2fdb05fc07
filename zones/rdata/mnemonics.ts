/**
 * Mnemonics accepted in numeric fields, as BIND and Knot accept them: DNSSEC algorithms (IANA
 * "DNS Security Algorithm Numbers", with the spellings of both tools) and CERT types (RFC 4398 §2.1).
 * Output is always the number, as Knot prints it.
 */
import { fail, parseU16, parseU8, q } from './fields.js';

const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5,
  'DSA-NSEC3-SHA1': 6, DSA_NSEC3_SHA1: 6, NSEC3DSA: 6,
  'RSASHA1-NSEC3-SHA1': 7, RSASHA1_NSEC3_SHA1: 7, NSEC3RSASHA1: 7,
  RSASHA256: 8, RSASHA512: 10, 'ECC-GOST': 12, ECC_GOST: 12, ECCGOST: 12,
  ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

const CERT_TYPES: Record<string, number> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
};

function isDigits(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 0x30 && c <= 0x39;
}

/** A DNSSEC algorithm: a number 0–255 or a mnemonic such as ECDSAP256SHA256. */
export function parseAlgorithm(text: string, field: string): number {
  if (text.length === 0 || isDigits(text)) return parseU8(text, field);
  const v = ALGORITHMS[text.toUpperCase()];
  if (v === undefined) fail(`${field} ${q(text)} is neither a number nor a known DNSSEC algorithm mnemonic`);
  return v;
}

/** A CERT type: a number 0–65535 or a mnemonic such as PKIX or PGP. */
export function parseCertType(text: string, field: string): number {
  if (text.length === 0 || isDigits(text)) return parseU16(text, field);
  const v = CERT_TYPES[text.toUpperCase()];
  if (v === undefined) fail(`${field} ${q(text)} is neither a number nor a known CERT type mnemonic`);
  return v;
}
