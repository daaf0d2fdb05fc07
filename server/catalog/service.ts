import type { Logger } from 'pino';
import { CatalogConsumer, type ConsumerState, type MemberChanges } from '../../catalog/consumer.js';
import { CatalogProducer, originKey } from '../../catalog/producer.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { CatalogStore, type MemberAssignment } from '../../zones/store/catalog-store.js';
import type { LmdbStore, ZoneMeta } from '../../zones/store/lmdb-store.js';
import type { CommitResult, ZoneWriter } from '../../zones/store/write-door.js';
import { NO_CATALOGS, templateFor, type CatalogConfig, type MemberTemplate } from '../config-catalog.js';
import type { NotifyTarget, PrimaryTarget, ReplicationConfig } from '../config-replication.js';
import type { SecondaryZones } from '../xfr/secondary.js';
import type { CatalogControl, CatalogsView } from './control.js';
import type { ZoneTable } from '../zone-table.js';

export interface CatalogServiceOptions {
  store: LmdbStore;
  writer: ZoneWriter;
  table: ZoneTable;
  secondaries: SecondaryZones;
  log: Logger;
  /** Zones the config or the zone folder serves (never taken as catalog members). */
  configuredZones: () => Iterable<string>;
  /** The last transfer error of a secondary zone (the catalog's). */
  transferState: (origin: string) => Record<string, unknown> | null;
}

/**
 * Catalog zones in the running server: the producer's stage on the write door, the consumer
 * interpreting every new version of a consumed catalog, the member zones handed to the secondary
 * machinery with their template's primaries, ACL and notify targets, and the catalogs answered
 * only to the clients allowed to transfer them.
 */
export class CatalogService implements CatalogControl {
  readonly catalogs: CatalogStore;
  readonly producer: CatalogProducer;
  readonly consumer: CatalogConsumer;
  /** Per consumed catalog since start: versions read, members refused (metrics). */
  private readonly counts = new Map<string, { processed: number; conflicts: number }>();
  private readonly lastConflicts = new Map<string, string[]>();
  private config: CatalogConfig = NO_CATALOGS;
  private readonly pending = new Set<string>();
  private scheduled = false;

  constructor(private readonly o: CatalogServiceOptions) {
    this.catalogs = new CatalogStore(o.store);
    this.producer = new CatalogProducer(o.store, o.writer, this.catalogs);
    this.producer.attach();
    this.consumer = new CatalogConsumer(o.store, o.writer, this.catalogs, {
      configured: (origin) => this.isConfigured(origin),
      membersChanged: (changes) => this.membersChanged(changes),
      log: (level, details, message) => o.log[level](details, message),
    });
    o.secondaries.extraSecondaries = () => this.memberPrimaries();
    o.writer.onCommit((apexKey, meta, result) => this.committed(apexKey, meta, result));
  }

  /** The hooks a replication config needs for member zones (set on every config, the reloaded ones too). */
  withMembers(replication: ReplicationConfig): ReplicationConfig {
    replication.memberAcl = (origin) => this.template(origin)?.acl;
    replication.memberNotify = (origin): NotifyTarget[] | undefined => this.template(origin)?.notify;
    return replication;
  }

  /**
   * Takes a config (start, reload): producers and assignments into LMDB, every produced catalog
   * reconciled, consumers started (their catalogs are configured secondaries) and interpreted
   * from what LMDB holds, members of consumers no longer configured deleted.
   */
  apply(config: CatalogConfig): void {
    this.config = config;
    const assignments = new Map<string, MemberAssignment>(config.assignments);
    this.catalogs.replaceConfig(new Map(config.producers), assignments);
    for (const r of this.producer.reconcile()) {
      if (r.added.length + r.removed.length + r.changed.length > 0) this.o.log.info({ catalog: r.catalog, added: r.added, removed: r.removed, changed: r.changed }, 'catalog reconciled');
    }
    this.consumer.setConsumers([...config.consumers.keys()].map((zone) => ({ zone })));
    this.dropOrphanMembers();
    this.o.table.setRestricted([...config.producers.keys(), ...config.consumers.keys()].map((z) => nameToKey(parseName(z))));
    for (const zone of config.consumers.keys()) this.consumer.process(zone);
    this.o.secondaries.sync();
  }

  /** Hands a zone to another catalog (RFC 9432 §4.4.1 coo): its catalog writes the coo, a catalog produced here lists it too. */
  handOver(origin: string, to: string | null): void {
    const member = originKey(origin);
    const current = this.catalogs.assignment(member) ?? {};
    const next: MemberAssignment = { ...current };
    if (to === null) delete next.coo;
    else next.coo = originKey(to);
    this.o.writer.inTransaction(() => this.catalogs.putAssignment(member, next));
    this.producer.reconcile();
  }

  view(): CatalogsView {
    const produced = [...this.config.producers.keys()].map((zone) => ({
      zone,
      serial: this.o.store.zoneMeta(nameToKey(parseName(zone)))?.serial ?? null,
      members: this.catalogs.produced().filter((p) => p.entry.catalog === zone).map((p) => ({
        zone: p.member, id: p.entry.id, ...(p.entry.group !== undefined ? { group: p.entry.group } : {}), ...(p.entry.coo !== undefined ? { coo: p.entry.coo } : {}),
      })),
    }));
    const consumed = [...this.config.consumers.keys()].map((zone) => {
      const state: ConsumerState | undefined = this.consumer.states.get(zone);
      const transfer = this.o.transferState(zone);
      const meta = this.o.store.zoneMeta(nameToKey(parseName(zone)));
      const transferError = typeof transfer?.['lastError'] === 'string' ? transfer['lastError'] : undefined;
      return {
        zone,
        serial: meta && meta.records > 0 ? meta.serial : null,
        lastTransfer: meta && meta.records > 0 ? meta.lastChange : null,
        lastProcessed: state?.lastProcessed ?? null,
        lastError: state?.lastError ?? transferError ?? null,
        members: this.consumer.members(zone).map(({ zone: z, entry }) => ({ zone: z, id: entry.id, ...(entry.group !== undefined ? { group: entry.group } : {}), since: entry.since })),
        conflicts: state?.conflicts ?? [],
      };
    });
    return { produced, consumed };
  }

  /** Which catalog a zone came from or is listed in (the zone API and status page). */
  catalogOf(origin: string): { producedIn: string[]; consumedFrom: string | undefined } {
    const member = originKey(origin);
    return { producedIn: this.catalogs.producedOf(member).map((p) => p.catalog), consumedFrom: this.catalogs.consumed(member)?.catalog };
  }

  /** Members per catalog and role (a metric). */
  memberCounts(): { catalog: string; role: 'producer' | 'consumer'; members: number }[] {
    const produced = new Map<string, number>();
    for (const p of this.catalogs.produced()) produced.set(p.entry.catalog, (produced.get(p.entry.catalog) ?? 0) + 1);
    const consumed = new Map<string, number>();
    for (const e of this.catalogs.consumedAll().values()) consumed.set(e.catalog, (consumed.get(e.catalog) ?? 0) + 1);
    return [
      ...[...this.config.producers.keys()].map((catalog) => ({ catalog, role: 'producer' as const, members: produced.get(catalog) ?? 0 })),
      ...[...this.config.consumers.keys()].map((catalog) => ({ catalog, role: 'consumer' as const, members: consumed.get(catalog) ?? 0 })),
    ];
  }

  roleOf(origin: string): 'produced' | 'consumed' | undefined {
    const key = originKey(origin);
    return this.config.producers.has(key) ? 'produced' : this.config.consumers.has(key) ? 'consumed' : undefined;
  }

  isCatalog(origin: string): boolean {
    const key = originKey(origin);
    return this.config.producers.has(key) || this.config.consumers.has(key);
  }

  /** After every commit: a new version of a consumed catalog is read again (coalesced, after the commit's listeners). */
  private committed(_apexKey: Buffer, meta: ZoneMeta | undefined, result: CommitResult): void {
    // another process (the zone loader) may have changed a catalog in the commit of a member
    if (result.external) this.announceProducedChanges();
    if (!meta || !result.changed) return;
    const origin = originKey(meta.origin);
    if (!this.config.consumers.has(origin)) return;
    this.processSoon(origin);
  }

  /** Reads a consumed catalog again after the current commit's listeners (several requests, one read). */
  private processSoon(catalog: string): void {
    this.pending.add(catalog);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const zones = [...this.pending];
      this.pending.clear();
      for (const zone of zones) this.processSafely(zone);
    });
  }

  private announceProducedChanges(): void {
    for (const zone of this.config.producers.keys()) {
      const apexKey = nameToKey(parseName(zone));
      const meta = this.o.store.zoneMeta(apexKey);
      const served = this.o.table.byApexKey(apexKey);
      if (meta && (!served || served.serial !== meta.serial)) {
        this.o.writer.announceExternalCommit(apexKey, { changed: true, serial: meta.serial, added: 0, removed: 0, created: !served, deleted: false, changeset: undefined });
      }
    }
  }

  private processSafely(zone: string): void {
    try {
      this.consumer.process(zone);
    } catch (err) {
      const state = this.consumer.states.get(zone);
      if (state) state.lastError = `reconciling the members failed: ${(err as Error).message}`;
      this.o.log.error({ catalog: zone, reason: (err as Error).message }, 'catalog members could not be reconciled; the last member list stays');
    }
  }

  consumerCounts(): { catalog: string; processed: number; conflicts: number }[] {
    return [...this.config.consumers.keys()].map((catalog) => ({ catalog, ...(this.counts.get(catalog) ?? { processed: 0, conflicts: 0 }) }));
  }

  private membersChanged(changes: MemberChanges): void {
    const state = this.consumer.states.get(changes.catalog);
    const counts = this.counts.get(changes.catalog) ?? { processed: 0, conflicts: 0 };
    counts.processed++;
    // a refusal counts once: the same member refused again by the next version is not a new one
    const before = new Set(this.lastConflicts.get(changes.catalog) ?? []);
    const now = state?.conflicts.map((c) => c.zone) ?? [];
    counts.conflicts += now.filter((z) => !before.has(z)).length;
    this.lastConflicts.set(changes.catalog, now);
    this.counts.set(changes.catalog, counts);
    this.o.secondaries.sync();
    for (const origin of changes.reset) this.o.secondaries.notified(origin);
    // a member another catalog refused while this one held it may be free now
    if (changes.removed.length > 0) {
      for (const [zone, s] of this.consumer.states) {
        if (zone !== changes.catalog && s.conflicts.some((c) => changes.removed.includes(c.zone))) this.processSoon(zone);
      }
    }
  }

  /** Members of catalogs no longer consumed go, as Knot purges the members of a removed catalog. */
  private dropOrphanMembers(): void {
    const orphans = [...this.catalogs.consumedAll()].filter(([, e]) => !this.config.consumers.has(e.catalog));
    if (orphans.length === 0) return;
    this.o.writer.inTransaction(() => {
      for (const [origin] of orphans) {
        this.o.writer.begin(parseName(origin), 'catalog-member').deleteZone().commit();
        this.catalogs.deleteConsumed(origin);
      }
    });
    this.o.log.info({ zones: orphans.map(([z]) => z) }, 'member zones of catalogs no longer consumed deleted');
  }

  private template(origin: string): MemberTemplate | undefined {
    const entry = this.catalogs.consumed(origin);
    if (!entry) return undefined;
    const consumer = this.config.consumers.get(entry.catalog);
    return consumer ? templateFor(consumer, entry.group) : undefined;
  }

  private memberPrimaries(): Map<string, PrimaryTarget[]> {
    const out = new Map<string, PrimaryTarget[]>();
    for (const [origin, entry] of this.catalogs.consumedAll()) {
      const consumer = this.config.consumers.get(entry.catalog);
      if (consumer) out.set(origin, templateFor(consumer, entry.group).primaries);
    }
    return out;
  }

  private isConfigured(origin: string): boolean {
    if (this.config.producers.has(origin) || this.config.consumers.has(origin)) return true;
    for (const z of this.o.configuredZones()) if (originKey(z) === origin) return true;
    return false;
  }
}
