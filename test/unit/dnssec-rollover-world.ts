// A small simulated world for the key lifecycle: the zone publishes what planKeys's view says, a
// parent follows the CDS RRset after a delay (or not at all), and resolvers may hold any DS,
// DNSKEY (with its RRSIGs) and zone RRset (with its RRSIGs) published within its TTL plus the
// propagation delay. `checkChains` proves every such combination validates.
import assert from 'node:assert/strict';
import { dsAtParent, type KeyState } from '../../dnssec/key-state.js';
import type { DnssecPolicy } from '../../dnssec/policy.js';
import { applyKeyChanges, planKeys, type KeyChange, type KeyView } from '../../dnssec/rollover.js';

export const DAY = 86_400;
export const HOUR = 3_600;

export const BASE_POLICY: DnssecPolicy = {
  name: 'test',
  algorithm: 'ecdsap256sha256',
  keys: 'ksk+zsk',
  zskLifetime: 0,
  kskLifetime: 0,
  rrsigValidity: 14 * DAY,
  rrsigRefresh: 7 * DAY,
  denial: 'nsec',
  nsec3: { iterations: 0, saltLength: 0, optOut: false },
  dnskeyTtl: HOUR,
  cds: true,
  propagationDelay: 300,
  parentDsTtl: DAY,
};

interface KeyFacts {
  id: string;
  algorithm: number;
  tag: number;
}

/** What the zone served from `at` until the next entry. */
export interface ZoneState {
  at: number;
  dnskey: KeyFacts[];
  keysetSigs: KeyFacts[];
  zoneSigs: KeyFacts[];
  cds: KeyView['cds'];
}

/** What the parent served from `at` until the next entry. */
export interface ParentState {
  at: number;
  ds: KeyFacts[];
}

export interface KeyEvent {
  at: number;
  change: KeyChange;
  /** The key's id (a generated key's real id rather than its ref). */
  id: string;
}

export interface WorldOptions {
  policy: DnssecPolicy | undefined;
  /** For going insecure: the policy the zone was signed with. */
  previousPolicy?: DnssecPolicy;
  start: number;
  maxZoneTtl: number;
  keys?: KeyState[];
  /** Parent DS at the start (key ids). */
  parentDs?: string[];
  /** How the DS is seen: the parent check passes `parentDs` to every plan; the operator runs `keys ds-seen`. */
  dsSeenBy: 'check' | 'operator';
  /** Seconds from a CDS change to the parent serving it (default one hour). */
  registrarDelay?: number;
  /** The parent ignores the CDS (nothing reaches it). */
  parentFrozen?: boolean;
}

export class World {
  keys: KeyState[];
  now: number;
  policy: DnssecPolicy | undefined;
  readonly zone: ZoneState[] = [];
  readonly parent: ParentState[] = [];
  readonly events: KeyEvent[] = [];
  parentFrozen: boolean;
  private parentScanAt: number | undefined;
  private publishedCds: KeyView['cds'] = 'none';
  /** The parent's DS RRset as the last parent check saw it. */
  private checkedDs: KeyFacts[];
  private nextCheck: number | undefined;
  private nextId = 1;
  private readonly facts = new Map<string, KeyFacts>();
  lastWaiting: string[] = [];

  constructor(public opts: WorldOptions) {
    this.keys = (opts.keys ?? []).map((k) => ({ ...k }));
    for (const key of this.keys) this.remember(key);
    this.now = opts.start;
    this.policy = opts.policy;
    this.parentFrozen = opts.parentFrozen ?? false;
    this.parent.push({ at: opts.start, ds: (opts.parentDs ?? []).map((id) => this.factsOf(id)) });
    this.checkedDs = this.parentDs;
    // A zone without keys was served unsigned until now: caches may still hold those answers.
    if (this.keys.length === 0) this.zone.push({ at: opts.start - 1, dnskey: [], keysetSigs: [], zoneSigs: [], cds: 'none' });
  }

  private remember(key: KeyState): void {
    this.facts.set(key.id, { id: key.id, algorithm: key.algorithm, tag: key.keyTag });
    const n = Number(/^k(\d+)$/.exec(key.id)?.[1] ?? 0);
    if (n >= this.nextId) this.nextId = n + 1;
  }

  private factsOf(id: string): KeyFacts {
    const facts = this.facts.get(id);
    assert.ok(facts, `unknown key ${id}`);
    return facts;
  }

  get parentDs(): KeyFacts[] {
    return this.parent[this.parent.length - 1]!.ds;
  }

  /** One planning round at `now`: plan, apply, check idempotence, publish, let the parent react. */
  step(rollNow?: 'zsk' | 'ksk' | 'csk'): KeyView {
    this.applyParent();
    if (this.nextCheck !== undefined && this.nextCheck <= this.now) {
      this.checkedDs = this.parentDs;
      this.nextCheck = undefined;
    }
    if (this.opts.dsSeenBy === 'operator') this.operatorDsSeen();
    const input = this.input();
    const plan = planKeys(rollNow === undefined ? input : { ...input, rollNow });
    const refs = new Map<string, string>();
    this.keys = applyKeyChanges(this.keys, plan.changes, (change) => {
      const id = `k${this.nextId}`;
      const made = { id, keyTag: 10_000 + this.nextId };
      refs.set(change.ref, id);
      this.facts.set(id, { id, algorithm: change.algorithm, tag: made.keyTag });
      this.nextId++;
      return made;
    }, this.now);
    for (const change of plan.changes) {
      const id = change.kind === 'generate' ? refs.get(change.ref)! : change.id;
      this.events.push({ at: this.now, change, id });
    }
    const again = planKeys(this.input());
    assert.deepEqual(again.changes, [], `planKeys is idempotent at ${this.now}: ${JSON.stringify(again.changes)}`);
    // (ids sort by age, then id: a generated key's ref and its real id may sort differently)
    const mapped = (ids: string[]): string[] => ids.map((id) => refs.get(id) ?? id).sort();
    const sorted = (ids: string[]): string[] => [...ids].sort();
    const view = plan.view;
    assert.deepEqual({
      dnskey: sorted(again.view.dnskey),
      signZone: sorted(again.view.signZone),
      signKeyset: sorted(again.view.signKeyset),
      cds: Array.isArray(again.view.cds) ? sorted(again.view.cds) : again.view.cds,
    }, {
      dnskey: mapped(view.dnskey),
      signZone: mapped(view.signZone),
      signKeyset: mapped(view.signKeyset),
      cds: Array.isArray(view.cds) ? mapped(view.cds) : view.cds,
    }, `the view once applied is the view planned (at ${this.now})`);
    this.publish(again.view);
    this.lastWaiting = again.waitingFor;
    this.nextPlanAt = again.nextEventAt;
    return again.view;
  }

  nextPlanAt: number | undefined;

  input(): Parameters<typeof planKeys>[0] {
    const base = { policy: this.policy, keys: this.keys, now: this.now, maxZoneTtl: this.opts.maxZoneTtl };
    const withPrevious = this.opts.previousPolicy === undefined ? base : { ...base, previousPolicy: this.opts.previousPolicy };
    return this.opts.dsSeenBy === 'check' ? { ...withPrevious, parentDs: { present: this.checkedDs.map((f) => f.tag) } } : withPrevious;
  }

  private operatorDsSeen(): void {
    const at = new Set(this.parentDs.map((f) => f.id));
    for (const key of this.keys) {
      if ((key.dsSubmitted !== undefined || key.dsSeen !== undefined) && !dsAtParent(key) && at.has(key.id)) this.operatorSets(key, 'dsSeen');
      if (dsAtParent(key) && !at.has(key.id)) this.operatorSets(key, 'dsRemovedSeen');
    }
  }

  private operatorSets(key: KeyState, field: 'dsSeen' | 'dsRemovedSeen'): void {
    key[field] = this.now;
    this.events.push({ at: this.now, id: key.id, change: { kind: 'set', id: key.id, field, at: this.now, reason: `operator: keys ${field === 'dsSeen' ? 'ds-seen' : 'ds-gone'}` } });
  }

  private publish(view: KeyView): void {
    const state: ZoneState = {
      at: this.now,
      dnskey: view.dnskey.map((id) => this.factsOf(id)),
      keysetSigs: view.signKeyset.map((id) => this.factsOf(id)),
      zoneSigs: view.signZone.map((id) => this.factsOf(id)),
      cds: view.cds,
    };
    const last = this.zone[this.zone.length - 1];
    const same = last !== undefined && JSON.stringify({ ...last, at: 0 }) === JSON.stringify({ ...state, at: 0 });
    if (!same) this.zone.push(state);
    this.publishedCds = view.cds;
    // The registrar scans the CDS RRset some time after it changed (RFC 7344 §4, RFC 8078 §4).
    if (!this.parentFrozen && this.parentScanAt === undefined && this.cdsWanted() !== undefined) {
      this.parentScanAt = this.now + (this.opts.registrarDelay ?? HOUR);
    }
  }

  /** The DS RRset the current CDS asks for, when it differs from the parent's (undefined: nothing to do). */
  private cdsWanted(): string[] | undefined {
    if (this.publishedCds === 'none') return undefined;
    const wanted = this.publishedCds === 'delete' ? [] : [...this.publishedCds].sort();
    return JSON.stringify(wanted) === JSON.stringify(this.parentDs.map((f) => f.id).sort()) ? undefined : wanted;
  }

  private applyParent(): void {
    if (this.parentScanAt === undefined || this.parentScanAt > this.now || this.parentFrozen) return;
    this.parentScanAt = undefined;
    // It acts on the CDS RRset as it is when it scans, not as it was when it changed.
    const wanted = this.cdsWanted();
    if (wanted === undefined) return;
    this.parent.push({ at: this.now, ds: wanted.map((id) => this.factsOf(id)) });
    // The server's parent check sees it one interval later.
    const interval = this.policy?.parentDsCheck?.interval ?? this.opts.previousPolicy?.parentDsCheck?.interval ?? HOUR;
    this.nextCheck = this.now + interval;
  }

  /** When something happens next: the planner's next event, the parent acting, the parent check. */
  nextTime(): number | undefined {
    const candidates = [this.nextPlanAt, this.parentFrozen ? undefined : this.parentScanAt, this.nextCheck].filter(
      (t): t is number => t !== undefined && t > this.now,
    );
    return candidates.length === 0 ? undefined : Math.min(...candidates);
  }

  /**
   * Steps until the parent has acted on the current CDS and the parent check has seen it. (A
   * policy change that withdraws a CDS the registrar picked up since the last check is a race the
   * planner cannot see; the random lives make their changes outside that window.)
   */
  settleParent(): void {
    for (let steps = 0; steps < 100 && (this.parentScanAt !== undefined || this.nextCheck !== undefined) && !this.parentFrozen; steps++) {
      const next = Math.min(this.parentScanAt ?? Number.POSITIVE_INFINITY, this.nextCheck ?? Number.POSITIVE_INFINITY);
      this.now = Math.max(this.now, next);
      this.step();
    }
  }

  /** Steps until nothing more happens or `until`; returns the number of steps. */
  runUntil(until: number, onStep?: (world: World) => void): number {
    let steps = 0;
    for (;;) {
      this.step();
      onStep?.(this);
      steps++;
      assert.ok(steps < 2_000, 'the plan keeps moving: more than 2,000 steps');
      const next = this.nextTime();
      if (next === undefined || next > until) return steps;
      this.now = next;
    }
  }

  key(id: string): KeyState {
    const key = this.keys.find((k) => k.id === id);
    assert.ok(key, `key ${id} exists`);
    return key;
  }

  /** Events as "+<offset>  <kind> <id> <field>  <reason>" lines, offsets from `from`. */
  timeline(from: number): string[] {
    return this.events.map(({ at, change, id }) => {
      const what = change.kind === 'set' ? `${id} ${change.field}` : `${id} ${change.kind}`;
      return `${formatOffset(at - from).padStart(10)}  ${what.padEnd(18)}  ${change.reason}`;
    });
  }
}

export function formatOffset(seconds: number): string {
  const d = Math.floor(seconds / DAY);
  const h = Math.floor((seconds % DAY) / HOUR);
  const m = Math.floor((seconds % HOUR) / 60);
  const s = seconds % 60;
  return `+${d > 0 ? `${d}d` : ''}${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || seconds === 0 ? `${s}s` : ''}`;
}

/**
 * Every combination a resolver may hold at any time validates: a DS of the parent matches a
 * published DNSKEY that signs the DNSKEY RRset; the zone data is signed by a key of that RRset;
 * every algorithm of the DS RRset signs both (RFC 6840 §5.11). And what the zone publishes signs
 * with every algorithm of its DNSKEY RRset (RFC 4035 §2.2). Returns the failures.
 */
export function checkChains(world: World, timings: { propagation: number; dnskeyTtl: number; maxZoneTtl: number; parentDsTtl: number }): string[] {
  const failures: string[] = [];
  const { zone, parent } = world;
  const algs = (keys: KeyFacts[]): Set<number> => new Set(keys.map((k) => k.algorithm));
  const ids = (keys: KeyFacts[]): string => keys.map((k) => k.id).join(',') || '-';
  for (const state of zone) {
    if (state.dnskey.length === 0) continue;
    for (const alg of algs(state.dnskey)) {
      if (!algs(state.zoneSigs).has(alg) || !algs(state.keysetSigs).has(alg)) {
        failures.push(`at ${state.at}: DNSKEY algorithm ${alg} does not sign everything (RFC 4035 §2.2): dnskey ${ids(state.dnskey)} zoneSigs ${ids(state.zoneSigs)} keysetSigs ${ids(state.keysetSigs)}`);
      }
    }
  }
  const cacheable = <T extends { at: number }>(list: readonly T[], ttl: number, t: number): T[] =>
    list.filter((s, i) => s.at <= t && t < (list[i + 1]?.at ?? Number.POSITIVE_INFINITY) + timings.propagation + ttl);
  const times = [...new Set([...zone.map((s) => s.at), ...parent.map((s) => s.at)])].sort((a, b) => a - b);
  for (const t of times) {
    for (const ds of cacheable(parent, timings.parentDsTtl, t)) {
      if (ds.ds.length === 0) continue;
      for (const keyset of cacheable(zone, timings.dnskeyTtl, t)) {
        for (const data of cacheable(zone, timings.maxZoneTtl, t)) {
          const problem = chainProblem(ds.ds, keyset, data);
          if (problem !== undefined) {
            failures.push(`at ${t}: DS ${ids(ds.ds)} (from ${ds.at}), DNSKEY ${ids(keyset.dnskey)} signed by ${ids(keyset.keysetSigs)} (from ${keyset.at}), data signed by ${ids(data.zoneSigs)} (from ${data.at}): ${problem}`);
          }
        }
      }
    }
  }
  return [...new Set(failures)];
}

function chainProblem(ds: KeyFacts[], keyset: ZoneState, data: ZoneState): string | undefined {
  const inKeyset = (k: KeyFacts): boolean => keyset.dnskey.some((d) => d.id === k.id);
  if (!ds.some((d) => inKeyset(d) && keyset.keysetSigs.some((s) => s.id === d.id))) return 'no DS leads to a DNSKEY that signs the DNSKEY RRset';
  if (!data.zoneSigs.some(inKeyset)) return 'no signature over the zone data by a key of the DNSKEY RRset';
  for (const alg of new Set(ds.map((d) => d.algorithm))) {
    if (!keyset.keysetSigs.some((s) => s.algorithm === alg)) return `algorithm ${alg} of the DS RRset does not sign the DNSKEY RRset (RFC 6840 §5.11)`;
    if (!data.zoneSigs.some((s) => s.algorithm === alg)) return `algorithm ${alg} of the DS RRset does not sign the zone data (RFC 6840 §5.11)`;
  }
  return undefined;
}

export function timingsOf(policy: DnssecPolicy, maxZoneTtl: number): { propagation: number; dnskeyTtl: number; maxZoneTtl: number; parentDsTtl: number } {
  return { propagation: policy.propagationDelay, dnskeyTtl: policy.dnskeyTtl, maxZoneTtl, parentDsTtl: policy.parentDsTtl };
}
