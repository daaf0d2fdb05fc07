import { isIP } from 'node:net';
import { IPV4_SPECIAL_PURPOSE, IPV6_SPECIAL_PURPOSE, reachability, type SpecialPurposeBlock } from '../global-address.js';

/**
 * "Globally reachable" as the IANA IPv4 and IPv6 Special-Purpose Address Registries define it
 * (RFC 6890, updated by RFC 8190): the most specific registry row holding the address decides.
 * https://www.iana.org/assignments/iana-ipv4-special-registry
 * https://www.iana.org/assignments/iana-ipv6-special-registry
 *
 * The tables are k8s/global-address.ts's (the watcher's node records use the same rule).
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

/** The registry rows of k8s/global-address.ts (the one copy of the IANA tables), in this module's shape. */
const toRow = (b: SpecialPurposeBlock): RegistryRow => ({ prefix: b.prefix, name: b.name, rfc: b.rfc, global: b.globallyReachable === 'N/A' ? 'n/a' : b.globallyReachable });

/** Both registries, as written above (for tests and diagnostics). */
export const SPECIAL_PURPOSE_ROWS: readonly RegistryRow[] = [...IPV4_SPECIAL_PURPOSE, ...IPV6_SPECIAL_PURPOSE].map(toRow);

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

/**
 * True when the address is globally reachable: k8s/global-address.ts's rule (the most specific
 * registry row; N/A rows, multicast and IPv6 outside 2000::/3 are not). An IPv6 zone is dropped;
 * what is not an address throws a TypeError.
 */
export function isGloballyReachable(address: string): boolean {
  parseAddress(address);
  return reachability(address.includes('%') ? address.slice(0, address.indexOf('%')) : address).global;
}

/** Orders addresses IPv4 first, then numerically: the agent's canonical order for its annotation. */
export function compareAddresses(a: string, b: string): number {
  const left = parseAddress(a);
  const right = parseAddress(b);
  if (left.family !== right.family) return left.family - right.family;
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}
