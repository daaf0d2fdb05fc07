import type { Logger } from 'pino';
import { nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaTimers } from '../../zones/soa.js';
import type { ZoneWriter } from '../../zones/store/commit.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { NotifyTarget, ReplicationConfig } from '../config-replication.js';
import type { ZoneTable } from '../query/zone-table.js';
import { fetchAxfr, fetchIxfr, querySerial, type Primary } from './xfr-in.js';
import { ControlCounters } from '../metrics/counters.js';

interface SecondaryZone {
  origin: string;
  name: WireName;
  apexKey: Buffer;
  primaries: NotifyTarget[];
  timer: NodeJS.Timeout | undefined;
  /** Epoch ms of the last successful check with a primary (the expire clock, RFC 1034 §4.3.5). */
  lastSuccess: number;
  running: boolean;
  again: boolean;
  /** The next refresh asks for the whole zone (admin API retransfer). */
  forceFull: boolean;
  lastError: string | undefined;
  nextCheck: number;
}

/** When a zone has no SOA timers yet (never transferred): retry every minute. */
const FIRST_RETRY_MS = 60_000;

/**
 * Secondary zones: the first AXFR, then refresh / retry / expire from the SOA timers (RFC 1034
 * §4.3.5), a refresh at once on NOTIFY (RFC 1996), primaries tried in order. A transfer that fails
 * or does not add up keeps the old version. The data lives in LMDB, so a restart serves it at once.
 */
export class SecondaryZones {
  private readonly zones = new Map<string, SecondaryZone>();

  constructor(
    private readonly store: LmdbStore,
    private readonly writer: ZoneWriter,
    private readonly table: ZoneTable,
    private readonly config: () => ReplicationConfig,
    private readonly log: Logger,
    private readonly counters: ControlCounters,
  ) {}

  /** Takes the configured secondaries: new ones start, removed ones stop (their data stays). */
  sync(): void {
    const wanted = this.config().secondaries;
    for (const [origin, zone] of this.zones) {
      if (!wanted.has(origin)) {
        clearTimeout(zone.timer);
        this.zones.delete(origin);
      }
    }
    for (const [origin, primaries] of wanted) {
      const existing = this.zones.get(origin);
      if (existing) {
        existing.primaries = primaries;
        continue;
      }
      const name = parseName(origin);
      const apexKey = nameToKey(name);
      const meta = this.store.zoneMeta(apexKey) ?? this.writer.createZone(name, origin, 'secondary', 'increment');
      if (meta.kind !== 'secondary') {
        this.log.error({ zone: origin }, 'zone is configured with primaries but holds primary data; not made a secondary');
        continue;
      }
      const lastSuccess = Date.parse(meta.lastChange) || Date.now();
      const zone: SecondaryZone = {
        origin, name, apexKey, primaries, timer: undefined, lastSuccess, running: false, again: false,
        forceFull: false, lastError: undefined, nextCheck: Date.now(),
      };
      this.zones.set(origin, zone);
      this.schedule(zone, 0);
    }
  }

  isSecondary(origin: string): boolean {
    return this.zones.has(origin.toLowerCase());
  }

  /** RFC 1996 §3.11: a NOTIFY makes the secondary check its primaries now. */
  notified(origin: string): void {
    const zone = this.zones.get(origin.toLowerCase());
    if (zone) this.schedule(zone, 0);
  }

  /** A full transfer now, whatever the serials say (admin API `retransfer`). */
  retransfer(origin: string): void {
    const zone = this.zones.get(origin.toLowerCase());
    if (!zone) return;
    zone.forceFull = true;
    this.schedule(zone, 0);
  }

  /** What the admin API shows as the zone's transfer state. */
  state(origin: string): Record<string, unknown> | null {
    const zone = this.zones.get(origin.toLowerCase());
    if (!zone) return null;
    return {
      primaries: zone.primaries.map((p) => `${p.host}:${p.port}`),
      lastSuccess: new Date(zone.lastSuccess).toISOString(),
      nextCheck: new Date(zone.nextCheck).toISOString(),
      lastError: zone.lastError ?? null,
      expired: this.table.byApexKey(zone.apexKey)?.expired === true,
    };
  }

  close(): void {
    for (const zone of this.zones.values()) clearTimeout(zone.timer);
    this.zones.clear();
  }

  private schedule(zone: SecondaryZone, ms: number): void {
    clearTimeout(zone.timer);
    zone.nextCheck = Date.now() + ms;
    zone.timer = setTimeout(() => void this.refresh(zone), ms);
    zone.timer.unref();
  }

  private async refresh(zone: SecondaryZone): Promise<void> {
    if (zone.running) {
      zone.again = true;
      return;
    }
    zone.running = true;
    try {
      const ok = await this.tryPrimaries(zone);
      const timers = this.timers(zone);
      if (ok) zone.lastSuccess = Date.now();
      this.checkExpiry(zone, timers?.expire);
      this.schedule(zone, 1000 * (ok ? timers?.refresh ?? 3600 : timers?.retry ?? FIRST_RETRY_MS / 1000));
    } finally {
      zone.running = false;
      if (zone.again) {
        zone.again = false;
        this.schedule(zone, 0);
      }
    }
  }

  /** True when some primary answered (with a transfer or with "no change"). */
  private async tryPrimaries(zone: SecondaryZone): Promise<boolean> {
    const config = this.config();
    for (const target of zone.primaries) {
      const primary: Primary = { host: target.host, port: target.port, key: target.key ? config.keyring.byText(target.key) : undefined };
      const where = `${target.host}:${target.port}`;
      try {
        const theirs = await querySerial(primary, zone.name, config.keyring);
        const meta = this.store.zoneMeta(zone.apexKey);
        const full = zone.forceFull;
        zone.forceFull = false;
        if (!full && meta && meta.records > 0 && !serialLessThan(meta.serial, theirs)) return true;
        if (!full && meta && meta.records > 0 && (await this.incremental(zone, primary, where, meta.serial))) return true;
        const records = await fetchAxfr(primary, zone.name, config.keyring);
        const result = this.writer.replaceContent(zone.apexKey, records, `xfr:${where}`);
        ControlCounters.inc(this.counters.transfersIn, 'axfr');
        this.unexpire(zone);
        zone.lastError = undefined;
        this.log.info({ zone: zone.origin, primary: where, serial: result.serial, records: result.added }, 'incoming transfer (AXFR) done');
        return true;
      } catch (err) {
        ControlCounters.inc(this.counters.transfersInFailed, 'refresh');
        zone.lastError = `${where}: ${(err as Error).message}`;
        this.log.warn({ zone: zone.origin, primary: where, reason: (err as Error).message }, 'refresh from primary failed; old version kept');
      }
    }
    return false;
  }

  /**
   * IXFR (RFC 1995) from our serial; each difference is one commit through the write door (so our
   * own journal can serve it on). False when the primary sent no usable difference: AXFR then.
   */
  private async incremental(zone: SecondaryZone, primary: Primary, where: string, serial: number): Promise<boolean> {
    const meta = this.store.zoneMeta(zone.apexKey)!;
    const soa = this.store.getNode(meta.id, zone.apexKey, false)?.rrsets.find((s) => s.type === RRType.SOA);
    if (!soa?.rrs[0]) return false;
    const result = await fetchIxfr(primary, zone.name, { owner: zone.name, type: RRType.SOA, ttl: soa.ttl, rdata: soa.rrs[0].rdata }, this.config().keyring);
    if (result.kind === 'current') return true;
    if (result.kind === 'axfr') {
      const replaced = this.writer.replaceContent(zone.apexKey, result.records, `xfr:${where}`);
      ControlCounters.inc(this.counters.transfersIn, 'axfr');
      this.unexpire(zone);
      this.log.info({ zone: zone.origin, primary: where, serial: replaced.serial, records: replaced.added }, 'incoming transfer (IXFR answered with the whole zone) done');
      return true;
    }
    if (result.steps[0]!.from !== serial) {
      this.log.warn({ zone: zone.origin, primary: where, ours: serial, from: result.steps[0]!.from }, 'IXFR does not start at our serial; falling back to AXFR');
      return false;
    }
    for (const step of result.steps) {
      this.writer.commit(zone.apexKey, {
        source: `xfr:${where}`, remove: [],
        removeAny: step.removed.filter((r) => r.type !== RRType.SOA), add: step.added,
      });
    }
    ControlCounters.inc(this.counters.transfersIn, 'ixfr');
    this.unexpire(zone);
    const last = result.steps[result.steps.length - 1]!;
    this.log.info({ zone: zone.origin, primary: where, from: serial, serial: last.to, steps: result.steps.length }, 'incoming transfer (IXFR) done');
    return true;
  }

  private timers(zone: SecondaryZone): { refresh: number; retry: number; expire: number } | undefined {
    const meta = this.store.zoneMeta(zone.apexKey);
    if (!meta || meta.records === 0) return undefined;
    const soa = this.store.getNode(meta.id, zone.apexKey, false)?.rrsets.find((s) => s.type === RRType.SOA);
    return soa?.rrs[0] ? soaTimers(soa.rrs[0].rdata) : undefined;
  }

  /** RFC 1034 §4.3.5: past EXPIRE without reaching a primary, the zone is no longer served. */
  private checkExpiry(zone: SecondaryZone, expireSeconds: number | undefined): void {
    if (expireSeconds === undefined) return;
    const served = this.table.byApexKey(zone.apexKey);
    if (!served || served.expired) return;
    if (Date.now() - zone.lastSuccess > expireSeconds * 1000) {
      served.expired = true;
      served.generation++; // cached answers of the zone must go
      this.log.error({ zone: zone.origin }, 'zone expired: no primary reached within the SOA expire time; answering SERVFAIL');
    }
  }

  private unexpire(zone: SecondaryZone): void {
    const served = this.table.byApexKey(zone.apexKey);
    if (served?.expired) {
      served.expired = false;
      this.log.info({ zone: zone.origin }, 'zone refreshed after expiry; serving again');
    }
  }
}
