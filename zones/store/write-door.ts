import { keyIsSubdomain, keyToName, nameToKey, nameToText, type WireName } from '../name.js';
import type { ZoneDiff } from '../diff.js';
import { DEFAULT_LIMITS, type ZoneLimits } from '../limits.js';
import { RecordTable } from '../table/record-table.js';
import { STAGES, type CommitContext, type CommitMode, type OpenStageName, type Stage, type StageName } from './commit-context.js';
import { handlesOf, zoneRange, type StoreHandles } from './handles.js';
import { applyEdits, type AppliedEdits } from './incremental.js';
import { DEFAULT_JOURNAL_LIMITS, deleteJournal, type JournalLimits } from './journal.js';
import type { LmdbStore } from './lmdb-store.js';
import { dropZoneIndex } from './source-index.js';
import { builtinStages } from './stages.js';
import { WorkingSet } from './working-set.js';
import { ChainView } from './chain-view.js';
import { StoreError, type ZoneKind, type ZoneMeta } from './zone-meta.js';
import { ZoneUpdate, type CommitResult, type NewZone, type UpdateCommitter } from './zone-update.js';

export { ZoneUpdate, type CommitResult, type NewZone } from './zone-update.js';

/** Runs after a commit's transaction (NOTIFY, the zone table, metrics); never inside it. */
export type CommitListener = (apexKey: Buffer, meta: ZoneMeta | undefined, result: CommitResult) => void;

export interface WriterOptions {
  /** The journal limits of a zone, by origin (lowercase, trailing dot); read at each commit. */
  journalLimits?: (origin: string) => JournalLimits;
  /** Records per RRset and per zone (config `limits:`); read at each commit. */
  limits?: () => ZoneLimits;
}

/** The stages that write content; a commit that changes no content skips them. */
const CONTENT_STAGES: ReadonlySet<StageName> = new Set(['serial', 'sign', 'nodes', 'journal']);

/**
 * The one write door (ARCHITECTURE.md "Data flow"). Every change to every zone — zone files, the
 * admin API, RFC 2136, transfers in, Kubernetes — is a `ZoneUpdate` from `begin` or `create`, and
 * its `commit()` is ONE LMDB transaction that resolves the zone (creating it if asked), allocates
 * the source's provenance id, applies the changes, then runs the named stages in order:
 * checks → serial → sign → nodes → journal → catalog → meta. Readers see the old zone or the new
 * one, never half of it; listeners run after the transaction with the applied changeset.
 */
export class ZoneWriter implements UpdateCommitter {
  private readonly listeners: CommitListener[] = [];
  private readonly h: StoreHandles;
  private readonly builtin: Partial<Record<StageName, Stage>>;
  private readonly registered: Record<OpenStageName, Stage[]> = { sign: [], catalog: [] };
  journalLimits: (origin: string) => JournalLimits;
  limits: () => ZoneLimits;
  /**
   * The signing policy of a zone (dnssec/sign-stage.ts `attachSigning` sets it), as plain data:
   * a worker thread or process committing through a door of its own gets it with its job.
   */
  signingPolicy: (origin: string) => object | undefined = () => undefined;
  /** The commits of the open transaction, announced when it is done. */
  private pending: PendingCommits | undefined;

  constructor(readonly store: LmdbStore, options: WriterOptions = {}) {
    this.h = handlesOf(store);
    this.journalLimits = options.journalLimits ?? (() => DEFAULT_JOURNAL_LIMITS);
    this.limits = options.limits ?? (() => DEFAULT_LIMITS);
    this.builtin = builtinStages({ h: this.h, journalLimits: (origin) => this.journalLimits(origin), limits: () => this.limits() });
  }

  /** Adds a stage function to one of the open stages (DNSSEC signing, catalog membership). */
  registerStage(name: OpenStageName, stage: Stage): void {
    this.registered[name].push(stage);
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** An update of an existing zone (checked inside the commit's transaction). */
  begin(apex: WireName, source: string, requireKind?: ZoneKind): ZoneUpdate {
    return new ZoneUpdate(this, apex, nameToKey(apex), source, undefined, requireKind);
  }

  /** An update that creates the zone if it does not exist (or, with `ifExists: 'fail'`, only then). */
  create(apex: WireName, zone: NewZone, source: string): ZoneUpdate {
    return new ZoneUpdate(this, apex, nameToKey(apex), source, zone, zone.kind);
  }

  /** One source's diff to an existing zone, as one update (RFC 2136, IXFR in, the API's PATCH). */
  commitDiff(apexKey: Buffer, diff: ZoneDiff, onlyIf?: () => string | undefined): CommitResult {
    const update = this.begin(keyToName(apexKey), diff.source).apply(diff);
    if (onlyIf) update.onlyIf(onlyIf);
    return update.commit();
  }

  /**
   * Commits the update in one transaction — or, called while a transaction of this door is open (a
   * stage, or `inTransaction`), inside that transaction: the catalog stage changes the catalog
   * zone in the same commit that creates or deletes a member. Listeners hear of every zone
   * committed once the transaction is done, the outer zone first.
   */
  commitUpdate(update: ZoneUpdate): CommitResult {
    return this.inTransaction(() => {
      const pending = this.pending!;
      const at = pending.commits.length;
      const { result, allocated } = this.run(update);
      pending.commits.splice(at, 0, { apexKey: update.apexKey, result });
      pending.allocated.push(...allocated);
      return result;
    });
  }

  /**
   * Runs `fn` inside one write transaction (or the one already open); commits made in it through
   * this door are announced after it, as one `commitUpdate` would be.
   */
  inTransaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    const pending: PendingCommits = { commits: [], allocated: [] };
    this.pending = pending;
    let value: T;
    try {
      value = this.h.env.transactionSync(fn);
    } finally {
      this.pending = undefined;
    }
    for (const a of pending.allocated) this.store.provenance.remember(a.source, a.id);
    this.store.refreshSnapshot();
    for (const { apexKey, result } of pending.commits) {
      if (result.changed || result.created || result.deleted) for (const l of this.listeners) l(apexKey, result.meta, result);
    }
    return value;
  }

  /** Whether a transaction of this door is open (stages, `inTransaction`). */
  get inCommit(): boolean {
    return this.pending !== undefined;
  }

  /**
   * A commit made by another process (the zone loader) through this same door: tell this
   * process's listeners, reading the metadata from a fresh snapshot.
   */
  announceExternalCommit(apexKey: Buffer, result: Omit<CommitResult, 'meta'>): void {
    this.store.seeExternalCommits();
    const meta = this.store.zoneMeta(apexKey);
    for (const l of this.listeners) l(apexKey, meta, { ...result, meta, external: true });
  }

  /** Inside the transaction. */
  private run(update: ZoneUpdate): { result: CommitResult; allocated: { source: string; id: number }[] } {
    const h = this.h;
    const { apexKey } = update;
    let before = h.zones.get(apexKey);
    let created = false;
    if (before && update.create?.ifExists === 'fail') {
      throw new StoreError(`zone ${before.origin} already exists`, 'MESHDNS_ERR_ZONE_EXISTS');
    }
    if (!before) {
      if (update.deleting) return { result: nothing(undefined), allocated: [] };
      if (!update.create) throw new StoreError(`no zone ${nameToText(update.apex)} here`, 'MESHDNS_ERR_NO_ZONE');
      before = newZoneMeta(h, update.create);
      created = true;
    } else if (update.requireKind !== undefined && before.kind !== update.requireKind && !update.deleting) {
      throw new StoreError(`zone ${before.origin} is a ${before.kind} zone here, not a ${update.requireKind} one`, 'MESHDNS_ERR_ZONE_KIND');
    }
    for (const check of update.preconditions) {
      const reason = check();
      if (reason !== undefined) throw new StoreError(`commit to ${before.origin} abandoned: ${reason}`, 'MESHDNS_ERR_PRECONDITION');
    }
    const diff = update.diff;
    // a table for a zone that has content already is added as a diff (bulk needs an empty zone)
    const asDiff = update.table !== undefined && !update.table.replace && !update.deleting && before.records !== 0;
    if (asDiff) diff.add.push(...update.table!.records.toRecords());
    for (const d of [diff, ...update.others]) for (const rr of d.add) assertInZone(rr.owner, apexKey, before.origin);
    const allocated: { source: string; id: number }[] = [];
    const ownerOf = (d: ZoneDiff, needed: boolean): number => {
      if (!needed) return 0;
      const id = this.store.provenance.idInTransaction(d.source);
      allocated.push({ source: d.source, id });
      return id;
    };
    const ownerId = ownerOf(diff, update.table !== undefined || diff.add.length > 0 || diff.remove.length > 0);

    let mode: CommitMode;
    let table: RecordTable | undefined;
    let working: WorkingSet | undefined;
    if (update.deleting) {
      mode = 'delete';
    } else if (update.table?.replace) {
      // AXFR in: the old version goes in this same transaction, then the new one is built whole
      for (const key of h.nodes.getKeys(zoneRange(before.id))) h.nodes.remove(key);
      deleteJournal(h, before.id);
      dropZoneIndex(h, before.id);
      before = { ...before, serial: 0, records: 0, journalUsage: { entries: 0, bytes: 0 } };
      mode = 'bulk';
      table = update.table.records;
    } else if (!asDiff && before.records === 0 && update.others.length === 0 && (update.table !== undefined || onlyAdds(update))) {
      mode = 'bulk';
      table = update.table?.records ?? RecordTable.fromRecords(diff.add);
    } else {
      mode = 'incremental';
      working = new WorkingSet(h, before.id);
    }
    const resign = mode === 'incremental' ? update.resignRequest : undefined;
    if (working && Array.isArray(resign)) for (const key of resign) working.load(key);
    const ctx: CommitContext = {
      mode, apexKey, before, created, ownerId, table, working, resign,
      chain: working ? new ChainView(h, before.id) : undefined,
      diff: mode === 'incremental' ? diff : undefined,
      edits: working ? applyAllEdits(working, apexKey, diff, ownerId, update.others.map((d) => ({ diff: d, ownerId: ownerOf(d, d.add.length > 0 || d.remove.length > 0) }))) : undefined,
      next: { ...before, ...update.metaPatch },
      soa: undefined, changeset: undefined, added: 0, removed: 0, unchanged: false,
    };
    for (const name of STAGES) {
      if (ctx.unchanged && CONTENT_STAGES.has(name)) continue;
      if (ctx.unchanged && name === 'meta' && !created && update.metaPatch === undefined) continue;
      this.builtin[name]?.(ctx);
      if (name === 'sign' || name === 'catalog') for (const stage of this.registered[name]) stage(ctx);
    }
    const deleted = mode === 'delete';
    return {
      allocated,
      result: {
        changed: !ctx.unchanged && !deleted, serial: ctx.next.serial, added: ctx.added, removed: ctx.removed, created, deleted,
        meta: deleted ? undefined : ctx.next, changeset: ctx.changeset,
      },
    };
  }
}

interface PendingCommits {
  commits: { apexKey: Buffer; result: CommitResult }[];
  allocated: { source: string; id: number }[];
}

function nothing(meta: ZoneMeta | undefined): CommitResult {
  return { changed: false, serial: meta?.serial ?? 0, added: 0, removed: 0, created: false, deleted: false, meta, changeset: undefined };
}

/** The edits of the update's own diff, then those of the other sources' diffs of the same commit. */
function applyAllEdits(ws: WorkingSet, apexKey: Buffer, diff: ZoneDiff, ownerId: number, others: { diff: ZoneDiff; ownerId: number }[]): AppliedEdits {
  const edits = applyEdits(ws, apexKey, diff, ownerId);
  for (const other of others) {
    const more = applyEdits(ws, apexKey, other.diff, other.ownerId);
    edits.removed.push(...more.removed);
    edits.added.push(...more.added);
    if (more.newSoa !== undefined) {
      edits.newSoa = more.newSoa;
      edits.newSoaTtl = more.newSoaTtl;
    }
  }
  return edits;
}

function onlyAdds(update: ZoneUpdate): boolean {
  const d = update.diff;
  return d.remove.length === 0 && (d.removeAny?.length ?? 0) === 0 && (d.removeNames?.length ?? 0) === 0 && (d.removeRRsets?.length ?? 0) === 0;
}

/** A new zone's first (empty) version, its id allocated in this transaction. */
function newZoneMeta(h: StoreHandles, zone: NewZone): ZoneMeta {
  const id = (h.meta.get('nextZoneId') as number | undefined) ?? 1;
  h.meta.put('nextZoneId', id + 1);
  return {
    id, origin: zone.originText, kind: zone.kind, serial: 0, serialPolicy: zone.serialPolicy, generation: 0,
    lastChange: new Date().toISOString(), records: 0, journalSeq: 1,
  };
}

function assertInZone(owner: WireName, apexKey: Buffer, origin: string): void {
  if (!keyIsSubdomain(nameToKey(owner), apexKey)) {
    throw new StoreError(`record owner is outside zone ${origin}`, 'MESHDNS_ERR_OUT_OF_ZONE');
  }
}
