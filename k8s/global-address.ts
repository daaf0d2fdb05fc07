/**
 * Is an address globally reachable? The IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890, updated by RFC 8190) say so per block in their "Globally Reachable" column; an address
 * inside no listed block is ordinary global unicast. The most specific block decides: 192.0.0.9/32
 * (reachable) sits inside 192.0.0.0/24 (not), whose registry note says it is not usable "unless by
 * virtue of a more specific reservation". "N/A" (TEREDO, 6to4) and the empty cell of a terminated
 * block (192.88.99.0/24, 2001:10::/28; written 'N/A' here) count as not reachable.
 *
 * Tables copied from https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry (25 rows each, as of the 2025 revisions).
 */
import { isIP } from 'node:net';

export interface SpecialPurposeBlock {
  prefix: string;
  name: string;
  rfc: string;
  globallyReachable: boolean | 'N/A';
}

export const IPV4_SPECIAL_PURPOSE: readonly SpecialPurposeBlock[] = [
  { prefix: '0.0.0.0/8', name: '"This network"', rfc: 'RFC 791 §3.2', globallyReachable: false },
  { prefix: '0.0.0.0/32', name: '"This host on this network"', rfc: 'RFC 1122 §3.2.1.3', globallyReachable: false },
  { prefix: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918', globallyReachable: false },
  { prefix: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598', globallyReachable: false },
  { prefix: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122 §3.2.1.3', globallyReachable: false },
  { prefix: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927', globallyReachable: false },
  { prefix: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918', globallyReachable: false },
  { prefix: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890 §2.1', globallyReachable: false },
  { prefix: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335', globallyReachable: false },
  { prefix: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600', globallyReachable: false },
  { prefix: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', globallyReachable: true },
  { prefix: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', globallyReachable: true },
  { prefix: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2', globallyReachable: false },
  { prefix: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880, RFC 7050 §2.2', globallyReachable: false },
  { prefix: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737', globallyReachable: false },
  { prefix: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535', globallyReachable: true },
  { prefix: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450', globallyReachable: true },
  { prefix: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526', globallyReachable: 'N/A' },
  { prefix: '192.88.99.2/32', name: '6a44-relay anycast address', rfc: 'RFC 6751', globallyReachable: false },
  { prefix: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918', globallyReachable: false },
  { prefix: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', globallyReachable: true },
  { prefix: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544', globallyReachable: false },
  { prefix: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737', globallyReachable: false },
  { prefix: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737', globallyReachable: false },
  { prefix: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112 §4', globallyReachable: false },
  { prefix: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190, RFC 919 §7', globallyReachable: false },
];

export const IPV6_SPECIAL_PURPOSE: readonly SpecialPurposeBlock[] = [
  { prefix: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291', globallyReachable: false },
  { prefix: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291', globallyReachable: false },
  { prefix: '::ffff:0:0/96', name: 'IPv4-mapped Address', rfc: 'RFC 4291', globallyReachable: false },
  { prefix: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052', globallyReachable: true },
  { prefix: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215', globallyReachable: false },
  { prefix: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666', globallyReachable: false },
  { prefix: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780', globallyReachable: false },
  { prefix: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928', globallyReachable: false },
  { prefix: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380, RFC 8190', globallyReachable: 'N/A' },
  { prefix: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723', globallyReachable: true },
  { prefix: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155', globallyReachable: true },
  { prefix: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665', globallyReachable: true },
  { prefix: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180, RFC Errata 1752', globallyReachable: false },
  { prefix: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450', globallyReachable: true },
  { prefix: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535', globallyReachable: true },
  { prefix: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843', globallyReachable: 'N/A' },
  { prefix: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343', globallyReachable: true },
  { prefix: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', rfc: 'RFC 9374', globallyReachable: true },
  { prefix: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849', globallyReachable: false },
  { prefix: '2002::/16', name: '6to4', rfc: 'RFC 3056', globallyReachable: 'N/A' },
  { prefix: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534', globallyReachable: true },
  { prefix: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637', globallyReachable: false },
  { prefix: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602', globallyReachable: false },
  { prefix: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193, RFC 8190', globallyReachable: false },
  { prefix: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291', globallyReachable: false },
];

export interface Reachability {
  global: boolean;
  /** Why: the registry row (name and RFC), or the address-space rule that decided. */
  why: string;
}

interface CompiledBlock extends SpecialPurposeBlock {
  network: bigint;
  length: number;
}

const compiled4 = IPV4_SPECIAL_PURPOSE.map((block) => compile(block, 32));
const compiled6 = IPV6_SPECIAL_PURPOSE.map((block) => compile(block, 128));

/** Decides for one address in text form; an address that does not parse (or has a zone id) is not global. */
export function reachability(address: string): Reachability {
  const family = isIP(address);
  if (family === 0 || address.includes('%')) return { global: false, why: 'not an IP address' };
  const bits = family === 4 ? 32 : 128;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  let best: CompiledBlock | undefined;
  for (const block of family === 4 ? compiled4 : compiled6) {
    if (inBlock(value, block, bits) && (best === undefined || block.length > best.length)) best = block;
  }
  if (best !== undefined) {
    return { global: best.globallyReachable === true, why: `${best.prefix} ${best.name} (${best.rfc})` };
  }
  if (family === 4) {
    // Multicast is not in the special-purpose registry (it has its own): never a host's address.
    if (inPrefix(value, 0xe0000000n, 4, 32)) return { global: false, why: '224.0.0.0/4 Multicast (RFC 5771)' };
    return { global: true, why: 'global unicast' };
  }
  if (inPrefix(value, 0xffn << 120n, 8, 128)) return { global: false, why: 'ff00::/8 Multicast (RFC 4291 §2.7)' };
  // IANA IPv6 Address Space registry: unicast assignments come from 2000::/3 only; the rest is
  // reserved by the IETF (RFC 4291 §2.4, deprecated site-local fec0::/10 by RFC 3879).
  if (inPrefix(value, 0x2000n << 112n, 3, 128)) return { global: true, why: 'global unicast (2000::/3)' };
  return { global: false, why: 'outside 2000::/3, reserved by the IETF (RFC 4291)' };
}

export function isGloballyReachable(address: string): boolean {
  return reachability(address).global;
}

function compile(block: SpecialPurposeBlock, bits: number): CompiledBlock {
  const [text = '', lengthText = ''] = block.prefix.split('/');
  const network = bits === 32 ? ipv4ToBigInt(text) : ipv6ToBigInt(text);
  return { ...block, network, length: Number(lengthText) };
}

function inBlock(value: bigint, block: CompiledBlock, bits: number): boolean {
  return inPrefix(value, block.network, block.length, bits);
}

function inPrefix(value: bigint, network: bigint, length: number, bits: number): boolean {
  const shift = BigInt(bits - length);
  return value >> shift === network >> shift;
}

function ipv4ToBigInt(text: string): bigint {
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number(part));
  return value;
}

/** Expands `::` and a trailing dotted IPv4 part; the text is already known to be IPv6 (net.isIP). */
function ipv6ToBigInt(text: string): bigint {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = body.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  return value;
}
