// The planned events of a ZSK, a KSK, a CSK and an algorithm roll, printed as Markdown tables for
// the README (run this file alone to read them), with the offsets that follow from the policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnssecPolicy } from '../../dnssec/policy.js';
import { BASE_POLICY, checkChains, DAY, formatOffset, HOUR, timingsOf, World } from './dnssec-rollover-world.js';

const START = 1_800_000_000;
const ZONE_TTL = DAY;
// P = 1h, DNSKEY TTL = 1h, zone max TTL = 1d, parent DS TTL = 1d; the registrar acts 1h after a
// CDS change and the parent check runs hourly.
const POLICY: DnssecPolicy = {
  ...BASE_POLICY,
  propagationDelay: HOUR,
  dnskeyTtl: HOUR,
  parentDsTtl: DAY,
  parentDsCheck: { addresses: ['127.0.0.1:53'], interval: HOUR },
};

function table(title: string, w: World, from: number): string[] {
  const rows = w.events
    .filter((e) => e.at >= from)
    .map(({ at, change, id }) => {
      const what = change.kind === 'set' ? change.field : change.kind === 'generate' ? `generate (${Object.keys(change.timing).join('+')})` : 'delete';
      return `| ${formatOffset(at - from)} | ${id} | ${what} | ${change.reason} |`;
    });
  const lines = [`### ${title}`, '', '| time | key | step | reason |', '|---|---|---|---|', ...rows, ''];
  console.log(lines.join('\n'));
  return rows;
}

function rollAfterSetup(policy: DnssecPolicy, roll: (w: World) => void): { w: World; from: number } {
  const w = new World({ policy, start: START, maxZoneTtl: ZONE_TTL, dsSeenBy: 'check' });
  w.runUntil(START + 5 * DAY);
  w.now = START + 10 * DAY;
  const from = w.now;
  roll(w);
  w.runUntil(START + 40 * DAY);
  assert.deepEqual(checkChains(w, timingsOf(policy, ZONE_TTL)), []);
  return { w, from };
}

test('timeline: ZSK pre-publication roll', () => {
  const { w, from } = rollAfterSetup(POLICY, (world) => world.step('zsk'));
  const rows = table('ZSK roll (RFC 6781 §4.1.1.1)', w, from);
  assert.deepEqual(rows.map((r) => r.split(' | ').slice(0, 3).join(' | ')), [
    '| +0s | k3 | generate (publish)',
    '| +2h | k3 | active',
    '| +2h | k2 | retire',
    '| +1d3h | k2 | remove',
    '| +1d5h | k2 | delete',
  ]);
});

test('timeline: KSK double-DS roll with CDS and a parent check', () => {
  const { w, from } = rollAfterSetup(POLICY, (world) => world.step('ksk'));
  const rows = table('KSK roll (RFC 6781 §4.1.2, CDS per RFC 7344)', w, from);
  assert.deepEqual(rows.map((r) => r.split(' | ').slice(0, 3).join(' | ')), [
    '| +0s | k3 | generate (publish+active)',
    '| +2h | k3 | dsSubmitted',
    '| +4h | k3 | dsSeen',
    '| +1d5h | k1 | retire',
    '| +1d5h | k1 | remove',
    '| +1d7h | k1 | dsRemovedSeen',
    '| +1d7h | k1 | delete',
  ]);
});

test('timeline: CSK roll', () => {
  const { w, from } = rollAfterSetup({ ...POLICY, keys: 'csk' }, (world) => world.step('csk'));
  const rows = table('CSK roll', w, from);
  assert.deepEqual(rows.map((r) => r.split(' | ').slice(0, 3).join(' | ')), [
    '| +0s | k2 | generate (publish)',
    '| +2h | k2 | active',
    '| +2h | k1 | retire',
    '| +4h | k2 | dsSubmitted',
    '| +6h | k2 | dsSeen',
    '| +1d7h | k1 | remove',
    '| +1d9h | k1 | dsRemovedSeen',
    '| +1d9h | k1 | delete',
  ]);
});

test('timeline: algorithm rollover ECDSAP256SHA256 → ED25519', () => {
  const { w, from } = rollAfterSetup(POLICY, (world) => {
    world.policy = { ...POLICY, algorithm: 'ed25519' };
    world.step();
  });
  const rows = table('Algorithm rollover (RFC 6781 §4.1.4)', w, from);
  assert.deepEqual(rows.map((r) => r.split(' | ').slice(0, 3).join(' | ')), [
    '| +0s | k3 | generate (active)',
    '| +0s | k4 | generate (active)',
    '| +1d1h | k3 | publish',
    '| +1d1h | k4 | publish',
    '| +1d3h | k3 | dsSubmitted',
    '| +1d5h | k1 | dsRemovedSeen',
    '| +1d5h | k3 | dsSeen',
    '| +2d6h | k1 | remove',
    '| +2d6h | k2 | remove',
    '| +2d8h | k1 | retire',
    '| +2d8h | k2 | retire',
    '| +2d10h | k1 | delete',
    '| +3d9h | k2 | delete',
  ]);
});
