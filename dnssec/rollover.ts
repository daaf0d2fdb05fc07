// The key lifecycle of one zone as a pure function of its keys, its policy and a clock: which keys
// to make, which step each key takes now, and what the zone must publish. The caller persists the
// changes (the keys' timestamps) and plans again at nextEventAt, after a parent check, or after a
// restart: the same input always gives the same plan, and a plan applied gives no further changes.
import { isPublished, isSep, reached, signsKeyset, signsZone, type KeyState } from './key-state.js';
import { policyAlgorithmNumber, type DnssecPolicy } from './policy.js';
import { byAge, Plan, type WorkKey } from './rollover-plan.js';
import {
  abandonIfUnused,
  advanceIncoming,
  advanceOutgoingOldAlgorithm,
  advanceOutgoingSameAlgorithm,
  deleteIfDone,
  generateKeys,
  goInsecure,
  observeParent,
  targets,
  wantedRoles,
} from './rollover-rules.js';
import type { GenerateChange, KeyChange, KeyPlan, KeyView, PlanInput } from './rollover-types.js';

export type { GenerateChange, KeyChange, KeyPlan, KeyView, PlanInput, SetChange, DeleteChange } from './rollover-types.js';

/** Timings assumed when going insecure without knowing the last policy: long, to be safe. */
const INSECURE_FALLBACK = { propagationDelay: 3600, dnskeyTtl: 86_400, parentDsTtl: 172_800 };

/** Rules run until none fires; each fires at most once per key and field, so this bounds them. */
const MAX_PASSES = 16;

export function planKeys(input: PlanInput): KeyPlan {
  for (const [name, value] of [['now', input.now], ['maxZoneTtl', input.maxZoneTtl]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`planKeys: ${name} ${String(value)} is not a non-negative number of seconds`);
  }
  const ids = new Set(input.keys.map((key) => key.id));
  if (ids.size !== input.keys.length) throw new RangeError('planKeys: two keys share an id');
  const policy = input.policy;
  if (input.rollNow !== undefined && (policy === undefined || !wantedRoles(policy).includes(input.rollNow))) {
    const has = policy === undefined ? 'signing is off' : `policy "${policy.name}" uses ${wantedRoles(policy).map((role) => role.toUpperCase()).join(' and ')}`;
    throw new RangeError(`cannot roll the ${input.rollNow.toUpperCase()}: ${has}`);
  }
  // Going insecure still waits out the DS TTL of the policy the zone was signed with.
  const timings = policy ?? input.previousPolicy ?? INSECURE_FALLBACK;
  const plan = new Plan(
    input.now,
    policy,
    { propagation: timings.propagationDelay, dnskeyTtl: timings.dnskeyTtl, maxZoneTtl: input.maxZoneTtl, parentDsTtl: timings.parentDsTtl },
    input.keys,
  );
  if (policy === undefined) planInsecure(plan, input);
  else planSigned(plan, policy, input);
  const view = viewOf(plan, policy);
  return { changes: plan.changes, nextEventAt: plan.nextEventAt(), view, waitingFor: [...plan.waitingFor] };
}

function planSigned(plan: Plan, policy: DnssecPolicy, input: PlanInput): void {
  const present = input.parentDs === undefined ? undefined : new Set(input.parentDs.present);
  let rollNow = input.rollNow;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = plan.changes.length;
    generateKeys(plan, policy, rollNow);
    rollNow = undefined; // a request starts at most one roll
    const successors = targets(plan, policy);
    const incoming = new Set(successors.values());
    if (present !== undefined) observeParent(plan, present, (key) => !incoming.has(key));
    for (const key of incoming) advanceIncoming(plan, key);
    const successorAlgorithms = new Set([...successors.values()].map((k) => k.algorithm));
    for (const key of [...plan.keys].sort(byAge)) {
      if (incoming.has(key)) continue;
      if (!abandonIfUnused(plan, key)) {
        if (successorAlgorithms.has(key.algorithm)) advanceOutgoingSameAlgorithm(plan, key, successors);
        else advanceOutgoingOldAlgorithm(plan, key, successors);
      }
      deleteIfDone(plan, key);
    }
    if (plan.changes.length === before) return;
  }
  throw new Error(`planKeys: the rules did not settle after ${MAX_PASSES} passes (a bug: please report the key states)`);
}

function planInsecure(plan: Plan, input: PlanInput): void {
  if (input.parentDs !== undefined) observeParent(plan, new Set(input.parentDs.present), () => true);
  if (plan.keys.length > 0) goInsecure(plan);
}

function viewOf(plan: Plan, policy: DnssecPolicy | undefined): KeyView {
  const now = plan.now;
  const keys = [...plan.keys].sort(byAge);
  const ids = (pick: (key: WorkKey) => boolean): string[] => keys.filter(pick).map((key) => key.id);
  return {
    dnskey: ids((key) => isPublished(key, now)),
    signZone: ids((key) => signsZone(key, now)),
    signKeyset: ids((key) => signsKeyset(key, now)),
    cds: cdsOf(keys, policy, now),
  };
}

function cdsOf(keys: readonly WorkKey[], policy: DnssecPolicy | undefined, now: number): KeyView['cds'] {
  // RFC 8078 §4: turning signing off asks the parent to remove the DS.
  if (policy === undefined) return keys.length > 0 ? 'delete' : 'none';
  if (!policy.cds) return 'none';
  let submitted = keys.filter((key) => isSep(key) && (reached(key.dsSubmitted, now) || reached(key.dsSeen, now)) && !reached(key.remove, now));
  // RFC 6781 §4.1.4: in an algorithm roll the new DS replaces the old one.
  const algorithm = policyAlgorithmNumber(policy);
  if (submitted.some((key) => key.algorithm === algorithm)) submitted = submitted.filter((key) => key.algorithm === algorithm);
  return submitted.length === 0 ? 'none' : submitted.map((key) => key.id);
}

/**
 * The keys once a plan's changes are applied: `newKey` makes each generated key (its id and key
 * tag); the rest is bookkeeping. The persisted form is exactly this list.
 */
export function applyKeyChanges(
  keys: readonly KeyState[],
  changes: readonly KeyChange[],
  newKey: (change: GenerateChange) => { id: string; keyTag: number },
  now: number,
): KeyState[] {
  const out = keys.map((key) => ({ ...key }));
  const byRef = new Map<string, KeyState>();
  for (const change of changes) {
    if (change.kind === 'generate') {
      const made = newKey(change);
      const key: KeyState = { id: made.id, role: change.role, algorithm: change.algorithm, keyTag: made.keyTag, imported: false, created: now, ...change.timing };
      byRef.set(change.ref, key);
      out.push(key);
    } else if (change.kind === 'set') {
      const key = out.find((k) => k.id === change.id) ?? byRef.get(change.id);
      if (key === undefined) throw new RangeError(`applyKeyChanges: no key "${change.id}" to set ${change.field} on`);
      key[change.field] = change.at;
    } else {
      const index = out.findIndex((k) => k.id === change.id);
      if (index < 0) throw new RangeError(`applyKeyChanges: no key "${change.id}" to delete`);
      out.splice(index, 1);
    }
  }
  return out;
}
