import { keyToName, parentKey } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { findRRset, type ZoneNode } from '../../zones/store/node.js';
import { nsec3Hash } from '../../zones/store/nsec3-index.js';
import type { OutRRset } from '../message/writer.js';
import type { ServedZone } from '../zone-table.js';
import { nextCloserKey, ownerHashEquals, type DenialChain } from './nsec3-lookup.js';

const STAR = Buffer.from('*\0', 'latin1');

/**
 * The denial-of-existence records of signed answers (DO=1): NSEC per RFC 4035 §3.1.3, NSEC3 per
 * RFC 5155 §7.2, each with its RRSIGs, appended to the authority section once per owner. Works on
 * whatever NSEC/NSEC3 records the zone holds (pre-signed files, secondaries of a signing primary).
 */
export class DenialProofs {
  constructor(private readonly store: LmdbStore) {}

  /** NXDOMAIN: `qkey` does not exist below the closest encloser `ceKey` and no wildcard there could answer. */
  nxdomain(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    if (chain.kind === 'nsec') {
      // RFC 4035 §3.1.3.2: the NSEC covering the name and the one covering the wildcard at the closest encloser
      this.nsec(zone, qkey, out);
      this.nsec(zone, Buffer.concat([ceKey, STAR]), out);
    } else if (chain.kind === 'nsec3') {
      // RFC 5155 §7.2.2: closest encloser proof, then the NSEC3 covering *.closest-encloser
      const ce = this.closestEncloserProof(zone, chain, qkey, ceKey, out);
      this.nsec3(zone, chain, Buffer.concat([ce, STAR]), out);
    }
  }

  /** NODATA at an existing name (or an empty non-terminal). */
  nodata(zone: ServedZone, chain: DenialChain, key: Uint8Array, out: OutRRset[]): void {
    if (chain.kind === 'nsec') {
      // RFC 4035 §3.1.3.1: the NSEC of the name; an empty non-terminal has none, the one covering it proves it (RFC 7129 §3.2)
      this.nsec(zone, key, out);
    } else if (chain.kind === 'nsec3') {
      // RFC 5155 §7.2.3; without an NSEC3 of its own (opt-out: DS at an insecure cut, or an
      // empty non-terminal above only insecure cuts) the closest provable encloser proof (§7.2.4)
      if (!this.nsec3(zone, chain, key, out, true)) this.closestEncloserProof(zone, chain, key, parentKey(key)!, out);
    }
  }

  /** A wildcard answered for `qkey` (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6): no closer name exists. */
  wildcardAnswer(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    if (chain.kind === 'nsec') this.nsec(zone, qkey, out);
    else if (chain.kind === 'nsec3') this.nsec3(zone, chain, nextCloserKey(qkey, ceKey), out);
  }

  /** The wildcard at `ceKey` matched but has no data of the type (RFC 4035 §3.1.3.4, RFC 5155 §7.2.5). */
  wildcardNodata(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    const starKey = Buffer.concat([ceKey, STAR]);
    if (chain.kind === 'nsec') {
      this.nsec(zone, qkey, out);
      this.nsec(zone, starKey, out);
    } else if (chain.kind === 'nsec3') {
      this.closestEncloserProof(zone, chain, qkey, ceKey, out);
      this.nsec3(zone, chain, starKey, out);
    }
  }

  /** A referral to a cut without DS: proof that there is none (RFC 4035 §3.1.4, RFC 5155 §7.2.7). */
  noDs(zone: ServedZone, chain: DenialChain, cutKey: Uint8Array, out: OutRRset[]): void {
    this.nodata(zone, chain, cutKey, out);
  }

  /**
   * RFC 5155 §7.2.1: the NSEC3 matching the closest (provable) encloser and the one covering the
   * next closer name. With opt-out the closest encloser may have no NSEC3: its nearest ancestor
   * that has one is proved instead, and returned (the wildcard to deny is below it).
   */
  private closestEncloserProof(zone: ServedZone, chain: NSEC3Chain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): Uint8Array {
    let ce = ceKey;
    while (ce.length > zone.apexKey.length && !this.nsec3(zone, chain, ce, out, true)) ce = parentKey(ce)!;
    if (ce.length <= zone.apexKey.length) this.nsec3(zone, chain, ce, out);
    if (ce.length < qkey.length) this.nsec3(zone, chain, nextCloserKey(qkey, ce), out);
    return ce;
  }

  private nsec(zone: ServedZone, key: Uint8Array, out: OutRRset[]): void {
    const found = this.store.nsecCovering(zone.id, key);
    if (found) pushProof(out, found.nameKey, RRType.NSEC, found.node);
  }

  /** The NSEC3 matching or covering `key`; with `onlyMatch` nothing is added unless it matches (returns whether it did). */
  private nsec3(zone: ServedZone, chain: NSEC3Chain, key: Uint8Array, out: OutRRset[], onlyMatch = false): boolean {
    const hash = nsec3Hash(keyToName(key), chain.salt, chain.iterations);
    const found = this.store.nsec3Covering(zone.id, hash);
    if (!found) return false;
    const matches = ownerHashEquals(found.nameKey, hash);
    if (onlyMatch && !matches) return false;
    pushProof(out, found.nameKey, RRType.NSEC3, found.node);
    return matches;
  }
}

type NSEC3Chain = Extract<DenialChain, { kind: 'nsec3' }>;

/** An NSEC/NSEC3 RRset and its RRSIGs, unless the section already holds that owner's. */
function pushProof(out: OutRRset[], nameKey: Uint8Array, type: number, node: ZoneNode): void {
  const set = findRRset(node, type);
  if (!set || set.rrs.length === 0) return;
  const owner = keyToName(nameKey);
  for (const o of out) if (o.type === type && Buffer.compare(o.owner, owner) === 0) return;
  out.push({ owner, type, ttl: set.ttl, rdatas: set.rrs.map((r) => r.rdata) });
  const sigs = findRRset(node, RRType.RRSIG);
  if (!sigs) return;
  const rdatas = sigs.rrs.filter((r) => ((r.rdata[0]! << 8) | r.rdata[1]!) === type).map((r) => r.rdata);
  if (rdatas.length > 0) out.push({ owner, type: RRType.RRSIG, ttl: Math.min(set.ttl, sigs.ttl), rdatas });
}
