import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';

type GetOptions = { transaction: Transaction };
import { decodeNode, type ZoneNode } from './node.js';
import { ProvenanceTable } from './provenance.js';
import { RawNodeReader } from './raw-nodes.js';
import type { SerialPolicy } from '../serial.js';

export const SCHEMA_VERSION = 1;

export type ZoneKind = 'primary' | 'secondary';

/** What the store keeps per zone besides its nodes (sub-database `zones`, keyed by apex key). */
export interface ZoneMeta {
  id: number;
  /** Origin in presentation format, as first configured. */
  origin: string;
  kind: ZoneKind;
  serial: number;
  serialPolicy: SerialPolicy;
  /** Bumped on every commit; answer caches compare it. */
  generation: number;
  /** ISO time of the last commit. */
  lastChange: string;
  /** Number of RRs (RRSIGs included). */
  records: number;
  /** Zone-file origin of the data, when loaded from a file. */
  source?: { file: string; mtimeMs: number; size: number; sha256: string };
  /** Next journal sequence number. */
  journalSeq: number;
  /** Entries and encoded bytes in the journal now (absent in stores written before it was kept). */
  journalUsage?: { entries: number; bytes: number };
}

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(message: string, readonly code = 'MESHDNS_ERR_STORE') {
    super(message);
  }
}

/**
 * The LMDB environment and its sub-databases (ARCHITECTURE.md "LMDB layout"). Reads are synchronous;
 * every write goes through `commit.ts` (the one write door) inside `env.transactionSync`.
 */
export class LmdbStore {
  readonly env: RootDatabase;
  readonly zonesDb: Database<ZoneMeta, Buffer>;
  readonly nodesDb: Database<Buffer, Buffer>;
  readonly journalDb: Database<unknown, Buffer>;
  readonly metaDb: Database<unknown, string>;
  readonly provenance: ProvenanceTable;
  /** Nodes read without an allocation per entry (zone transfers). */
  readonly rawNodes: RawNodeReader;
  private readonly keyScratch = Buffer.allocUnsafe(4 + 256 * 2);
  /** getBinaryFast with its options argument (lmdb's typings omit it). */
  private readonly fastGet: (key: Buffer, options: GetOptions) => Buffer | undefined;

  private constructor(readonly path: string) {
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      throw new StoreError(`data directory "${path}" cannot be created: ${(err as Error).message}`);
    }
    this.env = open({ path, maxDbs: 12, compression: false });
    this.zonesDb = this.env.openDB<ZoneMeta, Buffer>({ name: 'zones', keyEncoding: 'binary' });
    this.nodesDb = this.env.openDB<Buffer, Buffer>({ name: 'nodes', keyEncoding: 'binary', encoding: 'binary' });
    this.journalDb = this.env.openDB<unknown, Buffer>({ name: 'journal', keyEncoding: 'binary' });
    this.metaDb = this.env.openDB<unknown, string>({ name: 'meta' });
    const owners = this.env.openDB<string | number, string | number>({ name: 'owners' });
    this.provenance = new ProvenanceTable(this.env, owners);
    this.rawNodes = new RawNodeReader(this.env);
    this.fastGet = this.nodesDb.getBinaryFast.bind(this.nodesDb) as never;
    this.checkSchema();
  }

  static open(path: string): LmdbStore {
    return new LmdbStore(path);
  }

  private checkSchema(): void {
    const version = this.metaDb.get('schemaVersion');
    if (version === undefined) {
      this.env.transactionSync(() => this.metaDb.put('schemaVersion', SCHEMA_VERSION));
    } else if (version !== SCHEMA_VERSION) {
      throw new StoreError(
        `data directory "${this.path}" has schema version ${String(version)}, this meshdns reads ${SCHEMA_VERSION}`,
        'MESHDNS_ERR_SCHEMA',
      );
    }
  }

  allZones(): { apexKey: Buffer; meta: ZoneMeta }[] {
    const out: { apexKey: Buffer; meta: ZoneMeta }[] = [];
    for (const { key, value } of this.zonesDb.getRange()) out.push({ apexKey: Buffer.from(key), meta: value });
    return out;
  }

  zoneMeta(apexKey: Uint8Array): ZoneMeta | undefined {
    return this.zonesDb.get(Buffer.from(apexKey));
  }

  /** Node key: zone id (u32 BE) ‖ canonical name key. */
  nodeKey(zoneId: number, nameKey: Uint8Array): Buffer {
    const key = Buffer.allocUnsafe(4 + nameKey.length);
    key.writeUInt32BE(zoneId, 0);
    key.set(nameKey, 4);
    return key;
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
    if (this.readOptions.transaction === undefined) this.readOptions.transaction = this.env.useReadTransaction();
    return this.readOptions as GetOptions;
  }

  /** Lets the next lookup see the latest commit (and LMDB reuse the pages the old snapshot held). */
  refreshSnapshot(): void {
    const txn = this.readOptions.transaction;
    if (txn === undefined) return;
    this.readOptions.transaction = undefined;
    txn.done();
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

  /** Every node of a zone in canonical order (pin a snapshot around it for a consistent view). */
  *zoneNodes(zoneId: number): Generator<{ nameKey: Buffer; node: ZoneNode }> {
    const start = Buffer.allocUnsafe(4);
    start.writeUInt32BE(zoneId, 0);
    const end = Buffer.allocUnsafe(4);
    end.writeUInt32BE(zoneId + 1, 0);
    for (const { key, value } of this.nodesDb.getRange({ start, end })) {
      yield { nameKey: Buffer.from(key.subarray(4)), node: decodeNode(Buffer.from(value)) };
    }
  }

  async close(): Promise<void> {
    this.refreshSnapshot();
    // lmdb 3.5 blocks forever in close() right after a transactionSync unless its flush settled
    await this.env.flushed;
    await this.env.close();
  }
}
