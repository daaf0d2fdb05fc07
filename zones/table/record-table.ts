import { wireNameLength, type WireName } from '../name.js';
import type { DiffRR } from '../diff.js';
import type { ParsedRecord } from '../record.js';
import { RRClass } from '../rrtype.js';


/**
 * A zone's records in canonical order (RFC 4034 §6.1), sorted once for both the checks and the
 * first write to LMDB: grouping records by owner, finding a name's ancestors and walking the tree
 * are then walks over neighbours, with no hash table of a million names.
 *
 * A name is ordered by its canonical key (name.ts) without the apex's part, which every name
 * shares: its "id" below ("" for the apex; an ancestor's id is a prefix of its descendants'). The
 * keys are packed in one buffer and sorted as numbers, five key octets and a record number to a
 * 64-bit integer, with TypedArray sort (native, no comparator, no string per record); names that
 * tie on five octets are sorted again on the next five. A 0x00 ends every label and never starts
 * one, so padding a short key with zeros sorts it before the keys it is a prefix of: a name comes
 * before its children, as in LMDB. A name's records come by type, then in file order.
 */
export interface CanonicalOrder {
  apexKey: Buffer;
  /** Records covered: the order is stale when the table has grown since. */
  count: number;
  /** Record numbers in canonical order (records outside the zone left out). */
  records: Int32Array;
  /** Relative keys, packed; record i's is keys[keyAt[i] .. keyAt[i] + keyLength[i]]. */
  keys: Buffer;
  keyAt: Int32Array;
  keyLength: Int32Array;
  /** 1 where records[p] is the first record of a name (its key differs from the one before). */
  startsName: Uint8Array;
}

/**
 * A zone's records as columns: typed arrays indexed by record number, owner names and rdata packed
 * into two byte arenas. This is how a parsed zone file travels through the checks into the first
 * write to LMDB. A million records as objects (record, owner view, rdata view) kept the young
 * generation copying survivors: scavenges were a third of an import. Typed arrays hold the same
 * data in a few objects the garbage collector never walks.
 *
 * Records are only appended; the checks may change a TTL (RRset normalisation) or drop a record,
 * never move one. Views handed out (`owner`, `rdata`) stay valid when the arenas grow.
 */
export class RecordTable {
  count = 0;
  /** Owner names in wire form, packed; a run of records with one owner shares one copy. */
  names = new Uint8Array(4096);
  /** Where record i's owner starts in `names`. */
  ownerAt = new Int32Array(1024);
  type = new Uint16Array(1024);
  ttl = new Uint32Array(1024);
  /** Uncompressed wire rdata of every record, packed; record i's is rdataAt[i] .. rdataAt[i] + rdataLength[i]. */
  bytes = new Uint8Array(16384);
  rdataAt = new Int32Array(1024);
  rdataLength = new Int32Array(1024);
  /** Where each record came from, for messages: files[fileOf[i]], line[i]. */
  line = new Int32Array(1024);
  fileOf = new Int32Array(1024);
  readonly files: string[] = [];
  /**
   * Records from here on were made by the signer (RRSIG, NSEC, keyset): no source owns them, so
   * no source's reconcile ever withdraws them.
   */
  ownerlessFrom = Number.MAX_SAFE_INTEGER;
  /** Set by the checks: duplicates and records outside the zone are not loaded. */
  dropped = new Uint8Array(1024);
  droppedCount = 0;
  /** The checks' sort of these records, kept for the first write to LMDB. */
  canonical: CanonicalOrder | undefined;

  private namesUsed = 0;
  private bytesUsed = 0;
  private lastOwner: WireName | undefined;
  private lastOwnerAt = 0;
  private lastFile = '';
  private lastFileIndex = -1;

  /** Records that are not dropped. */
  get liveCount(): number {
    return this.count - this.droppedCount;
  }

  /**
   * Appends a record (class IN). Passing the same owner object as the previous record shares its
   * copy of the name, which is what the parser does for consecutive records of one owner.
   */
  add(owner: WireName, type: number, ttl: number, rdata: Uint8Array, file: string, line: number): number {
    const i = this.count;
    if (i === this.type.length) this.growRecords();
    if (owner !== this.lastOwner) {
      this.lastOwnerAt = this.appendName(owner);
      this.lastOwner = owner;
    }
    if (file !== this.lastFile || this.lastFileIndex < 0) {
      let f = this.files.indexOf(file);
      if (f < 0) f = this.files.push(file) - 1;
      this.lastFile = file;
      this.lastFileIndex = f;
    }
    this.ownerAt[i] = this.lastOwnerAt;
    this.type[i] = type;
    this.ttl[i] = ttl;
    this.rdataAt[i] = this.appendRdata(rdata);
    this.rdataLength[i] = rdata.length;
    this.line[i] = line;
    this.fileOf[i] = this.lastFileIndex;
    this.count = i + 1;
    return i;
  }

  /** Record i's owner name (a view into the arena). */
  owner(i: number): WireName {
    const at = this.ownerAt[i]!;
    return this.names.subarray(at, at + wireNameLength(this.names, at));
  }

  /** Record i's rdata (a view into the arena). */
  rdata(i: number): Uint8Array {
    const at = this.rdataAt[i]!;
    return this.bytes.subarray(at, at + this.rdataLength[i]!);
  }

  file(i: number): string {
    return this.files[this.fileOf[i]!]!;
  }

  drop(i: number): void {
    if (this.dropped[i] === 0) {
      this.dropped[i] = 1;
      this.droppedCount++;
    }
  }

  /** The records that are not dropped, as objects (for callers that diff or print them). */
  toRecords(): ParsedRecord[] {
    const out: ParsedRecord[] = [];
    let lastAt = -1;
    let owner: WireName | undefined;
    for (let i = 0; i < this.count; i++) {
      if (this.dropped[i] !== 0) continue;
      if (this.ownerAt[i] !== lastAt || owner === undefined) {
        owner = this.owner(i);
        lastAt = this.ownerAt[i]!;
      }
      out.push({ owner, type: this.type[i]!, rclass: RRClass.IN, ttl: this.ttl[i]!, rdata: this.rdata(i), file: this.file(i), line: this.line[i]! });
    }
    return out;
  }

  /** A table of records that arrived as objects (a transfer, the admin API). */
  static fromRecords(records: readonly (DiffRR & Partial<Pick<ParsedRecord, 'file' | 'line'>>)[]): RecordTable {
    const table = new RecordTable();
    for (const r of records) table.add(r.owner, r.type, r.ttl, r.rdata, r.file ?? '', r.line ?? 0);
    return table;
  }

  /** Copies a name into `names`; where it starts. */
  private appendName(data: Uint8Array): number {
    const at = this.namesUsed;
    this.names = place(this.names, at, data);
    this.namesUsed = at + data.length;
    return at;
  }

  /** Copies rdata into `bytes`; where it starts. */
  private appendRdata(data: Uint8Array): number {
    const at = this.bytesUsed;
    this.bytes = place(this.bytes, at, data);
    this.bytesUsed = at + data.length;
    return at;
  }

  private growRecords(): void {
    const size = this.type.length * 2;
    this.ownerAt = grow(this.ownerAt, new Int32Array(size));
    this.type = grow(this.type, new Uint16Array(size));
    this.ttl = grow(this.ttl, new Uint32Array(size));
    this.rdataAt = grow(this.rdataAt, new Int32Array(size));
    this.rdataLength = grow(this.rdataLength, new Int32Array(size));
    this.line = grow(this.line, new Int32Array(size));
    this.fileOf = grow(this.fileOf, new Int32Array(size));
    this.dropped = grow(this.dropped, new Uint8Array(size));
  }
}

/**
 * `fields` with `records` added: the table's live records as objects, made on first use (a parse
 * or a load hands out the table; callers that diff or print records ask for objects).
 */
export function withLazyRecords<T extends { table: RecordTable }>(fields: T): T & { readonly records: ParsedRecord[] } {
  let records: ParsedRecord[] | undefined;
  return Object.defineProperty(fields, 'records', {
    get: () => (records ??= fields.table.toRecords()),
    enumerable: true,
  }) as T & { readonly records: ParsedRecord[] };
}

/**
 * Copies `data` into `arena` at `at`, growing the arena first when it is full; the arena to keep.
 * (Each table field passes its own arena: reaching it by a computed name made the copy loop the
 * hottest line of a parse.)
 */
function place(arena: Uint8Array<ArrayBuffer>, at: number, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = data.length;
  if (at + n > arena.length) {
    const grown = new Uint8Array(Math.max(2 * arena.length, at + n));
    grown.set(arena.subarray(0, at));
    arena = grown;
  }
  if (n > 32) arena.set(data, at);
  else for (let k = 0; k < n; k++) arena[at + k] = data[k]!;
  return arena;
}

function grow<T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(old: T, bigger: T): T {
  bigger.set(old as never);
  return bigger;
}
