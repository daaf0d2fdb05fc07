import { isIP } from 'node:net';

/**
 * "Globally reachable" as the IANA IPv4 and IPv6 Special-Purpose Address Registries define it
 * (RFC 6890, updated by RFC 8190): the most specific registry row holding the address decides.
 * https://www.iana.org/assignments/iana-ipv4-special-registry
 * https://www.iana.org/assignments/iana-ipv6-special-registry
 *
 * Self-contained on purpose: the node-address agent runs alone in a DaemonSet.
 */

/** `'n/a'`: the registry's column says N/A (deprecated or transition blocks); see `reachability`. */
export type RegistryGlobal = boolean | 'n/a';

export interface RegistryRow {
  readonly prefix: string;
  readonly name: string;
  readonly rfc: string;
  readonly global: RegistryGlobal;
}

export interface ParsedAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const IPV4_ROWS: readonly RegistryRow[] = [
  { prefix: '0.0.0.0/8', name: '"This network"', rfc: 'RFC 791 §3.2', global: false },
  { prefix: '0.0.0.0/32', name: '"This host on this network"', rfc: 'RFC 1122 §3.2.1.3', global: false },
  { prefix: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918', global: false },
  { prefix: '100.64.0.0/10', name: 'Shared Address Space (CGNAT)', rfc: 'RFC 6598', global: false },
  { prefix: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122 §3.2.1.3', global: false },
  { prefix: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927', global: false },
  { prefix: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918', global: false },
  { prefix: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890 §2.1', global: false },
  { prefix: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335', global: false },
  { prefix: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600', global: false },
  { prefix: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', global: true },
  { prefix: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', global: true },
  { prefix: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2', global: false },
  { prefix: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2', global: false },
  { prefix: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737', global: false },
  { prefix: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535', global: true },
  { prefix: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450', global: true },
  { prefix: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526', global: 'n/a' },
  { prefix: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918', global: false },
  { prefix: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', global: true },
  { prefix: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544', global: false },
  { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737', global: false },
  { prefix: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737', global: false },
  { prefix: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112 §4', global: false },
  { prefix: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190, RFC 919 §7', global: false },
];

const IPV6_ROWS: readonly RegistryRow[] = [
  { prefix: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291', global: false },
  { prefix: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291', global: false },
  { prefix: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291', global: false },
  { prefix: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052', global: true },
  { prefix: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215', global: false },
  { prefix: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666', global: false },
  { prefix: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780', global: false },
  { prefix: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928', global: false },
  { prefix: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380, RFC 8190', global: 'n/a' },
  { prefix: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', global: true },
  { prefix: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', global: true },
  { prefix: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665', global: true },
  { prefix: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180, RFC Errata 1752', global: false },
  { prefix: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450', global: true },
  { prefix: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535', global: true },
  { prefix: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843', global: 'n/a' },
  { prefix: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343', global: true },
  { prefix: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', rfc: 'RFC 9374', global: true },
  { prefix: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849', global: false },
  { prefix: '2002::/16', name: '6to4', rfc: 'RFC 3056', global: 'n/a' },
  { prefix: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', global: true },
  { prefix: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637', global: false },
  { prefix: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602', global: false },
  { prefix: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193, RFC 8190', global: false },
  { prefix: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291', global: false },
];

/** Both registries, as written above (for tests and diagnostics). */
export const SPECIAL_PURPOSE_ROWS: readonly RegistryRow[] = [...IPV4_ROWS, ...IPV6_ROWS];

interface CompiledRow {
  readonly row: RegistryRow;
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly length: number;
}

/** Parses a textual IPv4 or IPv6 address (an IPv6 zone, `%eth0`, is dropped); TypeError otherwise. */
export function parseAddress(text: string): ParsedAddress {
  const address = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const family = isIP(address);
  if (family === 4) return { family: 4, value: ipv4Value(address) };
  if (family === 6) return { family: 6, value: ipv6Value(address) };
  throw new TypeError(`not an IP address: "${text}"`);
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(address: string): bigint {
  let text = address.toLowerCase();
  // an embedded IPv4 tail (::ffff:192.0.2.1) is two groups
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = ipv4Value(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((sum, group) => (sum << 16n) | BigInt(`0x${group}`), 0n);
}

function compile(row: RegistryRow): CompiledRow {
  const [address = '', length = ''] = row.prefix.split('/');
  const parsed = parseAddress(address);
  return { row, family: parsed.family, base: parsed.value, length: Number(length) };
}

// Most specific first, so the first row that holds an address is the one that decides.
const COMPILED = SPECIAL_PURPOSE_ROWS.map(compile).sort((a, b) => b.length - a.length);

function holds(row: { family: 4 | 6; base: bigint; length: number }, address: ParsedAddress): boolean {
  if (row.family !== address.family) return false;
  const shift = BigInt((row.family === 4 ? 32 : 128) - row.length);
  return address.value >> shift === row.base >> shift;
}

/** The most specific registry row holding the address, if any. */
export function registryRow(address: string): RegistryRow | undefined {
  const parsed = parseAddress(address);
  return COMPILED.find((row) => holds(row, parsed))?.row;
}

const IPV4_MULTICAST = compile({ prefix: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771', global: false });
const IPV6_GLOBAL_UNICAST = compile({ prefix: '2000::/3', name: 'Global Unicast', rfc: 'RFC 4291', global: true });

/**
 * True when the address is globally reachable. Outside the special-purpose rows:
 * - IPv4 multicast (224.0.0.0/4, RFC 5771) is not a host address and is not in the registry: false;
 *   every other IPv4 address is true.
 * - IPv6: only 2000::/3 is allocated for global unicast (RFC 4291 §2.4, IANA IPv6 Address Space):
 *   true there, false elsewhere (multicast ff00::/8, deprecated site-local fec0::/10, reserved space).
 * Rows whose column is N/A (6to4 2002::/16 and its relay anycast 192.88.99.0/24, Teredo 2001::/32,
 * the deprecated ORCHID 2001:10::/28) count as not globally reachable: they are transition or
 * retired blocks whose reachability depends on relays, not addresses to publish for a node.
 */
export function isGloballyReachable(address: string): boolean {
  const parsed = parseAddress(address);
  const row = COMPILED.find((candidate) => holds(candidate, parsed));
  if (row) return row.row.global === true;
  if (parsed.family === 4) return !holds(IPV4_MULTICAST, parsed);
  return holds(IPV6_GLOBAL_UNICAST, parsed);
}

/** Orders addresses IPv4 first, then numerically: the agent's canonical order for its annotation. */
export function compareAddresses(a: string, b: string): number {
  const left = parseAddress(a);
  const right = parseAddress(b);
  if (left.family !== right.family) return left.family - right.family;
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}
