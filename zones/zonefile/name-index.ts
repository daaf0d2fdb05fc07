import { LOWER, wireNameLength, type WireName } from '../name.js';

/**
 * A hash table from owner names (compared without case) to small integer ids, built for the checks
 * of zones with millions of names: the names stay where they are, in one byte arena (a
 * RecordTable's owner names), and the index keeps only offsets — no key strings, no per-name
 * objects. A name may be looked up at an offset inside a longer wire name, so the ancestors of a
 * name are found without copying.
 */
export class NameIndex {
  private at: Int32Array;
  private count = 0;
  private table: Int32Array;
  private hashes: Int32Array;
  private mask: number;

  constructor(
    private readonly arena: Uint8Array,
    expected: number,
  ) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(Math.max(16, expected));
    this.at = new Int32Array(Math.max(16, expected));
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Where in the arena the name of `id` starts. */
  offsetOf(id: number): number {
    return this.at[id]!;
  }

  /** The name of `id` (a view into the arena). */
  name(id: number): WireName {
    const at = this.at[id]!;
    return this.arena.subarray(at, at + wireNameLength(this.arena, at));
  }

  /** The id of the name at `offset` in `name`, or -1. */
  find(name: Uint8Array, offset = 0): number {
    const h = hashName(name, offset);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot]!;
      if (id < 0) return -1;
      if (this.hashes[id] === h && sameName(this.arena, this.at[id]!, name, offset)) return id;
    }
  }

  /** The id of the arena's name at `offset`, adding it when new. */
  add(offset: number): number {
    const arena = this.arena;
    const h = hashName(arena, offset);
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot]!;
      if (id < 0) break;
      if (this.hashes[id] === h && sameName(arena, this.at[id]!, arena, offset)) return id;
    }
    const id = this.count++;
    if (id >= this.hashes.length) {
      this.hashes = grown(this.hashes);
      this.at = grown(this.at);
    }
    this.hashes[id] = h;
    this.at[id] = offset;
    this.table[slot] = id;
    if (this.count * 2 > this.table.length) this.grow();
    return id;
  }

  private grow(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
    this.mask = mask;
  }
}

function grown(a: Int32Array): Int32Array {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

/** FNV-1a over the lowercased wire name from `offset` to its root label. */
function hashName(name: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  let p = offset;
  for (;;) {
    const len = name[p]!;
    const end = p + len;
    h = Math.imul(h ^ len, 0x01000193);
    if (len === 0 || end >= name.length) return h;
    for (let i = p + 1; i <= end; i++) h = Math.imul(h ^ LOWER[name[i]!]!, 0x01000193);
    p = end + 1;
  }
}

/** Whether the names at `ao` in `a` and at `bo` in `b` are equal without case (label by label). */
function sameName(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (;;) {
    const len = a[ao]!;
    if (b[bo] !== len) return false;
    if (len === 0) return true;
    for (let i = 1; i <= len; i++) if (LOWER[a[ao + i]!] !== LOWER[b[bo + i]!]) return false;
    ao += len + 1;
    bo += len + 1;
  }
}

/** True when the name at `offset` in `name` is `apex` or below it (labels compared without case). */
export function isInZone(name: Uint8Array, apex: WireName, offset = 0): boolean {
  const length = wireNameLength(name, offset);
  let p = offset;
  while (offset + length - p > apex.length) {
    const len = name[p]!;
    if (len === 0) return false;
    p += len + 1;
  }
  return offset + length - p === apex.length && sameName(name, p, apex, 0);
}
