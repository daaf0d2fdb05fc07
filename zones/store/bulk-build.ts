import { LOWER, type WireName } from '../name.js';
import { RRType } from '../rrtype.js';
import type { DiffRR } from '../diff.js';
import { rdataEqual } from '../rdata-equal.js';
import { NodeFlag } from './node.js';
import { StoreError } from './lmdb-store.js';

export interface BulkResult {
  records: number;
  nodes: number;
}

/** Receives each node in canonical order; the key buffer is reused after the call returns. */
export type NodeSink = (nameKey: Buffer, value: Buffer) => void;

const VERSION = 1;

/**
 * Writes every node of a zone from scratch: the fast path for a zone's first content (a 1M-record
 * import), equivalent to committing the same records one by one into an empty zone.
 *
 * Records are sorted once by (canonical key, type) as plain strings — one-byte string order is byte
 * order — and then streamed in canonical order: each name's RRsets are encoded straight from the
 * records, empty non-terminals are emitted where a name's ancestors are missing, NONAUTH comes from
 * the path above and WILDCARD_CHILD from a set gathered while sorting. No per-node objects are
 * built, and the sink sees strictly increasing keys (LMDB can append).
 */
export function bulkBuild(apexKey: Buffer, records: DiffRR[], ownerId: number, soaRdata: Uint8Array, sink: NodeSink): BulkResult {
  const apexId = apexKey.toString('latin1');
  const scratch = Buffer.allocUnsafe(600);
  const order: string[] = new Array(records.length);
  const wildcardParents = new Set<string>();
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const rr = records[i]!;
    const id = keyString(rr.owner, scratch);
    if (!id.startsWith(apexId)) throw new StoreError(`record owner is outside the zone (apex key "${apexId}")`, 'MESHDNS_ERR_OUT_OF_ZONE');
    // a `*` label anywhere in the name (it may be an empty non-terminal) flags its parent
    for (let pos = id.indexOf('*\0'); pos >= 0; pos = id.indexOf('*\0', pos + 1)) {
      if (pos === 0 || id.charCodeAt(pos - 1) === 0) wildcardParents.add(id.slice(0, pos));
    }
    // key ‖ 0x00 ‖ type ‖ index, all one-byte characters: a 0x00 sorts before any label, so a
    // name precedes its children and string order is byte order
    order[n++] = id + String.fromCharCode(0, rr.type >>> 8, rr.type & 0xff, i >>> 16, (i >>> 8) & 0xff, i & 0xff);
  }
  order.length = n;
  order.sort();

  // the deepest-first path of names being written, for NONAUTH and for spotting missing ENTs
  const path: { id: string; flags: number }[] = [];
  let recordCount = 0;
  let nodes = 0;
  const keyBuf = Buffer.allocUnsafe(600);
  const emit = (id: string, value: Buffer) => {
    let flags = value[1]!;
    const parent = path[path.length - 1];
    if (parent && parent.flags & (NodeFlag.DELEGATION | NodeFlag.NONAUTH)) flags |= NodeFlag.NONAUTH;
    if (wildcardParents.has(id)) flags |= NodeFlag.WILDCARD_CHILD;
    value[1] = flags;
    path.push({ id, flags });
    nodes++;
    sink(keyBuf.subarray(0, keyBuf.write(id, 'latin1')), value);
  };

  const group: DiffRR[] = [];
  for (let g = 0; g < n; ) {
    const first = order[g]!;
    const id = first.slice(0, first.length - 6);
    group.length = 0;
    let end = g;
    while (end < n && order[end]!.length === first.length && order[end]!.startsWith(id)) {
      const s = order[end]!;
      group.push(records[(s.charCodeAt(s.length - 3) << 16) | (s.charCodeAt(s.length - 2) << 8) | s.charCodeAt(s.length - 1)]!);
      end++;
    }
    g = end;
    while (path.length > 0 && !id.startsWith(path[path.length - 1]!.id)) path.pop();
    if (id !== apexId && path.length > 0) {
      // empty non-terminals between the deepest written ancestor and this name
      const missing: string[] = [];
      for (let p = parentId(id); p.length > path[path.length - 1]!.id.length; p = parentId(p)) missing.push(p);
      for (let m = missing.length - 1; m >= 0; m--) emit(missing[m]!, emptyNode());
    }
    const encoded = encodeGroup(group, ownerId, id === apexId, soaRdata);
    recordCount += encoded.records;
    emit(id, encoded.value);
  }
  return { records: recordCount, nodes };
}

function emptyNode(): Buffer {
  return Buffer.from([VERSION, 0, 0, 0]);
}

/**
 * One node's value (node.ts layout) from its records, already in type order: duplicates dropped
 * (RFC 2181 §5), one TTL per RRset (the first), the apex SOA replaced by `soaRdata`.
 */
function encodeGroup(group: DiffRR[], ownerId: number, isApex: boolean, soaRdata: Uint8Array): { value: Buffer; records: number } {
  if (group.length === 1 && !isApex) return { value: encodeSingle(group[0]!, ownerId), records: 1 };
  const kept: DiffRR[] = [];
  let size = 4;
  for (let i = 0; i < group.length; i++) {
    const rr = group[i]!;
    if (rr.type === RRType.SOA && isApex) {
      if (kept.some((k) => k.type === RRType.SOA)) continue;
      size += 8 + 2 + soaRdata.length + 5;
      kept.push({ ...rr, rdata: soaRdata });
      continue;
    }
    let duplicate = false;
    for (let j = kept.length - 1; j >= 0 && kept[j]!.type === rr.type; j--) {
      if (rdataEqual(rr.type, kept[j]!.rdata, rr.rdata)) duplicate = true;
    }
    if (duplicate) continue;
    if (kept.length === 0 || kept[kept.length - 1]!.type !== rr.type) size += 8;
    size += 2 + rr.rdata.length + 5;
    kept.push(rr);
  }
  const value = Buffer.allocUnsafe(size);
  value[0] = VERSION;
  let flags = 0;
  let sets = 0;
  let p = 4;
  let countAt = 0;
  for (let i = 0; i < kept.length; i++) {
    const rr = kept[i]!;
    if (i === 0 || kept[i - 1]!.type !== rr.type) {
      sets++;
      value.writeUInt16BE(rr.type, p);
      value.writeUInt32BE(rr.ttl, p + 2);
      countAt = p + 6;
      value.writeUInt16BE(0, countAt);
      p += 8;
      if (rr.type === RRType.NS && !isApex) flags |= NodeFlag.DELEGATION;
      else if (rr.type === RRType.DNAME) flags |= NodeFlag.DNAME;
      else if (rr.type === RRType.CNAME) flags |= NodeFlag.CNAME;
    }
    value.writeUInt16BE(value.readUInt16BE(countAt) + 1, countAt);
    value.writeUInt16BE(rr.rdata.length, p);
    value.set(rr.rdata, p + 2);
    p += 2 + rr.rdata.length;
    value[p] = 1;
    value.writeUInt32BE(ownerId, p + 1);
    p += 5;
  }
  value[1] = flags | (isApex ? NodeFlag.APEX : 0);
  value.writeUInt16BE(sets, 2);
  return { value, records: kept.length };
}

/** The common case: a name with exactly one record. */
function encodeSingle(rr: DiffRR, ownerId: number): Buffer {
  const value = Buffer.allocUnsafe(4 + 8 + 2 + rr.rdata.length + 5);
  value[0] = VERSION;
  value[1] = rr.type === RRType.NS ? NodeFlag.DELEGATION : rr.type === RRType.DNAME ? NodeFlag.DNAME : rr.type === RRType.CNAME ? NodeFlag.CNAME : 0;
  value.writeUInt16BE(1, 2);
  value.writeUInt16BE(rr.type, 4);
  value.writeUInt32BE(rr.ttl, 6);
  value.writeUInt16BE(1, 10);
  value.writeUInt16BE(rr.rdata.length, 12);
  value.set(rr.rdata, 14);
  const p = 14 + rr.rdata.length;
  value[p] = 1;
  value.writeUInt32BE(ownerId, p + 1);
  return value;
}

/** Canonical key of a wire name as a latin1 string (see name.ts for the format). */
export function keyString(name: WireName, scratch: Buffer): string {
  const starts: number[] = [];
  let p = 0;
  while (name[p]! !== 0) {
    starts.push(p);
    p += name[p]! + 1;
  }
  let k = 0;
  for (let s = starts.length - 1; s >= 0; s--) {
    const start = starts[s]!;
    const len = name[start]!;
    for (let i = start + 1; i <= start + len; i++) {
      const b = name[i]!;
      if (b <= 1) {
        scratch[k++] = 1;
        scratch[k++] = b + 1;
      } else scratch[k++] = LOWER[b]!;
    }
    scratch[k++] = 0;
  }
  return scratch.toString('latin1', 0, k);
}

function parentId(id: string): string {
  return id.slice(0, id.lastIndexOf('\0', id.length - 2) + 1);
}
