// The rules of the key lifecycle. Each looks at the working keys and, when its time has come, moves
// a key one step (Plan.set / generate / remove); otherwise it records when it will be due.
// Timings are RFC 7583's: a change is seen everywhere after the propagation delay, and a cached
// copy of the old state lives for its TTL after that.
import { dsAtParent, dsGone, isSep, isZoneSigner, reached, signsZone, type KeyRole } from './key-state.js';
import { policyAlgorithmNumber, type DnssecPolicy } from './policy.js';
import { algorithmName, byAge, isFinished, isLive, label, type Plan, type WorkKey } from './rollover-plan.js';

export function wantedRoles(policy: DnssecPolicy): KeyRole[] {
  return policy.keys === 'csk' ? ['csk'] : ['ksk', 'zsk'];
}

/** The key each wanted role rolls towards: the newest of that role and algorithm not on its way out. */
export function targets(plan: Plan, policy: DnssecPolicy): Map<KeyRole, WorkKey> {
  const algorithm = policyAlgorithmNumber(policy);
  const out = new Map<KeyRole, WorkKey>();
  for (const role of wantedRoles(policy)) {
    const candidates = plan.keys
      .filter((k) => k.role === role && k.algorithm === algorithm && k.retire === undefined && k.remove === undefined && isLive(k))
      .sort(byAge);
    const newest = candidates[candidates.length - 1];
    if (newest !== undefined) out.set(role, newest);
  }
  return out;
}

function lifetime(policy: DnssecPolicy, role: KeyRole): number {
  // A CSK roll changes the DS, so the KSK lifetime governs it.
  return role === 'zsk' ? policy.zskLifetime : policy.kskLifetime;
}

/**
 * The parent check's answer becomes dsSeen / dsRemovedSeen, for every key alike: a registrar may
 * act late on a CDS RRset already withdrawn, and only what the parent serves counts.
 */
export function observeParent(plan: Plan, present: ReadonlySet<number>, outgoing: (key: WorkKey) => boolean): void {
  for (const key of plan.keys) {
    if (!isSep(key) || key.generated !== undefined) continue;
    const shown = present.has(key.keyTag);
    const asked = key.dsSubmitted !== undefined || key.imported || key.dsSeen !== undefined;
    if (shown && asked && !dsAtParent(key)) {
      plan.set(key, 'dsSeen', `the parent serves the DS of ${label(key)}`);
    }
    if (!shown && !dsGone(key) && (dsAtParent(key) || (asked && outgoing(key)))) {
      plan.set(key, 'dsRemovedSeen', `the parent does not serve the DS of ${label(key)}`);
    }
  }
}

/** New keys: for a new zone, for a role the policy now wants, for a new algorithm, or for a roll. */
export function generateKeys(plan: Plan, policy: DnssecPolicy, rollNow: KeyRole | undefined): void {
  const algorithm = policyAlgorithmNumber(policy);
  const current = targets(plan, policy);
  const anyLive = plan.keys.some((k) => isLive(k) && !isFinished(k, plan.now));
  const algorithmLive = plan.keys.some((k) => k.algorithm === algorithm && isLive(k) && !isFinished(k, plan.now));
  for (const role of wantedRoles(policy)) {
    const target = current.get(role);
    if (target === undefined) {
      if (!anyLive) {
        plan.generate(role, algorithm, { publish: plan.now, active: plan.now }, `new ${role.toUpperCase()} (${algorithmName(algorithm)}): the zone is signed from now`);
      } else if (!algorithmLive) {
        // RFC 6781 §4.1.4: the new algorithm's signatures come before its DNSKEYs.
        plan.generate(role, algorithm, { active: plan.now }, `algorithm rollover to ${algorithmName(algorithm)}: new ${role.toUpperCase()} signs before it is published (RFC 6781 §4.1.4)`);
      } else {
        plan.generate(role, algorithm, rollTiming(plan, role), `policy "${policy.name}" wants a ${role.toUpperCase()}: one is introduced as in a roll`);
      }
      continue;
    }
    // One roll at a time per role: the old key must be gone from the zone first.
    const rolling = plan.keys.some((k) => k !== target && k.role === role && !isFinished(k, plan.now));
    if (rolling || !reached(target.active, plan.now)) continue;
    const life = lifetime(policy, role);
    const expiry = life > 0 ? target.active! + life : undefined;
    if (rollNow === role) {
      plan.generate(role, algorithm, rollTiming(plan, role), `${label(target)} rolled on request`);
    } else if (expiry !== undefined && plan.due(expiry)) {
      plan.generate(role, algorithm, rollTiming(plan, role), `${label(target)} reached its ${role === 'zsk' ? 'zskLifetime' : 'kskLifetime'} (${life}s)`);
    }
  }
}

function rollTiming(plan: Plan, role: KeyRole): { publish: number; active?: number } {
  // A new KSK signs the DNSKEY RRset from the moment it is in it, so a parent that replaces the DS
  // instead of adding one (RFC 6781 §4.1.2 double-DS) still finds the keyset signed by it.
  return role === 'ksk' ? { publish: plan.now, active: plan.now } : { publish: plan.now };
}

/** An incoming key: published → active (pre-publication), or active → published (algorithm roll), → DS submitted. */
export function advanceIncoming(plan: Plan, key: WorkKey): void {
  const { propagation, dnskeyTtl, maxZoneTtl } = plan.t;
  if (key.publish !== undefined && key.active === undefined) {
    // RFC 6781 §4.1.1.1: signs only once every cache can hold its DNSKEY.
    if (plan.due(key.publish + propagation + dnskeyTtl)) plan.set(key, 'active', `${label(key)} starts signing: its DNSKEY reached every cache`);
  }
  if (key.active !== undefined && key.publish === undefined) {
    // RFC 6781 §4.1.4: its DNSKEY only once its signatures are in every cache.
    if (plan.due(key.active + propagation + Math.max(maxZoneTtl, dnskeyTtl))) {
      plan.set(key, 'publish', `${label(key)} published: signatures of ${algorithmName(key.algorithm)} reached every cache (RFC 6781 §4.1.4)`);
    }
  }
  // (A key whose DS the parent already serves, such as an imported one, needs no submission.)
  if (isSep(key) && key.dsSubmitted === undefined && key.dsSeen === undefined && key.publish !== undefined && key.active !== undefined) {
    // RFC 7583 §3.3.1 "ready": its DNSKEY and keyset signature in every cache; and RFC 6840 §5.11:
    // once a DS names this algorithm, every cached RRset must carry a signature of it (for a
    // first DS, that is also every unsigned answer gone from the caches).
    const signingSince = algorithmSigningSince(plan, key.algorithm);
    if (signingSince === undefined) return;
    const ready = Math.max(Math.max(key.publish, key.active) + propagation + dnskeyTtl, signingSince + propagation + maxZoneTtl);
    if (plan.due(ready)) {
      plan.set(key, 'dsSubmitted', `${label(key)} is ready: its DS goes to the parent${plan.policy?.cds === true ? ' (CDS/CDNSKEY published)' : ''}`);
    }
  }
  if (isSep(key) && key.dsSubmitted !== undefined && !dsAtParent(key)) {
    plan.waiting(`the DS of ${label(key)} at the parent (parent check or \`keys ds-seen\`)`);
  }
}

/** An outgoing key that never signed (its roll was overtaken by a policy change) simply goes. */
export function abandonIfUnused(plan: Plan, key: WorkKey): boolean {
  if (reached(key.active, plan.now)) return false;
  const reason = `${label(key)} abandoned before it signed: the policy no longer wants it`;
  if (key.retire === undefined) plan.set(key, 'retire', reason);
  if (key.remove === undefined) plan.set(key, 'remove', reason);
  return true;
}

/** Since when the zone data has been signed without a break by keys of `algorithm` (undefined: it is not signed by one now). */
function algorithmSigningSince(plan: Plan, algorithm: number): number | undefined {
  const spans = plan.keys
    .filter((k) => isZoneSigner(k) && k.algorithm === algorithm && reached(k.active, plan.now))
    .map((k) => [k.active!, k.retire ?? Number.POSITIVE_INFINITY] as const);
  if (!spans.some(([from, to]) => from <= plan.now && plan.now < to)) return undefined;
  let since = plan.now;
  for (let extended = true; extended; ) {
    extended = false;
    for (const [from, to] of spans) {
      if (from < since && to >= since) {
        since = from;
        extended = true;
      }
    }
  }
  return since;
}

/** The moment every cache holds a DS RRset naming the key (undefined while the parent has not shown it). */
function dsEverywhere(plan: Plan, key: WorkKey | undefined): number | undefined {
  if (key === undefined || !dsAtParent(key)) return undefined;
  return key.dsSeen! + plan.t.propagation + plan.t.parentDsTtl;
}

/** An outgoing key whose algorithm the policy still uses: retired by its successor, removed after the TTLs. */
export function advanceOutgoingSameAlgorithm(plan: Plan, key: WorkKey, successors: Map<KeyRole, WorkKey>): void {
  const { propagation, maxZoneTtl } = plan.t;
  const zoneSuccessor = [...successors.values()].find((k) => isZoneSigner(k) && k.algorithm === key.algorithm);
  const sepSuccessor = [...successors.values()].find((k) => isSep(k) && k.algorithm === key.algorithm);
  if (isZoneSigner(key) && signsZone(key, plan.now) && zoneSuccessor !== undefined && reached(zoneSuccessor.active, plan.now)) {
    plan.set(key, 'retire', `${label(key)} stops signing the zone: ${label(zoneSuccessor)} signs it`);
  }
  // (A key can arrive here half-way out: removed but still signing, from an algorithm roll the
  // policy went back on.)
  if (key.remove !== undefined && key.retire !== undefined) return;
  // Its signatures over zone data must be out of every cache before its DNSKEY goes.
  const zoneSigsGone = !isZoneSigner(key) || (key.retire !== undefined && plan.due(key.retire + propagation + maxZoneTtl));
  if (!isSep(key)) {
    if (key.remove === undefined && zoneSigsGone) plan.set(key, 'remove', `${label(key)} removed from the DNSKEY RRset: its signatures left every cache`);
    return;
  }
  // RFC 6781 §4.1.2: the old SEP key goes once every cached DS RRset names its successor.
  const ready = dsEverywhere(plan, sepSuccessor);
  if (ready === undefined || !plan.due(ready) || !zoneSigsGone) return;
  if (key.retire === undefined) plan.set(key, 'retire', `${label(key)} stops signing the DNSKEY RRset: every cached DS names ${label(sepSuccessor!)}`);
  if (key.remove === undefined) plan.set(key, 'remove', `${label(key)} removed from the DNSKEY RRset: every cached DS names ${label(sepSuccessor!)}`);
}

/**
 * An outgoing key of an algorithm the policy no longer uses, in RFC 6781 §4.1.4 order: its DNSKEY
 * goes once the new DS is everywhere, its signatures only after that and once no cached DS RRset
 * can hold the old algorithm (RFC 6840 §5.11: every algorithm in the DS RRset signs everything).
 */
export function advanceOutgoingOldAlgorithm(plan: Plan, key: WorkKey, successors: Map<KeyRole, WorkKey>): void {
  const { propagation, dnskeyTtl, parentDsTtl } = plan.t;
  const newSeps = [...successors.values()].filter(isSep);
  const newDsEverywhere = newSeps.map((k) => dsEverywhere(plan, k));
  if (newSeps.length === 0 || newDsEverywhere.some((at) => at === undefined)) return;
  // The new algorithm's DNSKEYs and signatures must be in every cache too: a policy change in the
  // middle of a roll can bring successors that started later than the DS.
  const cached = [...successors.values()].map((k) => successorCached(plan, k));
  if (cached.some((at) => at === undefined)) return;
  const ready = Math.max(...(newDsEverywhere as number[]), ...(cached as number[]));
  if (key.remove === undefined) {
    if (!plan.due(ready)) return;
    plan.set(key, 'remove', `${label(key)} removed from the DNSKEY RRset: the DS of ${algorithmName(newSeps[0]!.algorithm)} reached every cache (RFC 6781 §4.1.4)`);
  }
  if (key.retire !== undefined) return;
  const oldDsGone = oldAlgorithmDsGone(plan, key.algorithm, newSeps);
  if (oldDsGone === undefined) {
    plan.waiting(`the parent to drop the DS of ${algorithmName(key.algorithm)}`);
    return;
  }
  if (plan.due(key.remove! + propagation + dnskeyTtl) && plan.due(oldDsGone + propagation + parentDsTtl)) {
    plan.set(key, 'retire', `${label(key)} stops signing: no cache holds a DS or DNSKEY of ${algorithmName(key.algorithm)} (RFC 6781 §4.1.4)`);
  }
}

/** When a successor's DNSKEY and its signatures are in every cache (undefined: not published and signing yet). */
function successorCached(plan: Plan, key: WorkKey): number | undefined {
  if (key.publish === undefined || key.active === undefined) return undefined;
  const { propagation, dnskeyTtl, maxZoneTtl } = plan.t;
  const signatureTtl = isZoneSigner(key) ? Math.max(dnskeyTtl, maxZoneTtl) : dnskeyTtl;
  return Math.max(key.publish + propagation + dnskeyTtl, key.active + propagation + signatureTtl);
}

/** When the parent stopped serving every DS of `algorithm` (undefined: not known yet). */
function oldAlgorithmDsGone(plan: Plan, algorithm: number, newSeps: readonly WorkKey[]): number | undefined {
  const old = plan.keys.filter((k) => isSep(k) && k.algorithm === algorithm && (k.dsSubmitted !== undefined || k.dsSeen !== undefined || k.imported));
  if (old.length === 0) return Number.NEGATIVE_INFINITY;
  if (old.every(dsGone)) return Math.max(...old.map((k) => k.dsRemovedSeen!));
  // Without a parent check the operator's `keys ds-seen` for the new key confirms the parent's DS
  // RRset is the CDS RRset, which names only the new algorithm.
  if (plan.policy?.parentDsCheck === undefined) return Math.max(...newSeps.map((k) => k.dsSeen!));
  return undefined;
}

/** A key neither published nor signing, out of every cache: its material can go. */
export function deleteIfDone(plan: Plan, key: WorkKey): void {
  if (!isFinished(key, plan.now)) return;
  const { propagation, dnskeyTtl, maxZoneTtl } = plan.t;
  const signatureTtl = isZoneSigner(key) ? Math.max(dnskeyTtl, maxZoneTtl) : dnskeyTtl;
  if (!plan.due(key.remove! + propagation + dnskeyTtl) || !plan.due(key.retire! + propagation + signatureTtl)) return;
  // With a parent check, a SEP key is kept until its DS is seen gone (it could still be needed).
  if (isSep(key) && dsAtParent(key) && plan.policy?.parentDsCheck !== undefined) {
    plan.waiting(`the parent to drop the DS of ${label(key)}`);
    return;
  }
  plan.remove(key, `${label(key)} deleted: no longer published, signing or cached`);
}

/** RFC 8078 §4: DELETE published; the keys go once no cache can hold the DS any more. */
export function goInsecure(plan: Plan): void {
  const { propagation, parentDsTtl } = plan.t;
  const atParent = plan.keys.filter((k) => isSep(k) && (k.dsSeen !== undefined || k.dsSubmitted !== undefined || k.imported));
  if (atParent.some((k) => !dsGone(k))) {
    plan.waiting('the parent to remove the DS (CDS/CDNSKEY DELETE published, RFC 8078 §4)');
    return;
  }
  const gone = atParent.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...atParent.map((k) => k.dsRemovedSeen!));
  if (!plan.due(gone + propagation + parentDsTtl)) return;
  for (const key of [...plan.keys]) plan.remove(key, `${label(key)} deleted: signing is off and no cache holds the DS any more`);
}

