import { RRType, typeToText } from '../rrtype.js';
import { nameToText } from '../name.js';
import { LimitError } from '../limits.js';
import { rdataEqual } from '../rdata-equal.js';
import type { RecordTable } from '../table/record-table.js';
import { canonicalOrder, forEachName, isPrefixOf, parentLength, wildcardParentIds } from '../table/canonical-order.js';
import { NodeFlag } from './node.js';
import { StoreError } from './lmdb-store.js';

export interface BulkResult {
  records: number;
  nodes: number;
}

/** Receives each node (key: `keyPrefix` then the name's key) in canonical order; both buffers are reused after the call returns. */
export type NodeSink = (key: Buffer, value: Buffer) => void;

const VERSION = 1;
/** Written as a record with no provenance (made by the signer). */
const NO_OWNER = -1;

/**
 * Writes every node of a zone from scratch: the fast path for a zone's first content (a 1M-record
 * import), equivalent to committing the same records one by one into an empty zone.
 *
 * Records are streamed in canonical order (canonical-order.ts; the checks' sort when they made one):
 * each name's RRsets are encoded straight from the table, empty non-terminals are emitted where a
 * name's ancestors are missing, NONAUTH comes from the path above and WILDCARD_CHILD from a set
 * gathered from the owner names. No per-node objects are built: every value is encoded into one
 * scratch buffer that the sink sees through a view (a Buffer per node was a third of the time and
 * most of the garbage), and the sink sees strictly increasing keys (LMDB can append).
 */
export function bulkBuild(
  apexKey: Buffer, table: RecordTable, ownerId: number, soaRdata: Uint8Array, keyPrefix: Buffer, sink: NodeSink,
  maxPerRRset = Number.POSITIVE_INFINITY,
): BulkResult {
  const sorted = table.canonical;
  const order = sorted !== undefined && sorted.count === table.count && sorted.apexKey.equals(apexKey)
    ? sorted
    : canonicalOrder(table, apexKey, () => {
      throw new StoreError(`record owner is outside the zone (apex key "${apexKey.toString('latin1')}")`, 'MESHDNS_ERR_OUT_OF_ZONE');
    });
  const wildcardParents = wildcardParentIds(table, apexKey);

  // the path of names being written, apex first, for NONAUTH and for spotting missing ENTs: ids as
  // (offset, length) in the sort's key buffer
  const keys = order.keys;
  const pathAt: number[] = [];
  const pathLength: number[] = [];
  const pathFlags: number[] = [];
  let depth = 0;
  let recordCount = 0;
  let nodes = 0;
  const keyBuf = Buffer.allocUnsafe(600);
  keyPrefix.copy(keyBuf, 0);
  apexKey.copy(keyBuf, keyPrefix.length);
  const idAt = keyPrefix.length + apexKey.length;
  const keyViews: Buffer[] = [];
  const encoder = new NodeEncoder(table, maxPerRRset);
  const emit = (at: number, length: number, valueLength: number) => {
    const value = encoder.view(valueLength);
    let flags = value[1]!;
    if (depth > 0 && pathFlags[depth - 1]! & (NodeFlag.DELEGATION | NodeFlag.NONAUTH)) flags |= NodeFlag.NONAUTH;
    if (wildcardParents.has(keys, at, length)) flags |= NodeFlag.WILDCARD_CHILD;
    value[1] = flags;
    pathAt[depth] = at;
    pathLength[depth] = length;
    pathFlags[depth] = flags;
    depth++;
    nodes++;
    for (let i = 0; i < length; i++) keyBuf[idAt + i] = keys[at + i]!;
    const keyLength = idAt + length;
    sink((keyViews[keyLength] ??= keyBuf.subarray(0, keyLength)), value);
  };

  const missing: number[] = [];
  forEachName(order, table, (at, length, group, size) => {
    while (depth > 0 && !isPrefixOf(keys, pathAt[depth - 1]!, pathLength[depth - 1]!, at, length)) depth--;
    const isApex = length === 0;
    if (!isApex && depth > 0 && parentLength(keys, at, length) > pathLength[depth - 1]!) {
      // empty non-terminals between the deepest written ancestor: prefixes of this name's id
      missing.length = 0;
      for (let p = parentLength(keys, at, length); p > pathLength[depth - 1]!; p = parentLength(keys, at, p)) missing.push(p);
      for (let m = missing.length - 1; m >= 0; m--) emit(at, missing[m]!, encoder.empty());
    }
    if (size === 1 && !isApex) {
      recordCount++;
      emit(at, length, encoder.single(group[0]!, ownerId));
    } else {
      const valueLength = encoder.group(group, size, ownerId, isApex, soaRdata);
      recordCount += encoder.records;
      emit(at, length, valueLength);
    }
  });
  return { records: recordCount, nodes };
}

/**
 * Node values (node.ts layout) encoded into one reused buffer, read byte by byte (Buffer's
 * write* methods check bounds on every call). Each method returns the value's length.
 */
class NodeEncoder {
  private buf = Buffer.allocUnsafeSlow(4096);
  private views: Buffer[] = [];
  /** Records kept by the last `group` call. */
  records = 0;
  /** Record numbers of the last group's records that are kept. */
  private readonly kept: number[] = [];

  constructor(
    private readonly table: RecordTable,
    private readonly maxPerRRset: number,
  ) {}

  /** The last value encoded, as a view valid until the next call. */
  view(length: number): Buffer {
    return (this.views[length] ??= this.buf.subarray(0, length));
  }

  empty(): number {
    const b = this.buf;
    b[0] = VERSION;
    b[1] = 0;
    b[2] = 0;
    b[3] = 0;
    return 4;
  }

  /** The common case: a name with exactly one record. */
  single(i: number, ownerId: number): number {
    const t = this.table;
    const length = t.rdataLength[i]!;
    const b = this.room(4 + 8 + 2 + length + 5);
    const type = t.type[i]!;
    b[0] = VERSION;
    b[1] = type === RRType.NS ? NodeFlag.DELEGATION : type === RRType.DNAME ? NodeFlag.DNAME : type === RRType.CNAME ? NodeFlag.CNAME
      : type === RRType.NSEC3 ? NodeFlag.NSEC3 : 0;
    b[2] = 0;
    b[3] = 1;
    const p = this.rrsetHeader(4, type, t.ttl[i]!, 1);
    return this.rr(p, t.bytes, t.rdataAt[i]!, length, i >= t.ownerlessFrom ? NO_OWNER : ownerId);
  }

  /**
   * A name's records, already in type order: duplicates dropped (RFC 2181 §5), one TTL per RRset
   * (the first), the apex SOA replaced by `soaRdata`.
   */
  group(group: number[], count: number, ownerId: number, isApex: boolean, soaRdata: Uint8Array): number {
    const t = this.table;
    const kept = this.kept;
    kept.length = 0;
    let size = 4;
    let soaKept = false;
    for (let k = 0; k < count; k++) {
      const i = group[k]!;
      const type = t.type[i]!;
      if (type === RRType.SOA && isApex) {
        if (soaKept) continue;
        soaKept = true;
        size += 8 + 2 + soaRdata.length + 5;
        kept.push(i);
        continue;
      }
      let duplicate = false;
      let run = 0;
      for (let j = kept.length - 1; j >= 0 && t.type[kept[j]!] === type; j--, run++) {
        if (rdataEqual(type, t.rdata(kept[j]!), t.rdata(i))) duplicate = true;
      }
      if (duplicate) continue;
      // (checked before the RRset grows further: its duplicate check is quadratic in its size)
      if (run >= this.maxPerRRset) {
        throw new LimitError(`${nameToText(t.owner(i))} ${typeToText(type)} has more than ${this.maxPerRRset} records (limits.recordsPerRRset)`, 'recordsPerRRset');
      }
      if (kept.length === 0 || t.type[kept[kept.length - 1]!] !== type) size += 8;
      size += 2 + t.rdataLength[i]! + 5;
      kept.push(i);
    }
    const b = this.room(size);
    b[0] = VERSION;
    let flags = 0;
    let sets = 0;
    let p = 4;
    let nsec3 = false;
    let other = false;
    for (let k = 0; k < kept.length; ) {
      const type = t.type[kept[k]!]!;
      let end = k + 1;
      while (end < kept.length && t.type[kept[end]!] === type) end++;
      sets++;
      p = this.rrsetHeader(p, type, t.ttl[kept[k]!]!, end - k);
      if (type === RRType.NS && !isApex) flags |= NodeFlag.DELEGATION;
      else if (type === RRType.DNAME) flags |= NodeFlag.DNAME;
      else if (type === RRType.CNAME) flags |= NodeFlag.CNAME;
      if (type === RRType.NSEC3) nsec3 = true;
      else if (type !== RRType.RRSIG) other = true;
      for (; k < end; k++) {
        const i = kept[k]!;
        p = type === RRType.SOA && isApex
          ? this.rr(p, soaRdata, 0, soaRdata.length, ownerId)
          : this.rr(p, t.bytes, t.rdataAt[i]!, t.rdataLength[i]!, i >= t.ownerlessFrom ? NO_OWNER : ownerId);
      }
    }
    if (nsec3 && !other && !isApex) flags |= NodeFlag.NSEC3; // (as ownFlags: a hashed owner name)
    b[1] = flags | (isApex ? NodeFlag.APEX : 0);
    b[2] = sets >> 8;
    b[3] = sets & 0xff;
    this.records = kept.length;
    return p;
  }

  private rrsetHeader(p: number, type: number, ttl: number, count: number): number {
    const b = this.buf;
    b[p] = type >> 8;
    b[p + 1] = type & 0xff;
    b[p + 2] = ttl >>> 24;
    b[p + 3] = (ttl >>> 16) & 0xff;
    b[p + 4] = (ttl >>> 8) & 0xff;
    b[p + 5] = ttl & 0xff;
    b[p + 6] = count >> 8;
    b[p + 7] = count & 0xff;
    return p + 8;
  }

  /** rdlength, rdata (`length` octets at `at` in `from`), then the provenance: one owner, or none (NO_OWNER). */
  private rr(p: number, from: Uint8Array, at: number, length: number, ownerId: number): number {
    const b = this.buf;
    b[p] = length >> 8;
    b[p + 1] = length & 0xff;
    p += 2;
    if (length > 64) b.set(from.subarray(at, at + length), p);
    else for (let i = 0; i < length; i++) b[p + i] = from[at + i]!;
    p += length;
    if (ownerId === NO_OWNER) {
      b[p] = 0;
      return p + 1;
    }
    b[p] = 1;
    b[p + 1] = ownerId >>> 24;
    b[p + 2] = (ownerId >>> 16) & 0xff;
    b[p + 3] = (ownerId >>> 8) & 0xff;
    b[p + 4] = ownerId & 0xff;
    return p + 5;
  }

  /** The scratch buffer, grown (and its views dropped) when a value needs more. */
  private room(size: number): Buffer {
    if (size > this.buf.length) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(size, 2 * this.buf.length));
      this.views = [];
    }
    return this.buf;
  }
}
