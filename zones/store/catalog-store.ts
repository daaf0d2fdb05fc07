import { handlesOf, type StoreHandles } from './handles.js';
import type { LmdbStore } from './lmdb-store.js';

/** A catalog this server produces (config `catalogs[]`). */
export interface ProducerDefinition {
  /** `primary`: every primary zone is a member; `listed`: only zones assigned to it. */
  members: 'primary' | 'listed';
}

/** What the config (`zones[].catalog`, `catalogGroup`) or the API says about one zone's membership. */
export interface MemberAssignment {
  catalog?: string;
  group?: string;
  /** The catalog the zone is handed to (RFC 9432 §4.4.1 coo), set through the API. */
  coo?: string;
}

/** A member as written into a catalog produced here. */
export interface ProducedMember {
  catalog: string;
  id: string;
  group?: string;
  coo?: string;
}

/** A member zone created here from a consumed catalog. */
export interface ConsumedMember {
  catalog: string;
  id: string;
  group?: string;
  /** ISO time the member was added (or last reset). */
  since: string;
}

const SEP = '\u0000';
const PRODUCER = `producer${SEP}`;
const ASSIGN = `assign${SEP}`;
const PRODUCED = `produced${SEP}`;
const CONSUMED = `consumed${SEP}`;

/**
 * The `catalog` sub-database: which catalogs this server produces, which zones are assigned to
 * which catalog, and the members written into or read from catalogs. It is data, not config
 * held in memory, so a zone loader process committing through a write door of its own keeps
 * the catalogs as the server would, and a restart knows its consumed members before any
 * catalog primary answers. Origins are lowercase with the trailing dot.
 * The `put…`/`delete…` methods write into the transaction they are called in (a commit's stage);
 * `replace…` open their own.
 */
export class CatalogStore {
  private readonly h: StoreHandles;

  constructor(store: LmdbStore) {
    this.h = handlesOf(store);
  }

  producers(): Map<string, ProducerDefinition> {
    return this.read<ProducerDefinition>(PRODUCER);
  }

  producer(catalog: string): ProducerDefinition | undefined {
    return this.h.catalog.get(PRODUCER + catalog) as ProducerDefinition | undefined;
  }

  assignment(member: string): MemberAssignment | undefined {
    return this.h.catalog.get(ASSIGN + member) as MemberAssignment | undefined;
  }

  assignments(): Map<string, MemberAssignment> {
    return this.read<MemberAssignment>(ASSIGN);
  }

  /** The config's producers and assignments replace the stored ones (API coo hand-overs stay). */
  replaceConfig(producers: Map<string, ProducerDefinition>, assignments: Map<string, MemberAssignment>): void {
    this.h.env.transactionSync(() => {
      for (const key of this.keys(PRODUCER)) this.h.catalog.remove(key);
      for (const [catalog, p] of producers) this.h.catalog.put(PRODUCER + catalog, p);
      const old = this.assignments();
      for (const key of this.keys(ASSIGN)) this.h.catalog.remove(key);
      const origins = new Set([...assignments.keys(), ...[...old].filter(([, a]) => a.coo !== undefined).map(([m]) => m)]);
      for (const member of origins) {
        const next: MemberAssignment = { ...assignments.get(member) };
        const coo = old.get(member)?.coo;
        if (coo !== undefined) next.coo = coo;
        this.h.catalog.put(ASSIGN + member, next);
      }
    });
  }

  putAssignment(member: string, assignment: MemberAssignment): void {
    this.h.catalog.put(ASSIGN + member, assignment);
  }

  /** The catalogs produced here that list a zone. */
  producedOf(member: string): ProducedMember[] {
    return [...this.read<ProducedMember>(`${PRODUCED}${member}${SEP}`).values()];
  }

  /** Every member of the catalogs produced here, by member origin. */
  produced(): { member: string; entry: ProducedMember }[] {
    const out: { member: string; entry: ProducedMember }[] = [];
    for (const { key, value } of this.range(PRODUCED)) {
      out.push({ member: key.slice(PRODUCED.length, key.indexOf(SEP, PRODUCED.length)), entry: value as ProducedMember });
    }
    return out;
  }

  putProduced(member: string, entry: ProducedMember): void {
    this.h.catalog.put(`${PRODUCED}${member}${SEP}${entry.catalog}`, entry);
  }

  deleteProduced(member: string, catalog: string): void {
    this.h.catalog.remove(`${PRODUCED}${member}${SEP}${catalog}`);
  }

  consumed(member: string): ConsumedMember | undefined {
    return this.h.catalog.get(CONSUMED + member) as ConsumedMember | undefined;
  }

  /** Every member zone made here from consumed catalogs, by member origin. */
  consumedAll(): Map<string, ConsumedMember> {
    return this.read<ConsumedMember>(CONSUMED);
  }

  putConsumed(member: string, entry: ConsumedMember): void {
    this.h.catalog.put(CONSUMED + member, entry);
  }

  deleteConsumed(member: string): void {
    this.h.catalog.remove(CONSUMED + member);
  }

  private read<T>(prefix: string): Map<string, T> {
    const out = new Map<string, T>();
    for (const { key, value } of this.range(prefix)) out.set(key.slice(prefix.length), value as T);
    return out;
  }

  private *range(prefix: string): Generator<{ key: string; value: unknown }> {
    for (const entry of this.h.catalog.getRange({ start: prefix, end: `${prefix}\uffff` })) {
      if (!entry.key.startsWith(prefix)) break;
      yield entry;
    }
  }

  private keys(prefix: string): string[] {
    return [...this.range(prefix)].map((e) => e.key);
  }
}
