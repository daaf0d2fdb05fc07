import { keyLabelCount, keyToName, type WireName } from '../../zones/name.js';
import type { LmdbStore, ZoneKind, ZoneMeta } from '../../zones/store/lmdb-store.js';
import { latin1 } from '../../zones/store/working-set.js';

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
}

/**
 * The served zones by apex, kept in step with the store by the write door's commit listener.
 * `generation` changes when zones appear or go, which may move names between zones.
 */
export class ZoneTable {
  generation = 0;
  private readonly byApex = new Map<string, ServedZone>();
  private maxLabels = 0;

  constructor(private readonly store: LmdbStore) {
    for (const { apexKey, meta } of store.allZones()) this.put(apexKey, meta);
  }

  /** Commit listener: a zone changed, appeared (meta) or went away (undefined). */
  update(apexKey: Buffer, meta: ZoneMeta | undefined): void {
    const id = latin1(apexKey);
    const had = this.byApex.get(id);
    if (!meta) {
      if (had) {
        this.byApex.delete(id);
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
    const apexLabels = keyLabelCount(apexKey);
    this.byApex.set(latin1(apexKey), {
      id: meta.id, apexKey, apexName: keyToName(apexKey), apexLabels, origin: meta.origin,
      kind: meta.kind, generation: meta.generation, serial: meta.serial, loaded: meta.records > 0,
    });
    if (apexLabels > this.maxLabels) this.maxLabels = apexLabels;
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

  /** The deepest served zone containing the name (label walk from the name towards the root). */
  find(nameKey: Uint8Array, skipLabels = 0): ServedZone | undefined {
    const ends: number[] = [];
    for (let i = 0; i < nameKey.length; i++) if (nameKey[i] === 0) ends.push(i + 1);
    ends.unshift(0);
    const start = Math.min(ends.length - 1 - skipLabels, this.maxLabels);
    for (let n = start; n >= 0; n--) {
      const zone = this.byApex.get(latin1(nameKey.subarray(0, ends[n]!)));
      if (zone && zone.loaded) return zone;
    }
    return undefined;
  }
}

export { latin1 };
