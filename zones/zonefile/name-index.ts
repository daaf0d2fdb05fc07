import { LOWER, type WireName } from '../name.js';

/**
 * A hash table from owner names (compared without case) to small integer ids, built for the checks
 * of zones with millions of names: no key strings, no per-name objects. A name may be looked up
 * at an offset inside a longer wire name, so the ancestors of a name are found without copying.
 */
export class NameIndex {
  /** Representative spelling of each id's name. */
  readonly names: WireName[] = [];
  private table: Int32Array;
  private hashes: Int32Array;
  private mask: number;

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(Math.max(16, expected));
    this.mask = size - 1;
  }

  get size(): number {
    return this.names.length;
  }

  /** The id of the name at `offset` in `name`, or -1. */
  find(name: Uint8Array, offset = 0): number {
    const h = hashName(name, offset);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot]!;
      if (id < 0) return -1;
      if (this.hashes[id] === h && sameName(this.names[id]!, 0, name, offset)) return id;
    }
  }

  /** The id of `name`, adding it when new. */
  add(name: WireName): number {
    const h = hashName(name, 0);
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot]!;
      if (id < 0) break;
      if (this.hashes[id] === h && sameName(this.names[id]!, 0, name, 0)) return id;
    }
    const id = this.names.length;
    this.names.push(name);
    if (id >= this.hashes.length) {
      const grown = new Int32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.table[slot] = id;
    if (this.names.length * 2 > this.table.length) this.grow();
    return id;
  }

  private grow(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.names.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
    this.mask = mask;
  }
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

function sameName(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  const n = a.length - ao;
  if (b.length - bo !== n) return false;
  for (let i = 0; i < n; i++) if (LOWER[a[ao + i]!] !== LOWER[b[bo + i]!]) return false;
  return true;
}

/** True when `name` is `apex` or below it (labels compared without case). */
export function isInZone(name: WireName, apex: WireName): boolean {
  let p = 0;
  while (name.length - p > apex.length) {
    const len = name[p]!;
    if (len === 0) return false;
    p += len + 1;
  }
  return name.length - p === apex.length && sameName(name, p, apex, 0);
}
