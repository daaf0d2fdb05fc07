import { LOWER } from '../../zones/name.js';
import { Flag } from '../message/header.js';
import { skipName } from '../message/names.js';
import { Rcode } from '../message/rcode.js';
import { RrlClass } from './rrl.js';

/**
 * The RRL class of an encoded response and the hash of what that class is keyed by, read from its
 * bytes (so a cached answer classifies like a computed one): answers by the question (`questionHash`),
 * NXDOMAIN and NODATA by the zone (the owner of the SOA in the authority section), referrals by the
 * delegation (the owner of the NS set), errors by rcode. Result: class << 32 is not representable, so
 * the class goes to `out[0]` and the hash to `out[1]`.
 */
export function classifyResponse(response: Uint8Array, questionEnd: number, questionHash: number, out: Int32Array): void {
  const rcode = response[3]! & 0x0f;
  const ancount = (response[6]! << 8) | response[7]!;
  const nscount = (response[8]! << 8) | response[9]!;
  const flags = (response[2]! << 8) | response[3]!;
  if (rcode === Rcode.NOERROR && ancount > 0) {
    out[0] = RrlClass.ANSWER;
    out[1] = questionHash;
    return;
  }
  if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) {
    out[0] = RrlClass.ERROR;
    out[1] = rcode;
    return;
  }
  out[0] = rcode === Rcode.NXDOMAIN ? RrlClass.NXDOMAIN : (flags & Flag.AA) !== 0 || nscount === 0 ? RrlClass.NODATA : RrlClass.REFERRAL;
  out[1] = nscount > 0 ? authorityOwnerHash(response, questionEnd, ancount) : 0;
}

/** FNV-1a of the first authority record's owner, lowercased, compression followed; 0 when unreadable. */
function authorityOwnerHash(msg: Uint8Array, p: number, ancount: number): number {
  for (let i = 0; i < ancount && p >= 0; i++) {
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return 0;
    p += 10 + ((msg[p + 8]! << 8) | msg[p + 9]!);
  }
  if (p < 0) return 0;
  let h = 0x811c9dc5;
  for (let guard = 0; guard < 128; guard++) {
    const l = msg[p];
    if (l === undefined) return 0;
    if (l === 0) return h | 0;
    if ((l & 0xc0) === 0xc0) {
      p = ((l & 0x3f) << 8) | msg[p + 1]!;
      continue;
    }
    h = Math.imul(h ^ l, 0x01000193);
    for (let i = p + 1; i <= p + l; i++) h = Math.imul(h ^ LOWER[msg[i]!]!, 0x01000193);
    p += l + 1;
  }
  return 0;
}
