import type { DiffRR } from '../zones/diff.js';
import { nameToKey, parseName } from '../zones/name.js';
import type { CommitContext } from '../zones/store/commit-context.js';
import type { CatalogStore, ProducedMember } from '../zones/store/catalog-store.js';
import type { LmdbStore } from '../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../zones/store/write-door.js';
import { memberId } from './member-id.js';
import { catalogApexRecords, memberRecords, type CatalogMember } from './records.js';

/** The provenance of every record of a catalog produced here. */
export const CATALOG_SOURCE = 'catalog';

/** A membership as it should be: in which catalog, with which properties. */
interface Wanted {
  catalog: string;
  group?: string;
  coo?: string;
}

/** What a reconcile changed, per catalog. */
export interface ProducerReport {
  catalog: string;
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * Catalogs produced here (RFC 9432, Knot's `catalog-role: generate`). A catalog is a primary zone
 * in LMDB whose records belong to the source `catalog`. The write door's `catalog` stage keeps it
 * current: a primary zone created joins its catalog, a zone deleted leaves it — in the commit that
 * creates or deletes the zone, so the catalog's serial, journal entry (IXFR) and NOTIFY follow
 * like any zone's. `reconcile` makes every catalog match the zones and the config as a whole
 * (at start, after a reload, after an API hand-over).
 */
export class CatalogProducer {
  constructor(private readonly store: LmdbStore, private readonly writer: ZoneWriter, private readonly catalogs: CatalogStore) {}

  /** Registers the stage; every write door that may create or delete zones needs it (the loader's too). */
  attach(): void {
    this.writer.registerStage('catalog', (ctx) => this.stage(ctx));
  }

  /** Inside the commit of another zone: its creation or deletion changes its catalogs. */
  private stage(ctx: CommitContext): void {
    const member = originKey(ctx.before.origin);
    if (ctx.mode === 'delete') {
      for (const entry of this.catalogs.producedOf(member)) this.write(entry.catalog, [entry], [], member);
      return;
    }
    if (!ctx.created || ctx.next.kind !== 'primary' || this.catalogs.producer(member)) return;
    const wanted = this.wanted(member);
    if (wanted.length > 0) for (const w of wanted) this.write(w.catalog, [], [w], member);
  }

  /** The memberships a primary zone should have: its catalog, and the one it is handed to. */
  private wanted(member: string): Wanted[] {
    if (this.catalogs.producer(member)) return [];
    const assignment = this.catalogs.assignment(member);
    let catalog = assignment?.catalog;
    if (catalog === undefined) {
      for (const [name, p] of this.catalogs.producers()) {
        if (p.members === 'primary') {
          catalog = name;
          break;
        }
      }
    }
    const out: Wanted[] = [];
    if (catalog !== undefined && this.catalogs.producer(catalog)) {
      const w: Wanted = { catalog };
      if (assignment?.group !== undefined) w.group = assignment.group;
      if (assignment?.coo !== undefined && assignment.coo !== catalog) w.coo = assignment.coo;
      out.push(w);
    }
    // RFC 9432 §5.5: the new owner lists the zone too (same id: consumers move it without a reset)
    const coo = assignment?.coo;
    if (coo !== undefined && coo !== catalog && this.catalogs.producer(coo)) {
      const w: Wanted = { catalog: coo };
      if (assignment?.group !== undefined) w.group = assignment.group;
      out.push(w);
    }
    return out;
  }

  /**
   * Every produced catalog made to match the zones and the config: catalog zones created (or
   * deleted when no longer configured), members added, removed or given new properties — one
   * transaction for all of it.
   */
  reconcile(): ProducerReport[] {
    return this.writer.inTransaction(() => {
      const producers = this.catalogs.producers();
      const reports = new Map<string, ProducerReport>();
      const report = (catalog: string) => {
        let r = reports.get(catalog);
        if (!r) reports.set(catalog, (r = { catalog, added: [], removed: [], changed: [] }));
        return r;
      };
      for (const catalog of producers.keys()) this.ensureCatalogZone(catalog);
      const current = new Map<string, ProducedMember[]>();
      for (const { member, entry } of this.catalogs.produced()) {
        const list = current.get(member) ?? [];
        list.push(entry);
        current.set(member, list);
      }
      const members = new Set<string>(current.keys());
      for (const { meta } of this.store.allZones()) if (meta.kind === 'primary') members.add(originKey(meta.origin));
      const byCatalog = new Map<string, { remove: ProducedMember[]; add: Wanted[]; members: string[] }[]>();
      const changes = (catalog: string) => {
        let list = byCatalog.get(catalog);
        if (!list) byCatalog.set(catalog, (list = []));
        return list;
      };
      for (const member of members) {
        const meta = this.store.zoneMeta(nameToKey(parseName(member)));
        const wanted = meta && meta.kind === 'primary' ? this.wanted(member) : [];
        const have = current.get(member) ?? [];
        for (const entry of have) {
          const w = wanted.find((x) => x.catalog === entry.catalog);
          if (!w) {
            changes(entry.catalog).push({ remove: [entry], add: [], members: [member] });
            report(entry.catalog).removed.push(member);
          } else if (w.group !== entry.group || w.coo !== entry.coo) {
            changes(entry.catalog).push({ remove: [entry], add: [w], members: [member] });
            report(entry.catalog).changed.push(member);
          }
        }
        for (const w of wanted) {
          if (have.some((e) => e.catalog === w.catalog)) continue;
          changes(w.catalog).push({ remove: [], add: [w], members: [member] });
          report(w.catalog).added.push(member);
        }
      }
      for (const [catalog, list] of byCatalog) {
        if (!producers.has(catalog)) {
          // a catalog no longer produced here: its members' entries go with its zone
          for (const c of list) for (const e of c.remove) this.catalogs.deleteProduced(c.members[0]!, e.catalog);
          continue;
        }
        this.writeMany(catalog, list);
      }
      for (const { meta } of this.store.allZones()) {
        const origin = originKey(meta.origin);
        if (meta.kind === 'primary' && !producers.has(origin) && this.isGeneratedCatalog(meta.id)) {
          this.writer.begin(parseName(origin), CATALOG_SOURCE, 'primary').deleteZone().commit();
        }
      }
      return [...reports.values()];
    });
  }

  /** A catalog zone with its apex records; created empty of members when missing. */
  private ensureCatalogZone(catalog: string): void {
    const name = parseName(catalog);
    const meta = this.store.zoneMeta(nameToKey(name));
    if (meta && meta.records > 0) return;
    const serial = Math.floor(Date.now() / 1000) >>> 0;
    const update = this.writer.create(name, { originText: catalog, kind: 'primary', serialPolicy: 'unixtime', ifExists: 'reuse' }, CATALOG_SOURCE);
    for (const rr of catalogApexRecords(name, serial)) update.add(rr);
    update.commit();
  }

  /** Whether a zone holds only what this producer writes (so removing its producer may delete it). */
  private isGeneratedCatalog(zoneId: number): boolean {
    const sources = this.store.zoneSources(zoneId);
    return sources.length > 0 && sources.every((s) => s === CATALOG_SOURCE);
  }

  private write(catalog: string, remove: ProducedMember[], add: Wanted[], member: string): void {
    this.writeMany(catalog, [{ remove, add, members: [member] }]);
  }

  /** One commit of the catalog zone (inside the open transaction) and its member entries. */
  private writeMany(catalog: string, changes: { remove: ProducedMember[]; add: Wanted[]; members: string[] }[]): void {
    this.ensureCatalogZone(catalog);
    const catalogName = parseName(catalog);
    const removed: DiffRR[] = [];
    const added: DiffRR[] = [];
    for (const { remove, add, members } of changes) {
      const member = members[0]!;
      for (const entry of remove) {
        removed.push(...memberRecords(catalogName, asMember(member, entry)));
        this.catalogs.deleteProduced(member, entry.catalog);
      }
      for (const w of add) {
        const entry: ProducedMember = { catalog, id: memberId(parseName(member)) };
        if (w.group !== undefined) entry.group = w.group;
        if (w.coo !== undefined) entry.coo = w.coo;
        added.push(...memberRecords(catalogName, asMember(member, entry)));
        this.catalogs.putProduced(member, entry);
      }
    }
    const key = (rr: DiffRR) => `${Buffer.from(rr.owner).toString('hex')}/${rr.type}/${Buffer.from(rr.rdata).toString('hex')}`;
    const stays = new Set(added.map(key));
    const update = this.writer.begin(catalogName, CATALOG_SOURCE, 'primary');
    for (const rr of removed) if (!stays.has(key(rr))) update.remove(rr);
    for (const rr of added) update.add(rr);
    update.commit();
  }
}

function asMember(member: string, entry: ProducedMember): CatalogMember {
  const m: CatalogMember = { name: parseName(member), id: entry.id };
  if (entry.group !== undefined) m.group = entry.group;
  if (entry.coo !== undefined) m.coo = parseName(entry.coo);
  return m;
}

/** Lowercase with the trailing dot: how the catalog store keys zones. */
export function originKey(origin: string): string {
  return (origin.endsWith('.') ? origin : `${origin}.`).toLowerCase();
}
