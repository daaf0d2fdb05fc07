import { LOWER } from './name.js';
import type { RecordTable } from './record-table.js';

/**
 * A zone's records in canonical order (RFC 4034 §6.1), sorted once for both the checks and the
 * first write to LMDB: grouping records by owner, finding a name's ancestors and walking the tree
 * are then walks over neighbours, with no hash table of a million names.
 *
 * Each record is one sort entry, a latin1 string: the owner's canonical key (name.ts) without the
 * apex's part, 0x00, the type (2 bytes), the record's index (4 bytes). One-byte string order is
 * byte order and a 0x00 sorts before any label, so a name precedes its children, a name's records
 * come out by type, and records of one type in file order. The "id" of a name below is its
 * relative key: "" for the apex, and an ancestor's id is a prefix of its descendants' ids.
 */
export interface CanonicalOrder {
  apexKey: Buffer;
  /** Records covered: the order is stale when the table has grown since. */
  count: number;
  entries: string[];
}

/** 0x00, type (2), record index (4) after the key in each sort entry. */
export const ENTRY_SUFFIX = 7;

/**
 * Sorts the table's records that are not dropped. A record whose owner is not at or below the
 * apex is left out and handed to `outside`.
 */
export function canonicalOrder(table: RecordTable, apexKey: Buffer, outside: (record: number) => void): CanonicalOrder {
  const scratch = Buffer.allocUnsafe(600);
  const entries: string[] = new Array(table.liveCount);
  let n = 0;
  for (let i = 0; i < table.count; i++) {
    if (table.dropped[i] !== 0) continue;
    const k = writeKey(table.names, table.ownerAt[i]!, scratch, apexKey);
    if (k < 0) {
      outside(i);
      continue;
    }
    const type = table.type[i]!;
    scratch[k] = 0;
    scratch[k + 1] = type >>> 8;
    scratch[k + 2] = type & 0xff;
    scratch[k + 3] = i >>> 24;
    scratch[k + 4] = (i >>> 16) & 0xff;
    scratch[k + 5] = (i >>> 8) & 0xff;
    scratch[k + 6] = i & 0xff;
    // one flat string: a concatenation would leave a cons string that every comparison flattens
    entries[n++] = scratch.toString('latin1', apexKey.length, k + ENTRY_SUFFIX);
  }
  entries.length = n;
  entries.sort();
  return { apexKey, count: table.count, entries };
}

/** The id of the name at `offset` in `bytes`, or undefined when it is not in the zone. */
export function relativeKey(bytes: Uint8Array, offset: number, apexKey: Buffer): string | undefined {
  const scratch = Buffer.allocUnsafe(600);
  const k = writeKey(bytes, offset, scratch, apexKey);
  return k < 0 ? undefined : scratch.toString('latin1', apexKey.length, k);
}

/**
 * The ids of names that have a wildcard child: a `*` label anywhere in an owner (the wildcard may
 * be an empty non-terminal) flags the name above it (RFC 4592 §2.1.1).
 */
export function wildcardParentIds(table: RecordTable, apexKey: Buffer): Set<string> {
  const parents = new Set<string>();
  const names = table.names;
  let last = -1;
  for (let i = 0; i < table.count; i++) {
    const at = table.ownerAt[i]!;
    if (at === last) continue;
    last = at;
    for (let p = at; names[p]! !== 0; p += names[p]! + 1) {
      if (names[p] !== 1 || names[p + 1] !== 0x2a) continue;
      const parent = relativeKey(names, p + 2, apexKey);
      if (parent !== undefined) parents.add(parent);
    }
  }
  return parents;
}

/**
 * Calls `visit` for each name in canonical order with its records (table indexes, by type, then
 * file order), skipping records dropped since the sort. `members` is reused between calls.
 */
export function forEachName(order: CanonicalOrder, table: RecordTable, visit: (id: string, members: number[], size: number) => void): void {
  const entries = order.entries;
  const n = entries.length;
  const members: number[] = [];
  for (let g = 0; g < n; ) {
    const first = entries[g]!;
    const keyLength = first.length - ENTRY_SUFFIX;
    let size = 0;
    let end = g;
    for (; end < n; end++) {
      const s = entries[end]!;
      if (end > g && (s.length !== first.length || !samePrefix(s, first, keyLength))) break;
      const at = s.length - 4;
      const record = ((s.charCodeAt(at) << 24) | (s.charCodeAt(at + 1) << 16) | (s.charCodeAt(at + 2) << 8) | s.charCodeAt(at + 3)) >>> 0;
      if (table.dropped[record] === 0) members[size++] = record;
    }
    g = end;
    if (size > 0) visit(first.slice(0, keyLength), members, size);
  }
}

/**
 * The name's canonical key into `scratch` (labels reversed, lowercased, each ended by 0x00; octets
 * 0x00 and 0x01 escaped as 0x01 0x01 / 0x01 0x02); its length, or -1 when the key does not start
 * with the apex's.
 */
function writeKey(name: Uint8Array, offset: number, scratch: Buffer, apexKey: Buffer): number {
  const starts: number[] = [];
  let p = offset;
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
  const apexLength = apexKey.length;
  if (k < apexLength) return -1;
  for (let i = apexLength - 1; i >= 0; i--) if (scratch[i] !== apexKey[i]) return -1;
  return k;
}

/** Length of the parent's id: up to and including the 0x00 before the last label ("" for the apex's children). */
export function parentLength(id: string): number {
  return id.lastIndexOf('\0', id.length - 2) + 1;
}

/** Whether a and b agree on their first `length` characters (compared from the end, where keys differ). */
function samePrefix(a: string, b: string, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Whether `prefix` is `id` or an ancestor's id (a name's id starts with each of its ancestors'). */
export function isPrefixOf(prefix: string, id: string): boolean {
  return prefix.length <= id.length && samePrefix(prefix, id, prefix.length);
}
