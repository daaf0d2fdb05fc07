/**
 * RFC 2136 §3.4: the update section. §3.4.1 prescan (FORMERR / NOTZONE before anything changes),
 * then §3.4.2 applied in order to an in-memory copy of the RRsets it touches, so that later
 * updates see earlier ones (delete-then-add in one message, CNAME conflicts). The net result is
 * one ZoneDiff for the write door: one transaction, one serial bump, one journal entry.
 */
import type { DiffRR, ZoneDiff } from '../../zones/diff.js';
import { keyIsSubdomain, type WireName } from '../../zones/name.js';
import { rdataEqual } from '../../zones/rdata-equal.js';
import { isMetaType, RRClass, RRType } from '../../zones/rrtype.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaSerial } from '../../zones/soa.js';
import type { UpdateRR } from './message.js';
import { UpdateRcode, type NodeReader } from './prerequisites.js';

/** §3.4.1.3: NOERROR when every update RR is well formed and in the zone. */
export function prescan(updates: UpdateRR[], apexKey: Buffer, inZone: (key: Buffer) => boolean): number {
  for (const rr of updates) {
    if (!keyIsSubdomain(rr.key, apexKey) || !inZone(rr.key)) return UpdateRcode.NOTZONE;
    if (rr.cls === RRClass.IN) {
      if (isMetaType(rr.type) || rr.type === 0) return UpdateRcode.FORMERR;
    } else if (rr.cls === RRClass.ANY) {
      if (rr.ttl !== 0 || rr.rdata.length !== 0) return UpdateRcode.FORMERR;
      if (rr.type !== RRType.ANY && isMetaType(rr.type)) return UpdateRcode.FORMERR;
    } else if (rr.cls === RRClass.NONE) {
      if (rr.ttl !== 0 || isMetaType(rr.type)) return UpdateRcode.FORMERR;
    } else {
      return UpdateRcode.FORMERR;
    }
  }
  return UpdateRcode.NOERROR;
}

interface SimSet {
  type: number;
  orig: Uint8Array[];
  cur: Uint8Array[];
  /** RRs this update added (and that it therefore claims), with the TTL of the last add. */
  added: Uint8Array[];
  ttl: number;
}

interface SimNode {
  name: WireName;
  sets: Map<number, SimSet>;
}

/** Types that may sit next to a CNAME (RFC 2181 §10.1, RFC 4035 §2.5). */
const BESIDE_CNAME = new Set<number>([RRType.RRSIG, RRType.NSEC]);

const has = (list: Uint8Array[], type: number, rdata: Uint8Array) => list.some((x) => rdataEqual(type, x, rdata));

/** Applies the (prescanned) updates in order and returns the net change as one diff. */
export function buildDiff(updates: UpdateRR[], apexKey: Buffer, source: string, read: NodeReader): ZoneDiff {
  const nodes = new Map<string, SimNode>();
  const nodeOf = (rr: UpdateRR): SimNode => {
    const id = rr.key.toString('latin1');
    let node = nodes.get(id);
    if (!node) {
      node = { name: rr.name, sets: new Map() };
      for (const set of read(rr.key)?.rrsets ?? []) {
        const rdatas = set.rrs.map((x) => Uint8Array.from(x.rdata));
        node.sets.set(set.type, { type: set.type, orig: rdatas, cur: [...rdatas], added: [], ttl: set.ttl });
      }
      nodes.set(id, node);
    }
    return node;
  };
  const setOf = (node: SimNode, type: number): SimSet => {
    let set = node.sets.get(type);
    if (!set) node.sets.set(type, (set = { type, orig: [], cur: [], added: [], ttl: 0 }));
    return set;
  };
  const nonEmpty = (node: SimNode, type: number) => (node.sets.get(type)?.cur.length ?? 0) > 0;
  let soa: DiffRR | undefined;

  for (const rr of updates) {
    const node = nodeOf(rr);
    const atApex = rr.key.equals(apexKey);
    if (rr.cls === RRClass.IN) {
      // §3.4.2.2: CNAME and other data do not mix; the conflicting add is ignored
      if (rr.type === RRType.CNAME) {
        if ([...node.sets.values()].some((s) => s.type !== RRType.CNAME && !BESIDE_CNAME.has(s.type) && s.cur.length > 0)) continue;
      } else if (!BESIDE_CNAME.has(rr.type) && nonEmpty(node, RRType.CNAME)) {
        continue;
      }
      if (rr.type === RRType.SOA) {
        // only the apex SOA is replaced, and only by a newer serial
        const current = node.sets.get(RRType.SOA)?.cur[0];
        if (!atApex || current === undefined || !serialLessThan(soaSerial(current), soaSerial(rr.rdata))) continue;
        node.sets.get(RRType.SOA)!.cur = [rr.rdata];
        soa = { owner: rr.name, type: RRType.SOA, ttl: rr.ttl, rdata: rr.rdata };
        continue;
      }
      const set = setOf(node, rr.type);
      if (rr.type === RRType.CNAME) {
        set.cur = [rr.rdata]; // a CNAME replaces the CNAME
        set.added = [rr.rdata];
      } else {
        if (!has(set.cur, rr.type, rr.rdata)) set.cur.push(rr.rdata);
        if (!has(set.added, rr.type, rr.rdata)) set.added.push(rr.rdata);
      }
      set.ttl = rr.ttl; // one TTL per RRset (RFC 2181 §5.2): the newest wins
    } else if (rr.cls === RRClass.ANY) {
      if (rr.type === RRType.ANY) {
        // §3.4.2.3: every RRset at the name, but the apex keeps its SOA and NS
        for (const set of node.sets.values()) {
          if (atApex && (set.type === RRType.SOA || set.type === RRType.NS)) continue;
          set.cur = [];
          set.added = [];
        }
      } else {
        if (atApex && (rr.type === RRType.SOA || rr.type === RRType.NS)) continue;
        const set = node.sets.get(rr.type);
        if (set) {
          set.cur = [];
          set.added = [];
        }
      }
    } else {
      // class NONE, §3.4.2.4: one RR; never the SOA, never the apex's last NS
      if (rr.type === RRType.SOA) continue;
      const set = node.sets.get(rr.type);
      if (!set) continue;
      if (atApex && rr.type === RRType.NS && set.cur.length === 1 && has(set.cur, rr.type, rr.rdata)) continue;
      set.cur = set.cur.filter((x) => !rdataEqual(rr.type, x, rr.rdata));
      set.added = set.added.filter((x) => !rdataEqual(rr.type, x, rr.rdata));
    }
  }

  const diff: ZoneDiff = { source, remove: [], add: [], removeAny: [] };
  for (const node of nodes.values()) {
    for (const set of node.sets.values()) {
      if (set.type === RRType.SOA) continue;
      for (const r of set.orig) {
        if (!has(set.cur, set.type, r)) diff.removeAny!.push({ owner: node.name, type: set.type, ttl: set.ttl, rdata: r });
      }
      for (const r of set.added) diff.add.push({ owner: node.name, type: set.type, ttl: set.ttl, rdata: r });
    }
  }
  if (soa) diff.add.push(soa);
  return diff;
}
