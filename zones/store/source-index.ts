import type { StoreHandles } from './handles.js';
import { zoneRange } from './handles.js';
import { decodeNode, type ZoneNode } from './node.js';
import { dropNsec3Index } from './nsec3-index.js';

/**
 * Records indexed by source (ARCHITECTURE.md "Provenance"): one key per (zone, source, name) where
 * that source owns at least one RR, so "what does source S own in zone Z" is a range read over the
 * names it touched, not a scan of the zone. A Kubernetes object or an API caller owns a handful of
 * names in a zone of thousands; reconciling one of them must not read the others. The write door
 * keeps it in step with every node it writes, inside the same transaction.
 */
const EMPTY = Buffer.alloc(0);

export function sourceKey(zoneId: number, ownerId: number, nameKey: Uint8Array): Buffer {
  const key = Buffer.allocUnsafe(8 + nameKey.length);
  key.writeUInt32BE(zoneId, 0);
  key.writeUInt32BE(ownerId, 4);
  key.set(nameKey, 8);
  return key;
}

function sourceRange(zoneId: number, ownerId: number): { start: Buffer; end: Buffer } {
  const start = Buffer.allocUnsafe(8);
  start.writeUInt32BE(zoneId, 0);
  start.writeUInt32BE(ownerId, 4);
  const end = Buffer.allocUnsafe(8);
  // (ownerId + 1 may carry into the zone id: still the first key after this source's range)
  const next = ownerId + 1;
  end.writeUInt32BE(next > 0xffffffff ? zoneId + 1 : zoneId, 0);
  end.writeUInt32BE(next >>> 0, 4);
  return { start, end };
}

/** Inside a write transaction: the owners of a node changed from `before` to `after`. */
export function reindexNode(h: StoreHandles, zoneId: number, nameKey: Uint8Array, before: ReadonlySet<number>, after: ReadonlySet<number>): void {
  for (const id of before) if (!after.has(id)) h.sources.remove(sourceKey(zoneId, id, nameKey));
  for (const id of after) if (!before.has(id)) h.sources.put(sourceKey(zoneId, id, nameKey), EMPTY);
}

/** Inside a write transaction: every index entry of a zone goes (the zone is replaced or deleted). */
export function dropZoneIndex(h: StoreHandles, zoneId: number): void {
  for (const key of h.sources.getKeys(zoneRange(zoneId))) h.sources.remove(key);
  dropNsec3Index(h, zoneId);
}

/** The bulk path's writer: keys arrive in canonical order, appended when this range is the database's end. */
export function bulkIndexSink(h: StoreHandles, zoneId: number, ownerId: number): (nameKey: Uint8Array) => void {
  const range = sourceRange(zoneId, ownerId);
  let last: Buffer | undefined;
  for (const k of h.sources.getKeys({ reverse: true, limit: 1 })) last = k;
  const options = last === undefined || Buffer.compare(last, range.start) < 0 ? { append: true } : {};
  const put = h.sources.put.bind(h.sources) as unknown as (k: Buffer, v: Buffer, o: object) => void;
  const key = Buffer.allocUnsafe(8 + 512);
  key.writeUInt32BE(zoneId, 0);
  key.writeUInt32BE(ownerId, 4);
  return (nameKey) => {
    key.set(nameKey, 8);
    // (lmdb copies the key inside a write transaction: the reused buffer is safe)
    put(key.subarray(0, 8 + nameKey.length), EMPTY, options);
  };
}

/** The provenance ids in a node. */
export function ownersOfNode(node: ZoneNode): Set<number> {
  const out = new Set<number>();
  for (const set of node.rrsets) for (const rr of set.rrs) for (const id of rr.owners) out.add(id);
  return out;
}

/** Name keys at which `ownerId` owns records in a zone, in canonical order. */
export function* namesOwnedBy(h: StoreHandles, zoneId: number, ownerId: number): Generator<Buffer> {
  for (const key of h.sources.getKeys(sourceRange(zoneId, ownerId))) yield Buffer.from(key.subarray(8));
}

/** Builds the index of a store written before it existed (schema 1 → 2), in one transaction. */
export function buildIndex(h: StoreHandles): number {
  let entries = 0;
  for (const { key, value } of h.nodes.getRange({})) {
    const zoneId = key.readUInt32BE(0);
    const nameKey = key.subarray(4);
    for (const id of ownersOfNode(decodeNode(Buffer.from(value)))) {
      h.sources.put(sourceKey(zoneId, id, nameKey), EMPTY);
      entries++;
    }
  }
  return entries;
}

/** The source ids with records in a zone: one short range read per source, skipping its names. */
export function ownerIdsOf(h: StoreHandles, zoneId: number): number[] {
  const ids: number[] = [];
  let start = zoneRange(zoneId).start;
  const end = zoneRange(zoneId).end;
  for (;;) {
    let found: Buffer | undefined;
    for (const key of h.sources.getKeys({ start, end, limit: 1 })) found = key;
    if (found === undefined) return ids;
    const id = found.readUInt32BE(4);
    ids.push(id);
    if (id === 0xffffffff) return ids;
    start = sourceRange(zoneId, id).end;
  }
}
