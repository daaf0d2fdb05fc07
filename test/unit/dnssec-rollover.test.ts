// Whole rollover sequences with a moved clock. Every step is planned, applied and planned again
// (idempotence, in World.step); at the end the simulated resolvers' caches are checked at every
// moment of the sequence (checkChains), and the final key set is the one expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyState } from '../../dnssec/key-state.js';
import type { DnssecPolicy } from '../../dnssec/policy.js';
import { applyKeyChanges, planKeys } from '../../dnssec/rollover.js';
import { BASE_POLICY, checkChains, DAY, HOUR, timingsOf, World, type WorldOptions } from './dnssec-rollover-world.js';

const START = 1_800_000_000;
const ZONE_TTL = 2 * HOUR;
const CHECKED: DnssecPolicy = { ...BASE_POLICY, parentDsCheck: { addresses: ['127.0.0.1:53'], interval: HOUR } };

function world(policy: DnssecPolicy, extra: Partial<WorldOptions> = {}): World {
  return new World({ policy, start: START, maxZoneTtl: ZONE_TTL, dsSeenBy: policy.parentDsCheck === undefined ? 'operator' : 'check', registrarDelay: 60, ...extra });
}

function assertSafe(w: World, policy: DnssecPolicy): void {
  assert.deepEqual(checkChains(w, timingsOf(policy, w.opts.maxZoneTtl)), [], 'every cached combination validates');
}

/** Roles and algorithms of the keys, with whether the DS is at the parent: "ksk/13/ds zsk/13". */
function shape(w: World): string {
  const ds = new Set(w.parentDs.map((f) => f.id));
  return w.keys.map((k) => `${k.role}/${k.algorithm}${ds.has(k.id) ? '/ds' : ''}`).sort().join(' ');
}

/** The steps of one key, in order: "publish+active", "dsSubmitted", ... (same-time steps joined by +). */
function stepsOf(w: World, id: string): string[] {
  const steps: { at: number; what: string }[] = [];
  for (const event of w.events.filter((e) => e.id === id)) {
    const what = event.change.kind === 'set' ? event.change.field : event.change.kind === 'generate' ? Object.keys(event.change.timing).join('+') || 'generate' : 'delete';
    const last = steps[steps.length - 1];
    if (last !== undefined && last.at === event.at) last.what += `+${what}`;
    else steps.push({ at: event.at, what });
  }
  return steps.map((s) => s.what);
}

function at(w: World, id: string, field: keyof KeyState): number {
  const event = w.events.find((e) => e.id === id && e.change.kind === 'set' && e.change.field === field);
  if (event !== undefined) return event.at;
  const generated = w.events.find((e) => e.id === id && e.change.kind === 'generate');
  const timing = generated?.change.kind === 'generate' ? generated.change.timing[field as 'publish'] : undefined;
  assert.ok(timing !== undefined, `${id} has a ${field} event`);
  return timing;
}

test('a new zone with a CSK: signed at once, DS submitted once unsigned answers left every cache', () => {
  const policy = { ...CHECKED, keys: 'csk' as const };
  const w = world(policy);
  const first = w.step();
  assert.deepEqual(first, { dnskey: ['k1'], signZone: ['k1'], signKeyset: ['k1'], cds: 'none' });
  w.runUntil(START + 10 * DAY);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen']);
  // RFC 7583 §3.3.1: ready after propagation + max(DNSKEY TTL, zone TTL) for a first DS.
  assert.equal(at(w, 'k1', 'dsSubmitted'), START + policy.propagationDelay + ZONE_TTL);
  assert.equal(shape(w), 'csk/13/ds');
  assert.equal(w.nextTime(), undefined, 'nothing more to do: kskLifetime 0 never rolls');
  assertSafe(w, policy);
});

test('a new zone with KSK+ZSK, then ZSK pre-publication rolls every zskLifetime (RFC 6781 §4.1.1.1)', () => {
  const policy = { ...CHECKED, zskLifetime: 30 * DAY };
  const w = world(policy);
  w.runUntil(START + 65 * DAY);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen']);
  assert.deepEqual(stepsOf(w, 'k2'), ['publish+active', 'retire', 'remove', 'delete']);
  assert.deepEqual(stepsOf(w, 'k3'), ['publish', 'active', 'retire', 'remove', 'delete']);
  assert.deepEqual(stepsOf(w, 'k4'), ['publish', 'active']);
  const { propagationDelay: p, dnskeyTtl } = policy;
  const rollStart = at(w, 'k3', 'publish');
  assert.equal(rollStart, at(w, 'k2', 'active') + 30 * DAY, 'the roll starts one lifetime after activation');
  assert.equal(at(w, 'k3', 'active'), rollStart + p + dnskeyTtl, 'the new ZSK signs once its DNSKEY is in every cache');
  assert.equal(at(w, 'k2', 'retire'), at(w, 'k3', 'active'), 'the old one stops in the same commit');
  assert.equal(at(w, 'k2', 'remove'), at(w, 'k2', 'retire') + p + ZONE_TTL, 'its DNSKEY goes once its signatures left every cache');
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  assertSafe(w, policy);
});

test('a KSK double-DS roll with CDS: both DS, then the new one alone; the old KSK goes once the new DS is everywhere', () => {
  const policy = CHECKED;
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  w.now += DAY;
  w.step('ksk');
  w.runUntil(START + 20 * DAY);
  assert.deepEqual(stepsOf(w, 'k3'), ['publish+active', 'dsSubmitted', 'dsSeen']);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen', 'retire+remove', 'dsRemovedSeen', 'delete']);
  const cdsSeries = w.zone.map((s) => (Array.isArray(s.cds) ? s.cds.join(',') : s.cds)).filter((c, i, all) => c !== all[i - 1]);
  assert.deepEqual(cdsSeries, ['none', 'k1', 'k1,k3', 'k3']);
  assert.deepEqual(w.parent.map((s) => s.ds.map((f) => f.id).join(',')), ['', 'k1', 'k1,k3', 'k3']);
  assert.equal(at(w, 'k1', 'remove'), at(w, 'k3', 'dsSeen') + policy.propagationDelay + policy.parentDsTtl);
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  assertSafe(w, policy);
});

test('a KSK roll waits for the DS at the parent: nothing moves until `keys ds-seen`', () => {
  const policy = BASE_POLICY; // no parent check: the operator confirms
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  w.parentFrozen = true; // the registrar does nothing for a long time
  w.now += DAY;
  w.step('ksk');
  w.runUntil(START + 90 * DAY);
  const [oldKsk, newKsk] = [w.key('k1'), w.key('k3')];
  assert.equal(newKsk.dsSubmitted !== undefined && newKsk.dsSeen === undefined, true);
  assert.equal(oldKsk.retire, undefined, 'the old KSK keeps signing');
  assert.equal(oldKsk.remove, undefined, 'the old KSK stays published');
  assert.equal(w.nextTime(), undefined, 'no timed event: the plan waits for the outside world');
  assert.ok(w.lastWaiting.some((what) => what.includes('DS of KSK 10003')), w.lastWaiting.join('; '));
  // The registrar finally acts; the operator sees it and runs `keys ds-seen`.
  w.parentFrozen = false;
  w.now = START + 91 * DAY;
  w.runUntil(START + 120 * DAY);
  assert.ok(w.key('k3').dsSeen! >= START + 91 * DAY);
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  assert.ok(!w.keys.some((k) => k.id === 'k1'), 'the old KSK is gone');
  assertSafe(w, policy);
});

test('a CSK roll: pre-published, signs the zone, DS swapped, the old CSK signs the keyset until its DS is gone', () => {
  const policy = { ...CHECKED, keys: 'csk' as const, kskLifetime: 60 * DAY };
  const w = world(policy);
  w.runUntil(START + 70 * DAY);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen', 'retire', 'remove', 'dsRemovedSeen', 'delete']);
  assert.deepEqual(stepsOf(w, 'k2'), ['publish', 'active', 'dsSubmitted', 'dsSeen']);
  assert.equal(at(w, 'k1', 'retire'), at(w, 'k2', 'active'));
  assert.ok(at(w, 'k1', 'remove') >= at(w, 'k2', 'dsSeen') + policy.propagationDelay + policy.parentDsTtl);
  const during = w.zone.find((s) => s.at === at(w, 'k2', 'active'))!;
  assert.deepEqual(during.zoneSigs.map((k) => k.id), ['k2'], 'only the new CSK signs the zone');
  assert.deepEqual(during.keysetSigs.map((k) => k.id), ['k1', 'k2'], 'both sign the keyset while the DS names the old one');
  assert.equal(shape(w), 'csk/13/ds');
  assertSafe(w, policy);
});

test('an algorithm rollover in RFC 6781 §4.1.4 order (KSK+ZSK, parent check)', () => {
  const policy = CHECKED;
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  w.policy = { ...policy, algorithm: 'ed25519' };
  w.now += DAY;
  w.runUntil(START + 20 * DAY);
  for (const id of ['k3', 'k4']) assert.equal(w.key(id).algorithm, 15);
  assert.deepEqual(stepsOf(w, 'k3'), ['active', 'publish', 'dsSubmitted', 'dsSeen'], 'new signatures before the new DNSKEY');
  assert.deepEqual(stepsOf(w, 'k4'), ['active', 'publish']);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen', 'dsRemovedSeen', 'remove', 'retire', 'delete'], 'old DNSKEY removed before old signatures');
  assert.deepEqual(stepsOf(w, 'k2'), ['publish+active', 'remove', 'retire', 'delete']);
  const cdsSeries = w.zone.map((s) => (Array.isArray(s.cds) ? s.cds.join(',') : s.cds)).filter((c, i, all) => c !== all[i - 1]);
  assert.deepEqual(cdsSeries, ['none', 'k1', 'k3'], 'the new DS replaces the old one');
  assert.ok(at(w, 'k1', 'retire') >= at(w, 'k1', 'dsRemovedSeen') + policy.propagationDelay + policy.parentDsTtl);
  assert.equal(shape(w), 'ksk/15/ds zsk/15');
  assertSafe(w, policy);
});

test('an algorithm rollover of a CSK confirmed by the operator (no parent check)', () => {
  const policy = { ...BASE_POLICY, keys: 'csk' as const };
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  w.policy = { ...policy, algorithm: 'rsasha256' };
  w.now += DAY;
  w.runUntil(START + 20 * DAY);
  assert.deepEqual(stepsOf(w, 'k2'), ['active', 'publish', 'dsSubmitted', 'dsSeen']);
  assert.deepEqual(stepsOf(w, 'k1'), ['publish+active', 'dsSubmitted', 'dsSeen', 'dsRemovedSeen', 'remove', 'retire', 'delete']);
  assert.equal(shape(w), 'csk/8/ds');
  assertSafe(w, policy);
});

test('going insecure: CDS/CDNSKEY DELETE, the keys go once the parent DS is gone and out of the caches', () => {
  const policy = CHECKED;
  const w = world(policy, { previousPolicy: policy });
  w.runUntil(START + 2 * DAY);
  w.policy = undefined;
  w.now += DAY;
  const off = w.now;
  const view = w.step();
  assert.equal(view.cds, 'delete');
  assert.deepEqual(view.signZone, ['k2'], 'still signed while the DS may be cached');
  w.runUntil(START + 20 * DAY);
  assert.deepEqual(w.keys, []);
  assert.deepEqual(w.parentDs, []);
  const gone = at(w, 'k1', 'dsRemovedSeen');
  const deleted = w.events.find((e) => e.id === 'k1' && e.change.kind === 'delete')!.at;
  assert.equal(deleted, gone + policy.propagationDelay + policy.parentDsTtl);
  assert.ok(gone > off);
  assert.deepEqual(w.zone[w.zone.length - 1], { at: deleted, dnskey: [], keysetSigs: [], zoneSigs: [], cds: 'none' });
  assertSafe(w, policy);
});

test('going insecure without a parent check waits for the operator to confirm the DS is gone', () => {
  const policy = BASE_POLICY;
  const w = world(policy, { previousPolicy: policy, parentFrozen: false });
  w.runUntil(START + 2 * DAY);
  w.policy = undefined;
  w.parentFrozen = true;
  w.now += DAY;
  w.runUntil(START + 60 * DAY);
  assert.equal(w.keys.length, 2, 'the keys stay while the parent may still serve the DS');
  assert.ok(w.lastWaiting.some((what) => what.includes('RFC 8078')));
  w.parentFrozen = false;
  w.now = START + 61 * DAY;
  w.runUntil(START + 90 * DAY);
  assert.deepEqual(w.keys, []);
  assertSafe(w, policy);
});

test('a restart in the middle of a KSK roll continues it exactly (state fed back from its persisted form)', () => {
  const policy = CHECKED;
  const straight = world(policy);
  straight.runUntil(START + 2 * DAY);
  straight.now = START + 3 * DAY;
  straight.step('ksk');
  straight.runUntil(START + 20 * DAY);

  const first = world(policy);
  first.runUntil(START + 2 * DAY);
  first.now = START + 3 * DAY;
  first.step('ksk');
  const dsSeen = at(straight, 'k3', 'dsSeen');
  first.runUntil(dsSeen); // the new DS is seen; the old KSK is still there
  assert.ok(first.key('k1').remove === undefined && first.key('k3').dsSeen === dsSeen);
  const persisted = JSON.parse(JSON.stringify(first.keys)) as KeyState[];
  const second = new World({ ...first.opts, start: first.now + 600, keys: persisted, parentDs: first.parentDs.map((f) => f.id) });
  second.runUntil(START + 20 * DAY);
  assert.deepEqual(second.keys, straight.keys);
  const after = (w: World): string[] => w.events.filter((e) => e.at > dsSeen).map((e) => `${e.at} ${e.id} ${e.change.kind === 'set' ? e.change.field : e.change.kind}`);
  assert.deepEqual(after(second), after(straight));
});

test('imported keys (BIND files with their own timing) take part as if generated', () => {
  const policy = { ...CHECKED, zskLifetime: 30 * DAY };
  const keys: KeyState[] = [
    { id: 'k1', role: 'ksk', algorithm: 13, keyTag: 4242, imported: true, created: START - 100 * DAY, publish: START - 100 * DAY, active: START - 100 * DAY },
    { id: 'k2', role: 'zsk', algorithm: 13, keyTag: 777, imported: true, created: START - 20 * DAY, publish: START - 21 * DAY, active: START - 20 * DAY },
  ];
  const w = world(policy, { keys, parentDs: ['k1'] });
  const view = w.step();
  assert.deepEqual(view, { dnskey: ['k1', 'k2'], signZone: ['k2'], signKeyset: ['k1'], cds: ['k1'] }, 'CDS for the DS the parent already has (RFC 7344 steady state)');
  assert.equal(w.events.length, 1, 'only the DS is noted');
  assert.deepEqual(stepsOf(w, 'k1'), ['dsSeen']);
  assert.equal(w.nextTime(), START + 10 * DAY, 'the imported ZSK rolls one lifetime after its own activation');
  w.runUntil(START + 15 * DAY);
  w.now += HOUR;
  w.step('ksk');
  w.runUntil(START + 30 * DAY);
  assert.ok(!w.keys.some((k) => k.imported), 'both imported keys rolled away');
  assert.deepEqual(stepsOf(w, 'k2'), ['retire', 'remove', 'delete']);
  assert.deepEqual(stepsOf(w, 'k1'), ['dsSeen', 'retire+remove', 'dsRemovedSeen', 'delete']);
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  assertSafe(w, policy);
});

test('a change of key shape (CSK → KSK+ZSK and back) rolls safely', () => {
  const policy = { ...CHECKED, keys: 'csk' as const };
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  w.policy = { ...policy, keys: 'ksk+zsk' };
  w.now += DAY;
  w.runUntil(START + 10 * DAY);
  assert.equal(shape(w), 'ksk/13/ds zsk/13');
  w.policy = policy;
  w.now += DAY;
  w.runUntil(START + 20 * DAY);
  assert.equal(shape(w), 'csk/13/ds');
  assertSafe(w, policy);
});

test('the safety check fails on an unsafe sequence (a ZSK used before its DNSKEY could be cached)', () => {
  const policy = { ...CHECKED, zskLifetime: 30 * DAY };
  const w = world(policy);
  w.runUntil(START + 35 * DAY);
  assertSafe(w, policy);
  // Drop the pre-publication: the new ZSK appears in the DNSKEY RRset only when it starts signing.
  const published = at(w, 'k3', 'publish');
  const active = at(w, 'k3', 'active');
  for (const state of w.zone) if (state.at >= published && state.at < active) state.dnskey = state.dnskey.filter((k) => k.id !== 'k3');
  const failures = checkChains(w, timingsOf(policy, ZONE_TTL));
  assert.ok(failures.some((f) => f.includes('no signature over the zone data by a key of the DNSKEY RRset')), failures.join('\n'));
});

test('plans are deterministic; a roll request during a roll is ignored; a request for a role the policy lacks is refused', () => {
  const policy = CHECKED;
  const w = world(policy);
  w.runUntil(START + 2 * DAY);
  const input = { ...w.input(), rollNow: 'zsk' as const };
  assert.deepEqual(planKeys(input), planKeys(input));
  w.step('zsk');
  const count = w.keys.length;
  w.now += 60;
  w.step('zsk');
  assert.equal(w.keys.length, count, 'no second ZSK while one roll is under way');
  assert.throws(() => planKeys({ ...w.input(), rollNow: 'csk' }), /cannot roll the CSK: policy "test" uses KSK and ZSK/);
  assert.throws(() => planKeys({ ...w.input(), policy: undefined, rollNow: 'zsk' }), /signing is off/);
  assert.throws(() => planKeys({ ...w.input(), now: Number.NaN }), /now NaN/);
});

test('applyKeyChanges refuses changes to keys it does not have; planKeys refuses duplicate ids', () => {
  const key: KeyState = { id: 'a', role: 'csk', algorithm: 13, keyTag: 1, imported: false, created: START, publish: START, active: START };
  assert.throws(() => applyKeyChanges([key], [{ kind: 'set', id: 'b', field: 'retire', at: START, reason: '' }], () => ({ id: 'x', keyTag: 2 }), START), /no key "b" to set retire on/);
  assert.throws(() => applyKeyChanges([key], [{ kind: 'delete', id: 'b', reason: '' }], () => ({ id: 'x', keyTag: 2 }), START), /no key "b" to delete/);
  assert.throws(() => planKeys({ policy: BASE_POLICY, keys: [key, key], now: START, maxZoneTtl: ZONE_TTL }), /two keys share an id/);
});
