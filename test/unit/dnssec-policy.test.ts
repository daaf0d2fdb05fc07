import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, policyAlgorithmNumber, policyProblems, policyWarnings, type DnssecPolicy } from '../../dnssec/policy.js';

const GOOD: DnssecPolicy = {
  name: 'default',
  algorithm: 'ecdsap256sha256',
  keys: 'csk',
  zskLifetime: 30 * 86_400,
  kskLifetime: 0,
  rrsigValidity: 14 * 86_400,
  rrsigRefresh: 7 * 86_400,
  denial: 'nsec',
  nsec3: { iterations: 0, saltLength: 0, optOut: false },
  dnskeyTtl: 3600,
  cds: true,
  propagationDelay: 3600,
  parentDsTtl: 86_400,
};

test('parseDuration reads units, plain seconds and numbers', () => {
  assert.equal(parseDuration('30d'), 30 * 86_400);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('45s'), 45);
  assert.equal(parseDuration('2w'), 14 * 86_400);
  assert.equal(parseDuration('1d12h'), 129_600);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration(' 1H '), 3600, 'case and surrounding blanks do not matter');
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(86_400), 86_400);
});

test('parseDuration rejects what is not a duration, naming the value', () => {
  for (const bad of ['', '1y', '-5', '1.5h', 'h', 'd30', '30 d', '1h30']) {
    assert.throws(() => parseDuration(bad), (error: unknown) => error instanceof RangeError && error.message.includes(`"${bad}"`), bad);
  }
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => parseDuration(bad), RangeError, String(bad));
  }
  assert.throws(() => parseDuration('99999999999999999w'), /too long/);
});

test('a good policy has no problems; algorithms map to their numbers', () => {
  assert.deepEqual(policyWarnings(GOOD), []);
  assert.equal(policyAlgorithmNumber(GOOD), 13);
  assert.equal(policyAlgorithmNumber({ ...GOOD, algorithm: 'ed25519' }), 15);
  assert.equal(policyAlgorithmNumber({ ...GOOD, algorithm: 'rsasha256' }), 8);
});

test('RFC 9276 NSEC3 settings other than the defaults warn, only with NSEC3', () => {
  const nsec3 = { ...GOOD, denial: 'nsec3' as const, nsec3: { iterations: 10, saltLength: 8, optOut: true } };
  const problems = policyProblems(nsec3);
  assert.deepEqual(problems.map((p) => p.level), ['warning', 'warning', 'warning']);
  assert.match(problems[0]!.message, /iterations 10.*RFC 9276/);
  assert.match(problems[1]!.message, /saltLength 8/);
  assert.match(problems[2]!.message, /optOut/);
  assert.deepEqual(policyWarnings({ ...nsec3, denial: 'nsec' }), [], 'NSEC3 parameters of an NSEC policy are unused');
});

test('refresh not below validity is an error', () => {
  const lines = policyWarnings({ ...GOOD, rrsigRefresh: GOOD.rrsigValidity }).filter((line) => line.startsWith('error'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^error: policy "default": rrsigRefresh \(1209600s\) must be shorter than rrsigValidity/);
});

test('lifetimes shorter than a roll are errors', () => {
  const zsk = policyProblems({ ...GOOD, keys: 'ksk+zsk', zskLifetime: 3600 });
  assert.deepEqual(zsk.map((p) => p.level), ['error']);
  assert.match(zsk[0]!.message, /zskLifetime \(3600s\) is shorter than one ZSK roll \(dnskeyTtl \+ 2 × propagationDelay = 10800s\)/);
  const ksk = policyProblems({ ...GOOD, keys: 'ksk+zsk', kskLifetime: 86_400 });
  assert.match(ksk[0]!.message, /kskLifetime \(86400s\) is shorter than one KSK roll .* = 97200s/);
  const csk = policyProblems({ ...GOOD, kskLifetime: 86_400 });
  assert.match(csk[0]!.message, /one CSK roll/);
  assert.deepEqual(policyWarnings({ ...GOOD, keys: 'ksk+zsk', zskLifetime: 0, kskLifetime: 0 }), [], '0 = never roll');
});

test('weak RSA, thin signature margins and an empty parent check are reported', () => {
  assert.match(policyWarnings({ ...GOOD, algorithm: 'rsasha256', keySize: 1024 })[0]!, /^warning: .*keySize 1024/);
  assert.match(policyWarnings({ ...GOOD, rrsigValidity: 7 * 86_400 + 3600, rrsigRefresh: 7 * 86_400 })[0]!, /^warning: .*less than dnskeyTtl \+ propagationDelay/);
  assert.match(policyWarnings({ ...GOOD, parentDsCheck: { addresses: [], interval: 3600 } })[0]!, /^error: .*parentDsCheck.addresses is empty/);
});
