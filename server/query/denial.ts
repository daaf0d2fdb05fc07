import { keyToName, parentKey } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { findRRset, type ZoneNode } from '../../zones/store/node.js';
import { nsec3Hash } from '../../zones/store/nsec3-index.js';
import type { OutRRset } from '../message/writer.js';
import type { ServedZone } from '../zone-table.js';
import { nextCloserKey, ownerHashEquals, type DenialChain } from './nsec3-lookup.js';

const STAR = Buffer.from('*\0', 'latin1');
/** Proofs kept per zone before the cache starts over (a zone's closest encloser and wildcard proofs repeat). */
const PROOFS_PER_ZONE = 8192;

/** The records that match or cover one name, as the authority section takes them. */
interface Proof {
  matches: boolean;
  sets: OutRRset[];
}
const NO_PROOF: Proof = { matches: false, sets: [] };

/**
 * The denial-of-existence records of signed answers (DO=1): NSEC per RFC 4035 §3.1.3, NSEC3 per
 * RFC 5155 §7.2, each with its RRSIGs, appended to the authority section once per owner. Works on
 * whatever NSEC/NSEC3 records the zone holds (pre-signed files, secondaries of a signing primary).
 */
export class DenialProofs {
  /**
   * Proofs by name, per zone generation: an NXDOMAIN needs three NSEC3 lookups (a SHA-1, an index
   * read and a node decode each), two of which depend only on the closest encloser; the answer
   * cache does not help there, since every query name is new.
   */
  private readonly cache = new WeakMap<ServedZone, { generation: number; proofs: Map<string, Proof> }>();

  constructor(private readonly store: LmdbStore) {}

  private proofsOf(zone: ServedZone): Map<string, Proof> {
    let entry = this.cache.get(zone);
    if (!entry || entry.generation !== zone.generation || entry.proofs.size >= PROOFS_PER_ZONE) {
      entry = { generation: zone.generation, proofs: new Map() };
      this.cache.set(zone, entry);
    }
    return entry.proofs;
  }

  /** NXDOMAIN: `qkey` does not exist below the closest encloser `ceKey` and no wildcard there could answer. */
  nxdomain(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    if (chain.kind === 'nsec') {
      // RFC 4035 §3.1.3.2: the NSEC covering the name and the one covering the wildcard at the closest encloser
      this.nsec(zone, qkey, out, false);
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
      if (this.nsec3(zone, chain, key, out, true)) return;
      const parent = parentKey(key);
      if (parent && parent.length >= zone.apexKey.length) this.closestEncloserProof(zone, chain, key, parent, out);
    }
  }

  /** A wildcard answered for `qkey` (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6): no closer name exists. */
  wildcardAnswer(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    if (chain.kind === 'nsec') this.nsec(zone, qkey, out, false);
    else if (chain.kind === 'nsec3') this.nsec3(zone, chain, nextCloserKey(qkey, ceKey), out, false, false);
  }

  /** The wildcard at `ceKey` matched but has no data of the type (RFC 4035 §3.1.3.4, RFC 5155 §7.2.5). */
  wildcardNodata(zone: ServedZone, chain: DenialChain, qkey: Uint8Array, ceKey: Uint8Array, out: OutRRset[]): void {
    const starKey = Buffer.concat([ceKey, STAR]);
    if (chain.kind === 'nsec') {
      this.nsec(zone, qkey, out, false);
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
    if (ce.length < qkey.length) this.nsec3(zone, chain, nextCloserKey(qkey, ce), out, false, false);
    return ce;
  }

  /** The NSEC matching or covering `key`; `cached` false for names that rarely repeat (query names). */
  private nsec(zone: ServedZone, key: Uint8Array, out: OutRRset[], cached = true): void {
    const proofs = cached ? this.proofsOf(zone) : undefined;
    const id = cached ? latin1(key) : '';
    let proof = proofs?.get(id);
    if (!proof) {
      const found = this.store.nsecCovering(zone.id, key);
      proof = found ? { matches: false, sets: proofSets(found.nameKey, RRType.NSEC, found.node) } : NO_PROOF;
      proofs?.set(id, proof);
    }
    push(out, proof.sets);
  }

  /**
   * The NSEC3 matching or covering `key`; with `onlyMatch` nothing is added unless it matches
   * (returns whether it did); `cached` false for names that rarely repeat (next closer names).
   */
  private nsec3(zone: ServedZone, chain: NSEC3Chain, key: Uint8Array, out: OutRRset[], onlyMatch = false, cached = true): boolean {
    const proofs = cached ? this.proofsOf(zone) : undefined;
    const id = cached ? latin1(key) : '';
    let proof = proofs?.get(id);
    if (!proof) {
      const hash = nsec3Hash(keyToName(key), chain.salt, chain.iterations);
      const found = this.store.nsec3Covering(zone.id, hash);
      proof = found ? { matches: ownerHashEquals(found.nameKey, hash), sets: proofSets(found.nameKey, RRType.NSEC3, found.node) } : NO_PROOF;
      proofs?.set(id, proof);
    }
    if (onlyMatch && !proof.matches) return false;
    push(out, proof.sets);
    return proof.matches;
  }
}

function latin1(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** Adds a proof's RRsets unless the section already holds them (one NSEC3 may cover two names). */
function push(out: OutRRset[], sets: readonly OutRRset[]): void {
  const first = sets[0];
  if (!first) return;
  for (const o of out) if (o.type === first.type && Buffer.compare(o.owner, first.owner) === 0) return;
  for (const set of sets) out.push(set);
}

type NSEC3Chain = Extract<DenialChain, { kind: 'nsec3' }>;

/** An NSEC/NSEC3 RRset and its RRSIGs (never mutated once made: cached answers share them). */
function proofSets(nameKey: Uint8Array, type: number, node: ZoneNode): OutRRset[] {
  const set = findRRset(node, type);
  if (!set || set.rrs.length === 0) return [];
  const owner = keyToName(nameKey);
  const sets: OutRRset[] = [{ owner, type, ttl: set.ttl, rdatas: set.rrs.map((r) => r.rdata) }];
  const sigs = findRRset(node, RRType.RRSIG);
  const rdatas = sigs ? sigs.rrs.filter((r) => ((r.rdata[0]! << 8) | r.rdata[1]!) === type).map((r) => r.rdata) : [];
  if (sigs && rdatas.length > 0) sets.push({ owner, type: RRType.RRSIG, ttl: Math.min(set.ttl, sigs.ttl), rdatas });
  return sets;
}
