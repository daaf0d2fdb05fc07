// The working state of one planKeys call: the keys as they will be once the changes so far are
// applied, the changes themselves, and the times at which a rule that is waiting becomes due.
import { reached, type KeyRole, type KeyState, type KeyTimestamp } from './key-state.js';
import type { DnssecPolicy } from './policy.js';
import type { GenerateChange, KeyChange } from './rollover-types.js';

export interface WorkKey extends KeyState {
  /** Set for a key this plan generates: its GenerateChange. */
  generated?: GenerateChange;
}

export interface Timings {
  /** propagationDelay */
  propagation: number;
  dnskeyTtl: number;
  maxZoneTtl: number;
  parentDsTtl: number;
}

export class Plan {
  readonly keys: WorkKey[];
  readonly changes: KeyChange[] = [];
  readonly waitingFor = new Set<string>();
  private readonly dueTimes: number[] = [];

  constructor(
    readonly now: number,
    readonly policy: DnssecPolicy | undefined,
    readonly t: Timings,
    keys: readonly KeyState[],
  ) {
    this.keys = keys.map((key) => ({ ...key }));
  }

  /** True when `at` has come; otherwise remember it as the next time to plan again. */
  due(at: number): boolean {
    if (at <= this.now) return true;
    this.dueTimes.push(at);
    return false;
  }

  /** A rule blocked on the outside world: reported, not scheduled. */
  waiting(what: string): void {
    this.waitingFor.add(what);
  }

  set(key: WorkKey, field: KeyTimestamp, reason: string): void {
    key[field] = this.now;
    if (key.generated !== undefined) key.generated.timing[field] = this.now;
    else this.changes.push({ kind: 'set', id: key.id, field, at: this.now, reason });
  }

  generate(role: KeyRole, algorithm: number, timing: Partial<Record<KeyTimestamp, number>>, reason: string): WorkKey {
    const ref = `new:${role}`;
    const change: GenerateChange = { kind: 'generate', role, algorithm, ref, timing: { ...timing }, reason };
    this.changes.push(change);
    const key: WorkKey = { id: ref, role, algorithm, keyTag: -1, imported: false, created: this.now, ...timing, generated: change };
    this.keys.push(key);
    return key;
  }

  remove(key: WorkKey, reason: string): void {
    this.keys.splice(this.keys.indexOf(key), 1);
    this.changes.push({ kind: 'delete', id: key.id, reason });
  }

  nextEventAt(): number | undefined {
    let next: number | undefined;
    for (const at of this.dueTimes) if (at > this.now && (next === undefined || at < next)) next = at;
    // Timestamps set ahead of time (imported keys carry their own timing) are events too.
    for (const key of this.keys) {
      for (const field of ['publish', 'active', 'retire', 'remove'] as const) {
        const at = key[field];
        if (at !== undefined && at > this.now && (next === undefined || at < next)) next = at;
      }
    }
    return next;
  }
}

/** "KSK 12345", "new ZSK": how a key is named in a reason. */
export function label(key: WorkKey): string {
  const role = key.role.toUpperCase();
  return key.generated !== undefined ? `new ${role}` : `${role} ${key.keyTag}`;
}

/** Oldest first; ties broken by id so the order never depends on the caller's. */
export function byAge(a: KeyState, b: KeyState): number {
  return a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** In the zone at all: published, signing, or with either step scheduled. */
export function isLive(key: KeyState): boolean {
  return key.publish !== undefined || key.active !== undefined;
}

/** Both gone: no RRSIG and no DNSKEY of it is published any more. */
export function isFinished(key: KeyState, now: number): boolean {
  return reached(key.retire, now) && reached(key.remove, now);
}

export function algorithmName(algorithm: number): string {
  return ({ 8: 'RSASHA256', 13: 'ECDSAP256SHA256', 15: 'ED25519' } as Record<number, string>)[algorithm] ?? `algorithm ${algorithm}`;
}

