/**
 * RFC 2136 §3.2: the prerequisite section, checked against the zone as it is before the update.
 * The checks read nodes synchronously; the commit follows in the same turn, so nothing interleaves.
 */
import { keyIsSubdomain } from '../../zones/name.js';
import { rdataEqual } from '../../zones/rdata-equal.js';
import { RRClass, RRType } from '../../zones/rrtype.js';
import type { ZoneNode } from '../../zones/store/node.js';
import { Rcode } from '../message/rcode.js';
import type { UpdateRR } from './message.js';

export type NodeReader = (key: Buffer) => ZoneNode | undefined;

/** The rcodes an update answers with (RFC 2136 §2.2 added YXRRSET to NOTZONE): the shared table. */
export const UpdateRcode = Rcode;

/** NOERROR when every prerequisite holds, else the rcode of the first one that fails (§3.2.5). */
export function checkPrerequisites(prereqs: UpdateRR[], apexKey: Buffer, inZone: (key: Buffer) => boolean, read: NodeReader): number {
  const valueDependent = new Map<string, { rr: UpdateRR; rdatas: Uint8Array[] }>();
  for (const rr of prereqs) {
    if (rr.ttl !== 0) return UpdateRcode.FORMERR;
    if (!keyIsSubdomain(rr.key, apexKey) || !inZone(rr.key)) return UpdateRcode.NOTZONE;
    if (rr.cls === RRClass.ANY || rr.cls === RRClass.NONE) {
      if (rr.rdata.length !== 0) return UpdateRcode.FORMERR;
      const node = read(rr.key);
      const exists = rr.type === RRType.ANY
        ? (node?.rrsets.length ?? 0) > 0
        : node?.rrsets.some((s) => s.type === rr.type && s.rrs.length > 0) === true;
      if (rr.cls === RRClass.ANY && !exists) return rr.type === RRType.ANY ? UpdateRcode.NXDOMAIN : UpdateRcode.NXRRSET;
      if (rr.cls === RRClass.NONE && exists) return rr.type === RRType.ANY ? UpdateRcode.YXDOMAIN : UpdateRcode.YXRRSET;
      continue;
    }
    if (rr.cls !== RRClass.IN) return UpdateRcode.FORMERR;
    if (rr.type === RRType.ANY || rr.type === RRType.AXFR || rr.type === RRType.IXFR) return UpdateRcode.FORMERR;
    const id = `${rr.key.toString('latin1')}/${rr.type}`;
    let entry = valueDependent.get(id);
    if (!entry) valueDependent.set(id, (entry = { rr, rdatas: [] }));
    if (!entry.rdatas.some((x) => rdataEqual(rr.type, x, rr.rdata))) entry.rdatas.push(rr.rdata);
  }
  // §2.4.2 / §3.2.3: the RRset must be exactly the given one (TTL ignored)
  for (const { rr, rdatas } of valueDependent.values()) {
    const set = read(rr.key)?.rrsets.find((s) => s.type === rr.type);
    const zone = set?.rrs ?? [];
    if (zone.length !== rdatas.length) return UpdateRcode.NXRRSET;
    for (const z of zone) if (!rdatas.some((x) => rdataEqual(rr.type, x, z.rdata))) return UpdateRcode.NXRRSET;
  }
  return UpdateRcode.NOERROR;
}
