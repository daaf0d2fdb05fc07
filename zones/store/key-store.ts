import { handlesOf, type StoreHandles } from './handles.js';
import type { LmdbStore } from './lmdb-store.js';

/**
 * A zone's DNSSEC signing key as kept in LMDB (sub-database `dnssec-keys`), by origin rather than
 * zone id: a zone deleted and created again finds its keys, so the DS at the parent stays valid
 * (Knot's KASP database habit). The private key is PKCS#8 DER and never leaves this record except
 * to sign or to be exported on request; it is never logged.
 */
export interface StoredDnssecKey {
  id: string;
  role: 'csk' | 'ksk' | 'zsk';
  algorithm: number;
  /** DNSKEY flags: 256 (ZSK) or 257 (SEP: KSK or CSK). */
  flags: number;
  keyTag: number;
  pkcs8: Uint8Array;
  /** Imported (BIND key files) rather than generated here. */
  imported: boolean;
  /** Unix seconds each state began; absent: not (yet). */
  created: number;
  /** In the DNSKEY RRset from this time. */
  publish?: number;
  /** Signs from this time: zone data (ZSK, CSK) and the DNSKEY/CDS/CDNSKEY RRsets (KSK, CSK). */
  active?: number;
  /** Stops signing zone data from this time (and the keyset too, once also removed). */
  retire?: number;
  /** Out of the DNSKEY RRset from this time. */
  remove?: number;
  /** Its DS was asked of the parent (CDS/CDNSKEY published, or shown by `keys ds`). */
  dsSubmitted?: number;
  /** The parent was seen serving its DS (parent check, or the operator's `keys ds-seen`). */
  dsSeen?: number;
  /** The parent was seen no longer serving its DS. */
  dsRemovedSeen?: number;
}

const SEPARATOR = '\u0000';

/**
 * Reads and writes zone keys. Inside a commit's transaction (the sign stage) reads see that
 * transaction; outside, each write is its own transaction.
 */
export class KeyStore implements PolicyMemory {
  private readonly h: StoreHandles;

  constructor(store: LmdbStore) {
    this.h = handlesOf(store);
  }

  /** Every key of a zone, oldest first. */
  list(origin: string): StoredDnssecKey[] {
    const prefix = originKey(origin) + SEPARATOR;
    const keys: StoredDnssecKey[] = [];
    for (const { key, value } of this.h.dnssecKeys.getRange({ start: prefix, end: prefix + '\uffff' })) {
      if (!key.startsWith(prefix)) break;
      keys.push(revive(value as StoredDnssecKey));
    }
    return keys.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  get(origin: string, id: string): StoredDnssecKey | undefined {
    const value = this.h.dnssecKeys.get(originKey(origin) + SEPARATOR + id) as StoredDnssecKey | undefined;
    return value && revive(value);
  }

  /** Zones that have keys here. */
  origins(): string[] {
    const seen = new Set<string>();
    for (const key of this.h.dnssecKeys.getKeys()) {
      const at = key.indexOf(SEPARATOR);
      if (at > 0) seen.add(key.slice(0, at));
    }
    return [...seen];
  }

  lastPolicy(origin: string): object | undefined {
    return this.h.dnssecKeys.get(originKey(origin) + POLICY_SEPARATOR + 'policy') as object | undefined;
  }

  /** Remembers (or, with undefined, forgets) the policy a zone was last signed with. */
  rememberPolicy(origin: string, policy: object | undefined): void {
    const key = originKey(origin) + POLICY_SEPARATOR + 'policy';
    this.h.env.transactionSync(() => {
      if (policy === undefined) this.h.dnssecKeys.remove(key);
      else this.h.dnssecKeys.put(key, policy);
    });
  }

  /** Writes keys inside the caller's transaction (the sign stage making a zone's first keys). */
  putInTransaction(origin: string, put: readonly StoredDnssecKey[]): void {
    const base = originKey(origin) + SEPARATOR;
    for (const key of put) this.h.dnssecKeys.put(base + key.id, { ...key, pkcs8: Buffer.from(key.pkcs8) });
  }

  /** Writes keys (added or changed) and deletes others, in one transaction. */
  write(origin: string, put: readonly StoredDnssecKey[], remove: readonly string[] = []): void {
    const base = originKey(origin) + SEPARATOR;
    this.h.env.transactionSync(() => {
      for (const key of put) this.h.dnssecKeys.put(base + key.id, { ...key, pkcs8: Buffer.from(key.pkcs8) });
      for (const id of remove) this.h.dnssecKeys.remove(base + id);
    });
  }
}

const POLICY_SEPARATOR = '\u0001';

/**
 * The policy a zone was last signed with (plain data), kept beside its keys: when signing is
 * turned off, the zone goes insecure with that policy's timings (RFC 8078 §4, RFC 7583).
 */
export interface PolicyMemory {
  lastPolicy(origin: string): object | undefined;
  rememberPolicy(origin: string, policy: object | undefined): void;
}

function originKey(origin: string): string {
  const lower = origin.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** msgpack gives back a Uint8Array or Buffer for the key bytes; undefined fields stay absent. */
function revive(value: StoredDnssecKey): StoredDnssecKey {
  return { ...value, pkcs8: new Uint8Array(value.pkcs8) };
}
