import type { StoredDnssecKey } from '../../zones/store/key-store.js';

/** One key of a zone as operators see it (never the private key). */
export interface KeyStatus {
  id: string;
  role: StoredDnssecKey['role'];
  algorithm: number;
  keyTag: number;
  flags: number;
  imported: boolean;
  /** Where the key is in its life now: generated (not yet published), published, active, retired, removed. */
  state: 'generated' | 'published' | 'active' | 'retired' | 'removed';
  created: number;
  publish?: number;
  active?: number;
  retire?: number;
  remove?: number;
  dsSubmitted?: number;
  dsSeen?: number;
  /** DS records (SHA-256) for the parent, for SEP keys. */
  ds?: string[];
}

/** The signing state of one zone (admin API, status page, metrics, `meshdns keys list`). */
export interface ZoneSigningStatus {
  origin: string;
  /** The policy name, or undefined while going insecure. */
  policy: string | undefined;
  keys: KeyStatus[];
  /** When the key plan next acts (unix seconds), and what it waits for outside (a DS at the parent). */
  nextEvent: number | undefined;
  waitingFor: string[];
  /** The earliest expiration of any RRSIG in the zone (unix seconds), from the last scan. */
  earliestExpiry: number | undefined;
  /** The last key event logged for this zone. */
  lastEvent: string | undefined;
}

/**
 * What the admin API and CLI may do with DNSSEC (implemented by server/dnssec/driver.ts). Errors
 * are thrown as Error with a `code` (MESHDNS_ERR_DNSSEC_*) and a message naming what is wrong.
 */
export interface DnssecControl {
  /** Zones with a policy or with keys. */
  zones(): ZoneSigningStatus[];
  status(origin: string): ZoneSigningStatus | undefined;
  /** The operator saw the DS of the zone's new SEP key at the parent (`meshdns keys ds-seen`); all submitted keys when no tag is given. */
  dsSeen(origin: string, keyTag?: number): Promise<ZoneSigningStatus>;
  /** Starts a roll of this role now (`meshdns keys roll`). */
  roll(origin: string, role: 'zsk' | 'ksk' | 'csk'): Promise<ZoneSigningStatus>;
  /** Imports BIND key files (text of .key and .private): the key takes part with the timing it carries. */
  importBindKey(origin: string, keyFile: string, privateFile: string): Promise<KeyStatus>;
  /** Exports a key as BIND key files (the private file only when `withPrivate`). */
  exportBindKey(origin: string, keyId: string, withPrivate: boolean): { baseName: string; key: string; private?: string };
}
