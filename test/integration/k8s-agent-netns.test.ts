import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { InterfaceAddress } from '../../k8s/agent/interfaces.js';
import { requireTool } from '../helpers/tools.js';

const NAMESPACE = `meshdns-agent-${process.pid}`;
const SCRIPT = fileURLToPath(new URL('../helpers/print-node-addresses.js', import.meta.url));

function ip(...args: string[]): { ok: boolean; stderr: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return { ok: run.status === 0, stderr: run.stderr };
}

function mustIp(...args: string[]): void {
  const run = ip(...args);
  if (!run.ok) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim()}`);
}

/** A dummy interface, or a veth pair where the kernel has no dummy driver (some containers). */
function addInterface(name: string): void {
  if (ip('-n', NAMESPACE, 'link', 'add', name, 'type', 'dummy').ok) return;
  mustIp('-n', NAMESPACE, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  mustIp('-n', NAMESPACE, 'link', 'set', `${name}p`, 'up');
}

const ADDRESSES: Record<string, string[]> = {
  // global, private, CGNAT, documentation, link-local, and 192.0.0.9 (global inside a non-global /24)
  a0: ['185.1.2.3/24', '10.1.2.3/8', '100.64.1.1/10', '192.0.2.10/24', '169.254.1.1/16', '192.0.0.9/32'],
  a1: ['192.168.5.5/24', '172.16.0.1/12', '203.0.113.5/24'],
  // global, documentation (old and new prefixes), ULA, link-local
  a2: ['2a01:4f8::1/64', '2001:db8::10/64', '3fff::1/64', 'fd00::1/64', 'fe80::1234/64'],
};

describe('k8s agent: interface addresses in a network namespace', () => {
  let created = false;
  after(() => {
    if (created) ip('netns', 'del', NAMESPACE);
  });

  it('keeps only the globally reachable, non-loopback addresses', () => {
    requireTool('ip', 'iproute2');
    mustIp('netns', 'add', NAMESPACE);
    created = true;
    mustIp('-n', NAMESPACE, 'link', 'set', 'lo', 'up');
    // a global address on loopback (an anycast habit): loopback is never published
    mustIp('-n', NAMESPACE, 'address', 'add', '185.9.9.9/32', 'dev', 'lo');
    for (const [name, addresses] of Object.entries(ADDRESSES)) {
      addInterface(name);
      mustIp('-n', NAMESPACE, 'link', 'set', name, 'up');
      for (const address of addresses) {
        // nodad: no duplicate address detection, so no address is still tentative when read
        const flags = address.includes(':') ? ['nodad'] : [];
        mustIp('-n', NAMESPACE, 'address', 'add', address, 'dev', name, ...flags);
      }
    }

    const run = spawnSync('ip', ['netns', 'exec', NAMESPACE, process.execPath, SCRIPT], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    const { seen, kept } = JSON.parse(run.stdout) as { seen: InterfaceAddress[]; kept: string[] };

    const seenAddresses = seen.map((entry) => entry.address);
    for (const address of Object.values(ADDRESSES).flat()) {
      assert.ok(seenAddresses.includes(address.split('/')[0]!), `${address} was on an interface but not seen: ${seenAddresses.join(' ')}`);
    }
    assert.ok(!seenAddresses.includes('185.9.9.9') && !seenAddresses.includes('127.0.0.1'), 'loopback addresses are skipped');
    assert.deepEqual(kept, ['185.1.2.3', '192.0.0.9', '2a01:4f8::1']);
  });
});
