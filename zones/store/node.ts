/**
 * A node: every RRset of one owner name in one zone, with flags computed when the zone changes
 * (Knot `zone/node.h` habit), serialised to one LMDB value.
 *
 * Value layout (all integers big-endian):
 *   u8 version | u8 flags | u16 rrsetCount
 *   per RRset: u16 type | u32 ttl | u16 rrCount
 *     per RR: u16 rdLength | rdata | u8 ownerCount | u32 ownerId × ownerCount
 * RRSIGs are stored as an RRset of type RRSIG next to the RRsets they cover.
 */

export const NodeFlag = {
  /** The zone apex. */
  APEX: 1,
  /** Has NS and is not the apex: a zone cut. */
  DELEGATION: 2,
  /** Strictly below a zone cut: glue or occluded data, never authoritative. */
  NONAUTH: 4,
  /** Has a child labelled `*`. */
  WILDCARD_CHILD: 8,
  /** Has a DNAME RRset. */
  DNAME: 16,
  /** Has a CNAME RRset. */
  CNAME: 32,
  /**
   * Holds only NSEC3 (and their RRSIGs): a hashed owner name (RFC 5155 §7.2.8), answered as if
   * it did not exist and indexed by hash (nsec3-index.ts).
   */
  NSEC3: 64,
} as const;

export interface StoredRR {
  rdata: Uint8Array;
  /** Provenance: ids of the sources that contributed this RR (see ProvenanceTable). */
  owners: number[];
}

export interface StoredRRset {
  type: number;
  ttl: number;
  rrs: StoredRR[];
}

export interface ZoneNode {
  flags: number;
  rrsets: StoredRRset[];
}

const VERSION = 1;

/** The owners of every RR decoded for answering: provenance is not needed there (never mutate). */
const NO_OWNERS: number[] = Object.freeze([]) as unknown as number[];

export function encodedNodeSize(node: ZoneNode): number {
  let size = 4;
  for (const set of node.rrsets) {
    size += 8;
    for (const rr of set.rrs) size += 2 + rr.rdata.length + 1 + 4 * rr.owners.length;
  }
  return size;
}

export function encodeNode(node: ZoneNode): Buffer {
  const out = Buffer.allocUnsafe(encodedNodeSize(node));
  encodeNodeInto(node, out);
  return out;
}

/** Encodes into `out` (which must be large enough) and returns the length. */
export function encodeNodeInto(node: ZoneNode, out: Buffer): number {
  out[0] = VERSION;
  out[1] = node.flags;
  out.writeUInt16BE(node.rrsets.length, 2);
  let p = 4;
  for (const set of node.rrsets) {
    out.writeUInt16BE(set.type, p);
    out.writeUInt32BE(set.ttl, p + 2);
    out.writeUInt16BE(set.rrs.length, p + 6);
    p += 8;
    for (const rr of set.rrs) {
      out.writeUInt16BE(rr.rdata.length, p);
      out.set(rr.rdata, p + 2);
      p += 2 + rr.rdata.length;
      out[p++] = rr.owners.length;
      for (const id of rr.owners) {
        out.writeUInt32BE(id, p);
        p += 4;
      }
    }
  }
  return p;
}

/**
 * Decodes a node. `bytes` must not be reused by the caller afterwards: rdata are views into it
 * (copy first when the buffer comes from lmdb's getBinaryFast).
 */
export function decodeNode(bytes: Uint8Array, withOwners = true): ZoneNode {
  if (bytes[0] !== VERSION) throw new Error(`node value has unknown version ${bytes[0]}`);
  // plain Uint8Array views and byte reads: a Buffer view or a DataView per node costs more than
  // the decoding itself on the query path
  const buffer = bytes.buffer;
  const base = bytes.byteOffset;
  const flags = bytes[1]!;
  const count = (bytes[2]! << 8) | bytes[3]!;
  const rrsets: StoredRRset[] = new Array(count);
  let p = 4;
  for (let s = 0; s < count; s++) {
    const type = (bytes[p]! << 8) | bytes[p + 1]!;
    const ttl = ((bytes[p + 2]! << 24) | (bytes[p + 3]! << 16) | (bytes[p + 4]! << 8) | bytes[p + 5]!) >>> 0;
    const n = (bytes[p + 6]! << 8) | bytes[p + 7]!;
    p += 8;
    const rrs: StoredRR[] = new Array(n);
    for (let r = 0; r < n; r++) {
      const len = (bytes[p]! << 8) | bytes[p + 1]!;
      const rdata = new Uint8Array(buffer, base + p + 2, len);
      p += 2 + len;
      const ownerCount = bytes[p++]!;
      let owners = NO_OWNERS;
      if (withOwners) {
        owners = new Array(ownerCount);
        for (let o = 0; o < ownerCount; o++) {
          const q = p + 4 * o;
          owners[o] = ((bytes[q]! << 24) | (bytes[q + 1]! << 16) | (bytes[q + 2]! << 8) | bytes[q + 3]!) >>> 0;
        }
      }
      p += 4 * ownerCount;
      rrs[r] = { rdata, owners };
    }
    rrsets[s] = { type, ttl, rrs };
  }
  return { flags, rrsets };
}

export function findRRset(node: ZoneNode, type: number): StoredRRset | undefined {
  for (const set of node.rrsets) if (set.type === type) return set;
  return undefined;
}

/** Flags that follow from the node's own RRsets (the rest depend on neighbours). */
export function ownFlags(node: ZoneNode, isApex: boolean): number {
  let f = isApex ? NodeFlag.APEX : 0;
  let nsec3 = false;
  let other = false;
  for (const set of node.rrsets) {
    if (set.rrs.length === 0) continue;
    if (set.type === 2 && !isApex) f |= NodeFlag.DELEGATION;
    else if (set.type === 39) f |= NodeFlag.DNAME;
    else if (set.type === 5) f |= NodeFlag.CNAME;
    if (set.type === NSEC3_TYPE) nsec3 = true;
    else if (set.type !== RRSIG_TYPE) other = true;
  }
  if (nsec3 && !other && !isApex) f |= NodeFlag.NSEC3;
  return f;
}

const NSEC3_TYPE = 50;
const RRSIG_TYPE = 46;

export const OWN_FLAGS_MASK = NodeFlag.APEX | NodeFlag.DELEGATION | NodeFlag.DNAME | NodeFlag.CNAME | NodeFlag.NSEC3;
