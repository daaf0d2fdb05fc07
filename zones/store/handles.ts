import type { Database, RootDatabase } from 'lmdb';
import type { ZoneMeta } from './zone-meta.js';

/**
 * The LMDB environment and its sub-databases (ARCHITECTURE.md "LMDB layout"). Only the files of
 * zones/store/ hold these: everything else reads through `ZoneReader` and writes through the
 * write door (test/architecture checks that nothing outside zones/store/ imports this file or lmdb).
 */
export interface StoreHandles {
  readonly env: RootDatabase;
  /** apex key → ZoneMeta */
  readonly zones: Database<ZoneMeta, Buffer>;
  /** zone id (u32 BE) ‖ name key → node (node.ts layout) */
  readonly nodes: Database<Buffer, Buffer>;
  /** zone id ‖ sequence → one commit's difference */
  readonly journal: Database<unknown, Buffer>;
  /** schemaVersion, nextZoneId */
  readonly meta: Database<unknown, string>;
  /** provenance ids: key 0 → next free id, id → source name, source name → id */
  readonly owners: Database<string | number, string | number>;
  /** zone id ‖ source id ‖ name key → (empty): the names at which a source owns records */
  readonly sources: Database<Buffer, Buffer>;
  /** origin (lowercase, trailing dot) ‖ NUL ‖ key id → StoredDnssecKey (key-store.ts) */
  readonly dnssecKeys: Database<unknown, string>;
  /** zone id ‖ raw NSEC3 hash → name key of the node holding it (nsec3-index.ts) */
  readonly nsec3: Database<Buffer, Buffer>;
  /** catalog zones: producers, member assignments, members produced and consumed (catalog-store.ts) */
  readonly catalog: Database<unknown, string>;
}

const handles = new WeakMap<object, StoreHandles>();

export function attachHandles(store: object, h: StoreHandles): void {
  handles.set(store, h);
}

/** The handles of an open store (zones/store/ only). */
export function handlesOf(store: object): StoreHandles {
  const h = handles.get(store);
  if (!h) throw new Error('not an open LmdbStore');
  return h;
}

/** Key of a node: zone id (u32 BE) ‖ canonical name key. */
export function nodeKey(zoneId: number, nameKey: Uint8Array): Buffer {
  const key = Buffer.allocUnsafe(4 + nameKey.length);
  key.writeUInt32BE(zoneId, 0);
  key.set(nameKey, 4);
  return key;
}

/** The [start, end) key range of a zone in `nodes` (and any sub-database keyed by zone id first). */
export function zoneRange(zoneId: number): { start: Buffer; end: Buffer } {
  const start = Buffer.allocUnsafe(4);
  start.writeUInt32BE(zoneId, 0);
  const end = Buffer.allocUnsafe(4);
  end.writeUInt32BE(zoneId + 1, 0);
  return { start, end };
}
