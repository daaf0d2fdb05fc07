import type { Logger } from 'pino';
import type { DiffRR } from '../../zones/diff.js';
import { nameToKey, nameToText, parseName, type WireName } from '../../zones/name.js';
import { rdataEqual } from '../../zones/rdata-equal.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaSerial, soaTimers } from '../../zones/soa.js';
import { RecordTable } from '../../zones/table/record-table.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { PrimaryTarget, ReplicationConfig } from '../config-replication.js';
import type { ZoneTable } from '../zone-table.js';
import { fetchAxfr, fetchIxfr, querySerial, TransferError, type IxfrResult, type IxfrStep, type Primary } from './xfr-in.js';
import { TransferTooLarge } from './transfer-error.js';
import { ControlCounters } from '../metrics/counters.js';
import { axfrInChild } from './axfr-child.js';
import { authenticationOf, describePrimary } from './primary-stream.js';

interface SecondaryZone {
  origin: string;
  name: WireName;
  apexKey: Buffer;
  primaries: PrimaryTarget[];
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

/** AXFRs up to this many records are received and committed in this process (a commit of this size takes a few ms). */
const IN_PROCESS_AXFR_RECORDS = 5000;

/** When a zone has no SOA timers yet (never transferred): retry every minute. */
const FIRST_RETRY_MS = 60_000;

/**
 * Secondary zones: the first AXFR, then refresh / retry / expire from the SOA timers (RFC 1034
 * §4.3.5), a refresh at once on NOTIFY (RFC 1996), primaries tried in order. A transfer that fails
 * or does not add up keeps the old version. The data lives in LMDB, so a restart serves it at once.
 */
export class SecondaryZones {
  private readonly zones = new Map<string, SecondaryZone>();
  /** Secondaries beyond the config's (members of consumed catalogs): origin → primaries. */
  extraSecondaries: () => Map<string, PrimaryTarget[]> = () => new Map();

  constructor(
    private readonly store: LmdbStore,
    private readonly writer: ZoneWriter,
    private readonly table: ZoneTable,
    private readonly config: () => ReplicationConfig,
    private readonly log: Logger,
    private readonly counters: ControlCounters,
  ) {}

  /** Takes the configured secondaries and the catalog members: new ones start, removed ones stop (their data stays). */
  sync(): void {
    const wanted = new Map([...this.extraSecondaries(), ...this.config().secondaries]);
    for (const [origin, zone] of this.zones) {
      if (!wanted.has(origin)) {
        clearTimeout(zone.timer);
        this.zones.delete(origin);
      }
    }
    for (const [origin, primaries] of wanted) {
      for (const p of primaries) {
        // RFC 9103 §9.3.1: opportunistic XoT encrypts but does not authenticate; say so
        if (p.transport !== undefined && authenticationOf(p) === 'none') {
          this.log.warn({ zone: origin, primary: describePrimary(p) }, 'transfers from this primary are encrypted but the primary is not authenticated (no pin, no caFile/hostname)');
        }
      }
      const existing = this.zones.get(origin);
      if (existing) {
        existing.primaries = primaries;
        continue;
      }
      const name = parseName(origin);
      const apexKey = nameToKey(name);
      const meta = this.store.zoneMeta(apexKey) ??
        this.writer.create(name, { originText: origin, kind: 'secondary', serialPolicy: 'increment', ifExists: 'reuse' }, `xfr:${origin}`).commit().meta!;
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

  /** The primaries a secondary zone transfers from (none: not a secondary here). */
  primariesOf(origin: string): readonly PrimaryTarget[] {
    return this.zones.get(origin.toLowerCase())?.primaries ?? [];
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

  /**
   * True when some primary answered (with a transfer or with "no change"). Each failure is logged
   * with its reason and the next primary is tried; the zone keeps its old version meanwhile.
   */
  private async tryPrimaries(zone: SecondaryZone): Promise<boolean> {
    const config = this.config();
    // taken once for the whole round: a retransfer stays forced when the first primary fails
    const full = zone.forceFull;
    zone.forceFull = false;
    for (const target of zone.primaries) {
      const primary: Primary = {
        host: target.host, port: target.port, key: target.key ? config.keyring.byText(target.key) : undefined,
        idleTimeoutMs: target.idleTimeout === undefined ? undefined : target.idleTimeout * 1000,
        transport: target.transport, pin: target.pin, caFile: target.caFile, hostname: target.hostname,
      };
      const where = `${target.host}:${target.port}`;
      const via = describePrimary(primary);
      let ixfrProblem: string | undefined;
      try {
        const theirs = await querySerial(primary, zone.name, config.keyring);
        const meta = this.store.zoneMeta(zone.apexKey);
        const ours = meta && meta.records > 0 ? meta.serial : undefined;
        if (!full && ours !== undefined) {
          if (theirs === ours) return true;
          // RFC 1982 §3.2: a primary whose serial is not greater than ours (lower, or exactly 2^31
          // apart) has nothing newer: no transfer, and not a successful refresh either (BIND logs
          // "received from primary < ours" and tries the next primary), so the expire clock runs on
          if (!serialLessThan(ours, theirs)) throw new TransferError(`primary has serial ${theirs}, not newer than ours (${ours}); nothing transferred`);
          const outcome = await this.incremental(zone, primary, where, ours);
          if (outcome === true) return true;
          ixfrProblem = outcome;
        }
        // a small zone (a catalog, a new member: most of a mesh) is taken in this process, which saves
        // the child's start (0.4–1 s); one that passes the cap is received and committed in a child
        // process, so answers never wait on a big transfer
        if (!full && (ours === undefined || (this.store.zoneMeta(zone.apexKey)?.records ?? 0) <= IN_PROCESS_AXFR_RECORDS)) {
          try {
            const records = await fetchAxfr(primary, zone.name, config.keyring, IN_PROCESS_AXFR_RECORDS);
            this.applyWhole(zone, records, where, ours, 'incoming transfer (AXFR) done', { transport: primary.transport ?? 'tcp', via });
            return true;
          } catch (err) {
            if (!(err instanceof TransferTooLarge)) throw err;
          }
        }
        const result = await axfrInChild(primary, zone.origin, {
          dataPath: this.store.path, source: `xfr:${where}`, ours: full ? undefined : ours,
          journalLimits: this.writer.journalLimits(zone.origin), limits: this.writer.limits(),
        });
        this.writer.announceExternalCommit(zone.apexKey, { changed: true, serial: result.serial, added: result.added, removed: 0, created: false, deleted: false, changeset: undefined });
        ControlCounters.inc(this.counters.transfersIn, 'axfr');
        this.unexpire(zone);
        zone.lastError = undefined;
        this.log.info({ zone: zone.origin, primary: where, transport: primary.transport ?? 'tcp', via, serial: result.serial, records: result.added }, 'incoming transfer (AXFR) done');
        return true;
      } catch (err) {
        ControlCounters.inc(this.counters.transfersInFailed, 'refresh');
        const reason = ixfrProblem === undefined ? (err as Error).message : `${(err as Error).message} (AXFR after the IXFR failed: ${ixfrProblem})`;
        zone.lastError = `${via}: ${reason}`;
        this.log.warn({ zone: zone.origin, primary: where, transport: primary.transport ?? 'tcp', via, reason }, 'refresh from primary failed; old version kept');
      }
    }
    return false;
  }

  /** A whole zone (AXFR, or an IXFR answered in AXFR form) replaces the old version in one transaction. */
  private applyWhole(zone: SecondaryZone, records: DiffRR[], where: string, ours: number | undefined, message: string, details: Record<string, unknown> = {}): void {
    const serial = soaSerial(records[0]!.rdata);
    // a refresh never goes back to an older version (only an explicit retransfer may)
    if (ours !== undefined && serialLessThan(serial, ours)) throw new TransferError(`transferred zone has serial ${serial}, older than ours (${ours})`);
    const result = this.writer.begin(zone.name, `xfr:${where}`, 'secondary').replace(RecordTable.fromRecords(records)).commit();
    ControlCounters.inc(this.counters.transfersIn, 'axfr');
    this.unexpire(zone);
    zone.lastError = undefined;
    this.log.info({ zone: zone.origin, primary: where, ...details, serial: result.serial, records: result.added }, message);
  }

  /**
   * IXFR (RFC 1995) from our serial; each difference is one commit through the write door (so our
   * own journal can serve it on). True when done; otherwise why not, and the caller falls back to
   * AXFR from the same primary, as BIND (DNS_R_BADIXFR) and Knot do for any failed IXFR.
   */
  private async incremental(zone: SecondaryZone, primary: Primary, where: string, serial: number): Promise<true | string> {
    const meta = this.store.zoneMeta(zone.apexKey)!;
    const soa = this.store.getNode(meta.id, zone.apexKey, false)?.rrsets.find((s) => s.type === RRType.SOA);
    if (!soa?.rrs[0]) return 'no SOA of our own to ask from';
    let result: IxfrResult;
    try {
      result = await fetchIxfr(primary, zone.name, { owner: zone.name, type: RRType.SOA, ttl: soa.ttl, rdata: soa.rrs[0].rdata }, this.config().keyring);
      if (result.kind === 'ixfr') this.checkSteps(meta.id, result.steps);
    } catch (err) {
      const reason = (err as Error).message;
      this.log.warn({ zone: zone.origin, primary: where, ours: serial, reason }, 'IXFR from primary failed; falling back to AXFR');
      return reason;
    }
    if (result.kind === 'current') return true;
    if (result.kind === 'axfr') {
      this.applyWhole(zone, result.records, where, serial, 'incoming transfer (IXFR answered with the whole zone) done');
      return true;
    }
    // every step was checked against our data above, so the commits cannot fail half-way for a
    // reason of the transfer's; each leaves a complete version of the primary's
    for (const step of result.steps) {
      this.writer.commitDiff(zone.apexKey, {
        source: `xfr:${where}`, remove: [],
        removeAny: step.removed, add: step.added,
      });
    }
    ControlCounters.inc(this.counters.transfersIn, 'ixfr');
    this.unexpire(zone);
    zone.lastError = undefined;
    const last = result.steps[result.steps.length - 1]!;
    this.log.info({ zone: zone.origin, primary: where, transport: primary.transport ?? 'tcp', from: serial, serial: last.to, steps: result.steps.length }, 'incoming transfer (IXFR) done');
    return true;
  }

  /**
   * Replays the steps over our data without writing: every removed RR must be there and every added
   * one must not be. RFC 1995 §4 defines a difference as the RRs deleted from and added to the old
   * version, so one that does not fit our copy means the copies diverged; BIND (dns_diff_apply:
   * DNS_R_NOTEXACT) and Knot ("cannot remove nonexistent record") fail such an IXFR and fall back
   * to AXFR, and so do we — applying it anyway would silently keep the divergence.
   */
  private checkSteps(zoneId: number, steps: IxfrStep[]): void {
    const sets = new Map<string, Uint8Array[]>();
    const current = (rr: DiffRR): Uint8Array[] => {
      const nameKey = nameToKey(rr.owner);
      const id = `${nameKey.toString('latin1')}/${rr.type}`;
      let set = sets.get(id);
      if (!set) {
        set = this.store.getNode(zoneId, nameKey, false)?.rrsets.find((s) => s.type === rr.type)?.rrs.map((r) => r.rdata) ?? [];
        sets.set(id, set);
      }
      return set;
    };
    const what = (rr: DiffRR) => `${nameToText(rr.owner)} ${typeToText(rr.type)}`;
    for (const step of steps) {
      for (const rr of step.removed) {
        const set = current(rr);
        const i = set.findIndex((x) => rdataEqual(rr.type, x, rr.rdata));
        if (i < 0) throw new TransferError(`IXFR step ${step.from} → ${step.to} removes ${what(rr)}, which our copy does not have`);
        set.splice(i, 1);
      }
      for (const rr of step.added.slice(1)) {
        const set = current(rr);
        if (set.some((x) => rdataEqual(rr.type, x, rr.rdata))) throw new TransferError(`IXFR step ${step.from} → ${step.to} adds ${what(rr)}, which our copy already has`);
        set.push(rr.rdata);
      }
    }
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
