/**
 * The names of an NSEC3 chain while a zone is signed whole: each name's hash and type list packed
 * in a few arrays rather than an object per name (a million-name zone kept 1.2M objects, their
 * hashes and type arrays alive until the chain was built), then ordered by hash (RFC 5155 §7.1)
 * with one native sort of 64-bit integers: five hash octets and the entry number, the rare ties on
 * five octets sorted again on the whole hash.
 */

const HASH_OCTETS = 20; // SHA-1, the only NSEC3 hash algorithm (RFC 5155 §11)
const INDEX_BITS = 24;

export class HashedNames {
  count = 0;
  private hashes = new Uint8Array(HASH_OCTETS * 1024);
  private typesAt = new Int32Array(1024);
  private typesLength = new Uint16Array(1024);
  private typeArena = new Uint16Array(4096);
  private typesUsed = 0;

  add(hash: Uint8Array, types: readonly number[]): void {
    if (hash.length !== HASH_OCTETS) throw new RangeError(`NSEC3 hash of ${hash.length} octets`);
    const i = this.count;
    if (i === this.typesAt.length) this.grow();
    this.hashes.set(hash, i * HASH_OCTETS);
    if (this.typesUsed + types.length > this.typeArena.length) {
      const bigger = new Uint16Array(2 * this.typeArena.length + types.length);
      bigger.set(this.typeArena.subarray(0, this.typesUsed));
      this.typeArena = bigger;
    }
    this.typesAt[i] = this.typesUsed;
    this.typesLength[i] = types.length;
    for (const t of types) this.typeArena[this.typesUsed++] = t;
    this.count = i + 1;
  }

  hash(i: number): Uint8Array {
    return this.hashes.subarray(i * HASH_OCTETS, (i + 1) * HASH_OCTETS);
  }

  types(i: number): number[] {
    return Array.from(this.typeArena.subarray(this.typesAt[i]!, this.typesAt[i]! + this.typesLength[i]!));
  }

  sameHash(a: number, b: number): boolean {
    return this.compare(a, b) === 0;
  }

  /** Entry numbers in hash order. */
  sorted(): Int32Array {
    const n = this.count;
    const order = new Int32Array(n);
    if (n >= 1 << INDEX_BITS) {
      for (let i = 0; i < n; i++) order[i] = i;
      return order.sort((a, b) => this.compare(a, b));
    }
    const values = new BigUint64Array(n);
    const words = new Uint32Array(values.buffer); // little-endian: [low, high] per value
    const h = this.hashes;
    for (let i = 0; i < n; i++) {
      const p = i * HASH_OCTETS;
      words[2 * i + 1] = ((h[p]! << 24) | (h[p + 1]! << 16) | (h[p + 2]! << 8) | h[p + 3]!) >>> 0;
      words[2 * i] = ((h[p + 4]! << INDEX_BITS) | i) >>> 0;
    }
    values.sort();
    for (let i = 0; i < n; i++) order[i] = words[2 * i]! & ((1 << INDEX_BITS) - 1);
    // runs that tie on the five octets: order them on the whole hash
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && words[2 * end + 1] === words[2 * start + 1] && words[2 * end]! >>> INDEX_BITS === words[2 * start]! >>> INDEX_BITS) end++;
      if (end - start > 1) order.subarray(start, end).sort((a, b) => this.compare(a, b));
      start = end;
    }
    return order;
  }

  private compare(a: number, b: number): number {
    const h = this.hashes;
    for (let k = 0; k < HASH_OCTETS; k++) {
      const d = h[a * HASH_OCTETS + k]! - h[b * HASH_OCTETS + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  private grow(): void {
    const size = 2 * this.typesAt.length;
    const hashes = new Uint8Array(size * HASH_OCTETS);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const at = new Int32Array(size);
    at.set(this.typesAt);
    this.typesAt = at;
    const length = new Uint16Array(size);
    length.set(this.typesLength);
    this.typesLength = length;
  }
}
