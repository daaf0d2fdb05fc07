import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../../server/listeners/client-key.js';

test('the per-client limit counts an IPv4 address, an IPv6 /64, an IPv4-mapped address as IPv4', () => {
  const rows: [string, string][] = [
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ];
  for (const [address, key] of rows) assert.equal(clientKey(address), key, address);
});
