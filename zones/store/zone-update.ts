import type { WireName } from '../name.js';
import type { DiffRR, ZoneDiff } from '../diff.js';
import type { RecordTable } from '../table/record-table.js';
import type { JournalEntry } from './journal.js';
import type { ZoneKind, ZoneMeta, ZoneMetaPatch } from './zone-meta.js';
import type { SerialPolicy } from '../serial.js';

/** A zone the commit creates when it does not exist. */
export interface NewZone {
  /** Origin as configured (presentation format). */
  originText: string;
  kind: ZoneKind;
  serialPolicy: SerialPolicy;
  /** `fail`: the zone must not exist yet (MESHDNS_ERR_ZONE_EXISTS); `reuse`: an existing zone of this kind is updated. */
  ifExists: 'fail' | 'reuse';
}

/** What one commit did. */
export interface CommitResult {
  /** The zone's content changed (a new serial). */
  changed: boolean;
  serial: number;
  added: number;
  removed: number;
  created: boolean;
  deleted: boolean;
  /** The zone after the commit (undefined once deleted). */
  meta: ZoneMeta | undefined;
  /** The applied difference, SOA records included, as IXFR serves it (incremental commits). */
  changeset: JournalEntry | undefined;
  /** Committed by another process (the zone loader, a transfer child) and announced here afterwards. */
  external?: boolean;
}

/** Runs an update's commit (the write door). */
export interface UpdateCommitter {
  commitUpdate(update: ZoneUpdate): CommitResult;
}

/**
 * One zone update (Knot `zone_update` habit): changes from one source are collected here, then
 * `commit()` applies them all in ONE transaction through the write door's stages — zone creation,
 * provenance, nodes, serial, journal and metadata together, or nothing.
 */
export class ZoneUpdate {
  readonly diff: ZoneDiff;
  /** Other sources' diffs committed with this one, each under its own provenance (one serial, one journal entry). */
  readonly others: ZoneDiff[] = [];
  /** Whole new content: for an empty zone (`content`) or replacing what is there (`replace`). */
  table: { records: RecordTable; replace: boolean } | undefined;
  metaPatch: ZoneMetaPatch | undefined;
  deleting = false;
  /** Signatures to make again without a change of data: every name, or the names given (refresh, a key event). */
  resignRequest: 'all' | Buffer[] | undefined;
  /** Checked inside the transaction: a reason to abort, or undefined to go on. */
  readonly preconditions: (() => string | undefined)[] = [];
  private committed = false;

  constructor(
    private readonly door: UpdateCommitter,
    readonly apex: WireName,
    readonly apexKey: Buffer,
    source: string,
    readonly create: NewZone | undefined,
    /** The zone must be of this kind (checked inside the transaction). */
    readonly requireKind: ZoneKind | undefined,
  ) {
    this.diff = { source, remove: [], add: [] };
  }

  get source(): string {
    return this.diff.source;
  }

  /** The source claims this RR (adding an SOA replaces the zone's SOA). */
  add(rr: DiffRR): this {
    this.diff.add.push(rr);
    return this;
  }

  /** The source withdraws its claim on this RR (it goes when no source claims it). */
  remove(rr: DiffRR): this {
    this.diff.remove.push(rr);
    return this;
  }

  /** RFC 2136 §2.5.2: the RRset goes, whoever wrote it. */
  removeRRset(owner: WireName, type: number): this {
    (this.diff.removeRRsets ??= []).push({ owner, type });
    return this;
  }

  /** RFC 2136 §2.5.3: every RRset of the name goes. */
  removeName(owner: WireName): this {
    (this.diff.removeNames ??= []).push(owner);
    return this;
  }

  /** RFC 2136 §2.5.4: the RR goes whatever its owners. */
  removeAny(rr: DiffRR): this {
    (this.diff.removeAny ??= []).push(rr);
    return this;
  }

  /** Every change of a diff (its source must be this update's). */
  apply(diff: ZoneDiff): this {
    if (diff.source !== this.source) throw new TypeError(`diff of source "${diff.source}" applied to an update of "${this.source}"`);
    for (const rr of diff.add) this.add(rr);
    for (const rr of diff.remove) this.remove(rr);
    for (const s of diff.removeRRsets ?? []) this.removeRRset(s.owner, s.type);
    for (const n of diff.removeNames ?? []) this.removeName(n);
    for (const rr of diff.removeAny ?? []) this.removeAny(rr);
    return this;
  }

  /**
   * Another source's changes in this same commit (a batch of Kubernetes objects, each the owner of
   * its records): one new version of the zone, and every RR still owned by the source that claims it.
   */
  alsoFrom(diff: ZoneDiff): this {
    if (diff.source === this.source) return this.apply(diff);
    this.others.push(diff);
    return this;
  }

  /** The zone's first content in one pass; a zone that already has content gets it as additions. */
  content(table: RecordTable): this {
    this.table = { records: table, replace: false };
    return this;
  }

  /** A whole new version (AXFR in): the old nodes and journal go, the new content is built, in one transaction. */
  replace(table: RecordTable): this {
    this.table = { records: table, replace: true };
    return this;
  }

  setMeta(patch: ZoneMetaPatch): this {
    this.metaPatch = { ...this.metaPatch, ...patch };
    return this;
  }

  /** The zone goes with its nodes, journal and index. */
  deleteZone(): this {
    this.deleting = true;
    return this;
  }

  /**
   * Asks the sign stage to look at these names (name keys) even though no data changed there:
   * signatures near expiry are made again, the keyset follows the keys. `all`: every name, and
   * the denial chain made whole (signing turned on, new NSEC3 parameters). A commit of a zone
   * without a signing policy ignores it.
   */
  resign(names: 'all' | Buffer[]): this {
    if (names === 'all' || this.resignRequest === 'all') this.resignRequest = 'all';
    else this.resignRequest = [...(this.resignRequest ?? []), ...names];
    return this;
  }

  /** A condition checked inside the transaction, right before anything is written. */
  onlyIf(check: () => string | undefined): this {
    this.preconditions.push(check);
    return this;
  }

  commit(): CommitResult {
    if (this.committed) throw new Error('a zone update is committed once');
    this.committed = true;
    return this.door.commitUpdate(this);
  }
}
