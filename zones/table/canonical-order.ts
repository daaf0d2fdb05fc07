import { writeKeyLabels } from '../name.js';
import type { CanonicalOrder, RecordTable } from './record-table.js';

export type { CanonicalOrder };


/** Key octets per sort round: with 24 bits of record number they fill a 64-bit integer. */
const ROUND = 5;
const RECORD_BITS = 24;

/**
 * Sorts the table's records that are not dropped. A record whose owner is not at or below the
 * apex is left out and handed to `outside`.
 */
export function canonicalOrder(table: RecordTable, apexKey: Buffer, outside: (record: number) => void): CanonicalOrder {
  const n = table.count;
  const scratch = Buffer.allocUnsafe(600);
  const keyAt = new Int32Array(n);
  const keyLength = new Int32Array(n);
  let keys = Buffer.allocUnsafe(Math.max(1024, n * 16));
  let used = 0;
  const live = new Int32Array(n);
  let m = 0;
  let lastOwner = -1;
  let lastOutside = false;
  for (let i = 0; i < n; i++) {
    if (table.dropped[i] !== 0) continue;
    const ownerAt = table.ownerAt[i]!;
    if (ownerAt !== lastOwner) {
      // a run of records with one owner shares one key
      lastOwner = ownerAt;
      const k = writeKey(table.names, ownerAt, scratch, apexKey);
      lastOutside = k < 0;
      if (!lastOutside) {
        const length = k - apexKey.length;
        if (used + length > keys.length) {
          const grown = Buffer.allocUnsafe(2 * keys.length + length);
          keys.copy(grown, 0, 0, used);
          keys = grown;
        }
        scratch.copy(keys, used, apexKey.length, k);
        keyAt[i] = used;
        keyLength[i] = length;
        used += length;
      }
    } else if (!lastOutside) {
      keyAt[i] = keyAt[i - 1]!;
      keyLength[i] = keyLength[i - 1]!;
    }
    if (lastOutside) outside(i);
    else live[m++] = i;
  }
  const order = { apexKey, count: n, records: live.subarray(0, m), keys, keyAt, keyLength, startsName: new Uint8Array(m) };
  if (m > 0) order.startsName[0] = 1;
  if (n < 1 << RECORD_BITS) sortRounds(order, 0, m, 0);
  else sortByComparison(order); // past 16M records a record number no longer fits beside the octets
  return order;
}

/**
 * Sorts records[from .. to) by their keys' octets from `depth` on (they agree before it): one
 * TypedArray sort on ROUND octets, then again on each run that ties and has longer keys.
 */
function sortRounds(order: CanonicalOrder, from: number, to: number, depth: number): void {
  const { records, keys, keyAt, keyLength } = order;
  const count = to - from;
  const values = new BigUint64Array(count);
  const words = new Uint32Array(values.buffer); // little-endian: [low, high] per value
  let longer = false;
  for (let j = 0; j < count; j++) {
    const r = records[from + j]!;
    const at = keyAt[r]! + depth;
    const left = keyLength[r]! - depth;
    if (left > ROUND) longer = true;
    const b0 = left > 0 ? keys[at]! : 0;
    const b1 = left > 1 ? keys[at + 1]! : 0;
    const b2 = left > 2 ? keys[at + 2]! : 0;
    const b3 = left > 3 ? keys[at + 3]! : 0;
    const b4 = left > 4 ? keys[at + 4]! : 0;
    words[2 * j + 1] = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    words[2 * j] = ((b4 << RECORD_BITS) | r) >>> 0;
  }
  values.sort();
  for (let j = 0; j < count; j++) records[from + j] = words[2 * j]! & ((1 << RECORD_BITS) - 1);
  // where the name changes: these octets differ, or (for runs that tie and go on) the next round says
  const startsName = order.startsName;
  for (let j = 0; j < count; ) {
    let end = j + 1;
    const high = words[2 * j + 1]!;
    const low = words[2 * j]! >>> RECORD_BITS;
    let goesOn = longer && keyLength[records[from + j]!]! > depth + ROUND;
    while (end < count && words[2 * end + 1] === high && words[2 * end]! >>> RECORD_BITS === low) {
      if (longer && keyLength[records[from + end]!]! > depth + ROUND) goesOn = true;
      end++;
    }
    if (j > 0) startsName[from + j] = 1;
    if (end - j > 1 && goesOn) sortRounds(order, from + j, from + end, depth + ROUND);
    j = end;
  }
}

/**
 * The same order by a comparator over the packed keys: slower, for tables past 16M records
 * (exported so the tests can hold it to the same results as the integer sort).
 */
export function sortByComparison(order: CanonicalOrder): void {
  const { records, startsName } = order;
  records.sort((a, b) => compareKeys(order, a, b) || a - b);
  for (let p = 1; p < records.length; p++) startsName[p] = compareKeys(order, records[p - 1]!, records[p]!) === 0 ? 0 : 1;
}

/** Byte order of two records' keys (the fallback comparator). */
function compareKeys(order: CanonicalOrder, a: number, b: number): number {
  return order.keys.compare(order.keys, order.keyAt[b]!, order.keyAt[b]! + order.keyLength[b]!, order.keyAt[a]!, order.keyAt[a]! + order.keyLength[a]!);
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
export function wildcardParentIds(table: RecordTable, apexKey: Buffer): KeySet {
  const parents = new KeySet();
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
 * Calls `visit` for each name in canonical order with its id (`length` octets at `at` in
 * order.keys; a string per name was a fifth of the walk) and its records (table indexes, by type,
 * then file order), skipping records dropped since the sort. `members` is reused between calls.
 */
export function forEachName(order: CanonicalOrder, table: RecordTable, visit: (at: number, length: number, members: number[], size: number) => void): void {
  const { records, keyAt, keyLength } = order;
  const n = records.length;
  const members: number[] = [];
  const startsName = order.startsName;
  for (let g = 0; g < n; ) {
    const first = records[g]!;
    let size = 0;
    let end = g;
    for (; end < n && (end === g || startsName[end] === 0); end++) {
      const r = records[end]!;
      if (table.dropped[r] === 0) members[size++] = r;
    }
    g = end;
    if (size === 0) continue;
    if (size > 1) byTypeThenIndex(members, size, table.type);
    visit(keyAt[first]!, keyLength[first]!, members, size);
  }
}

function sameOctets(keys: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (keys[a + i] !== keys[b + i]) return false;
  return true;
}

/** Insertion sort of a name's few records by (type, record number). */
function byTypeThenIndex(members: number[], size: number, types: Uint16Array): void {
  for (let i = 1; i < size; i++) {
    const r = members[i]!;
    const t = types[r]!;
    let j = i - 1;
    while (j >= 0 && (types[members[j]!]! > t || (types[members[j]!] === t && members[j]! > r))) {
      members[j + 1] = members[j]!;
      j--;
    }
    members[j + 1] = r;
  }
}

/**
 * The name's canonical key (name.ts) into `scratch`; its length, or -1 when the key does not start
 * with the apex's.
 */
function writeKey(name: Uint8Array, offset: number, scratch: Buffer, apexKey: Buffer): number {
  const starts: number[] = [];
  for (let p = offset; name[p]! !== 0; p += name[p]! + 1) starts.push(p);
  const k = writeKeyLabels(name, starts, scratch);
  const apexLength = apexKey.length;
  if (k < apexLength) return -1;
  for (let i = apexLength - 1; i >= 0; i--) if (scratch[i] !== apexKey[i]) return -1;
  return k;
}

/** Length of the parent's id in `keys` at `at`: up to and including the 0x00 before the last label (0 below the apex). */
export function parentLength(keys: Uint8Array, at: number, length: number): number {
  for (let i = at + length - 2; i >= at; i--) if (keys[i] === 0) return i - at + 1;
  return 0;
}

/** Whether the id of `prefixLength` octets at `prefixAt` is the id at `at` or an ancestor's (a prefix of it). */
export function isPrefixOf(keys: Uint8Array, prefixAt: number, prefixLength: number, at: number, length: number): boolean {
  return prefixLength <= length && (prefixAt === at || sameOctets(keys, prefixAt, at, prefixLength));
}

/**
 * A set of ids (strings) that is asked about ids in a key buffer a million times: the length and
 * first octet screen out nearly every question before a string is made.
 */
export class KeySet {
  private readonly ids = new Set<string>();
  private readonly shapes = new Set<number>();

  get size(): number {
    return this.ids.size;
  }

  add(id: string): void {
    this.ids.add(id);
    this.shapes.add(shape(id.length, id.length > 0 ? id.charCodeAt(0) : 0));
  }

  has(keys: Buffer, at: number, length: number): boolean {
    if (this.ids.size === 0 || !this.shapes.has(shape(length, length > 0 ? keys[at]! : 0))) return false;
    return this.ids.has(keys.toString('latin1', at, at + length));
  }
}

function shape(length: number, first: number): number {
  return length * 256 + first;
}
