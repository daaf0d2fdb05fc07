import type { DiffRR } from '../../zones/diff.js';
import { nameToKey, nameToText } from '../../zones/name.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';

/** DNSSEC records the signer adds beside anything, a CNAME included (RFC 4035 §2.5). */
const BESIDE_ANYTHING = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/**
 * RFC 1034 §3.6.2 (and RFC 2181 §10.1): a name with a CNAME has no other data, and one CNAME.
 * Checks what an owner wants at each name against the zone as stored (other owners' records) and
 * against what owners earlier in the same batch claimed; returns the reason for the first clash.
 * `claims` collects, per name, the types and CNAME targets claimed so far in the batch.
 */
export class ConflictCheck {
  /** name key (latin1) → type → rdata (latin1) of CNAMEs, owners claiming. */
  private readonly claims = new Map<string, Map<number, { cname?: string; owners: Set<string> }>>();

  constructor(
    private readonly store: LmdbStore,
    private readonly zoneId: number,
    private readonly apexKey: Buffer,
    private readonly sourceName: (id: number) => string,
  ) {}

  /**
   * The records of `wanted` that `owner` may have, and for each name it may not, why; the names
   * accepted are recorded as this owner's claims for the rest of the batch.
   */
  check(owner: string, wanted: readonly DiffRR[]): { accepted: DiffRR[]; conflicts: string[] } {
    const accepted: DiffRR[] = [];
    const conflicts: string[] = [];
    const ownerId = this.store.sourceId(owner);
    for (const rrs of groupByName(wanted).values()) {
      const reason = this.checkName(owner, ownerId, rrs);
      if (reason === undefined) {
        this.claim(owner, rrs);
        accepted.push(...rrs);
      } else {
        conflicts.push(reason);
      }
    }
    return { accepted, conflicts };
  }

  private checkName(owner: string, ownerId: number | undefined, rrs: DiffRR[]): string | undefined {
    const name = nameToKey(rrs[0]!.owner);
    const key = latin1(name);
    const types = new Set(rrs.map((rr) => rr.type));
    const cnames = rrs.filter((rr) => rr.type === RRType.CNAME);
    if (cnames.length > 0 && name.equals(this.apexKey)) return `a CNAME at the zone apex ${text(rrs[0]!)} (the apex has SOA and NS)`;
    if (cnames.length > 1) return `two CNAMEs at ${text(rrs[0]!)}`;
    if (cnames.length > 0 && types.size > 1) return `a CNAME beside other data at ${text(rrs[0]!)}`;
    // the zone as stored, other owners' records only
    const node = this.store.getNode(this.zoneId, name);
    for (const set of node?.rrsets ?? []) {
      if (BESIDE_ANYTHING.has(set.type)) continue;
      const others = set.rrs.filter((rr) => rr.owners.some((o) => o !== ownerId));
      if (others.length === 0) continue;
      const holder = [...new Set(others.flatMap((rr) => rr.owners).filter((o) => o !== ownerId))].map(this.sourceName).join(', ');
      if (set.type === RRType.CNAME && (cnames.length === 0 || !others.some((rr) => Buffer.from(rr.rdata).equals(Buffer.from(cnames[0]!.rdata))))) {
        return `${text(rrs[0]!)} has a CNAME written by ${holder}; no other data may be there (RFC 1034 §3.6.2)`;
      }
      if (set.type !== RRType.CNAME && cnames.length > 0) {
        return `${text(rrs[0]!)} has ${typeToText(set.type)} data written by ${holder}; a CNAME cannot be beside it (RFC 1034 §3.6.2)`;
      }
    }
    // earlier owners of this batch
    const claimed = this.claims.get(key);
    for (const [type, claim] of claimed ?? []) {
      const by = [...claim.owners].filter((o) => o !== owner);
      if (by.length === 0) continue;
      if (type === RRType.CNAME && (cnames.length === 0 || claim.cname !== latin1(cnames[0]!.rdata))) {
        return `${text(rrs[0]!)} is a CNAME of ${by.join(', ')}; no other data may be there (RFC 1034 §3.6.2)`;
      }
      if (type !== RRType.CNAME && cnames.length > 0) return `${text(rrs[0]!)} has ${typeToText(type)} data of ${by.join(', ')}; a CNAME cannot be beside it (RFC 1034 §3.6.2)`;
    }
    return undefined;
  }

  private claim(owner: string, rrs: DiffRR[]): void {
    const key = latin1(nameToKey(rrs[0]!.owner));
    let claimed = this.claims.get(key);
    if (!claimed) this.claims.set(key, (claimed = new Map()));
    for (const rr of rrs) {
      let claim = claimed.get(rr.type);
      if (!claim) claimed.set(rr.type, (claim = { owners: new Set() }));
      claim.owners.add(owner);
      if (rr.type === RRType.CNAME) claim.cname = latin1(rr.rdata);
    }
  }
}

function groupByName(rrs: readonly DiffRR[]): Map<string, DiffRR[]> {
  const byName = new Map<string, DiffRR[]>();
  for (const rr of rrs) {
    const key = latin1(nameToKey(rr.owner));
    (byName.get(key) ?? byName.set(key, []).get(key)!).push(rr);
  }
  return byName;
}

function text(rr: DiffRR): string {
  return nameToText(rr.owner);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
