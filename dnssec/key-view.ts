import type { StoredDnssecKey } from '../zones/store/key-store.js';

/** What the zone publishes and signs with at one moment, from the keys' timestamps. */
export interface KeyView {
  /** Keys in the DNSKEY RRset. */
  published: StoredDnssecKey[];
  /** Keys whose RRSIGs cover every RRset but the keyset (ZSK, CSK). */
  zoneSigners: StoredDnssecKey[];
  /** Keys whose RRSIGs cover DNSKEY, CDS and CDNSKEY (KSK, CSK). */
  keysetSigners: StoredDnssecKey[];
  /** SEP keys offered to the parent as CDS/CDNSKEY (RFC 7344). */
  cds: StoredDnssecKey[];
}

const reached = (at: number | undefined, now: number) => at !== undefined && at <= now;
const before = (at: number | undefined, now: number) => at === undefined || now < at;

/**
 * A key is in the DNSKEY RRset from `publish` until `remove`; it signs from `active` until
 * `retire` (a key may sign before it is published: the algorithm rollover of RFC 6781 §4.1.4 adds
 * the new algorithm's signatures first); a SEP key is in CDS/CDNSKEY from `dsSubmitted` until it retires.
 */
export function keyViewAt(keys: readonly StoredDnssecKey[], now: number): KeyView {
  const live = keys.filter((k) => before(k.remove, now));
  const signing = live.filter((k) => reached(k.active, now) && before(k.retire, now));
  return {
    published: live.filter((k) => reached(k.publish, now)),
    zoneSigners: signing.filter((k) => k.role !== 'ksk'),
    keysetSigners: signing.filter((k) => k.role !== 'zsk'),
    cds: live.filter((k) => k.role !== 'zsk' && reached(k.dsSubmitted, now) && before(k.retire, now)),
  };
}
