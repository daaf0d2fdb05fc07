import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { globalInterfaceAddresses, interfaceAddresses, interfaceFingerprint, type InterfaceTable } from '../../k8s/agent/interfaces.js';

function info(address: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return v6
    ? { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal, cidr: `${address}/64`, scopeid: 0 }
    : { address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/24` };
}

const TABLE: InterfaceTable = {
  lo: [info('127.0.0.1', true), info('::1', true), info('185.9.9.9', true)],
  eth0: [info('10.0.0.4'), info('2a01:4f8::10'), info('fe80::1%eth0'), info('185.1.2.3')],
  eth1: [info('100.64.3.3'), info('185.1.2.3'), info('2a01:4f8::9'), info('fd00::3')],
  wg0: undefined,
};

describe('k8s agent: the node interface addresses', () => {
  it('skips loopback (internal) addresses and lists the others with their interface', () => {
    const seen = interfaceAddresses(() => TABLE);
    assert.equal(seen.length, 8);
    assert.ok(seen.every((entry) => entry.interface !== 'lo'));
    assert.deepEqual(seen[1], { interface: 'eth0', address: '2a01:4f8::10', family: 6 });
  });

  it('keeps the global ones once each, IPv4 first, numerically ordered', () => {
    assert.deepEqual(globalInterfaceAddresses(() => TABLE), ['185.1.2.3', '2a01:4f8::9', '2a01:4f8::10']);
    assert.deepEqual(globalInterfaceAddresses(() => ({ eth0: [info('192.168.0.2'), info('fe80::2')] })), []);
  });

  it('the fingerprint changes with any address, not with the order the system lists them in', () => {
    const seen = interfaceAddresses(() => TABLE);
    assert.equal(interfaceFingerprint(seen), interfaceFingerprint([...seen].reverse()));
    assert.notEqual(interfaceFingerprint(seen), interfaceFingerprint(seen.slice(1)));
  });

  it('reads the real table by default', () => {
    assert.ok(Array.isArray(interfaceAddresses()));
  });
});
