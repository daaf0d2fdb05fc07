import type { StoredDnssecKey } from '../zones/store/key-store.js';
import { isPublished, isSep, reached, signsKeyset, signsZone } from './key-state.js';

/** What the zone publishes and signs with at one moment, from the keys' timestamps. */
export interface KeyView {
  /** Keys in the DNSKEY RRset. */
  published: StoredDnssecKey[];
  /** Keys whose RRSIGs cover every RRset but the keyset (ZSK, CSK). */
  zoneSigners: StoredDnssecKey[];
  /** Keys whose RRSIGs cover DNSKEY, CDS and CDNSKEY (KSK, CSK). */
  keysetSigners: StoredDnssecKey[];
  /** SEP keys offered to the parent as CDS/CDNSKEY (RFC 7344), or the RFC 8078 §4 DELETE when going insecure. */
  cds: StoredDnssecKey[] | 'delete';
}

/**
 * The view the key lifecycle (dnssec/rollover.ts) describes, read from the stored timestamps: a key
 * is in DNSKEY from `publish` until `remove`, signs from `active` until `retire` (key-state.ts), and
 * a SEP key is offered to the parent from `dsSubmitted` until it is removed — in an algorithm roll
 * only the keys of the policy's algorithm once one of them is (RFC 6781 §4.1.4).
 */
export function keyViewAt(keys: readonly StoredDnssecKey[], now: number, algorithm?: number, goingInsecure = false): KeyView {
  let cds = keys.filter((k) => isSep(k) && (reached(k.dsSubmitted, now) || reached(k.dsSeen, now)) && !reached(k.remove, now));
  if (algorithm !== undefined && cds.some((k) => k.algorithm === algorithm)) cds = cds.filter((k) => k.algorithm === algorithm);
  return {
    published: keys.filter((k) => isPublished(k, now)),
    zoneSigners: keys.filter((k) => signsZone(k, now)),
    keysetSigners: keys.filter((k) => signsKeyset(k, now)),
    cds: goingInsecure ? 'delete' : cds,
  };
}
