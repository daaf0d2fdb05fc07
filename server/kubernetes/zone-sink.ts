import type { DiffRR, ZoneDiff } from '../../zones/diff.js';
import { nameToKey, parseName, ROOT } from '../../zones/name.js';
import { reconcile } from '../../zones/reconcile.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { SerialPolicy } from '../../zones/serial.js';
import { zoneOf } from '../../k8s/records/index.js';
import type { OwnerChange, PendingChange, WatchBatch, WatchSink } from '../../k8s/watch/types.js';
import { ConflictCheck } from './conflicts.js';
import { recordToWire } from './record-wire.js';
import { zoneSkeleton } from './zone-skeleton.js';

/** What happened to one owner's records in a batch (for logs, metrics and Kubernetes Events). */
export interface OwnerOutcome {
  change: OwnerChange;
  /** Names refused because other data is there (RFC 1034 §3.6.2), with the reason. */
  conflicts: string[];
  /** Records the mapping or the wire conversion refused (field, value, reason). */
  refused: string[];
  /** Why the object's records could not be committed (a record limit), the others going in. */
  failed: string[];
  /** RRs added and removed for this owner. */
  added: number;
  removed: number;
}

export interface SinkOptions {
  zones: readonly string[];
  serialPolicy: SerialPolicy;
  nameservers: (zone: string) => string[];
  /** After each batch: every owner that had something to report or changed. */
  onOutcomes: (outcomes: OwnerOutcome[], zonesCommitted: { zone: string; serial: number }[]) => void;
  /** A batch's commit of one zone failed as a whole (it is then applied owner by owner). */
  onZoneError: (zone: string, reason: string) => void;
}

/** Objects per commit of a big batch (a first list): 10,000 Services in ~2-3 s, answers waiting ~150-200 ms at most between parts (fsync and GC dominate). */
const CHUNK_OWNERS = 256;

/** Provenance of the SOA and apex NS of a zone the watcher created. */
export const ZONE_SOURCE = 'k8s:zone';

/**
 * The watcher's write side: each batch becomes, per zone, ONE commit through the write door (one
 * serial, one IXFR journal entry, one NOTIFY), in which every object is the owner of its records —
 * the shared reconcile step compares what it wants with what it owns, so it adds and removes only
 * its own, and two objects behind one name each keep their part of the RRset. Names where other
 * data is (a CNAME of a zone file) are refused for that object only; should the zone's commit still
 * fail, the batch is applied object by object so one bad object never holds back the others.
 */
export class ZoneSink implements WatchSink {
  /** Owners refused for a conflict, tried again with every later batch (the other data may be gone). */
  private readonly waiting = new Map<string, OwnerChange>();

  constructor(private readonly store: LmdbStore, private readonly writer: ZoneWriter, private readonly options: SinkOptions) {}

  /** Creates the zones that do not exist yet (SOA and apex NS, owned by `k8s:zone`). */
  ensureZones(): string[] {
    const created: string[] = [];
    for (const zone of this.options.zones) {
      const apex = parseName(zone, ROOT);
      if (this.store.zoneMeta(nameToKey(apex)) !== undefined) continue;
      const update = this.writer.create(apex, { originText: zone, kind: 'primary', serialPolicy: this.options.serialPolicy, ifExists: 'reuse' }, ZONE_SOURCE);
      for (const rr of zoneSkeleton(zone, this.options.nameservers(zone))) update.add(rr);
      update.commit();
      created.push(zone);
    }
    return created;
  }

  /** A batch is being committed (its own commits are not news to the watcher). */
  applying = false;

  get conflicted(): number {
    return this.waiting.size;
  }

  async apply(batch: WatchBatch): Promise<void> {
    this.applying = true;
    try {
      await this.applyBatch(batch);
    } finally {
      this.applying = false;
    }
  }

  private async applyBatch(batch: WatchBatch): Promise<void> {
    const changes = new Map<string, PendingChange>();
    for (const change of batch.changes) changes.set(change.owner, change);
    for (const [owner, change] of this.waiting) if (!changes.has(owner)) changes.set(owner, resolved(change));
    // objects deleted while nobody watched: owners of a relisted kind that no longer exist
    for (const [kind, live] of batch.relisted) {
      for (const zone of this.options.zones) {
        const meta = this.store.zoneMeta(nameToKey(parseName(zone, ROOT)));
        if (!meta) continue;
        for (const source of this.store.zoneSources(meta.id)) {
          if (source.startsWith(`k8s:${kind}/`) && !live.has(source) && !changes.has(source)) {
            changes.set(source, resolved({ owner: source, object: undefined, records: [], refused: [] }));
          }
        }
      }
    }
    this.waiting.clear();
    const all = [...changes.values()];
    let committed = false;
    for (let at = 0; at < all.length; at += CHUNK_OWNERS) {
      // a first list of thousands of objects is committed in parts: answers wait for one part at most
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      committed = this.applyPart(all.slice(at, at + CHUNK_OWNERS).map((c) => c.resolve())) || committed;
    }
    // what this batch removed (a CNAME of a deleted object) may be what held a refused object back
    if (committed && this.waiting.size > 0) {
      const again = [...this.waiting.values()];
      this.waiting.clear();
      this.applyPart(again);
    }
  }

  /** Owners' changes as one commit per zone; whether anything was committed. */
  private applyPart(changes: OwnerChange[]): boolean {
    const outcomes = new Map<string, OwnerOutcome>();
    const wanted = new Map<string, Map<string, DiffRR[]>>(); // zone → owner → records
    for (const zone of this.options.zones) wanted.set(zone, new Map());
    for (const change of changes) {
      const outcome: OwnerOutcome = { change, conflicts: [], failed: [], refused: change.refused.map((r) => `${r.field} ${JSON.stringify(r.value)}: ${r.reason}`), added: 0, removed: 0 };
      outcomes.set(change.owner, outcome);
      for (const record of change.records) {
        const zone = zoneOf(record.name, this.options.zones);
        if (zone === undefined) continue; // the mapping refused it already
        const rr = recordToWire(record);
        if ('error' in rr) {
          outcome.refused.push(`${record.name} ${record.type} "${record.rdata}": ${rr.error}`);
          continue;
        }
        const byOwner = wanted.get(zone)!;
        (byOwner.get(change.owner) ?? byOwner.set(change.owner, []).get(change.owner)!).push(rr);
      }
    }
    const committed: { zone: string; serial: number }[] = [];
    for (const zone of this.options.zones) {
      const serial = this.applyZone(zone, changes, wanted.get(zone)!, outcomes);
      if (serial !== undefined) committed.push({ zone, serial });
    }
    for (const outcome of outcomes.values()) {
      if (outcome.conflicts.length > 0 || outcome.failed.length > 0) this.waiting.set(outcome.change.owner, outcome.change);
    }
    this.options.onOutcomes([...outcomes.values()], committed);
    return committed.length > 0;
  }

  /** One zone's part of the batch as one commit; the new serial, or undefined when nothing changed. */
  private applyZone(zone: string, changes: OwnerChange[], wanted: Map<string, DiffRR[]>, outcomes: Map<string, OwnerOutcome>): number | undefined {
    const apex = parseName(zone, ROOT);
    const apexKey = nameToKey(apex);
    const meta = this.store.zoneMeta(apexKey);
    if (!meta) return undefined;
    const check = new ConflictCheck(this.store, meta.id, apexKey, (id) => this.store.sourceName(id));
    const diffs: ZoneDiff[] = [];
    for (const { owner } of changes) {
      const { accepted, conflicts } = check.check(owner, wanted.get(owner) ?? []);
      outcomes.get(owner)!.conflicts.push(...conflicts);
      const owned = [...this.store.ownedBy(meta.id, owner)];
      if (accepted.length === 0 && owned.length === 0) continue;
      const diff = reconcile(owner, accepted, owned);
      if (diff.add.length === 0 && diff.remove.length === 0) continue;
      diffs.push(diff);
    }
    if (diffs.length === 0) return undefined;
    return this.commitIsolating(zone, apex, diffs, outcomes);
  }

  /**
   * The diffs as one commit; should it fail (a record limit), the halves are tried, down to the one
   * object whose records cannot go in — reported, while every other object's records are committed.
   */
  private commitIsolating(zone: string, apex: Uint8Array, diffs: ZoneDiff[], outcomes: Map<string, OwnerOutcome>, whole = true): number | undefined {
    try {
      const serial = this.commit(apex, diffs);
      for (const d of diffs) count(outcomes.get(d.source)!, d);
      return serial;
    } catch (err) {
      if (diffs.length === 1) {
        outcomes.get(diffs[0]!.source)!.failed.push(`${zone}: ${(err as Error).message}`);
        return undefined;
      }
      if (whole) this.options.onZoneError(zone, (err as Error).message);
    }
    const half = diffs.length >> 1;
    const first = this.commitIsolating(zone, apex, diffs.slice(0, half), outcomes, false);
    return this.commitIsolating(zone, apex, diffs.slice(half), outcomes, false) ?? first;
  }

  private commit(apex: Uint8Array, diffs: ZoneDiff[]): number | undefined {
    const update = this.writer.begin(apex, diffs[0]!.source, 'primary').apply(diffs[0]!);
    for (const d of diffs.slice(1)) update.alsoFrom(d);
    const result = update.commit();
    return result.changed ? result.serial : undefined;
  }
}

function resolved(change: OwnerChange): PendingChange {
  return { owner: change.owner, resolve: () => change };
}

function count(outcome: OwnerOutcome, diff: ZoneDiff): void {
  outcome.added += diff.add.length;
  outcome.removed += diff.remove.length;
}
