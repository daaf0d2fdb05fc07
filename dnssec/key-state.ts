// The persisted lifecycle state of one DNSSEC key of a zone. Each timestamp (unix seconds) is when
// the key entered that state; undefined = not yet. The key material itself lives elsewhere.

import type { StoredDnssecKey } from '../zones/store/key-store.js';

export type KeyRole = StoredDnssecKey['role'];

/**
 * A key's lifecycle as the planner sees it: the stored key without its material (zones/store/key-store.ts
 * documents each timestamp: when the key entered that state, unix seconds; undefined = not yet).
 */
export type KeyState = Omit<StoredDnssecKey, 'pkcs8' | 'flags'>;

export type KeyTimestamp = 'publish' | 'active' | 'retire' | 'remove' | 'dsSubmitted' | 'dsSeen' | 'dsRemovedSeen';

export const KEY_TIMESTAMPS: readonly KeyTimestamp[] = ['publish', 'active', 'retire', 'remove', 'dsSubmitted', 'dsSeen', 'dsRemovedSeen'];

/** A secure entry point: the keys whose DS goes to the parent and that sign the DNSKEY RRset. */
export function isSep(key: Pick<KeyState, 'role'>): boolean {
  return key.role !== 'zsk';
}

/** Signs zone data (every RRset but DNSKEY, CDS, CDNSKEY). */
export function isZoneSigner(key: Pick<KeyState, 'role'>): boolean {
  return key.role !== 'ksk';
}

/** The timestamp is set and not in the future. */
export function reached(at: number | undefined, now: number): boolean {
  return at !== undefined && at <= now;
}

export function isPublished(key: KeyState, now: number): boolean {
  return reached(key.publish, now) && !reached(key.remove, now);
}

export function signsZone(key: KeyState, now: number): boolean {
  return isZoneSigner(key) && reached(key.active, now) && !reached(key.retire, now);
}

/**
 * A SEP key signs the keyset until it is both retired and removed: an outgoing CSK keeps the
 * DNSKEY RRset signed until its DS is replaced, and in an algorithm roll the old algorithm's
 * signatures outlive its DNSKEYs (RFC 6781 §4.1.4).
 */
export function signsKeyset(key: KeyState, now: number): boolean {
  return isSep(key) && reached(key.active, now) && !(reached(key.retire, now) && reached(key.remove, now));
}

/**
 * The parent was last seen without its DS. (A DS can come back: a key that left a roll and
 * returned to it is seen again, and only the later of the two observations counts.)
 */
export function dsGone(key: KeyState): boolean {
  return key.dsRemovedSeen !== undefined && (key.dsSeen === undefined || key.dsRemovedSeen >= key.dsSeen);
}

/** The parent was last seen serving its DS. */
export function dsAtParent(key: KeyState): boolean {
  return key.dsSeen !== undefined && !dsGone(key);
}
