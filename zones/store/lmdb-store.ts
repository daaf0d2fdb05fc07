import { mkdirSync } from 'node:fs';
import { open, type Transaction } from 'lmdb';
import { keyToName } from '../name.js';
import { attachHandles, handlesOf, nodeKey, zoneRange, type StoreHandles } from './handles.js';
import { readJournal, type JournalEntry } from './journal.js';
import { decodeNode, type ZoneNode } from './node.js';
import { ProvenanceTable } from './provenance.js';
import { RawNodeReader } from './raw-nodes.js';
import type { OwnedRR, ZoneReader } from './reader.js';
import { buildNsec3Index, nsec3CoveringKey } from './nsec3-index.js';
import { buildIndex, namesOwnedBy, ownerIdsOf } from './source-index.js';
import { StoreError, type ZoneMeta } from './zone-meta.js';

export { StoreError, type ZoneKind, type ZoneMeta } from './zone-meta.js';

/**
 * 2: the `sources` index (records by source); 3: the `nsec3` index (NSEC3 by hash) and
 * NodeFlag.NSEC3. A store of schema 1 or 2 is upgraded on open.
 */
export const SCHEMA_VERSION = 3;

type GetOptions = { transaction: Transaction };

const RRTYPE_NSEC = 47;
/** Names without NSEC that nsecCovering passes over before it gives up. */
const NSEC_SCAN_LIMIT = 4096;

/** Whether an encoded node (node.ts layout) has an RRset of `type`, read from the RRset headers. */
function hasType(value: Uint8Array, type: number): boolean {
  const count = (value[2]! << 8) | value[3]!;
  let p = 4;
  for (let s = 0; s < count; s++) {
    if (((value[p]! << 8) | value[p + 1]!) === type) return true;
    const n = (value[p + 6]! << 8) | value[p + 7]!;
    p += 8;
    for (let r = 0; r < n; r++) {
      const len = (value[p]! << 8) | value[p + 1]!;
      p += 2 + len;
      p += 1 + 4 * value[p]!;
    }
  }
  return false;
}

/**
 * The LMDB environment behind the zone store. Reads are synchronous (`ZoneReader`); every write
 * goes through the write door (write-door.ts) inside one transaction. The handles stay inside
 * zones/store/ (handles.ts).
 */
export class LmdbStore implements ZoneReader {
  readonly provenance: ProvenanceTable;
  /** Nodes read without an allocation per entry (zone transfers). */
  readonly rawNodes: RawNodeReader;
  private readonly h: StoreHandles;
  private readonly keyScratch = Buffer.allocUnsafe(4 + 256 * 2);
  /** getBinaryFast with its options argument (lmdb's typings omit it). */
  private readonly fastGet: (key: Buffer, options: GetOptions) => Buffer | undefined;

  private constructor(readonly path: string) {
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      throw new StoreError(`data directory "${path}" cannot be created: ${(err as Error).message}`);
    }
    const env = open({ path, maxDbs: 12, compression: false });
    this.h = {
      env,
      zones: env.openDB({ name: 'zones', keyEncoding: 'binary' }),
      nodes: env.openDB({ name: 'nodes', keyEncoding: 'binary', encoding: 'binary' }),
      journal: env.openDB({ name: 'journal', keyEncoding: 'binary' }),
      meta: env.openDB({ name: 'meta' }),
      owners: env.openDB({ name: 'owners' }),
      sources: env.openDB({ name: 'sources', keyEncoding: 'binary', encoding: 'binary' }),
      dnssecKeys: env.openDB({ name: 'dnssec-keys' }),
      nsec3: env.openDB({ name: 'nsec3', keyEncoding: 'binary', encoding: 'binary' }),
      catalog: env.openDB({ name: 'catalog' }),
    };
    attachHandles(this, this.h);
    this.provenance = new ProvenanceTable(this.h.owners);
    this.rawNodes = new RawNodeReader(env);
    this.fastGet = this.h.nodes.getBinaryFast.bind(this.h.nodes) as never;
    this.checkSchema();
    this.orphansRemoved = this.removeOrphans();
  }

  /** Zone ids whose content was found without a zone and removed when this store was opened. */
  readonly orphansRemoved: number[];

  /**
   * Nodes, journal and index entries under a zone id that no zone has (left by a writer of an
   * older meshdns that created zones outside the transaction that filled them): removed at open.
   */
  private removeOrphans(): number[] {
    const h = this.h;
    const known = new Set<number>();
    for (const { value } of h.zones.getRange()) known.add(value.id);
    const orphans: number[] = [];
    for (const db of [h.nodes, h.journal, h.sources, h.nsec3] as const) {
      let start: Buffer = Buffer.alloc(4);
      for (;;) {
        let key: Buffer | undefined;
        for (const k of (db as typeof h.nodes).getKeys({ start, limit: 1 })) key = k;
        if (key === undefined || key.length < 4) break;
        const id = key.readUInt32BE(0);
        if (!known.has(id) && !orphans.includes(id)) orphans.push(id);
        if (id === 0xffffffff) break;
        start = zoneRange(id).end;
      }
    }
    if (orphans.length === 0) return orphans;
    // (an id is never handed out twice: nextZoneId only grows, so no new zone can take one of these)
    h.env.transactionSync(() => {
      for (const id of orphans) {
        for (const db of [h.nodes, h.journal, h.sources, h.nsec3] as const) {
          for (const key of (db as typeof h.nodes).getKeys(zoneRange(id))) (db as typeof h.nodes).remove(key);
        }
      }
    });
    return orphans;
  }

  static open(path: string): LmdbStore {
    return new LmdbStore(path);
  }

  private checkSchema(): void {
    const { env, meta } = this.h;
    const version = meta.get('schemaVersion');
    if (version === undefined) {
      env.transactionSync(() => meta.put('schemaVersion', SCHEMA_VERSION));
    } else if (version === 1 || version === 2) {
      env.transactionSync(() => {
        if (version === 1) buildIndex(this.h);
        buildNsec3Index(this.h);
        meta.put('schemaVersion', SCHEMA_VERSION);
      });
    } else if (version !== SCHEMA_VERSION) {
      throw new StoreError(
        `data directory "${this.path}" has schema version ${String(version)}, this meshdns reads ${SCHEMA_VERSION}`,
        'MESHDNS_ERR_SCHEMA',
      );
    }
  }

  allZones(): { apexKey: Buffer; meta: ZoneMeta }[] {
    const out: { apexKey: Buffer; meta: ZoneMeta }[] = [];
    for (const { key, value } of this.h.zones.getRange()) out.push({ apexKey: Buffer.from(key), meta: value });
    return out;
  }

  zoneMeta(apexKey: Uint8Array): ZoneMeta | undefined {
    return this.h.zones.get(Buffer.from(apexKey));
  }

  /** The read options of node lookups: the snapshot they read, until the next commit. */
  private readonly readOptions: { transaction: Transaction | undefined } = { transaction: undefined };

  /**
   * The snapshot node lookups read. lmdb's implicit read transaction is renewed on every
   * event-loop turn that reads, and released by a timer it arms each time: over UDP, where a turn
   * often carries one query, that bookkeeping cost more than the lookup. This one is held across
   * turns and replaced when a commit makes it stale (`refreshSnapshot`, called by the write door).
   * (Inside a write transaction lmdb reads that transaction whatever the options say.)
   */
  private snapshot(): GetOptions {
    if (this.committing) return this.unpinned;
    if (this.readOptions.transaction === undefined) this.readOptions.transaction = this.h.env.useReadTransaction();
    return this.readOptions as GetOptions;
  }

  /** Set by a commit until the next turn: reads then go through lmdb's own read transaction. */
  private committing = false;
  private readonly unpinned: GetOptions = { transaction: undefined as unknown as Transaction };

  /**
   * Lets the next lookup see the latest commit (and LMDB reuse the pages the old snapshot held).
   * No snapshot is pinned in the rest of the commit's turn: lmdb settles its shared read transaction
   * in a microtask after a synchronous commit, and a snapshot pinned before that was seen answering
   * from before the commit in every later turn, until the next commit (a query in the same UDP batch
   * as an UPDATE, a lookup right after a zone load).
   */
  refreshSnapshot(): void {
    const txn = this.readOptions.transaction;
    this.readOptions.transaction = undefined;
    txn?.done();
    if (!this.committing) {
      this.committing = true;
      setImmediate(() => {
        this.committing = false;
      });
    }
  }

  /** After a commit made by another process (the zone loader): every read sees it from now on. */
  seeExternalCommits(): void {
    this.refreshSnapshot();
    this.h.env.resetReadTxn();
  }

  /** Views of keyScratch by length, made once: the query path allocates nothing for its keys. */
  private readonly keyViews: Buffer[] = [];

  private scratchKey(zoneId: number, nameKey: Uint8Array): Buffer {
    const scratch = this.keyScratch;
    scratch[0] = zoneId >>> 24;
    scratch[1] = (zoneId >>> 16) & 0xff;
    scratch[2] = (zoneId >>> 8) & 0xff;
    scratch[3] = zoneId & 0xff;
    const n = nameKey.length;
    for (let i = 0; i < n; i++) scratch[4 + i] = nameKey[i]!;
    return (this.keyViews[4 + n] ??= scratch.subarray(0, 4 + n));
  }

  /**
   * One decoded node or undefined. The query path passes `withOwners` false: provenance is not
   * needed to answer, and that saves an array per RR. The value is copied out of lmdb's shared
   * read buffer into a plain byte array that the node's rdata views keep alive.
   */
  getNode(zoneId: number, nameKey: Uint8Array, withOwners = true): ZoneNode | undefined {
    const fast = this.fastGet(this.scratchKey(zoneId, nameKey), this.snapshot());
    if (fast === undefined) return undefined;
    const size = fast.length; // lmdb sets it to this value's size
    const copy = new Uint8Array(size);
    if (size <= 256) for (let i = 0; i < size; i++) copy[i] = fast[i]!;
    else copy.set(fast.subarray(0, size));
    return decodeNode(copy, withOwners);
  }

  /** A node's flags without decoding or copying it; -1 when the node does not exist. */
  getFlags(zoneId: number, nameKey: Uint8Array): number {
    const value = this.fastGet(this.scratchKey(zoneId, nameKey), this.snapshot());
    return value === undefined ? -1 : value[1]!;
  }

  /** Every node of a zone in canonical order (one snapshot for the whole iteration). */
  *zoneNodes(zoneId: number): Generator<{ nameKey: Buffer; node: ZoneNode }> {
    for (const { key, value } of this.h.nodes.getRange(zoneRange(zoneId))) {
      yield { nameKey: Buffer.from(key.subarray(4)), node: decodeNode(Buffer.from(value)) };
    }
  }

  *nodesBelow(zoneId: number, nameKey: Uint8Array): Generator<{ nameKey: Buffer; node: ZoneNode }> {
    const prefix = nodeKey(zoneId, nameKey);
    // children are prefix ‖ label ‖ 0x00, and a label never starts with 0x00
    for (const { key, value } of this.h.nodes.getRange({ start: Buffer.concat([prefix, Buffer.of(1)]) })) {
      if (key.length <= prefix.length || key.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return;
      yield { nameKey: Buffer.from(key.subarray(4)), node: decodeNode(Buffer.from(value)) };
    }
  }

  previousName(zoneId: number, nameKey: Uint8Array): Buffer | undefined {
    for (const key of this.h.nodes.getKeys({ start: nodeKey(zoneId, nameKey), end: zoneRange(zoneId).start, reverse: true })) {
      if (key.length - 4 === nameKey.length && key.compare(nameKey, 0, nameKey.length, 4) === 0) continue;
      return Buffer.from(key.subarray(4));
    }
    return undefined;
  }

  nextName(zoneId: number, nameKey: Uint8Array): Buffer | undefined {
    for (const key of this.h.nodes.getKeys({ start: nodeKey(zoneId, nameKey), end: zoneRange(zoneId).end })) {
      if (key.length - 4 === nameKey.length && key.compare(nameKey, 0, nameKey.length, 4) === 0) continue;
      return Buffer.from(key.subarray(4));
    }
    return undefined;
  }

  nsec3Covering(zoneId: number, hash: Uint8Array): { nameKey: Buffer; node: ZoneNode } | undefined {
    const nameKey = nsec3CoveringKey(this.h, zoneId, hash, this.snapshot());
    if (nameKey === undefined) return undefined;
    const node = this.getNode(zoneId, nameKey, false);
    return node && { nameKey, node };
  }

  nsecCovering(zoneId: number, nameKey: Uint8Array): { nameKey: Buffer; node: ZoneNode } | undefined {
    const getRange = this.h.nodes.getRange.bind(this.h.nodes) as unknown as (o: object) => Iterable<{ key: Buffer; value: Buffer }>;
    const options = { ...this.snapshot(), start: nodeKey(zoneId, nameKey), end: zoneRange(zoneId).start, reverse: true };
    let scanned = 0;
    for (const { key, value } of getRange(options)) {
      if (!hasType(value, RRTYPE_NSEC)) {
        // a signed zone has few names without NSEC in a row (ENTs, glue); a zone with a stray
        // NSEC at its apex has nothing but them: no proof rather than a walk through the zone
        if (++scanned >= NSEC_SCAN_LIMIT) return undefined;
        continue;
      }
      return { nameKey: Buffer.from(key.subarray(4)), node: decodeNode(Buffer.from(value), false) };
    }
    return undefined;
  }

  journal(zoneId: number): Generator<JournalEntry> {
    return readJournal(this, zoneId);
  }

  *ownedBy(zoneId: number, source: string): Generator<OwnedRR> {
    const ownerId = this.provenance.find(source);
    if (ownerId === undefined) return;
    for (const nameKey of namesOwnedBy(this.h, zoneId, ownerId)) {
      const node = this.getNode(zoneId, nameKey);
      if (!node) continue;
      const owner = keyToName(nameKey);
      for (const set of node.rrsets) {
        for (const rr of set.rrs) {
          if (rr.owners.includes(ownerId)) yield { owner, nameKey, type: set.type, ttl: set.ttl, rdata: rr.rdata };
        }
      }
    }
  }

  zoneSources(zoneId: number): string[] {
    return ownerIdsOf(this.h, zoneId).map((id) => this.provenance.nameOf(id));
  }

  sourceName(id: number): string {
    return this.provenance.nameOf(id);
  }

  sourceId(source: string): number | undefined {
    return this.provenance.find(source);
  }

  async close(): Promise<void> {
    this.refreshSnapshot();
    const env = handlesOf(this).env;
    // lmdb 3.5 blocks forever in close() right after a transactionSync unless its flush settled
    await env.flushed;
    await env.close();
  }
}
