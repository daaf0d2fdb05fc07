import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { algorithmName } from '../../dnssec/algorithm.js';
import { formatBindKeyFiles, parseBindKeyFiles } from '../../dnssec/bind-key-file.js';
import { dsRdata } from '../../dnssec/ds.js';
import { reached } from '../../dnssec/key-state.js';
import { keyViewAt } from '../../dnssec/key-view.js';
import { keysetRRsets } from '../../dnssec/keyset.js';
import { algorithmNumber } from '../../dnssec/algorithm.js';
import { generateKey, keyFromPkcs8 } from '../../dnssec/keys.js';
import type { DnssecPolicy } from '../../dnssec/policy.js';
import { applyKeyChanges, planKeys, type KeyPlan } from '../../dnssec/rollover.js';
import type { ZonePolicy } from '../../dnssec/sign-stage.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';
import type { KeyStore, StoredDnssecKey } from '../../zones/store/key-store.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { findRRset } from '../../zones/store/node.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { ControlCounters } from '../metrics/counters.js';
import type { DnssecControl, KeyStatus, ZoneSigningStatus } from './control.js';
import { scanSignatures, signerId, type SignatureScan } from './signature-scan.js';

export interface DriverOptions {
  store: LmdbStore;
  writer: ZoneWriter;
  keys: KeyStore;
  /** The configured policy of a zone (lowercase origin with the trailing dot); read at every step. */
  configuredPolicy(origin: string): DnssecPolicy | undefined;
  /** The parent's DS key tags for a zone (policy.parentDsCheck), or undefined when not checked or not agreed. */
  parentDs?(origin: string, policy: DnssecPolicy): Promise<number[] | undefined>;
  log: Logger;
  counters: ControlCounters;
  /** Unix seconds; tests move it. */
  now?: () => number;
}

/** Names whose signatures are refreshed per commit: a commit of this size signs in tens of milliseconds. */
const REFRESH_BATCH = 500;
/** The longest the driver sleeps: a policy change, a DS seen or a clock jump is noticed within it. */
const MAX_SLEEP_MS = 60_000;

interface ZoneRun {
  plan: KeyPlan | undefined;
  scan: SignatureScan | undefined;
  lastEvent: string | undefined;
  rollNow: 'zsk' | 'ksk' | 'csk' | undefined;
  parentDs: number[] | undefined;
  parentCheckedAt: number;
  warnedKeysLost?: boolean;
}

/**
 * Runs the DNSSEC key lifecycle and keeps signatures fresh for every zone with a policy or with
 * keys: plans the keys (dnssec/rollover.ts) on a timer, persists what the plan changes, commits the
 * zone when what it must publish or sign with changed (the sign stage does the signing), re-signs
 * signatures before they expire a few hundred names per commit, and asks the parent for the DS
 * when the policy says where. Every step is safe to repeat: after a restart it continues where
 * the keys' stored timestamps say.
 */
export class DnssecDriver implements DnssecControl {
  private readonly runs = new Map<string, ZoneRun>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  readonly now: () => number;

  constructor(private readonly o: DriverOptions) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * The policy the sign stage signs a zone with: the configured one; while going insecure the last
   * one with CDS/CDNSKEY DELETE; once the keys are gone, one commit that removes the signatures.
   */
  policyFor(origin: string): ZonePolicy | undefined {
    const configured = this.o.configuredPolicy(origin);
    if (configured) return configured;
    const last = this.o.keys.lastPolicy(origin) as DnssecPolicy | undefined;
    if (!last) return undefined;
    if (this.o.keys.list(origin).length > 0) return { ...last, goingInsecure: true };
    return { ...last, unsign: true };
  }

  start(): void {
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over every zone (the timer's work; tests call it after moving the clock). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runOnce().then(() => this.schedule(this.sleepMs())).catch((err: unknown) => {
        this.o.log.error({ err }, 'DNSSEC pass failed; trying again');
        this.schedule(MAX_SLEEP_MS);
      });
    }, ms);
    this.timer.unref();
  }

  private sleepMs(): number {
    const now = this.now();
    let next = now + MAX_SLEEP_MS / 1000;
    for (const [origin, run] of this.runs) {
      if (run.plan?.nextEventAt !== undefined) next = Math.min(next, run.plan.nextEventAt);
      const policy = this.o.configuredPolicy(origin);
      if (run.scan?.earliestExpiry !== undefined && policy) next = Math.min(next, run.scan.earliestExpiry - policy.rrsigRefresh);
    }
    return Math.max(1000, (next - now) * 1000);
  }

  private async pass(): Promise<void> {
    for (const { apexKey, meta } of this.o.store.allZones()) {
      if (this.closed) return;
      if (meta.kind !== 'primary' || meta.records === 0) continue;
      const origin = normalOrigin(meta.origin);
      if (!this.o.configuredPolicy(origin) && this.o.keys.list(origin).length === 0 && !this.o.keys.lastPolicy(origin)) continue;
      try {
        await this.step(origin, apexKey);
      } catch (err) {
        this.o.log.error({ zone: origin, err: (err as Error).message }, 'DNSSEC step failed; the zone keeps its last signed version');
      }
    }
  }

  /** Plans the keys of one zone, persists the changes, commits what the zone must now show, refreshes signatures. */
  private async step(origin: string, apexKey: Buffer): Promise<void> {
    const run = this.runOf(origin);
    const policy = this.o.configuredPolicy(origin);
    const now = this.now();
    const last = this.o.keys.lastPolicy(origin) as DnssecPolicy | undefined;
    if (policy && JSON.stringify(policy) !== JSON.stringify(last)) this.o.keys.rememberPolicy(origin, policy);
    const stored = this.o.keys.list(origin);
    if (stored.length === 0) {
      if (!policy && last) {
        // the keys went in the last step of going insecure: the signatures go now, then the memory of the policy
        this.o.writer.begin(parseName(origin), 'dnssec', 'primary').resign('all').commit();
        this.o.keys.rememberPolicy(origin, undefined);
        this.event(run, origin, 'unsigned', 'signing turned off: the zone is insecure now, every DNSSEC record removed');
      }
      if (policy && this.zoneNeedsKeysBack(apexKey) && !run.warnedKeysLost) {
        run.warnedKeysLost = true;
        this.o.log.warn({ zone: origin }, 'zone is signed but its DNSSEC keys are missing from the key store: changes are refused until they are imported (meshdns keys import)');
      }
      return; // a zone with a policy gets its first keys in the commit that first signs it
    }
    await this.checkParent(run, origin, policy ?? last);
    const zoneId = this.o.store.zoneMeta(apexKey)?.id;
    if (zoneId === undefined) return;
    if (!run.scan) run.scan = await scanSignatures(this.o.store, zoneId, now);
    const plan = planKeys({
      policy, keys: stored, now, maxZoneTtl: run.scan.maxTtl,
      ...(last ? { previousPolicy: last } : {}),
      ...(run.parentDs ? { parentDs: { present: run.parentDs } } : {}),
      ...(run.rollNow ? { rollNow: run.rollNow } : {}),
    });
    run.rollNow = undefined;
    run.plan = plan;
    if (plan.changes.length > 0) this.applyChanges(origin, stored, plan, policy ?? last, now, run);
    const keys = this.o.keys.list(origin);
    const resign = this.zoneNeeds(apexKey, keys, now);
    if (resign) {
      // new zone signers (a ZSK or algorithm roll): the apex now, the other names in batches by
      // the refresh below, so a big zone is never re-signed in one commit on the query thread
      this.o.writer.begin(parseName(origin), 'dnssec', 'primary').resign(resign === 'chain' ? 'all' : []).commit();
      run.scan = undefined;
    }
    await this.refresh(origin, zoneId, run, policy ?? last, resign === 'signers');
  }

  /** Persists a plan's key changes (new keys made here) and logs each as a key event. */
  private applyChanges(origin: string, stored: StoredDnssecKey[], plan: KeyPlan, policy: DnssecPolicy | undefined, now: number, run: ZoneRun): void {
    const made = new Map<string, StoredDnssecKey>();
    const next = applyKeyChanges(stored, plan.changes, (change) => {
      const { key, pkcs8 } = generateKey(change.algorithm, change.role === 'zsk' ? 256 : 257,
        change.algorithm === 8 && policy?.keySize !== undefined ? { rsaBits: policy.keySize } : undefined);
      const id = `${key.keyTag}-${randomBytes(4).toString('hex')}`;
      made.set(id, { id, role: change.role, algorithm: change.algorithm, flags: key.flags, keyTag: key.keyTag, pkcs8, imported: false, created: now });
      return { id, keyTag: key.keyTag };
    }, now);
    const byId = new Map(stored.map((k) => [k.id, k]));
    const put = next.map((state) => ({ ...(byId.get(state.id) ?? made.get(state.id)!), ...state }) as StoredDnssecKey);
    const removed = stored.filter((k) => !next.some((n) => n.id === k.id)).map((k) => k.id);
    this.o.keys.write(origin, put, removed);
    for (const change of plan.changes) {
      const kind = change.kind === 'generate' ? 'generated' : change.kind === 'delete' ? 'deleted' : change.field;
      this.event(run, origin, kind, change.reason);
    }
  }

  /**
   * What the zone in LMDB lacks against the keys' view: `all` when other keys must sign the zone
   * data (every RRSIG made again), `keyset` when only DNSKEY/CDS/CDNSKEY or their signatures change.
   */
  private zoneNeeds(apexKey: Buffer, keys: StoredDnssecKey[], now: number): 'chain' | 'signers' | 'keyset' | undefined {
    const meta = this.o.store.zoneMeta(apexKey);
    const apex = meta && this.o.store.getNode(meta.id, apexKey, false);
    if (!meta || !apex) return undefined;
    const policy = this.policyFor(normalOrigin(meta.origin));
    if (!policy || policy.unsign) return undefined;
    const view = keyViewAt(keys, now, algorithmNumber(policy.algorithm), policy.goingInsecure === true);
    const sigs = findRRset(apex, RRType.RRSIG)?.rrs.map((r) => r.rdata) ?? [];
    const signersOver = (type: number) => new Set(sigs.filter((s) => ((s[0]! << 8) | s[1]!) === type).map((s) => `${s[2]}/${(s[16]! << 8) | s[17]!}`));
    const ids = (list: StoredDnssecKey[]) => new Set(list.map((k) => `${k.algorithm}/${k.keyTag}`));
    const signersChanged = !sameSet(ids(view.zoneSigners), signersOver(RRType.SOA));
    // a new denial mode or NSEC3 parameters: the chain is made again whole
    const param = findRRset(apex, RRType.NSEC3PARAM)?.rrs[0]?.rdata;
    if (policy.denial === 'nsec3' ? !param || ((param[2]! << 8) | param[3]!) !== policy.nsec3.iterations || param[4] !== policy.nsec3.saltLength
      : param !== undefined || !findRRset(apex, RRType.NSEC)) return 'chain';
    if (policy.denial === 'nsec3' && policy.nsec3.optOut !== this.chainOptOut(meta.id)) return 'chain';
    if (signersChanged) return 'signers';
    if (!sameSet(ids(view.keysetSigners), signersOver(RRType.DNSKEY))) return 'keyset';
    const wanted = keysetRRsets(parseName(meta.origin), view, policy);
    const hex = (list: Uint8Array[]) => new Set(list.map((r) => Buffer.from(r).toString('hex')));
    const inZone = (type: number) => hex(findRRset(apex, type)?.rrs.map((r) => r.rdata) ?? []);
    if (!sameSet(hex(wanted.dnskey), inZone(RRType.DNSKEY)) || !sameSet(hex(wanted.cds), inZone(RRType.CDS)) ||
      !sameSet(hex(wanted.cdnskey), inZone(RRType.CDNSKEY))) return 'keyset';
    return undefined;
  }

  /** A zone that holds a DNSKEY RRset while no key is stored: its keys were lost. */
  private zoneNeedsKeysBack(apexKey: Buffer): boolean {
    const meta = this.o.store.zoneMeta(apexKey);
    const apex = meta && this.o.store.getNode(meta.id, apexKey, false);
    return apex !== undefined && findRRset(apex, RRType.DNSKEY) !== undefined;
  }

  /** Whether the zone's NSEC3 chain has the opt-out flag (read from its last NSEC3). */
  private chainOptOut(zoneId: number): boolean | undefined {
    const first = this.o.store.nsec3Covering(zoneId, Buffer.alloc(20, 0xff));
    const rdata = first && findRRset(first.node, RRType.NSEC3)?.rrs[0]?.rdata;
    return rdata === undefined ? undefined : (rdata[1]! & 1) === 1;
  }

  /** Re-signs the names whose signatures are due, a batch per commit, yielding between batches. */
  private async refresh(origin: string, zoneId: number, run: ZoneRun, policy: DnssecPolicy | undefined, signersChanged: boolean): Promise<void> {
    if (!policy) return;
    const now = this.now();
    if (signersChanged || !run.scan || (run.scan.earliestExpiry !== undefined && run.scan.earliestExpiry - now < policy.rrsigRefresh)) {
      const view = keyViewAt(this.o.keys.list(origin), now, algorithmNumber(policy.algorithm));
      const signers = new Set([...view.zoneSigners, ...view.keysetSigners].map((k) => signerId(k.algorithm, k.keyTag)));
      const required = new Set(view.zoneSigners.map((k) => signerId(k.algorithm, k.keyTag)));
      run.scan = await scanSignatures(this.o.store, zoneId, now, policy.rrsigRefresh, signers, required);
    }
    const due = run.scan.due;
    if (due.length === 0) return;
    for (let i = 0; i < due.length && !this.closed; i += REFRESH_BATCH) {
      this.o.writer.begin(parseName(origin), 'dnssec', 'primary').resign(due.slice(i, i + REFRESH_BATCH)).commit();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.o.log.info({ zone: origin, names: due.length }, 'signatures refreshed before expiry');
    run.scan = await scanSignatures(this.o.store, zoneId, this.now());
  }

  private async checkParent(run: ZoneRun, origin: string, policy: DnssecPolicy | undefined): Promise<void> {
    if (!policy?.parentDsCheck || !this.o.parentDs) return;
    const now = this.now();
    if (now - run.parentCheckedAt < policy.parentDsCheck.interval) return;
    run.parentCheckedAt = now;
    run.parentDs = await this.o.parentDs(origin, policy);
  }

  private event(run: ZoneRun, origin: string, kind: string, reason: string): void {
    run.lastEvent = `${new Date(this.now() * 1000).toISOString()} ${reason}`;
    this.o.counters.dnssecKeyEvents.set(kind, (this.o.counters.dnssecKeyEvents.get(kind) ?? 0) + 1);
    this.o.log.info({ zone: origin, event: kind }, `key event: ${reason}`);
  }

  private runOf(origin: string): ZoneRun {
    let run = this.runs.get(origin);
    if (!run) this.runs.set(origin, (run = { plan: undefined, scan: undefined, lastEvent: undefined, rollNow: undefined, parentDs: undefined, parentCheckedAt: 0 }));
    return run;
  }

  // --- DnssecControl -------------------------------------------------------------------------

  zones(): ZoneSigningStatus[] {
    const out: ZoneSigningStatus[] = [];
    for (const { meta } of this.o.store.allZones()) {
      const status = this.status(meta.origin);
      if (status) out.push(status);
    }
    return out;
  }

  status(originText: string): ZoneSigningStatus | undefined {
    const origin = normalOrigin(originText);
    const policy = this.o.configuredPolicy(origin);
    const keys = this.o.keys.list(origin);
    if (!policy && keys.length === 0) return undefined;
    const run = this.runs.get(origin);
    const now = this.now();
    const apex = parseName(origin);
    return {
      origin,
      policy: policy?.name,
      keys: keys.map((k) => keyStatus(k, now, apex)),
      nextEvent: run?.plan?.nextEventAt,
      waitingFor: run?.plan?.waitingFor ?? [],
      earliestExpiry: run?.scan?.earliestExpiry,
      lastEvent: run?.lastEvent,
    };
  }

  async dsSeen(originText: string, keyTag?: number): Promise<ZoneSigningStatus> {
    const origin = normalOrigin(originText);
    const keys = this.o.keys.list(origin);
    const now = this.now();
    if (!this.o.configuredPolicy(origin) && keys.length > 0) {
      // going insecure: what the parent now shows is no DS at all (RFC 8078 §4 DELETE acted on)
      const sep = keys.filter((k) => k.role !== 'zsk' && k.dsRemovedSeen === undefined);
      this.o.keys.write(origin, sep.map((k) => ({ ...k, dsRemovedSeen: now })));
      this.event(this.runOf(origin), origin, 'dsRemovedSeen', 'the parent no longer serves a DS for the zone (operator)');
      await this.stepNow(origin);
      return this.status(origin) ?? { origin, policy: undefined, keys: [], nextEvent: undefined, waitingFor: [], earliestExpiry: undefined, lastEvent: undefined };
    }
    const waiting = keys.filter((k) => k.role !== 'zsk' && k.dsSubmitted !== undefined && k.dsSeen === undefined && (keyTag === undefined || k.keyTag === keyTag));
    if (waiting.length === 0) {
      throw codeError(`zone ${origin} has no ${keyTag === undefined ? 'key' : `key ${keyTag}`} whose DS is waiting to be seen at the parent`, 'MESHDNS_ERR_DNSSEC_NO_KEY');
    }
    this.o.keys.write(origin, waiting.map((k) => ({ ...k, dsSeen: now })));
    this.event(this.runOf(origin), origin, 'dsSeen', `DS of key ${waiting.map((k) => k.keyTag).join(', ')} seen at the parent (operator)`);
    await this.stepNow(origin);
    return this.status(origin)!;
  }

  async roll(originText: string, role: 'zsk' | 'ksk' | 'csk'): Promise<ZoneSigningStatus> {
    const origin = normalOrigin(originText);
    if (!this.o.configuredPolicy(origin)) throw codeError(`zone ${origin} is not signed by a policy here`, 'MESHDNS_ERR_DNSSEC_NO_POLICY');
    this.runOf(origin).rollNow = role;
    await this.stepNow(origin);
    return this.status(origin)!;
  }

  async importBindKey(originText: string, keyFile: string, privateFile: string): Promise<KeyStatus> {
    const origin = normalOrigin(originText);
    const imported = parseBindKeyFiles(keyFile, privateFile);
    if (normalOrigin(nameText(imported.zone)) !== origin) {
      throw codeError(`the key is for zone ${nameText(imported.zone)}, not ${origin}`, 'MESHDNS_ERR_DNSSEC_KEYFILE');
    }
    const now = this.now();
    const t = imported.timing;
    const sep = (imported.flags & 1) === 1;
    const existing = this.o.keys.list(origin);
    if (existing.some((k) => k.keyTag === imported.keyTag && k.algorithm === imported.algorithm)) {
      throw codeError(`zone ${origin} already has key ${imported.keyTag} (algorithm ${imported.algorithm})`, 'MESHDNS_ERR_DNSSEC_KEY_EXISTS');
    }
    const key: StoredDnssecKey = {
      id: `${imported.keyTag}-${randomBytes(4).toString('hex')}`,
      role: sep ? (existing.some((k) => k.role === 'zsk') || this.o.configuredPolicy(origin)?.keys === 'ksk+zsk' ? 'ksk' : 'csk') : 'zsk',
      algorithm: imported.algorithm, flags: imported.flags, keyTag: imported.keyTag, pkcs8: imported.pkcs8, imported: true,
      created: t.created ?? now,
      ...(t.publish !== undefined ? { publish: t.publish } : {}),
      ...(t.activate !== undefined ? { active: t.activate } : {}),
      // Inactive/Delete times belong to the old signer's schedule: here the policy decides when the key rolls
      ...(sep && t.syncPublish !== undefined ? { dsSubmitted: t.syncPublish } : {}),
      // a key moved from another signer: its DS is at the parent already when it was active there
      ...(sep && t.activate !== undefined && t.activate <= now ? { dsSeen: t.activate } : {}),
    };
    this.o.keys.write(origin, [key]);
    this.event(this.runOf(origin), origin, 'imported', `key ${key.keyTag} (${key.role.toUpperCase()}, algorithm ${key.algorithm}) imported from BIND key files`);
    await this.stepNow(origin);
    return keyStatus(this.o.keys.get(origin, key.id) ?? key, this.now(), parseName(origin));
  }

  exportBindKey(originText: string, keyId: string, withPrivate: boolean): { baseName: string; key: string; private?: string } {
    const origin = normalOrigin(originText);
    const stored = this.o.keys.get(origin, keyId) ?? this.o.keys.list(origin).find((k) => String(k.keyTag) === keyId);
    if (!stored) throw codeError(`zone ${origin} has no key ${keyId}`, 'MESHDNS_ERR_DNSSEC_NO_KEY');
    const key = keyFromPkcs8(stored.pkcs8, stored.algorithm, stored.flags);
    const files = formatBindKeyFiles(parseName(origin), key, stored.pkcs8, {
      created: stored.created,
      ...(stored.publish !== undefined ? { publish: stored.publish } : {}),
      ...(stored.active !== undefined ? { activate: stored.active } : {}),
      ...(stored.retire !== undefined ? { inactive: stored.retire } : {}),
      ...(stored.remove !== undefined ? { delete: stored.remove } : {}),
      ...(stored.dsSubmitted !== undefined ? { syncPublish: stored.dsSubmitted } : {}),
    });
    return withPrivate ? files : { baseName: files.baseName, key: files.key };
  }

  /** Runs one zone's step at once (an operator's request), after any pass in progress. */
  private async stepNow(origin: string): Promise<void> {
    await this.running;
    const meta = this.o.store.zoneMeta(nameToKey(parseName(origin)));
    if (!meta) throw codeError(`no zone ${origin} here`, 'MESHDNS_ERR_NO_ZONE');
    await this.step(origin, nameToKey(parseName(origin)));
  }
}

/** DS text per key id and zone: status pages poll, and a key's DS never changes. */
const dsCache = new Map<string, string[]>();

function keyStatus(k: StoredDnssecKey, now: number, apex: Uint8Array): KeyStatus {
  const state: KeyStatus['state'] = reached(k.remove, now) ? 'removed' : reached(k.retire, now) ? 'retired'
    : reached(k.active, now) ? 'active' : reached(k.publish, now) ? 'published' : 'generated';
  const status: KeyStatus = {
    id: k.id, role: k.role, algorithm: k.algorithm, keyTag: k.keyTag, flags: k.flags, imported: k.imported, state, created: k.created,
    ...pick(k, ['publish', 'active', 'retire', 'remove', 'dsSubmitted', 'dsSeen']),
  };
  if (k.role !== 'zsk') {
    const cacheKey = `${nameText(apex)}|${k.id}`;
    let ds = dsCache.get(cacheKey);
    if (!ds) {
      const dnskey = keyFromPkcs8(k.pkcs8, k.algorithm, k.flags).dnskey;
      ds = [`${nameText(apex)} IN DS ${rdataToText(RRType.DS, dsRdata(apex, dnskey, 2))}`];
      if (dsCache.size > 10_000) dsCache.clear();
      dsCache.set(cacheKey, ds);
    }
    status.ds = ds;
  }
  return status;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function normalOrigin(origin: string): string {
  const lower = origin.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function nameText(wire: Uint8Array): string {
  const labels: string[] = [];
  for (let p = 0; wire[p]! !== 0; p += wire[p]! + 1) labels.push(Buffer.from(wire.subarray(p + 1, p + 1 + wire[p]!)).toString('latin1'));
  return `${labels.join('.')}.`;
}

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export { algorithmName };
