/**
 * Publishing targets (addresses and CNAME targets) under a name, with the DNS rules that decide what
 * may share a name, and SRV records for named ports.
 */
import type { RecordBuilder } from './builder.js';
import type { Target } from './annotations.js';
import { absoluteName, zoneOf } from './names.js';

/**
 * Adds `targets` at `name`. Addresses become A/AAAA; a hostname becomes the name's CNAME, which
 * may neither sit beside other data (RFC 1034 §3.6.2) nor be more than one (RFC 2181 §10.1), nor
 * sit at a zone apex (which holds SOA and NS): those are refused, the addresses kept.
 * Returns whether any address record was added.
 */
export function addTargets(
  builder: RecordBuilder,
  field: string,
  name: string,
  targets: readonly Target[],
  ttl: number,
  zones: readonly string[],
): boolean {
  const addresses = targets.filter((t) => t.type !== 'CNAME');
  const aliases = targets.filter((t) => t.type === 'CNAME');
  for (const target of addresses) builder.add(field, { name, type: target.type, ttl, rdata: target.value });
  if (aliases.length === 0) return addresses.length > 0;
  if (addresses.length > 0) {
    for (const alias of aliases) builder.refuse(field, alias.value, `a CNAME at ${name} cannot sit beside its address records (RFC 1034 §3.6.2)`);
    return true;
  }
  const [first, ...others] = aliases;
  for (const other of others) builder.refuse(field, other.value, `${name} already has the CNAME ${first?.value ?? ''}; a name holds one (RFC 2181 §10.1)`);
  if (first === undefined) return false;
  const target = absoluteName(first.value);
  if (target === undefined) {
    builder.refuse(field, first.value, 'not a hostname');
  } else if (zoneOf(name, zones) === name) {
    builder.refuse(field, first.value, `${name} is a zone apex, where a CNAME cannot be (RFC 1034 §3.6.2)`);
  } else {
    builder.add(field, { name, type: 'CNAME', ttl, rdata: target });
  }
  return false;
}

export interface SrvTarget {
  host: string;
  port: number;
}

/**
 * SRV at `_<port>._<proto>.<name>`, as CoreDNS's kubernetes plugin (plugin/kubernetes/xfr.go:
 * a ClusterIP Service's SRV points at the Service name with weight 100; a headless one's at each
 * endpoint's name with calcSRVWeight, floor(100 / endpoints), at least 1): priority 0, so one target
 * is `0 100` and two are `0 50`. Unnamed ports get none (Kubernetes DNS specification §2.3.2).
 * Port names and protocols are lowercased for the name.
 */
export function addSrv(
  builder: RecordBuilder,
  field: string,
  name: string,
  port: { name: string; protocol: string },
  targets: readonly SrvTarget[],
  ttl: number,
): void {
  if (targets.length === 0) return;
  const owner = `_${port.name.toLowerCase()}._${port.protocol.toLowerCase()}.${name}`;
  if (absoluteName(owner) === undefined) {
    builder.refuse(field, port.name, `"${owner}" is not a valid name`);
    return;
  }
  const weight = Math.max(1, Math.floor(100 / targets.length));
  for (const target of targets) {
    builder.add(field, { name: owner, type: 'SRV', ttl, rdata: `0 ${weight} ${target.port} ${target.host}` });
  }
}
