import { BlockList, isIP } from 'node:net';
import type { TransportProto } from './transports.js';

export type AclAction = 'transfer' | 'notify' | 'update';

/** One configured rule (Knot's `acl` section shape): who, with which key, may do what. */
export interface AclRule {
  name: string;
  /** Addresses or prefixes; empty means any address. */
  addresses: string[];
  /** Key names (lowercase, trailing dot); empty means no key is required. */
  keys: string[];
  actions: AclAction[];
  deny: boolean;
  /** Transports the request must arrive over; empty means any (RFC 9103 §9.3: XoT may be required). */
  transports: readonly TransportProto[];
}

export interface AclDecision {
  allowed: boolean;
  /** The rule that decided, for the log; undefined when nothing matched (default deny). */
  rule: string | undefined;
}

/**
 * Rules in order, first match wins, nothing matched means denied: no transfer, notify or update
 * is allowed unless a rule allows it (security by default).
 */
export class Acl {
  private readonly compiled: { rule: AclRule; block: BlockList | undefined }[];

  constructor(rules: AclRule[]) {
    this.compiled = rules.map((rule) => ({ rule, block: rule.addresses.length > 0 ? toBlockList(rule.addresses) : undefined }));
  }

  /**
   * `keyName` is the TSIG key the request was verified with (lowercase, trailing dot), if any;
   * `transport` what it arrived over (unknown: a rule that names transports does not match).
   */
  check(action: AclAction, address: string, keyName: string | undefined, transport?: TransportProto): AclDecision {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    for (const { rule, block } of this.compiled) {
      if (!rule.actions.includes(action)) continue;
      if (block && !block.check(plain, plain === address ? family : 'ipv4')) continue;
      if (rule.keys.length > 0 && (keyName === undefined || !rule.keys.includes(keyName))) continue;
      if (rule.transports.length > 0 && (transport === undefined || !rule.transports.includes(transport))) continue;
      return { allowed: !rule.deny, rule: rule.name };
    }
    return { allowed: false, rule: undefined };
  }
}

function toBlockList(addresses: string[]): BlockList {
  const list = new BlockList();
  for (const entry of addresses) {
    const [host, prefix] = entry.split('/');
    const type = isIP(host!) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(host!, type);
    else list.addSubnet(host!, Number(prefix), type);
  }
  return list;
}

/** Validates one address or prefix as written in the config; returns why it is wrong, if it is. */
export function addressProblem(entry: string): string | undefined {
  const [host, prefix, extra] = entry.split('/');
  if (extra !== undefined || !host) return 'is not an address or ADDRESS/PREFIX';
  const family = isIP(host);
  if (family === 0) return `has "${host}", which is not an IP address`;
  if (prefix !== undefined) {
    const n = Number(prefix);
    if (!/^\d+$/.test(prefix) || n > (family === 6 ? 128 : 32)) return `has prefix length "${prefix}", not 0..${family === 6 ? 128 : 32}`;
  }
  return undefined;
}
