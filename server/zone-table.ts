import { keyLabelCount, keyToName, type WireName } from '../zones/name.js';
import type { LmdbStore, ZoneKind, ZoneMeta } from '../zones/store/lmdb-store.js';
import type { ZoneNode } from '../zones/store/node.js';
import { latin1 } from '../zones/store/working-set.js';

/** What the query path keeps in memory per served zone; nodes stay in LMDB. */
export interface ServedZone {
  id: number;
  apexKey: Buffer;
  apexName: WireName;
  apexLabels: number;
  origin: string;
  kind: ZoneKind;
  /** Compared by answer-cache entries: any commit to the zone makes its cached answers stale. */
  generation: number;
  serial: number;
  /** False until the zone has content (a secondary before its first transfer). */
  loaded: boolean;
  /** A secondary past its SOA expire time without a primary (RFC 1034 §4.3.5): SERVFAIL. */
  expired?: boolean;
  /** Answered only to clients its transfer ACL allows (a catalog zone produced or consumed here). */
  restricted?: boolean;
  /** The decoded apex node of one generation, kept by the resolver. */
  apexCache?: { generation: number; node: ZoneNode; signed: boolean };
  /** Its `zone` metric label slot and the labels that gave it (metrics/zone-labels.ts), looked up on first use. */
  metricLabel: { readonly owner: object; readonly slot: number } | undefined;
}

/**
 * The served zones by apex, kept in step with the store by the write door's commit listener.
 * `generation` changes when zones appear or go, which may move names between zones.
 */
export class ZoneTable {
  generation = 0;
  private readonly byApex = new Map<string, ServedZone>();
  /** FNV-1a of the apex key → zones (a list only on a hash collision). */
  private readonly byHash = new Map<number, ServedZone[]>();
  /** Apex keys (latin1) of the zones answered only to their transfer ACL. */
  private restrictedApexes = new Set<string>();
  /** How many served zones are restricted: the router checks queries only when some are. */
  restrictedZones = 0;

  constructor(private readonly store: LmdbStore) {
    for (const { apexKey, meta } of store.allZones()) this.put(apexKey, meta);
  }

  /** Commit listener: a zone changed, appeared (meta) or went away (undefined). */
  update(apexKey: Buffer, meta: ZoneMeta | undefined): void {
    const id = latin1(apexKey);
    const had = this.byApex.get(id);
    if (!meta) {
      if (had) {
        if (had.restricted) this.restrictedZones--;
        this.byApex.delete(id);
        const h = keyHash(apexKey);
        const rest = (this.byHash.get(h) ?? []).filter((z) => z !== had);
        if (rest.length > 0) this.byHash.set(h, rest);
        else this.byHash.delete(h);
        had.generation = -1;
        this.generation++;
      }
      return;
    }
    if (had) {
      had.generation = meta.generation;
      had.serial = meta.serial;
      had.kind = meta.kind;
      if (had.loaded !== meta.records > 0) this.generation++;
      had.loaded = meta.records > 0;
    } else {
      this.put(apexKey, meta);
      this.generation++;
    }
  }

  private put(apexKey: Buffer, meta: ZoneMeta): void {
    const zone: ServedZone = {
      id: meta.id, apexKey, apexName: keyToName(apexKey), apexLabels: keyLabelCount(apexKey), origin: meta.origin,
      kind: meta.kind, generation: meta.generation, serial: meta.serial, loaded: meta.records > 0, metricLabel: undefined,
    };
    if (this.restrictedApexes.has(latin1(apexKey))) {
      zone.restricted = true;
      this.restrictedZones++;
    }
    this.byApex.set(latin1(apexKey), zone);
    const h = keyHash(apexKey);
    this.byHash.set(h, [...(this.byHash.get(h) ?? []), zone]);
  }

  /** The zones answered only to their transfer ACL (catalogs); replaces the previous set. */
  setRestricted(apexKeys: Iterable<Uint8Array>): void {
    this.restrictedApexes = new Set([...apexKeys].map((k) => latin1(Buffer.from(k))));
    this.restrictedZones = 0;
    for (const [id, zone] of this.byApex) {
      zone.restricted = this.restrictedApexes.has(id);
      if (zone.restricted) this.restrictedZones++;
    }
    this.generation++;
  }

  zones(): IterableIterator<ServedZone> {
    return this.byApex.values();
  }

  get size(): number {
    return this.byApex.size;
  }

  byApexKey(apexKey: Uint8Array): ServedZone | undefined {
    return this.byApex.get(latin1(apexKey));
  }

  /**
   * The deepest served zone containing the name: one pass over the key, hashing as it goes and
   * looking up each label boundary (no strings built on the query path). `skipLabels` leaves the
   * last labels out (DS: the parent side).
   */
  find(nameKey: Uint8Array, skipLabels = 0): ServedZone | undefined {
    let end = nameKey.length;
    for (let i = 0; i < skipLabels && end > 0; i++) end = nameKey.lastIndexOf(0, end - 2) + 1;
    let h = HASH_SEED;
    let found = this.match(h, nameKey, 0);
    for (let i = 0; i < end; i++) {
      h = Math.imul(h ^ nameKey[i]!, 0x01000193);
      if (nameKey[i] === 0) found = this.match(h >>> 0, nameKey, i + 1) ?? found;
    }
    return found;
  }

  private match(hash: number, nameKey: Uint8Array, length: number): ServedZone | undefined {
    const candidates = this.byHash.get(hash >>> 0);
    if (!candidates) return undefined;
    for (const zone of candidates) {
      if (!zone.loaded || zone.apexKey.length !== length) continue;
      const apex = zone.apexKey;
      let i = 0;
      while (i < length && apex[i] === nameKey[i]) i++; // (Buffer.compare is a native call per try)
      if (i === length) return zone;
    }
    return undefined;
  }
}

export { latin1 };

const HASH_SEED = 0x811c9dc5;

function keyHash(key: Uint8Array): number {
  let h = HASH_SEED;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h >>> 0;
}
