import { keyIsSubdomain, keyToName, keyLabelCount, nameToKey, parentKey, type WireName } from '../name.js';
import { RRType } from '../rrtype.js';
import { nextSerial, serialLessThan, type SerialPolicy } from '../serial.js';
import { soaSerial, withSerial } from '../soa.js';
import type { DiffRR, ZoneDiff } from '../diff.js';
import { rdataEqual } from '../rdata-equal.js';
import { StoreError, type LmdbStore, type ZoneKind, type ZoneMeta } from './lmdb-store.js';
import { encodeNode, findRRset, NodeFlag, ownFlags, type ZoneNode } from './node.js';
import { WorkingSet, type WorkingEntry } from './working-set.js';
import { bulkBuild } from './bulk-build.js';
import { RecordTable } from '../record-table.js';
import { appendJournal, DEFAULT_JOURNAL_LIMITS, deleteJournal, type JournalLimits, type JournalRR } from './journal.js';

export interface CommitResult {
  changed: boolean;
  serial: number;
  added: number;
  removed: number;
}

export type CommitListener = (apexKey: Buffer, meta: ZoneMeta | undefined) => void;

const STAR_KEY_SUFFIX = Buffer.from('*\0', 'latin1');

/**
 * The one write door (ARCHITECTURE.md "Data flow"): every change to every zone is a ZoneDiff
 * committed here in one LMDB transaction — nodes with their flags, serial bump, journal entry, zone
 * metadata — so readers see the old zone or the new one, never half of it.
 */
export class ZoneWriter {
  private readonly listeners: CommitListener[] = [];
  /** The journal limits of a zone, by origin (lowercase, trailing dot); the config sets it. */
  journalLimits: (origin: string) => JournalLimits = () => DEFAULT_JOURNAL_LIMITS;

  constructor(readonly store: LmdbStore) {}

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  createZone(origin: WireName, originText: string, kind: ZoneKind, serialPolicy: SerialPolicy): ZoneMeta {
    const apexKey = nameToKey(origin);
    const existing = this.store.zoneMeta(apexKey);
    if (existing) return existing;
    const meta = this.store.env.transactionSync(() => {
      const id = ((this.store.metaDb.get('nextZoneId') as number | undefined) ?? 1);
      this.store.metaDb.put('nextZoneId', id + 1);
      const m: ZoneMeta = {
        id, origin: originText, kind, serial: 0, serialPolicy, generation: 0,
        lastChange: new Date().toISOString(), records: 0, journalSeq: 1,
      };
      this.store.zonesDb.put(apexKey, m);
      return m;
    });
    this.emit(apexKey, meta);
    return meta;
  }

  /** Removes a zone with all its nodes and journal. */
  deleteZone(apexKey: Buffer): void {
    const meta = this.store.zoneMeta(apexKey);
    if (!meta) return;
    this.store.env.transactionSync(() => {
      this.removeContent(meta.id);
      this.store.zonesDb.remove(apexKey);
    });
    this.emit(apexKey, undefined);
  }

  /**
   * A whole new version of a zone (AXFR in): the old nodes and journal go and the new content is
   * built in the same transaction, so readers see one version or the other. The SOA serial is kept
   * as received (a secondary mirrors its primary).
   */
  replaceContent(apexKey: Buffer, records: DiffRR[], source: string): CommitResult {
    const meta = this.store.zoneMeta(apexKey);
    if (!meta) throw new StoreError(`replace of an unknown zone (apex key "${apexKey.toString('latin1')}")`);
    const ownerId = this.store.provenance.idOf(source);
    for (const rr of records) assertInZone(rr.owner, apexKey, meta.origin);
    const result = this.store.env.transactionSync(() => {
      this.removeContent(meta.id);
      return this.commitBulk(apexKey, { ...meta, serial: 0, records: 0, journalUsage: { entries: 0, bytes: 0 } }, RecordTable.fromRecords(records), ownerId);
    });
    this.emit(apexKey, this.store.zoneMeta(apexKey));
    return result;
  }

  /**
   * A commit made by another thread (a zone-load worker) through this same door: tell this
   * thread's listeners, reading the metadata from a fresh snapshot.
   */
  announceExternalCommit(apexKey: Buffer): void {
    this.store.env.resetReadTxn();
    this.emit(apexKey, this.store.zoneMeta(apexKey));
  }

  /** Every node and journal entry of a zone (inside the caller's write transaction). */
  private removeContent(zoneId: number): void {
    const start = Buffer.alloc(4);
    start.writeUInt32BE(zoneId);
    const end = Buffer.alloc(4);
    end.writeUInt32BE(zoneId + 1);
    for (const key of this.store.nodesDb.getKeys({ start, end })) this.store.nodesDb.remove(key);
    deleteJournal(this.store, zoneId);
  }

  /** Updates zone metadata that is not zone content (source file stamp and the like). */
  updateMeta(apexKey: Buffer, patch: Partial<Pick<ZoneMeta, 'source' | 'serialPolicy' | 'kind'>>): void {
    const meta = this.store.zoneMeta(apexKey);
    if (!meta) throw new StoreError(`no zone with apex key "${apexKey.toString('latin1')}"`);
    this.store.env.transactionSync(() => this.store.zonesDb.put(apexKey, { ...meta, ...patch }));
  }

  commit(apexKey: Buffer, diff: ZoneDiff): CommitResult {
    const meta = this.store.zoneMeta(apexKey);
    if (!meta) throw new StoreError(`commit to an unknown zone (apex key "${apexKey.toString('latin1')}")`);
    const ownerId = this.store.provenance.idOf(diff.source);
    const bulk = meta.records === 0;
    // (the bulk path checks owners itself, without a key per record twice)
    if (!bulk) for (const rr of diff.add) assertInZone(rr.owner, apexKey, meta.origin);
    const result = this.store.env.transactionSync(() =>
      bulk ? this.commitBulk(apexKey, meta, RecordTable.fromRecords(diff.add), ownerId) : this.commitIncremental(apexKey, meta, diff, ownerId),
    );
    if (result.changed) this.emit(apexKey, this.store.zoneMeta(apexKey));
    return result;
  }

  /**
   * Adds a parsed zone (its records that are not dropped) from one source: a zone file's import.
   * An empty zone takes the bulk path straight from the table, with no object per record.
   */
  commitTable(apexKey: Buffer, source: string, table: RecordTable): CommitResult {
    const meta = this.store.zoneMeta(apexKey);
    if (!meta || meta.records !== 0) return this.commit(apexKey, { source, remove: [], add: table.toRecords() });
    const ownerId = this.store.provenance.idOf(source);
    const result = this.store.env.transactionSync(() => this.commitBulk(apexKey, meta, table, ownerId));
    if (result.changed) this.emit(apexKey, this.store.zoneMeta(apexKey));
    return result;
  }

  private emit(apexKey: Buffer, meta: ZoneMeta | undefined): void {
    this.store.refreshSnapshot();
    for (const l of this.listeners) l(apexKey, meta);
  }

  /** First content of an empty zone: every node written in one pass, no journal (AXFR only). */
  private commitBulk(apexKey: Buffer, meta: ZoneMeta, table: RecordTable, ownerId: number): CommitResult {
    if (table.liveCount === 0) return { changed: false, serial: meta.serial, added: 0, removed: 0 };
    let soa: Uint8Array | undefined;
    for (let i = 0; i < table.count; i++) {
      if (table.type[i] === RRType.SOA && table.dropped[i] === 0 && nameToKey(table.owner(i)).equals(apexKey)) soa = table.rdata(i);
    }
    if (soa === undefined) throw new StoreError(`zone ${meta.origin} has no SOA at its apex`, 'MESHDNS_ERR_NO_SOA');
    let serial = soaSerial(soa);
    if (meta.serial !== 0 && !serialLessThan(meta.serial, serial)) serial = nextSerial(meta.serial, meta.serialPolicy);
    const zonePrefix = Buffer.alloc(4);
    zonePrefix.writeUInt32BE(meta.id, 0);
    // keys arrive strictly increasing; when this zone's range is the end of the database, LMDB may
    // append (MDB_APPEND) instead of searching the tree for every node
    let last: Buffer | undefined;
    for (const k of this.store.nodesDb.getKeys({ reverse: true, limit: 1 })) last = k;
    const options = last === undefined || last.readUInt32BE(0) < meta.id ? { append: true } : {};
    // lmdb's typings omit the options form of put (lmdb-js README: "append")
    const put = this.store.nodesDb.put.bind(this.store.nodesDb) as unknown as (k: Buffer, v: Buffer, o: object) => void;
    // (inside this write transaction lmdb copies key and value at once: the reused buffers are safe)
    const built = bulkBuild(apexKey, table, ownerId, withSerial(soa, serial), zonePrefix, (key, value) => put(key, value, options));
    this.store.zonesDb.put(apexKey, {
      ...meta, serial, generation: meta.generation + 1, lastChange: new Date().toISOString(), records: built.records,
    });
    return { changed: true, serial, added: built.records, removed: 0 };
  }

  private commitIncremental(apexKey: Buffer, meta: ZoneMeta, diff: ZoneDiff, ownerId: number): CommitResult {
    const ws = new WorkingSet(this.store, meta.id);
    const removed: JournalRR[] = [];
    const added: JournalRR[] = [];
    const apexEntry = ws.load(apexKey);
    const oldSoaSet = findRRset(apexEntry.node, RRType.SOA);
    const oldSoa = oldSoaSet?.rrs[0]?.rdata;
    if (!oldSoaSet || !oldSoa) throw new StoreError(`zone ${meta.origin} has no SOA`, 'MESHDNS_ERR_NO_SOA');
    let newSoa: Uint8Array | undefined;
    let newSoaTtl = oldSoaSet.ttl;

    const isProtectedAtApex = (key: Buffer, type: number) => key.equals(apexKey) && (type === RRType.SOA || type === RRType.NS);
    for (const name of diff.removeNames ?? []) {
      const key = nameToKey(name);
      const entry = ws.load(key);
      entry.node.rrsets = entry.node.rrsets.filter((set) => {
        if (isProtectedAtApex(key, set.type)) return true;
        for (const rr of set.rrs) removed.push([keyToName(key), set.type, set.ttl, rr.rdata]);
        entry.dirty = true;
        return false;
      });
    }
    for (const { owner, type } of diff.removeRRsets ?? []) {
      const key = nameToKey(owner);
      if (isProtectedAtApex(key, type)) continue; // RFC 2136 §3.4.2.3: SOA/NS RRsets at the apex stay
      const entry = ws.load(key);
      const set = findRRset(entry.node, type);
      if (!set) continue;
      for (const rr of set.rrs) removed.push([keyToName(key), type, set.ttl, rr.rdata]);
      entry.node.rrsets = entry.node.rrsets.filter((s) => s !== set);
      entry.dirty = true;
    }
    // RFC 2136 §2.5.4 deletes an RR whatever its owners; a source's own remove only withdraws its claim
    for (const rr of diff.removeAny ?? []) this.removeRR(ws, rr, undefined, removed);
    for (const rr of diff.remove) this.removeRR(ws, rr, ownerId, removed);
    for (const rr of diff.add) {
      if (rr.type === RRType.SOA) {
        newSoa = rr.rdata;
        newSoaTtl = rr.ttl;
        continue;
      }
      this.addRR(ws.load(nameToKey(rr.owner)), rr, ownerId, removed, added);
    }

    const soaContentChanged =
      newSoa !== undefined && (newSoaTtl !== oldSoaSet.ttl || !rdataEqual(RRType.SOA, withSerial(newSoa, 0), withSerial(oldSoa, 0)));
    const soaSerialRaised = newSoa !== undefined && serialLessThan(soaSerial(oldSoa), soaSerial(newSoa));
    if (removed.length === 0 && added.length === 0 && !soaContentChanged && !soaSerialRaised) {
      return { changed: false, serial: meta.serial, added: 0, removed: 0 };
    }
    const base = newSoa ?? oldSoa;
    const serial = soaSerialRaised ? soaSerial(newSoa!) : nextSerial(soaSerial(oldSoa), meta.serialPolicy);
    const finalSoa = withSerial(base, serial);
    oldSoaSet.rrs = [{ rdata: finalSoa, owners: oldSoaSet.rrs[0]!.owners }];
    oldSoaSet.ttl = newSoaTtl;
    apexEntry.dirty = true;

    this.fixStructure(ws, apexKey);
    this.writeBack(ws, meta.id);
    const apexName = keyToName(apexKey);
    const journalUsage = appendJournal(this.store, meta, {
      from: soaSerial(oldSoa),
      to: serial,
      removed: [[apexName, RRType.SOA, oldSoaSet.ttl, oldSoa], ...removed],
      added: [[apexName, RRType.SOA, newSoaTtl, finalSoa], ...added],
    }, this.journalLimits(meta.origin.toLowerCase()));
    this.store.zonesDb.put(apexKey, {
      ...meta,
      serial,
      generation: meta.generation + 1,
      lastChange: new Date().toISOString(),
      records: meta.records + added.length - removed.length,
      journalSeq: meta.journalSeq + 1,
      journalUsage,
    });
    return { changed: true, serial, added: added.length, removed: removed.length };
  }

  /** Removes one RR, or only `ownerId`'s claim on it when an owner is given (gone when none is left). */
  private removeRR(ws: WorkingSet, rr: DiffRR, ownerId: number | undefined, removed: JournalRR[]): void {
    if (rr.type === RRType.SOA) return; // the SOA is replaced, never removed
    const entry = ws.load(nameToKey(rr.owner));
    const set = findRRset(entry.node, rr.type);
    const idx = set ? set.rrs.findIndex((x) => rdataEqual(rr.type, x.rdata, rr.rdata)) : -1;
    if (!set || idx < 0) return;
    const stored = set.rrs[idx]!;
    if (ownerId !== undefined) {
      if (!stored.owners.includes(ownerId)) return; // a source only removes what it owns
      stored.owners = stored.owners.filter((o) => o !== ownerId);
      entry.dirty = true;
      if (stored.owners.length > 0) return;
    }
    set.rrs.splice(idx, 1);
    removed.push([rr.owner, rr.type, set.ttl, stored.rdata]);
    if (set.rrs.length === 0) entry.node.rrsets = entry.node.rrsets.filter((s) => s !== set);
    entry.dirty = true;
  }

  private addRR(entry: WorkingEntry, rr: DiffRR, ownerId: number, removed: JournalRR[], added: JournalRR[]): void {
    let set = findRRset(entry.node, rr.type);
    if (!set) {
      set = { type: rr.type, ttl: rr.ttl, rrs: [] };
      // RRsets stay in type order, as the bulk path writes them: ANY answers with the first (RFC
      // 8482 §4.1), which must not depend on how the records arrived
      const sets = entry.node.rrsets;
      let at = sets.length;
      while (at > 0 && sets[at - 1]!.type > rr.type) at--;
      sets.splice(at, 0, set);
    } else if (set.ttl !== rr.ttl) {
      // one TTL per RRset (RFC 2181 §5.2): the newest wins; IXFR sees the RRset re-added
      for (const x of set.rrs) {
        removed.push([rr.owner, rr.type, set.ttl, x.rdata]);
        added.push([rr.owner, rr.type, rr.ttl, x.rdata]);
      }
      set.ttl = rr.ttl;
      entry.dirty = true;
    }
    const existing = set.rrs.find((x) => rdataEqual(rr.type, x.rdata, rr.rdata));
    if (existing) {
      if (!existing.owners.includes(ownerId)) {
        existing.owners = [...existing.owners, ownerId];
        entry.dirty = true;
      }
      return;
    }
    set.rrs.push({ rdata: rr.rdata, owners: [ownerId] });
    added.push([rr.owner, rr.type, rr.ttl, rr.rdata]);
    entry.dirty = true;
  }

  /** Empty non-terminals in, childless empty nodes out, flags recomputed (incl. below moved cuts). */
  private fixStructure(ws: WorkingSet, apexKey: Buffer): void {
    const apexLabels = keyLabelCount(apexKey);
    // 1. every node with data gets its ancestors up to the apex (ENTs are real nodes)
    for (const entry of [...ws.entries.values()]) {
      if (entry.node.rrsets.length === 0 || entry.existed) continue;
      let child: Uint8Array = entry.nameKey;
      for (let key = parentKey(child); key && keyLabelCount(key) >= apexLabels; key = parentKey(key)) {
        ws.noteCreated(key);
        if (ws.exists(key)) break;
        const ent = ws.load(key);
        ent.dirty = true;
        child = key;
      }
    }
    // 2. empty nodes without children go, deepest first, and may leave their parent childless
    const byDepth = new Map<number, WorkingEntry[]>();
    const consider = (e: WorkingEntry) => {
      if (e.deleted || e.node.rrsets.length > 0 || e.nameKey.equals(apexKey)) return;
      const d = keyLabelCount(e.nameKey);
      let list = byDepth.get(d);
      if (!list) byDepth.set(d, (list = []));
      list.push(e);
    };
    for (const e of ws.entries.values()) consider(e);
    const depths = [...byDepth.keys()].sort((a, b) => b - a);
    for (let d = depths[0] ?? 0; d > apexLabels; d--) {
      for (const e of byDepth.get(d) ?? []) {
        if (e.deleted || ws.hasChildren(e.nameKey)) continue;
        e.deleted = true;
        const p = parentKey(e.nameKey);
        if (p) consider(ws.load(p));
      }
    }
    // 3. wildcard parents of created or deleted `*` nodes need their flag recomputed
    for (const e of [...ws.entries.values()]) {
      if (e.existed === !e.deleted || !isWildcardKey(e.nameKey)) continue;
      const p = parentKey(e.nameKey);
      if (p) ws.load(p);
    }
    // 4. flags, parents before children (canonical order)
    const ordered = [...ws.entries.values()].filter((e) => !e.deleted).sort((a, b) => a.nameKey.compare(b.nameKey));
    const cutMoved: WorkingEntry[] = [];
    for (const e of ordered) {
      const isApex = e.nameKey.equals(apexKey);
      let flags = ownFlags(e.node, isApex);
      if (!isApex) {
        const pf = ws.flagsOf(parentKey(e.nameKey)!);
        if (pf & (NodeFlag.DELEGATION | NodeFlag.NONAUTH)) flags |= NodeFlag.NONAUTH;
      }
      if (ws.exists(Buffer.concat([e.nameKey, STAR_KEY_SUFFIX]))) flags |= NodeFlag.WILDCARD_CHILD;
      const below = NodeFlag.DELEGATION | NodeFlag.NONAUTH;
      if (e.existed && (flags & below) !== (e.oldFlags & below)) cutMoved.push(e);
      e.node.flags = flags;
    }
    // 5. a cut that appeared or went changes NONAUTH for everything below it
    for (const root of cutMoved) {
      for (const key of ws.descendantKeys(root.nameKey)) {
        const entry = ws.load(key);
        if (entry.deleted) continue;
        const pf = ws.flagsOf(parentKey(key)!);
        const nonauth = pf & (NodeFlag.DELEGATION | NodeFlag.NONAUTH) ? NodeFlag.NONAUTH : 0;
        entry.node.flags = (entry.node.flags & ~NodeFlag.NONAUTH) | nonauth;
      }
    }
  }

  private writeBack(ws: WorkingSet, zoneId: number): void {
    for (const e of ws.entries.values()) {
      const key = this.store.nodeKey(zoneId, e.nameKey);
      if (e.deleted) {
        if (e.existed) this.store.nodesDb.remove(key);
      } else if (e.dirty || e.node.flags !== e.oldFlags || !e.existed) {
        this.store.nodesDb.put(key, encodeNode(e.node));
      }
    }
  }
}

function assertInZone(owner: WireName, apexKey: Buffer, origin: string): void {
  if (!keyIsSubdomain(nameToKey(owner), apexKey)) {
    throw new StoreError(`record owner is outside zone ${origin}`, 'MESHDNS_ERR_OUT_OF_ZONE');
  }
}

function isWildcardKey(key: Buffer): boolean {
  return key.length >= 2 && key[key.length - 1] === 0 && key[key.length - 2] === 0x2a && (key.length === 2 || key[key.length - 3] === 0);
}

export type { ZoneNode };
