import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPV4_SPECIAL_PURPOSE, IPV6_SPECIAL_PURPOSE, isGloballyReachable, reachability } from '../../k8s/global-address.js';

// [address, globally reachable, a word of the reason]
const cases: [string, boolean, string][] = [
  ['8.8.8.8', true, 'global unicast'],
  ['0.1.2.3', false, 'This network'],
  ['0.0.0.0', false, 'This host'],
  ['10.1.2.3', false, 'RFC 1918'],
  ['100.64.0.1', false, 'Shared Address Space'], // CGNAT: not private, still not global
  ['100.127.255.255', false, 'RFC 6598'],
  ['100.128.0.1', true, 'global unicast'], // just past 100.64.0.0/10
  ['127.0.0.1', false, 'Loopback'],
  ['169.254.10.1', false, 'Link Local'],
  ['172.31.255.255', false, 'Private-Use'],
  ['172.32.0.1', true, 'global unicast'],
  ['192.0.0.1', false, 'IPv4 Service Continuity'],
  ['192.0.0.8', false, 'dummy'],
  ['192.0.0.9', true, 'Port Control Protocol'], // more specific than 192.0.0.0/24 (false)
  ['192.0.0.10', true, 'RFC 8155'],
  ['192.0.0.100', false, 'IETF Protocol Assignments'],
  ['192.0.0.170', false, 'NAT64/DNS64'],
  ['192.0.2.55', false, 'TEST-NET-1'],
  ['192.31.196.1', true, 'AS112-v4'],
  ['192.52.193.1', true, 'AMT'],
  ['192.88.99.1', false, '6to4 Relay'], // N/A counts as not reachable
  ['192.88.99.2', false, '6a44-relay'],
  ['192.168.1.1', false, 'Private-Use'],
  ['192.175.48.6', true, 'AS112'],
  ['198.18.0.1', false, 'Benchmarking'],
  ['198.19.255.255', false, 'Benchmarking'],
  ['198.20.0.1', true, 'global unicast'],
  ['198.51.100.7', false, 'TEST-NET-2'],
  ['203.0.113.9', false, 'TEST-NET-3'],
  ['224.0.0.251', false, 'Multicast'],
  ['239.255.255.250', false, 'Multicast'],
  ['240.0.0.1', false, 'Reserved'],
  ['255.255.255.255', false, 'Limited Broadcast'],
  ['2a01:4f8::1', true, '2000::/3'],
  ['2001:4860:4860::8888', true, '2000::/3'],
  ['::1', false, 'Loopback'],
  ['::', false, 'Unspecified'],
  ['::ffff:8.8.8.8', false, 'IPv4-mapped'],
  ['64:ff9b::8.8.8.8', true, 'RFC 6052'],
  ['64:ff9b:1::1', false, 'RFC 8215'],
  ['100::1', false, 'Discard-Only'],
  ['100:0:0:1::1', false, 'Dummy IPv6 Prefix'],
  ['2001::1', false, 'TEREDO'],
  ['2001:1::1', true, 'Port Control Protocol'],
  ['2001:1::3', true, 'DNS-SD'],
  ['2001:1::4', false, 'IETF Protocol Assignments'],
  ['2001:2::1', false, 'Benchmarking'],
  ['2001:3::1', true, 'AMT'],
  ['2001:4:112::1', true, 'AS112-v6'],
  ['2001:10::1', false, 'ORCHID'],
  ['2001:20::1', true, 'ORCHIDv2'],
  ['2001:30::1', true, 'DETs'],
  ['2001:db8::1', false, 'Documentation'],
  ['2002:c000:204::1', false, '6to4'],
  ['2620:4f:8000::1', true, 'AS112'],
  ['3fff:1::1', false, 'RFC 9637'],
  ['5f00::1', false, 'SRv6'],
  ['fd12:3456::1', false, 'Unique-Local'],
  ['fe80::1', false, 'Link-Local'],
  ['fec0::1', false, 'reserved by the IETF'],
  ['ff02::1', false, 'Multicast'],
  ['4000::1', false, 'reserved by the IETF'],
  ['fe80::1%eth0', false, 'not an IP'],
  ['not-an-ip', false, 'not an IP'],
  ['10.0.0.256', false, 'not an IP'],
];

for (const [address, global, why] of cases) {
  test(`reachability ${address} → ${global}`, () => {
    const verdict = reachability(address);
    assert.equal(verdict.global, global, verdict.why);
    assert.match(verdict.why, new RegExp(why.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
    assert.equal(isGloballyReachable(address), global);
  });
}

test('the tables hold the registries\' 25 rows each (192.0.0.170/32 and .171/32 are one row there)', () => {
  assert.equal(IPV4_SPECIAL_PURPOSE.length, 26);
  assert.equal(IPV6_SPECIAL_PURPOSE.length, 25);
});

test('every registry row cites an RFC and has a well-formed prefix', () => {
  for (const row of [...IPV4_SPECIAL_PURPOSE, ...IPV6_SPECIAL_PURPOSE]) {
    assert.match(row.rfc, /^RFC \d+/, row.prefix);
    assert.match(row.prefix, /^[0-9a-f.:]+\/\d{1,3}$/, row.prefix);
  }
});
