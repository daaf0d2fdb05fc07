import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareAddresses, isGloballyReachable, registryRow, SPECIAL_PURPOSE_ROWS } from '../../k8s/agent/global.js';

// Written by hand from the IANA registries (not derived from the table under test): for each row the
// first and last address of its block, and where a neighbour is not in the block, the one just outside.
const CASES: readonly [string, boolean][] = [
  // IPv4
  ['0.0.0.0', false], ['0.255.255.255', false], ['1.0.0.0', true],
  ['9.255.255.255', true], ['10.0.0.0', false], ['10.255.255.255', false], ['11.0.0.0', true],
  ['100.63.255.255', true], ['100.64.0.0', false], ['100.127.255.255', false], ['100.128.0.0', true],
  ['126.255.255.255', true], ['127.0.0.0', false], ['127.255.255.255', false], ['128.0.0.0', true],
  ['169.253.255.255', true], ['169.254.0.0', false], ['169.254.255.255', false], ['169.255.0.0', true],
  ['172.15.255.255', true], ['172.16.0.0', false], ['172.31.255.255', false], ['172.32.0.0', true],
  ['191.255.255.255', true], ['192.0.0.0', false], ['192.0.0.7', false], ['192.0.0.8', false],
  ['192.0.0.9', true], ['192.0.0.10', true], ['192.0.0.11', false], ['192.0.0.170', false],
  ['192.0.0.171', false], ['192.0.0.255', false], ['192.0.1.0', true],
  ['192.0.2.0', false], ['192.0.2.255', false], ['192.0.3.0', true],
  ['192.31.195.255', true], ['192.31.196.0', true], ['192.31.196.255', true],
  ['192.52.193.0', true], ['192.52.193.255', true],
  ['192.88.98.255', true], ['192.88.99.0', false], ['192.88.99.255', false], ['192.88.100.0', true],
  ['192.167.255.255', true], ['192.168.0.0', false], ['192.168.255.255', false], ['192.169.0.0', true],
  ['192.175.48.0', true], ['192.175.48.255', true],
  ['198.17.255.255', true], ['198.18.0.0', false], ['198.19.255.255', false], ['198.20.0.0', true],
  ['198.51.99.255', true], ['198.51.100.0', false], ['198.51.100.255', false], ['198.51.101.0', true],
  ['203.0.112.255', true], ['203.0.113.0', false], ['203.0.113.255', false], ['203.0.114.0', true],
  ['223.255.255.255', true], ['224.0.0.0', false], ['239.255.255.255', false],
  ['240.0.0.0', false], ['255.255.255.254', false], ['255.255.255.255', false],
  // IPv6
  ['::', false], ['::1', false], ['::2', false], ['::ffff:0.0.0.0', false], ['::ffff:255.255.255.255', false],
  ['::ffff:8.8.8.8', false],
  ['64:ff9b::', true], ['64:ff9b::ffff:ffff', true], ['64:ff9b::1:0:0', false],
  ['64:ff9b:1::', false], ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', false],
  ['100::', false], ['100::ffff:ffff:ffff:ffff', false], ['100:0:0:1::', false], ['100:0:0:1:ffff:ffff:ffff:ffff', false],
  ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2000::', true],
  ['2001::', false], ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:1::', false], ['2001:1::1', true], ['2001:1::2', true], ['2001:1::3', true], ['2001:1::4', false],
  ['2001:2::', false], ['2001:2:0:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:3::', true], ['2001:3:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:4:112::', true], ['2001:4:112:ffff:ffff:ffff:ffff:ffff', true], ['2001:4:113::', false],
  ['2001:10::', false], ['2001:1f:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:20::', true], ['2001:2f:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:30::', true], ['2001:3f:ffff:ffff:ffff:ffff:ffff:ffff', true], ['2001:40::', false],
  ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2001:200::', true],
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', true], ['2001:db8::', false],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2001:db9::', true],
  ['2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true], ['2002::', false], ['2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2003::', true],
  ['2620:4f:7fff:ffff:ffff:ffff:ffff:ffff', true], ['2620:4f:8000::', true], ['2620:4f:8000:ffff:ffff:ffff:ffff:ffff', true],
  ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true], ['3fff::', false], ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['3fff:1000::', true], ['3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['4000::', false], // outside 2000::/3: not allocated for global unicast
  ['5f00::', false], ['5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['fc00::', false], ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['fe80::', false], ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['fec0::1', false], ['ff02::1', false],
  // ordinary addresses
  ['8.8.8.8', true], ['2a00:1450:4001:82b::200e', true], ['2606:4700::1111', true],
];

describe('k8s agent: globally reachable by the IANA special-purpose registries', () => {
  for (const [address, expected] of CASES) {
    it(`${address} is ${expected ? '' : 'not '}globally reachable`, () => {
      assert.equal(isGloballyReachable(address), expected);
    });
  }

  it('the examples of the issue', () => {
    assert.equal(isGloballyReachable('100.64.0.1'), false, 'CGNAT');
    assert.equal(isGloballyReachable('192.0.0.9'), true, 'PCP anycast, inside the non-global 192.0.0.0/24');
    assert.equal(isGloballyReachable('2001::1'), false);
    assert.equal(isGloballyReachable('2001:1::1'), true);
    assert.equal(isGloballyReachable('2001:db8::1'), false);
    assert.equal(isGloballyReachable('fd12:3456::1'), false);
    assert.equal(isGloballyReachable('fe80::1%eth0'), false, 'a zone is accepted and ignored');
    assert.equal(isGloballyReachable('64:ff9b::192.0.2.1'), true);
  });

  it('the most specific row decides, and every row is found at both edges of its block', () => {
    for (const row of SPECIAL_PURPOSE_ROWS) {
      const [base = ''] = row.prefix.split('/');
      const found = registryRow(base);
      assert.ok(found, row.prefix);
      // the first address of a block belongs to it or to a more specific block inside it
      assert.ok(Number(found.prefix.split('/')[1]) >= Number(row.prefix.split('/')[1]), `${row.prefix} → ${found.prefix}`);
    }
    assert.equal(registryRow('192.0.0.9')?.prefix, '192.0.0.9/32');
    assert.equal(registryRow('192.0.0.100')?.prefix, '192.0.0.0/24');
    assert.equal(registryRow('2001:0:1::1')?.prefix, '2001::/32');
    assert.equal(registryRow('2001:1::9')?.prefix, '2001::/23');
    assert.equal(registryRow('8.8.8.8'), undefined);
  });

  it('every row names its RFC', () => {
    for (const row of SPECIAL_PURPOSE_ROWS) assert.match(row.rfc, /RFC \d+/, row.prefix);
  });

  it('refuses what is not an address, naming it', () => {
    assert.throws(() => isGloballyReachable('example.com'), /not an IP address: "example.com"/);
    assert.throws(() => isGloballyReachable('300.1.1.1'), TypeError);
    assert.throws(() => isGloballyReachable(''), TypeError);
  });

  it('orders IPv4 before IPv6, numerically', () => {
    const sorted = ['2a00::1', '9.0.0.1', '10.0.0.1', '2a00::10', '2a00::2', '1.2.3.4'].sort(compareAddresses);
    assert.deepEqual(sorted, ['1.2.3.4', '9.0.0.1', '10.0.0.1', '2a00::1', '2a00::2', '2a00::10']);
  });
});
