import { createHash } from 'node:crypto';
import { decodeNode, NodeFlag } from './node.js';
import { zoneRange, type StoreHandles } from './handles.js';

/**
 * NSEC3 records by hash (RFC 5155 §7.2): an NSEC3 lives at `<base32hex hash>.<zone>` like any other
 * record, so transfers, the journal and exports need nothing special; to find the NSEC3 that
 * matches or covers a hash, this index keys zone id (u32 BE) ‖ raw hash → the node's name key,
 * and a reverse range read from the hash finds the greatest hash ≤ it. The write door keeps it in
 * step with every node it writes (flag NodeFlag.NSEC3), inside the same transaction.
 *
 * (The hash and base32hex below duplicate what dnssec/nsec3-hash.ts will export: to be merged.)
 */

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < 32; i++) {
  DECODE[BASE32HEX.charCodeAt(i)] = i;
  DECODE[BASE32HEX.toUpperCase().charCodeAt(i)] = i;
}

/** RFC 4648 §7 base32hex without padding (lowercase), as NSEC3 owner labels spell hashes. */
export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes `length` octets of base32hex at `at` in `bytes`; undefined when not base32hex or ragged. */
export function fromBase32hex(bytes: Uint8Array, at = 0, length = bytes.length - at): Uint8Array | undefined {
  if ((length * 5) % 8 >= 5) return undefined;
  const out = new Uint8Array(Math.floor((length * 5) / 8));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = at; i < at + length; i++) {
    const d = DECODE[bytes[i]!]!;
    if (d < 0) return undefined;
    value = ((value << 5) | d) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[o++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // RFC 4648 §3.5: the unused bits are zero in a canonical encoding
  if (bits > 0 && (value & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** RFC 5155 §5: IH(salt, x, 0) = H(x ‖ salt), IH(salt, x, k) = H(IH(salt, x, k-1) ‖ salt); `name` lowercase wire form. */
export function nsec3Hash(name: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  let digest = createHash('sha1').update(name).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}

/** The raw hash spelled by the leftmost label of a name key, if it is base32hex. */
export function hashOfOwnerKey(nameKey: Uint8Array): Uint8Array | undefined {
  // the leftmost label is the last one in a key: after the terminator before the final one
  const end = nameKey.length - 1;
  let start = end - 1;
  while (start >= 0 && nameKey[start] !== 0) start--;
  start++;
  if (end - start === 0) return undefined;
  return fromBase32hex(nameKey, start, end - start);
}

export function nsec3Key(zoneId: number, hash: Uint8Array): Buffer {
  const key = Buffer.allocUnsafe(4 + hash.length);
  key.writeUInt32BE(zoneId, 0);
  key.set(hash, 4);
  return key;
}

/** Inside a write transaction: a node was written or removed; its flags before and after say whether it is indexed. */
export function reindexNsec3(h: StoreHandles, zoneId: number, nameKey: Uint8Array, oldFlags: number, newFlags: number): void {
  const was = (oldFlags & NodeFlag.NSEC3) !== 0;
  const is = (newFlags & NodeFlag.NSEC3) !== 0;
  if (!was && !is) return;
  const hash = hashOfOwnerKey(nameKey);
  if (!hash) return;
  if (is) h.nsec3.put(nsec3Key(zoneId, hash), Buffer.from(nameKey));
  else h.nsec3.remove(nsec3Key(zoneId, hash));
}

/**
 * The bulk path's writer: called for every node written with NodeFlag.NSEC3, in canonical order.
 * Base32hex keeps the order of the hashes, so they arrive increasing and LMDB may append while
 * this zone's range is the end of the database (a 1M-name signed zone: 1M random inserts saved);
 * a key out of order (an owner label of another length) is put the ordinary way.
 */
export function bulkNsec3Sink(h: StoreHandles, zoneId: number): (nameKey: Uint8Array) => void {
  let last: Buffer | undefined;
  for (const k of h.nsec3.getKeys({ reverse: true, limit: 1 })) last = k;
  let appending = last === undefined || last.readUInt32BE(0) < zoneId;
  const put = h.nsec3.put.bind(h.nsec3) as unknown as (k: Buffer, v: Buffer, o?: object) => void;
  const APPEND = { append: true };
  return (nameKey) => {
    const hash = hashOfOwnerKey(nameKey);
    if (!hash) return;
    const key = nsec3Key(zoneId, hash);
    if (appending && last !== undefined && Buffer.compare(key, last) <= 0) appending = false;
    put(key, Buffer.from(nameKey), appending ? APPEND : undefined);
    last = key;
  };
}

/** Inside a write transaction: every entry of a zone goes (the zone is replaced or deleted). */
export function dropNsec3Index(h: StoreHandles, zoneId: number): void {
  for (const key of h.nsec3.getKeys(zoneRange(zoneId))) h.nsec3.remove(key);
}

/** Builds the index of a store written before it existed (schema 2 → 3): flags and index from the nodes. */
export function buildNsec3Index(h: StoreHandles): number {
  let entries = 0;
  for (const { key, value } of h.nodes.getRange({})) {
    const zoneId = key.readUInt32BE(0);
    const nameKey = key.subarray(4);
    const flags = value[1]!;
    // nodes written before NodeFlag.NSEC3 existed lack it: recompute it from the node's types
    const node = decodeNode(Buffer.from(value));
    let nsec3 = false;
    let other = false;
    for (const set of node.rrsets) {
      if (set.type === 50) nsec3 = true;
      else if (set.type !== 46) other = true;
    }
    const isNsec3 = nsec3 && !other && !(flags & NodeFlag.APEX);
    if (isNsec3 !== ((flags & NodeFlag.NSEC3) !== 0)) {
      const copy = Buffer.from(value);
      copy[1] = isNsec3 ? flags | NodeFlag.NSEC3 : flags & ~NodeFlag.NSEC3;
      h.nodes.put(Buffer.from(key), copy);
    }
    if (!isNsec3) continue;
    const hash = hashOfOwnerKey(nameKey);
    if (!hash) continue;
    h.nsec3.put(nsec3Key(zoneId, hash), Buffer.from(nameKey));
    entries++;
  }
  return entries;
}

/**
 * The name key of the NSEC3 whose hash is the greatest ≤ `hash`, wrapping to the zone's last one
 * when `hash` sorts before the first (RFC 5155 §1.3 "covers": the chain is circular).
 */
export function nsec3CoveringKey(h: StoreHandles, zoneId: number, hash: Uint8Array, options: object): Buffer | undefined {
  const range = zoneRange(zoneId);
  const getRange = h.nsec3.getRange.bind(h.nsec3) as unknown as (o: object) => Iterable<{ value: Buffer }>;
  for (const { value } of getRange({ ...options, start: nsec3Key(zoneId, hash), end: range.start, reverse: true, limit: 1 })) return value;
  for (const { value } of getRange({ ...options, start: range.end, end: range.start, reverse: true, limit: 1 })) return value;
  return undefined;
}
