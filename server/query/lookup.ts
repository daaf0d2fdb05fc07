import {
  keyIsSubdomain, keyToName, nameToKey, parentKey, wireNameLength, type WireName,
} from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaTimers } from '../../zones/soa.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { findRRset, NodeFlag, type StoredRRset, type ZoneNode } from '../../zones/store/node.js';
import { Rcode } from '../message/rcode.js';
import type { OutRRset } from '../message/writer.js';
import type { ServedZone } from '../zone-table.js';
import { DenialProofs } from './denial.js';
import { denialChainOf, type DenialChain } from './nsec3-lookup.js';

export type { OutRRset };

/** The outcome of a lookup as data (CoreDNS/`domain` habit): the caller encodes it. */
export interface Resolution {
  rcode: number;
  aa: boolean;
  answer: OutRRset[];
  authority: OutRRset[];
  additional: OutRRset[];
}

const CNAME_CHAIN_MAX = 8;
const STAR = Buffer.from('*\0', 'latin1');
const UNSIGNED: DenialChain = { kind: 'none' };

/** A name answered from a wildcard (RFC 4592): the query name and its closest encloser. */
interface Synthesis {
  qkey: Uint8Array;
  ceKey: Uint8Array;
}

/**
 * Authoritative lookup, RFC 1034 §4.3.2 with RFC 4592 wildcards, RFC 6672 DNAME and RFC 8482 ANY.
 * Synchronous: every read comes from the one LMDB snapshot of this event-loop turn.
 */
export class Resolver {
  private readonly proofs: DenialProofs;
  /** The denial chain of each zone for one generation (decided by the apex); a deleted zone's goes with it. */
  private readonly chains = new WeakMap<ServedZone, { generation: number; chain: DenialChain }>();

  constructor(private readonly store: LmdbStore) {
    this.proofs = new DenialProofs(store);
  }

  /** The chain that proves denials in DO=1 answers; 'none' without DO (nothing is proved then). */
  private chain(zone: ServedZone, dnssecOk: boolean): DenialChain {
    if (!dnssecOk) return UNSIGNED;
    const cached = this.chains.get(zone);
    if (cached && cached.generation === zone.generation) return cached.chain;
    const apex = this.apex(zone);
    const chain = apex ? denialChainOf(apex) : UNSIGNED;
    this.chains.set(zone, { generation: zone.generation, chain });
    return chain;
  }

  private node(zoneId: number, key: Uint8Array): ZoneNode | undefined {
    return this.store.getNode(zoneId, key, false);
  }

  /** The apex node, decoded once per zone generation (every negative answer needs its SOA). */
  private apex(zone: ServedZone): ZoneNode | undefined {
    const cached = zone.apexCache;
    if (cached && cached.generation === zone.generation) return cached.node;
    const node = this.node(zone.id, zone.apexKey);
    if (node) zone.apexCache = { generation: zone.generation, node, signed: findRRset(node, RRType.DNSKEY) !== undefined };
    return node;
  }

  resolve(zone: ServedZone, qname: WireName, qkey: Uint8Array, qtype: number, dnssecOk: boolean): Resolution {
    const res: Resolution = { rcode: Rcode.NOERROR, aa: true, answer: [], authority: [], additional: [] };
    let name = qname;
    let key = qkey;
    let seen: Set<string> | undefined; // only a CNAME chain needs it
    for (let hop = 0; hop <= CNAME_CHAIN_MAX; hop++) {
      const next = this.step(zone, name, key, qtype, dnssecOk, res, hop > 0);
      // a CNAME question is answered by the CNAME itself, synthesised or not: no chain to follow
      if (!next || qtype === RRType.CNAME) break;
      const id = Buffer.from(next.key).toString('latin1');
      // a CNAME loop or a target outside this zone ends the chain (the resolver follows it)
      seen ??= new Set([Buffer.from(qkey).toString('latin1')]);
      if (seen.has(id) || !keyIsSubdomain(next.key, zone.apexKey)) break;
      seen.add(id);
      name = next.name;
      key = next.key;
    }
    return res;
  }

  /** One name of a CNAME chain; returns the next target to follow, if any. */
  private step(
    zone: ServedZone, name: WireName, key: Uint8Array, qtype: number, dnssecOk: boolean, res: Resolution, inChain: boolean,
  ): { name: WireName; key: Uint8Array } | undefined {
    // RFC 5155 §7.2.8: an NSEC3 owner name is answered as if it did not exist
    let node = this.node(zone.id, key);
    if (node && node.flags & NodeFlag.NSEC3) node = undefined;
    if (node) {
      if (node.flags & NodeFlag.NONAUTH) return this.referral(zone, this.cutAbove(zone, key), res, dnssecOk, inChain);
      // RFC 4035 §3.1.4.1 / RFC 1034: DS at a cut belongs to the parent side, everything else is referred
      if (node.flags & NodeFlag.DELEGATION && !(qtype === RRType.DS && !inChain)) {
        return this.referral(zone, { key, node }, res, dnssecOk, inChain);
      }
      return this.answerAt(zone, name, key, node, qtype, dnssecOk, res, undefined);
    }
    // closest encloser: ENTs are real nodes, so the first existing ancestor is it; its flags
    // alone decide the common NXDOMAIN, so the node is decoded only when they say it matters
    let ceKey = parentKey(key)!;
    let ceFlags = this.store.getFlags(zone.id, ceKey);
    while (ceFlags < 0 || ceFlags & NodeFlag.NSEC3) {
      ceKey = parentKey(ceKey)!;
      ceFlags = this.store.getFlags(zone.id, ceKey);
    }
    if (ceFlags & NodeFlag.NONAUTH) return this.referral(zone, this.cutAbove(zone, ceKey), res, dnssecOk, inChain);
    if (ceFlags & NodeFlag.DELEGATION) return this.referral(zone, { key: ceKey, node: this.node(zone.id, ceKey)! }, res, dnssecOk, inChain);
    if (ceFlags & NodeFlag.DNAME) return this.dname(zone, name, ceKey, this.node(zone.id, ceKey)!, res, dnssecOk);
    if (ceFlags & NodeFlag.WILDCARD_CHILD) {
      const starKey = Buffer.concat([ceKey, STAR]);
      const star = this.node(zone.id, starKey);
      // RFC 4592 §2.2.1: the source of synthesis answers with the query name as owner
      if (star) return this.answerAt(zone, name, starKey, star, qtype, dnssecOk, res, { qkey: key, ceKey });
    }
    res.rcode = Rcode.NXDOMAIN;
    this.negative(zone, res, dnssecOk);
    const chain = this.chain(zone, dnssecOk);
    if (chain.kind !== 'none') this.proofs.nxdomain(zone, chain, key, ceKey, res.authority);
    return undefined;
  }

  private answerAt(
    zone: ServedZone, owner: WireName, key: Uint8Array, node: ZoneNode, qtype: number, dnssecOk: boolean, res: Resolution,
    wildcard: Synthesis | undefined,
  ): { name: WireName; key: Uint8Array } | undefined {
    if (qtype === RRType.ANY) {
      // RFC 8482 §4.1: answer with one RRset (the first non-DNSSEC one) rather than all of them
      const pick = node.rrsets.find((s) => s.type !== RRType.RRSIG && s.type !== RRType.NSEC && s.type !== RRType.NSEC3);
      if (!pick) {
        this.nodata(zone, key, dnssecOk, res, wildcard);
        return undefined;
      }
      this.pushWithSigs(res.answer, owner, pick, node, dnssecOk);
      this.wildcardProof(zone, dnssecOk, res, wildcard);
      return undefined;
    }
    const exact = findRRset(node, qtype);
    if (exact && exact.rrs.length > 0) {
      this.pushWithSigs(res.answer, owner, exact, node, dnssecOk);
      this.wildcardProof(zone, dnssecOk, res, wildcard);
      this.additionalFor(zone, exact, res, dnssecOk);
      return undefined;
    }
    // RFC 4035 §2.5: RRSIG and NSEC sit beside a CNAME, so asking for them never follows it
    const followsCname = qtype !== RRType.RRSIG && qtype !== RRType.NSEC;
    const cname = followsCname && node.flags & NodeFlag.CNAME ? findRRset(node, RRType.CNAME) : undefined;
    if (cname && cname.rrs[0]) {
      this.pushWithSigs(res.answer, owner, cname, node, dnssecOk);
      this.wildcardProof(zone, dnssecOk, res, wildcard);
      const target = cname.rrs[0].rdata.subarray(0, wireNameLength(cname.rrs[0].rdata));
      return { name: target, key: nameToKey(target) };
    }
    this.nodata(zone, key, dnssecOk, res, wildcard);
    return undefined;
  }

  /** NODATA: the SOA, and with DO the proof that the name (or the wildcard that matched) lacks the type. */
  private nodata(zone: ServedZone, key: Uint8Array, dnssecOk: boolean, res: Resolution, wildcard: Synthesis | undefined): void {
    this.negative(zone, res, dnssecOk);
    const chain = this.chain(zone, dnssecOk);
    if (chain.kind === 'none') return;
    if (wildcard) this.proofs.wildcardNodata(zone, chain, wildcard.qkey, wildcard.ceKey, res.authority);
    else this.proofs.nodata(zone, chain, key, res.authority);
  }

  /** A wildcard's answer carries the proof that no closer name exists (RFC 4035 §3.1.3.3). */
  private wildcardProof(zone: ServedZone, dnssecOk: boolean, res: Resolution, wildcard: Synthesis | undefined): void {
    if (!wildcard) return;
    const chain = this.chain(zone, dnssecOk);
    if (chain.kind !== 'none') this.proofs.wildcardAnswer(zone, chain, wildcard.qkey, wildcard.ceKey, res.authority);
  }

  /** RFC 6672 §2.2: synthesise a CNAME from the DNAME at the closest encloser. */
  private dname(
    zone: ServedZone, qname: WireName, ceKey: Uint8Array, ce: ZoneNode, res: Resolution, dnssecOk: boolean,
  ): { name: WireName; key: Uint8Array } | undefined {
    const set = findRRset(ce, RRType.DNAME)!;
    const target = set.rrs[0]!.rdata;
    const ceName = keyToName(ceKey);
    this.pushWithSigs(res.answer, ceName, set, ce, dnssecOk);
    const prefixLength = qname.length - ceName.length;
    const targetLength = wireNameLength(target);
    if (prefixLength + targetLength > 255) {
      res.rcode = Rcode.YXDOMAIN; // RFC 6672 §2.2: the synthesised name would be too long
      return undefined;
    }
    const synthesised = new Uint8Array(prefixLength + targetLength);
    synthesised.set(qname.subarray(0, prefixLength), 0);
    synthesised.set(target.subarray(0, targetLength), prefixLength);
    res.answer.push({ owner: qname, type: RRType.CNAME, ttl: set.ttl, rdatas: [synthesised] });
    return { name: synthesised, key: nameToKey(synthesised) };
  }

  /** The delegation point above a non-authoritative name. */
  private cutAbove(zone: ServedZone, key: Uint8Array): { key: Uint8Array; node: ZoneNode } {
    for (let k = parentKey(key); k && k.length >= zone.apexKey.length; k = parentKey(k)) {
      const node = this.node(zone.id, k);
      if (node && node.flags & NodeFlag.DELEGATION) return { key: k, node };
    }
    throw new Error('non-authoritative node without a delegation above it');
  }

  private referral(
    zone: ServedZone, cut: { key: Uint8Array; node: ZoneNode }, res: Resolution, dnssecOk: boolean, inChain: boolean,
  ): undefined {
    if (!inChain) res.aa = false;
    const ns = findRRset(cut.node, RRType.NS)!;
    const owner = keyToName(cut.key);
    res.authority.push({ owner, type: RRType.NS, ttl: ns.ttl, rdatas: ns.rrs.map((r) => r.rdata) });
    if (dnssecOk && this.isSigned(zone)) {
      const ds = findRRset(cut.node, RRType.DS);
      if (ds) this.pushWithSigs(res.authority, owner, ds, cut.node, true);
      else {
        // RFC 4035 §3.1.4: an insecure delegation proves it has no DS
        const chain = this.chain(zone, dnssecOk);
        if (chain.kind !== 'none') this.proofs.noDs(zone, chain, cut.key, res.authority);
      }
    }
    for (const rr of ns.rrs) {
      const target = rr.rdata;
      const targetKey = nameToKey(target);
      if (!keyIsSubdomain(targetKey, zone.apexKey)) continue;
      // RFC 9471 §3: glue for name servers below the cut must fit, sibling glue may be dropped
      const mandatory = keyIsSubdomain(targetKey, cut.key);
      this.addressesOf(zone, target, targetKey, res.additional, mandatory, dnssecOk);
    }
    return undefined;
  }

  /**
   * RFC 1034 §4.3.2 step 6: addresses of NS, MX and SRV targets that this zone holds; for SVCB and
   * HTTPS (RFC 9460 §4.1) the target's addresses, and in AliasMode the target's own SVCB/HTTPS.
   */
  private additionalFor(zone: ServedZone, set: StoredRRset, res: Resolution, dnssecOk: boolean): void {
    let offset: number;
    if (set.type === RRType.NS) offset = 0;
    else if (set.type === RRType.MX || set.type === RRType.SVCB || set.type === RRType.HTTPS) offset = 2;
    else if (set.type === RRType.SRV) offset = 6;
    else return;
    for (const rr of set.rrs) {
      const target = rr.rdata.subarray(offset, offset + wireNameLength(rr.rdata, offset));
      if (target.length <= 1) continue;
      const targetKey = nameToKey(target);
      if (!keyIsSubdomain(targetKey, zone.apexKey)) continue;
      const aliasMode = offset === 2 && set.type !== RRType.MX && rr.rdata[0] === 0 && rr.rdata[1] === 0;
      if (aliasMode) {
        const node = this.node(zone.id, targetKey);
        const alias = node && findRRset(node, set.type);
        if (node && alias && !res.additional.some((o) => o.type === set.type && Buffer.compare(o.owner, target) === 0)) {
          this.pushWithSigs(res.additional, target, alias, node, dnssecOk);
        }
      }
      this.addressesOf(zone, target, targetKey, res.additional, false, dnssecOk);
    }
  }

  private addressesOf(
    zone: ServedZone, name: WireName, key: Uint8Array, out: OutRRset[], mandatory: boolean, dnssecOk: boolean,
  ): void {
    const node = this.node(zone.id, key);
    if (!node) return;
    for (const type of [RRType.A, RRType.AAAA]) {
      const set = findRRset(node, type);
      if (!set || out.some((o) => o.type === type && Buffer.compare(o.owner, name) === 0)) continue;
      const first = out.length;
      this.pushWithSigs(out, name, set, node, dnssecOk && !(node.flags & NodeFlag.NONAUTH));
      if (mandatory) for (let i = first; i < out.length; i++) out[i]!.mandatory = true;
    }
  }

  /** A zone with a DNSKEY at its apex is signed: only then do referrals carry DS (RFC 4035 §3.1.4). */
  private isSigned(zone: ServedZone): boolean {
    return this.apex(zone) !== undefined && zone.apexCache!.signed;
  }

  /** NODATA / NXDOMAIN: the SOA in authority with TTL min(SOA TTL, MINIMUM) (RFC 2308 §3). */
  private negative(zone: ServedZone, res: Resolution, dnssecOk: boolean): void {
    const apex = this.apex(zone);
    const soa = apex && findRRset(apex, RRType.SOA);
    if (!apex || !soa || !soa.rrs[0]) return;
    const ttl = Math.min(soa.ttl, soaTimers(soa.rrs[0].rdata).minimum);
    res.authority.push({ owner: zone.apexName, type: RRType.SOA, ttl, rdatas: [soa.rrs[0].rdata] });
    if (dnssecOk) this.pushSigs(res.authority, zone.apexName, RRType.SOA, apex, ttl);
  }

  private pushWithSigs(out: OutRRset[], owner: WireName, set: StoredRRset, node: ZoneNode, dnssecOk: boolean): void {
    out.push({ owner, type: set.type, ttl: set.ttl, rdatas: set.rrs.map((r) => r.rdata) });
    if (dnssecOk) this.pushSigs(out, owner, set.type, node, set.ttl);
  }

  private pushSigs(out: OutRRset[], owner: WireName, covered: number, node: ZoneNode, ttl: number): void {
    const sigs = findRRset(node, RRType.RRSIG);
    if (!sigs) return;
    const rdatas = sigs.rrs.filter((r) => ((r.rdata[0]! << 8) | r.rdata[1]!) === covered).map((r) => r.rdata);
    if (rdatas.length > 0) out.push({ owner, type: RRType.RRSIG, ttl, rdatas });
  }
}
