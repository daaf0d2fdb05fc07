import { keyToName, nameToKey, parseName } from '../zones/name.js';
import type { CatalogStore, ConsumedMember } from '../zones/store/catalog-store.js';
import type { LmdbStore } from '../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../zones/store/write-door.js';
import { interpretCatalog, type CatalogRecord, type InterpretedMember } from './interpret.js';
import { originKey } from './producer.js';

/** A catalog consumed here (config `consumers[]`). */
export interface ConsumerDefinition {
  /** Lowercase with the trailing dot. */
  zone: string;
}

export interface ConsumerConflict {
  zone: string;
  reason: string;
  at: string;
}

/** What the API and the status page show of one consumed catalog. */
export interface ConsumerState {
  zone: string;
  /** The catalog serial last interpreted, good or broken. */
  serial: number | undefined;
  lastProcessed: string | undefined;
  /** Why the catalog version last seen was not used (a broken catalog keeps the last good members). */
  lastError: string | undefined;
  conflicts: ConsumerConflict[];
}

/** What a consumer needs from the server around it. */
export interface ConsumerHooks {
  /** A zone the config serves (a zone file, a configured secondary, a produced or consumed catalog): never a member. */
  configured(origin: string): boolean;
  /** The member list of some catalog changed: secondaries to start, stop or reset. */
  membersChanged(changes: MemberChanges): void;
  log(level: 'info' | 'warn' | 'error', details: Record<string, unknown>, message: string): void;
}

export interface MemberChanges {
  catalog: string;
  added: string[];
  removed: string[];
  /** Members whose zone was reset (RFC 9432 §5.6): emptied, to be transferred again. */
  reset: string[];
  moved: string[];
}

/** The provenance of the (empty) member zones a consumer creates; transfers fill them. */
const MEMBER_SOURCE = 'catalog-member';

/**
 * Catalogs consumed here (RFC 9432 §5, Knot's `catalog-role: interpret`, BIND's catalog-zones).
 * The catalog itself is an ordinary secondary zone; after every commit of it the consumer reads it
 * again and reconciles its members: new ones become secondary zones, removed ones are deleted
 * with their data and journal, a changed unique id resets the member (§5.6), a `coo` moves it to
 * the catalog it names without a reset when that catalog lists it with the same id (§5.5).
 * Members are kept in LMDB with their catalog, so a restart serves them before any primary answers.
 */
export class CatalogConsumer {
  readonly states = new Map<string, ConsumerState>();
  private definitions = new Map<string, ConsumerDefinition>();

  constructor(
    private readonly store: LmdbStore,
    private readonly writer: ZoneWriter,
    private readonly catalogs: CatalogStore,
    private readonly hooks: ConsumerHooks,
  ) {}

  /** The configured consumers; a catalog no longer consumed keeps its members until it is again, or they are removed. */
  setConsumers(definitions: ConsumerDefinition[]): void {
    this.definitions = new Map(definitions.map((d) => [d.zone, d]));
    for (const zone of this.definitions.keys()) {
      if (!this.states.has(zone)) this.states.set(zone, { zone, serial: undefined, lastProcessed: undefined, lastError: undefined, conflicts: [] });
    }
    for (const zone of this.states.keys()) if (!this.definitions.has(zone)) this.states.delete(zone);
  }

  consumes(catalog: string): boolean {
    return this.definitions.has(catalog);
  }

  /** Members of one catalog, as kept in LMDB. */
  members(catalog: string): { zone: string; entry: ConsumedMember }[] {
    return [...this.catalogs.consumedAll()].filter(([, e]) => e.catalog === catalog).map(([zone, entry]) => ({ zone, entry }));
  }

  /** Reads the catalog zone as stored now and reconciles its members; a catalog without data is left alone. */
  process(catalog: string): void {
    const state = this.states.get(catalog);
    if (!state) return;
    const name = parseName(catalog);
    const meta = this.store.zoneMeta(nameToKey(name));
    if (!meta || meta.records === 0) return;
    const records: CatalogRecord[] = [];
    for (const { nameKey, node } of this.store.zoneNodes(meta.id)) {
      const owner = keyToName(nameKey);
      for (const set of node.rrsets) for (const rr of set.rrs) records.push({ owner, type: set.type, rdata: rr.rdata });
    }
    state.serial = meta.serial;
    state.lastProcessed = new Date().toISOString();
    const read = interpretCatalog(name, records);
    if (!read.ok) {
      state.lastError = `catalog serial ${meta.serial} is broken: ${read.reason}; the last good member list stays`;
      this.hooks.log('error', { catalog, serial: meta.serial, reason: read.reason }, 'consumed catalog is broken; its last good member list stays');
      return;
    }
    state.lastError = undefined;
    this.reconcile(catalog, read.members, state);
  }

  private reconcile(catalog: string, listed: InterpretedMember[], state: ConsumerState): void {
    const changes: MemberChanges = { catalog, added: [], removed: [], reset: [], moved: [] };
    const conflicts: ConsumerConflict[] = [];
    const at = new Date().toISOString();
    this.writer.inTransaction(() => {
      const all = this.catalogs.consumedAll();
      const listedOrigins = new Set(listed.map((m) => m.origin));
      for (const m of listed) {
        const mine = all.get(m.origin);
        const conflict = (reason: string) => {
          conflicts.push({ zone: m.origin, reason, at });
        };
        if (mine && mine.catalog === catalog) {
          if (mine.id !== m.id) {
            // RFC 9432 §5.6: a new unique id for the same zone is a reset — its data goes, a new transfer follows
            this.resetZone(m.origin);
            this.catalogs.putConsumed(m.origin, entry(catalog, m, at));
            changes.reset.push(m.origin);
          } else if (mine.group !== m.group) {
            this.catalogs.putConsumed(m.origin, { ...entry(catalog, m, mine.since) });
            changes.moved.push(m.origin);
          }
          continue;
        }
        if (mine) {
          // another catalog of ours holds it: only a coo there pointing here moves it (§5.5)
          if (this.cooOf(mine.catalog, m.origin) === catalog) {
            if (mine.id !== m.id) {
              this.resetZone(m.origin);
              changes.reset.push(m.origin);
            }
            this.catalogs.putConsumed(m.origin, entry(catalog, m, mine.id === m.id ? mine.since : at));
            changes.moved.push(m.origin);
          } else {
            conflict(`already a member of catalog ${mine.catalog}`);
          }
          continue;
        }
        if (this.hooks.configured(m.origin)) {
          conflict('the config serves this zone already (a zone file, a configured secondary or a catalog)');
          continue;
        }
        const meta = this.store.zoneMeta(nameToKey(m.name));
        if (meta) {
          conflict(`a ${meta.kind} zone of that name exists here already (not from a catalog)`);
          continue;
        }
        if (this.definitions.has(m.origin) || this.catalogs.producer(m.origin)) {
          conflict('is a catalog zone of this server');
          continue;
        }
        this.writer.create(m.name, { originText: m.origin, kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' }, MEMBER_SOURCE).commit();
        this.catalogs.putConsumed(m.origin, entry(catalog, m, at));
        changes.added.push(m.origin);
      }
      for (const [origin, e] of all) {
        if (e.catalog !== catalog || listedOrigins.has(origin)) continue;
        // moved away by a coo: the new catalog takes it when it lists it; until then it stays
        const coo = listed.length >= 0 ? this.cooOf(catalog, origin) : undefined;
        if (coo !== undefined && this.definitions.has(coo)) continue;
        this.writer.begin(parseName(origin), MEMBER_SOURCE).deleteZone().commit();
        this.catalogs.deleteConsumed(origin);
        changes.removed.push(origin);
      }
    });
    state.conflicts = conflicts;
    for (const c of conflicts) this.hooks.log('warn', { catalog, member: c.zone, reason: c.reason }, 'catalog member refused');
    if (changes.added.length + changes.removed.length + changes.reset.length + changes.moved.length > 0) {
      this.hooks.log('info', { catalog, added: changes.added, removed: changes.removed, reset: changes.reset, moved: changes.moved }, 'catalog members reconciled');
    }
    this.hooks.membersChanged(changes);
  }

  /** The coo property a catalog (as stored here) gives a member, if any. */
  private cooOf(catalog: string, member: string): string | undefined {
    const name = parseName(catalog);
    const meta = this.store.zoneMeta(nameToKey(name));
    if (!meta) return undefined;
    const records: CatalogRecord[] = [];
    for (const { nameKey, node } of this.store.zoneNodes(meta.id)) {
      const owner = keyToName(nameKey);
      for (const set of node.rrsets) for (const rr of set.rrs) records.push({ owner, type: set.type, rdata: rr.rdata });
    }
    const read = interpretCatalog(name, records);
    return read.ok ? read.members.find((m) => m.origin === member)?.coo : undefined;
  }

  /** The member's data and journal go; it is created again empty, to be transferred anew. */
  private resetZone(origin: string): void {
    const name = parseName(origin);
    this.writer.begin(name, MEMBER_SOURCE).deleteZone().commit();
    this.writer.create(name, { originText: origin, kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' }, MEMBER_SOURCE).commit();
  }
}

function entry(catalog: string, m: InterpretedMember, since: string): ConsumedMember {
  const e: ConsumedMember = { catalog, id: m.id, since };
  if (m.group !== undefined) e.group = m.group;
  return e;
}

export { originKey };
