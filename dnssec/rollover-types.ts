// The vocabulary of the key lifecycle planner: what it is given, what it asks for, what it shows.
import type { KeyRole, KeyState, KeyTimestamp } from './key-state.js';
import type { DnssecPolicy } from './policy.js';

export interface PlanInput {
  /** undefined = signing is being turned off: the zone goes insecure (RFC 8078 §4). */
  policy: DnssecPolicy | undefined;
  keys: readonly KeyState[];
  /** Unix seconds. */
  now: number;
  /** The largest TTL of any RRset in the zone (what a cached signature can live for). */
  maxZoneTtl: number;
  /** With policy undefined: the policy the zone was signed with (its TTLs and delays); else 2 days of DS TTL are assumed. */
  previousPolicy?: DnssecPolicy;
  /** The last parent check, when every parent-side server agreed: key tags of the DS RRset. */
  parentDs?: { present: readonly number[] };
  /** The operator asked for a roll of this role now (ignored while one is already under way). */
  rollNow?: KeyRole;
}

/** A new key to make. Its id is not known yet: the plan's view and later changes call it `ref`. */
export interface GenerateChange {
  kind: 'generate';
  role: KeyRole;
  algorithm: number;
  ref: string;
  /** The timestamps it starts with (each = now); `created` is now too. */
  timing: Partial<Record<KeyTimestamp, number>>;
  reason: string;
}

export interface SetChange {
  kind: 'set';
  id: string;
  field: KeyTimestamp;
  at: number;
  reason: string;
}

/** The key is no longer needed by anything: purge its material and its state. */
export interface DeleteChange {
  kind: 'delete';
  id: string;
  reason: string;
}

export type KeyChange = GenerateChange | SetChange | DeleteChange;

/** What the zone must publish now, once the changes are applied. */
export interface KeyView {
  /** Keys in the DNSKEY RRset. */
  dnskey: string[];
  /** Keys whose RRSIGs cover every RRset but DNSKEY, CDS and CDNSKEY (all of them, from this commit on). */
  signZone: string[];
  /** Keys signing DNSKEY, CDS and CDNSKEY. */
  signKeyset: string[];
  /** Keys whose CDS/CDNSKEY are published; 'delete' = the RFC 8078 §4 DELETE records; 'none' = no CDS/CDNSKEY. */
  cds: string[] | 'delete' | 'none';
}

export interface KeyPlan {
  changes: KeyChange[];
  /** When to plan again (unix seconds); undefined = only when something outside changes (a DS seen, a policy). */
  nextEventAt: number | undefined;
  view: KeyView;
  /** Why the plan is waiting on the outside world, if it is (e.g. "waiting for the DS of KSK 12345 at the parent"). */
  waitingFor: string[];
}
