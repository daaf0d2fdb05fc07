import type { WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { cdnskeyDeleteRdata, cdsDeleteRdata, dsRdata } from './ds.js';
import { keyFromPkcs8 } from './keys.js';
import type { KeyView } from './key-view.js';
import type { SigningPolicy } from './signing-policy.js';

/** The apex RRsets the keys make: DNSKEY, and CDS/CDNSKEY for the parent (RFC 7344 §4) when the policy publishes them. */
export interface KeysetRRsets {
  dnskey: Uint8Array[];
  cds: Uint8Array[];
  cdnskey: Uint8Array[];
}

export function keysetRRsets(apex: WireName, view: KeyView, policy: SigningPolicy): KeysetRRsets {
  const dnskeyOf = (k: KeyView['published'][number]) => keyFromPkcs8(k.pkcs8, k.algorithm, k.flags).dnskey;
  const dnskey = view.published.map(dnskeyOf);
  // RFC 8078 §4: the DELETE records ask the parent to remove the DS (signing turned off)
  if (view.cds === 'delete') return { dnskey, cds: [cdsDeleteRdata()], cdnskey: [cdnskeyDeleteRdata()] };
  const offered = policy.cds ? view.cds.map(dnskeyOf) : [];
  return {
    dnskey,
    cdnskey: offered,
    // RFC 8078 and the parents that poll (e.g. CZ.NIC, SWITCH) take SHA-256 digests
    cds: offered.map((k) => dsRdata(apex, k, 2)),
  };
}

/** Types the signer owns: they are made here and never taken from a zone file, the API or UPDATE. */
export function isSignerOwnedType(type: number, atApex: boolean): boolean {
  if (type === RRType.RRSIG || type === RRType.NSEC || type === RRType.NSEC3 || type === RRType.NSEC3PARAM) return true;
  return atApex && (type === RRType.DNSKEY || type === RRType.CDS || type === RRType.CDNSKEY);
}
