import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { compareAddresses, isGloballyReachable } from './global.js';

/** What `os.networkInterfaces()` returns; injectable so tests can hand in a table. */
export type InterfaceTable = Partial<Record<string, NetworkInterfaceInfo[]>>;
export type InterfaceReader = () => InterfaceTable;

export interface InterfaceAddress {
  readonly interface: string;
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Every address on the node's interfaces except loopback ones (Node marks those `internal`).
 *
 * Node's table comes from getifaddrs(3), which does not carry the kernel's address flags: a
 * deprecated (preferred lifetime over) or tentative (duplicate address detection still running)
 * IPv6 address looks like any other here. Reading them needs netlink (`ip -j address`); until
 * then such an address is kept, and dropped at the next poll once the kernel removes it.
 */
export function interfaceAddresses(read: InterfaceReader = networkInterfaces): InterfaceAddress[] {
  const found: InterfaceAddress[] = [];
  for (const [name, infos] of Object.entries(read())) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      found.push({ interface: name, address: info.address, family: info.family === 'IPv4' ? 4 : 6 });
    }
  }
  return found;
}

/** The globally reachable ones, without duplicates or IPv6 zones, IPv4 first and in numeric order. */
export function keepGlobal(addresses: readonly InterfaceAddress[]): string[] {
  const kept = new Set<string>();
  for (const { address } of addresses) {
    const bare = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
    if (isGloballyReachable(bare)) kept.add(bare);
  }
  return [...kept].sort(compareAddresses);
}

/** The node's globally reachable addresses (what `meshdns agent` publishes when it has any). */
export function globalInterfaceAddresses(read: InterfaceReader = networkInterfaces): string[] {
  return keepGlobal(interfaceAddresses(read));
}

/** A fingerprint of every non-loopback address, to notice an interface change by polling. */
export function interfaceFingerprint(addresses: readonly InterfaceAddress[]): string {
  return addresses
    .map((entry) => `${entry.interface} ${entry.address}`)
    .sort()
    .join('\n');
}

/**
 * A reader that sees only the interfaces whose name matches one of the patterns (`*` stands for any
 * run of characters: `en*`, `wg0`): which interfaces count is the operator's choice (a node whose
 * public address sits on `eth0` beside a VPN's global address on `wg0` publishes only `eth0`'s).
 */
export function onlyInterfaces(patterns: readonly string[], read: InterfaceReader = networkInterfaces): InterfaceReader {
  const matchers = patterns.map((pattern) => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`));
  return () => {
    const kept: InterfaceTable = {};
    for (const [name, infos] of Object.entries(read())) {
      if (matchers.some((matcher) => matcher.test(name))) kept[name] = infos;
    }
    return kept;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
