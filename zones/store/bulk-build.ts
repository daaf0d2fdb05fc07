import { keyIsSubdomain, keyLabelCount, nameToKey, parentKey } from '../name.js';
import { RRType } from '../rrtype.js';
import type { DiffRR } from '../diff.js';
import { rdataEqual } from '../rdata-equal.js';
import { NodeFlag, ownFlags, type StoredRR, type ZoneNode } from './node.js';
import { latin1 } from './working-set.js';

export interface BuiltZone {
  /** Nodes in canonical order, empty non-terminals included, flags computed. */
  nodes: { nameKey: Buffer; node: ZoneNode }[];
  soa: StoredRR | undefined;
  records: number;
}

/**
 * Builds every node of a zone from scratch: the fast path for a zone's first content (a 1M-record
 * import), equivalent to committing the same records one by one into an empty zone.
 */
export function bulkBuild(apexKey: Buffer, records: DiffRR[], ownerId: number): BuiltZone {
  const byKey = new Map<string, { nameKey: Buffer; node: ZoneNode }>();
  let count = 0;
  let soa: StoredRR | undefined;
  for (const rr of records) {
    const nameKey = nameToKey(rr.owner);
    const id = latin1(nameKey);
    let entry = byKey.get(id);
    if (!entry) byKey.set(id, (entry = { nameKey, node: { flags: 0, rrsets: [] } }));
    let set = entry.node.rrsets.find((s) => s.type === rr.type);
    if (!set) entry.node.rrsets.push((set = { type: rr.type, ttl: rr.ttl, rrs: [] }));
    if (rr.type === RRType.SOA) {
      // one SOA per zone: a later one replaces an earlier one
      count -= set.rrs.length;
      set.rrs = [];
    }
    if (set.rrs.some((x) => rdataEqual(rr.type, x.rdata, rr.rdata))) continue;
    const stored: StoredRR = { rdata: rr.rdata, owners: [ownerId] };
    set.rrs.push(stored);
    count++;
    if (rr.type === RRType.SOA && nameKey.equals(apexKey)) soa = stored;
  }
  // empty non-terminals between every name and the apex
  const apexLabels = keyLabelCount(apexKey);
  for (const { nameKey } of [...byKey.values()]) {
    for (let key = parentKey(nameKey); key && keyLabelCount(key) >= apexLabels; key = parentKey(key)) {
      const id = latin1(key);
      if (byKey.has(id)) break;
      byKey.set(id, { nameKey: Buffer.from(key), node: { flags: 0, rrsets: [] } });
    }
  }
  const nodes = [...byKey.values()].filter((n) => keyIsSubdomain(n.nameKey, apexKey));
  nodes.sort((a, b) => a.nameKey.compare(b.nameKey));
  // flags: canonical order visits a parent before its children
  const flagsByKey = new Map<string, number>();
  for (const n of nodes) {
    const isApex = n.nameKey.equals(apexKey);
    let flags = ownFlags(n.node, isApex);
    if (!isApex) {
      const pk = parentKey(n.nameKey)!;
      const pf = flagsByKey.get(latin1(pk)) ?? 0;
      if (pf & (NodeFlag.DELEGATION | NodeFlag.NONAUTH)) flags |= NodeFlag.NONAUTH;
      if (isWildcardLabel(n.nameKey, pk.length)) {
        const parent = byKey.get(latin1(pk));
        if (parent) parent.node.flags |= NodeFlag.WILDCARD_CHILD;
      }
    }
    n.node.flags |= flags;
    flagsByKey.set(latin1(n.nameKey), n.node.flags);
  }
  return { nodes, soa, records: count };
}

function isWildcardLabel(key: Buffer, parentLength: number): boolean {
  return key.length === parentLength + 2 && key[parentLength] === 0x2a;
}
