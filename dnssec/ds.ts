/** DS records (RFC 4034 §5.1.4, RFC 4509 SHA-256, RFC 6605 §2 SHA-384) and the CDS/CDNSKEY delete forms (RFC 8078 §4). */
import { createHash } from 'node:crypto';
import { lowerName, type WireName } from '../zones/name.js';
import { DnssecError } from './algorithm.js';
import { keyTag } from './keys.js';

export const DigestType = { SHA256: 2, SHA384: 4 } as const;

export function dsRdata(owner: WireName, dnskey: Uint8Array, digestType: 2 | 4): Uint8Array {
  if (dnskey.length < 4) throw new DnssecError('DNSKEY rdata shorter than 4 octets', 'MESHDNS_ERR_DNSSEC_KEY');
  if (digestType !== 2 && digestType !== 4) throw new DnssecError(`DS digest type ${String(digestType)} is not supported (2, 4)`, 'MESHDNS_ERR_DNSSEC_DIGEST');
  const digest = createHash(digestType === 2 ? 'sha256' : 'sha384').update(lowerName(owner)).update(dnskey).digest();
  const out = new Uint8Array(4 + digest.length);
  const tag = keyTag(dnskey);
  out[0] = tag >>> 8;
  out[1] = tag & 0xff;
  out[2] = dnskey[3]!;
  out[3] = digestType;
  out.set(digest, 4);
  return out;
}

/** RFC 8078 §4: CDS "0 0 0 00". */
export function cdsDeleteRdata(): Uint8Array {
  return Uint8Array.of(0, 0, 0, 0, 0);
}

/** RFC 8078 §4: CDNSKEY "0 3 0 AA==" (flags 0, protocol 3, algorithm 0, key 0x00). */
export function cdnskeyDeleteRdata(): Uint8Array {
  return Uint8Array.of(0, 0, 3, 0, 0);
}
