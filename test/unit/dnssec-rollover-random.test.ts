// Random lives of a zone: roll requests, algorithm and key-shape changes, slow or fast registrars,
// parent checks or an operator, clock jumps — in any order, mid-roll included. Every step is
// idempotent (World.step), every cached combination validates, and once left alone the zone ends
// with exactly the keys its policy wants and their DS at the parent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnssecPolicy, PolicyAlgorithm } from '../../dnssec/policy.js';
import { prng } from '../helpers/prng.js';
import { BASE_POLICY, checkChains, DAY, HOUR, timingsOf, World } from './dnssec-rollover-world.js';

const START = 1_800_000_000;
const ALGORITHMS: PolicyAlgorithm[] = ['ecdsap256sha256', 'ed25519', 'rsasha256'];

function livedZone(seed: number): void {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const checked = random() < 0.5;
  const base: DnssecPolicy = {
    ...BASE_POLICY,
    keys: pick(['csk', 'ksk+zsk'] as const),
    algorithm: pick(ALGORITHMS),
    dnskeyTtl: pick([300, HOUR, DAY]),
    propagationDelay: pick([0, 60, HOUR]),
    parentDsTtl: pick([HOUR, DAY, 2 * DAY]),
    zskLifetime: pick([0, 7 * DAY, 30 * DAY]),
    kskLifetime: pick([0, 20 * DAY, 60 * DAY]),
    ...(checked ? { parentDsCheck: { addresses: ['127.0.0.1:53'], interval: pick([600, HOUR]) } } : {}),
  };
  const maxZoneTtl = pick([60, HOUR, DAY, 3 * DAY]);
  const w = new World({ policy: base, start: START, maxZoneTtl, dsSeenBy: checked ? 'check' : 'operator', registrarDelay: pick([1, HOUR, 3 * DAY]) });
  const context = (): string => `seed ${seed}: ${JSON.stringify(w.policy)} maxZoneTtl ${maxZoneTtl}\n${w.timeline(START).join('\n')}`;
  let policy = base;
  w.runUntil(START + DAY);
  for (let round = 0; round < 12; round++) {
    // (time passes with everything due happening on time, then the operator acts)
    const target = w.now + Math.floor(random() * 10 * DAY) + 1;
    w.runUntil(target);
    w.now = target;
    const action = random();
    if (action >= 0.3 && action < 0.55) w.settleParent();
    if (action < 0.3) {
      const role = pick(policy.keys === 'csk' ? (['csk'] as const) : (['ksk', 'zsk'] as const));
      w.step(role);
    } else if (action < 0.45) {
      policy = { ...policy, algorithm: pick(ALGORITHMS) };
      w.policy = policy;
    } else if (action < 0.55) {
      policy = { ...policy, keys: policy.keys === 'csk' ? 'ksk+zsk' : 'csk' };
      w.policy = policy;
    } else if (action < 0.65) {
      w.parentFrozen = !w.parentFrozen;
    }
    w.runUntil(w.now + Math.floor(random() * 5 * DAY));
  }
  // Left alone with a working registrar and no more lifetimes (so no roll is under way at the
  // end), the zone settles on exactly what the policy wants.
  policy = { ...policy, zskLifetime: 0, kskLifetime: 0 };
  w.policy = policy;
  w.parentFrozen = false;
  w.now += DAY;
  w.runUntil(w.now + 200 * DAY);
  assert.equal(w.nextTime(), undefined, `nothing left to do: ${context()}`);
  const wanted = policy.keys === 'csk' ? ['csk'] : ['ksk', 'zsk'];
  const algorithm = { rsasha256: 8, ecdsap256sha256: 13, ed25519: 15 }[policy.algorithm];
  const failures = checkChains(w, timingsOf(policy, maxZoneTtl));
  // The timings used by the check are the last policy's; the random ones only ever change the
  // algorithm and the key shape, never a TTL, so one set of timings holds for the whole life.
  assert.deepEqual(failures, [], context());
  assert.deepEqual(w.keys.map((k) => `${k.role}/${k.algorithm}`).sort(), wanted.map((role) => `${role}/${algorithm}`), `exactly the wanted keys: ${context()}`);
  const sep = w.keys.filter((k) => k.role !== 'zsk').map((k) => k.id);
  assert.deepEqual(w.parentDs.map((d) => d.id), sep, `the parent serves the DS of the SEP key and no other: ${context()}`);

  // Then signing is turned off: the zone goes insecure and ends with no keys.
  w.policy = undefined;
  w.opts.previousPolicy = policy;
  w.now += DAY;
  w.runUntil(w.now + 60 * DAY);
  assert.deepEqual(w.keys, [], context());
  assert.deepEqual(w.parentDs, [], context());
  assert.deepEqual(checkChains(w, timingsOf(policy, maxZoneTtl)), [], context());
}

export function runSeed(seed: number): void { livedZone(seed); }

test('random zone lives stay valid at every moment and settle on the policy', () => {
  for (let seed = 1; seed <= 1500; seed++) livedZone(seed);
});
