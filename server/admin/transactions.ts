import { nameToKey, nameToText, type WireName } from '../../zones/name.js';
import { rdataIdentity } from '../../zones/rdata-equal.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import type { ZoneReader } from '../../zones/store/reader.js';
import type { ZoneMeta } from '../../zones/store/zone-meta.js';
import { latin1 } from '../../zones/store/working-set.js';
import { ApiError, invalid } from './errors.js';
import { MAX_TTL, parseContent, parseOwner, parseType } from './input.js';
import type { RRsetInput } from './patch.js';

/**
 * Knot's zone transaction (knotc zone-begin / zone-set / zone-unset / zone-diff / zone-commit /
 * zone-abort) held by the server: an ordered list of record changes, replayed on the zone as it is
 * when the diff is shown or the transaction is committed. A commit turns the replay into one PATCH
 * body (REPLACE / DELETE per RRset) and applies it through the PATCH code, so it is one commit
 * through the write door, checked like any PATCH, or nothing.
 */

/** One change as the API receives it (names absolute, content in presentation format). */
export interface ChangeInput {
  action: 'set' | 'unset';
  name: string;
  type?: string;
  ttl?: number;
  content?: string;
}

/** A checked change. `set` has a type and rdata; `unset` may leave out the rdata, or the type too. */
export interface Change {
  action: 'set' | 'unset';
  input: ChangeInput;
  owner: WireName;
  key: Buffer;
  type: number | undefined;
  ttl: number | undefined;
  rdata: Uint8Array | undefined;
}

/** Knot's `default-ttl`: a new RRset set without a TTL gets it. */
export const DEFAULT_TTL = 3600;
/** An open transaction nobody touched for this long is dropped (knotc's are dropped only by a restart). */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** The records a name keeps while the signer maintains them: never removed by a whole-name unset. */
const SIGNER_TYPES = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

export class ZoneTransaction {
  readonly changes: Change[] = [];
  readonly opened = new Date();
  lastUsed: number;
  committing = false;

  constructor(readonly origin: string, readonly apexKey: Buffer, now: number) {
    this.lastUsed = now;
  }

  /** Checks `inputs` against the zone as the transaction leaves it, then adds them (all or none). */
  add(store: ZoneReader, meta: ZoneMeta, inputs: readonly ChangeInput[]): void {
    const parsed = inputs.map((input, i) => parseChange(input, this.apexKey, meta.origin, `changes[${i}]`));
    replay(store, meta, [...this.changes, ...parsed], (i) =>
      (i < this.changes.length ? `transaction change ${i + 1}` : `changes[${i - this.changes.length}]`));
    this.changes.push(...parsed);
  }
}

/** An RRset the transaction changes: what the zone has, what it will have. */
export interface RRsetChange {
  name: string;
  type: string;
  remove: { ttl: number; content: string }[];
  add: { ttl: number; content: string }[];
}

export interface RRsetState {
  owner: WireName;
  key: Buffer;
  type: number;
  beforeTtl: number | undefined;
  before: Uint8Array[];
  ttl: number | undefined;
  after: Uint8Array[];
}

/**
 * The changes replayed in order on the zone as it is now: one state per RRset they touch. A change
 * that removes what is not there is refused, named by `label(index)`.
 */
export function replay(store: ZoneReader, meta: ZoneMeta, changes: readonly Change[], label: (index: number) => string): RRsetState[] {
  const states = new Map<string, RRsetState>();
  const stateOf = (owner: WireName, key: Buffer, type: number): RRsetState => {
    const id = `${latin1(key)}|${type}`;
    let state = states.get(id);
    if (!state) {
      const stored = store.getNode(meta.id, key)?.rrsets.find((s) => s.type === type);
      const before = stored ? stored.rrs.map((rr) => rr.rdata) : [];
      state = { owner, key, type, beforeTtl: stored?.ttl, before, ttl: stored?.ttl, after: [...before] };
      states.set(id, state);
    }
    return state;
  };
  changes.forEach((c, i) => {
    const missing = (what: string) => invalid(label(i), describe(c.input), `${what} is not in the zone (nor set earlier in this transaction)`);
    if (c.action === 'set') {
      const state = stateOf(c.owner, c.key, c.type!);
      const rdata = c.rdata!;
      // RFC 1035 §5.2: one SOA per zone; setting one replaces it (as knotc does)
      if (c.type === RRType.SOA) state.after = [rdata];
      else if (!state.after.some((r) => sameRdata(c.type!, r, rdata))) state.after.push(rdata);
      // RFC 2181 §5.2: one TTL per RRset, so a TTL given sets the RRset's
      state.ttl = c.ttl ?? state.ttl ?? DEFAULT_TTL;
      return;
    }
    if (c.type === undefined) {
      const types = new Set<number>();
      for (const s of store.getNode(meta.id, c.key)?.rrsets ?? []) types.add(s.type);
      for (const s of states.values()) if (s.after.length > 0 && s.key.equals(c.key)) types.add(s.type);
      let removed = 0;
      for (const type of types) {
        if (SIGNER_TYPES.has(type)) continue;
        const state = stateOf(c.owner, c.key, type);
        removed += state.after.length;
        state.after = [];
      }
      if (removed === 0) throw missing('the name');
      return;
    }
    const state = stateOf(c.owner, c.key, c.type);
    if (c.rdata === undefined) {
      if (state.after.length === 0) throw missing('the RRset');
      state.after = [];
      return;
    }
    const at = state.after.findIndex((r) => sameRdata(c.type!, r, c.rdata!));
    if (at < 0) throw missing('the record');
    state.after.splice(at, 1);
  });
  return [...states.values()].filter(changed);
}

/** The replayed RRsets as a PATCH body: REPLACE with what stays, DELETE when nothing does. */
export function toPatch(states: readonly RRsetState[]): RRsetInput[] {
  return states.map((s) => {
    const name = nameToText(s.owner);
    const type = typeToText(s.type);
    if (s.after.length === 0) return { name, type, changetype: 'DELETE' };
    return { name, type, ttl: s.ttl!, changetype: 'REPLACE', records: s.after.map((r) => ({ content: rdataToText(s.type, r) })) };
  });
}

/** The replayed RRsets as removed and added records (a TTL change removes and adds the whole RRset). */
export function toDiff(states: readonly RRsetState[]): RRsetChange[] {
  return states.map((s) => {
    const ttlChanged = s.beforeTtl !== undefined && s.before.length > 0 && s.after.length > 0 && s.beforeTtl !== s.ttl;
    const remove = ttlChanged ? s.before : s.before.filter((r) => !s.after.some((a) => sameRdata(s.type, a, r)));
    const add = ttlChanged ? s.after : s.after.filter((a) => !s.before.some((r) => sameRdata(s.type, a, r)));
    return {
      name: nameToText(s.owner),
      type: typeToText(s.type),
      remove: remove.map((r) => ({ ttl: s.beforeTtl ?? 0, content: rdataToText(s.type, r) })),
      add: add.map((r) => ({ ttl: s.ttl ?? DEFAULT_TTL, content: rdataToText(s.type, r) })),
    };
  });
}

/** Checks one change of a request; a 422 names its field. */
export function parseChange(input: ChangeInput, apexKey: Buffer, origin: string, at: string): Change {
  const owner = parseOwner(input.name, apexKey, origin, `${at}.name`);
  const type = input.type === undefined ? undefined : parseType(input.type, `${at}.type`);
  if (input.action === 'set') {
    if (type === undefined) throw invalid(`${at}.type`, undefined, 'is required to set a record');
    if (input.content === undefined) throw invalid(`${at}.content`, undefined, `is required to set a record (the ${typeToText(type)} rdata)`);
  } else {
    if (input.ttl !== undefined) throw invalid(`${at}.ttl`, input.ttl, 'is only given to set a record');
    if (input.content !== undefined && type === undefined) throw invalid(`${at}.type`, undefined, 'is required to unset one record by its content');
  }
  if (input.ttl !== undefined && (!Number.isInteger(input.ttl) || input.ttl < 0 || input.ttl > MAX_TTL)) {
    throw invalid(`${at}.ttl`, input.ttl, `must be a whole number from 0 to ${MAX_TTL} (RFC 2181 §8)`);
  }
  if (type === RRType.SOA && input.action === 'unset') throw invalid(`${at}.type`, input.type, 'the SOA cannot be unset: a zone always has one (set a new one instead)');
  if (type !== undefined && SIGNER_TYPES.has(type)) throw invalid(`${at}.type`, input.type, 'is kept by the signer; it is not changed by hand');
  const rdata = input.content === undefined ? undefined : parseContent(type!, input.content, `${at}.content`);
  return { action: input.action, input, owner, key: nameToKey(owner), type, ttl: input.ttl, rdata };
}

function sameRdata(type: number, a: Uint8Array, b: Uint8Array): boolean {
  return rdataIdentity(type, a) === rdataIdentity(type, b);
}

function changed(s: RRsetState): boolean {
  if (s.before.length === 0 && s.after.length === 0) return false;
  if (s.before.length !== s.after.length || s.beforeTtl !== s.ttl) return true;
  return s.after.some((a) => !s.before.some((r) => sameRdata(s.type, a, r)));
}

function describe(input: ChangeInput): string {
  return [input.name, input.type, input.content].filter((p) => p !== undefined).join(' ');
}

/** The open transactions of this server, one per zone, dropped after IDLE_TIMEOUT_MS without use. */
export class ZoneTransactions {
  private readonly open = new Map<string, ZoneTransaction>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly onExpire: (origin: string) => void, private readonly idleMs = IDLE_TIMEOUT_MS, private readonly now = Date.now) {
    this.sweep = setInterval(() => this.expireIdle(), Math.min(60_000, idleMs)).unref();
  }

  begin(apexKey: Buffer, origin: string): ZoneTransaction {
    this.expireIdle();
    const id = latin1(apexKey);
    const open = this.open.get(id);
    if (open) {
      throw new ApiError(409, 'origin', origin, `has a transaction open since ${open.opened.toISOString()}; commit or abort it first (zone diff shows it)`);
    }
    const tx = new ZoneTransaction(origin, apexKey, this.now());
    this.open.set(id, tx);
    return tx;
  }

  /** The zone's open transaction, now used (its idle time starts again). */
  get(apexKey: Buffer, origin: string): ZoneTransaction {
    const tx = this.find(apexKey);
    if (!tx) throw new ApiError(404, 'transaction', undefined, `${origin} has no open transaction (zone begin, or POST to this URL, opens one)`);
    tx.lastUsed = this.now();
    return tx;
  }

  find(apexKey: Buffer): ZoneTransaction | undefined {
    this.expireIdle();
    return this.open.get(latin1(apexKey));
  }

  drop(tx: ZoneTransaction): void {
    if (this.open.get(latin1(tx.apexKey)) === tx) this.open.delete(latin1(tx.apexKey));
  }

  /** Drops the transactions idle for longer than the timeout (a commit in progress is never dropped). */
  expireIdle(now = this.now()): void {
    for (const [id, tx] of this.open) {
      if (!tx.committing && now - tx.lastUsed > this.idleMs) {
        this.open.delete(id);
        this.onExpire(tx.origin);
      }
    }
  }

  expiresAt(tx: ZoneTransaction): Date {
    return new Date(tx.lastUsed + this.idleMs);
  }

  close(): void {
    clearInterval(this.sweep);
    this.open.clear();
  }
}
