import type { Database } from 'lmdb';

/**
 * Provenance: who contributed an RR. Each source has a stable string ("file:example.test.zone",
 * "api", "tsig:key.", "k8s:<uid>", "xfr:<primary>") mapped to a small id stored next to every RR,
 * so a source only ever removes what it owns. The `owners` database holds both directions
 * (number → name, string → id); other processes may allocate ids, so a miss re-reads the database.
 */
export class ProvenanceTable {
  private readonly byName = new Map<string, number>();
  private readonly byId = new Map<number, string>();

  constructor(private readonly db: Database<string | number, string | number>) {}

  /**
   * Id of a source, allocated on first use: called inside the commit's write transaction, so an
   * aborted commit allocates nothing. The id is remembered only once `remember` is called after
   * the transaction committed.
   */
  idInTransaction(source: string): number {
    const known = this.byName.get(source);
    if (known !== undefined) return known;
    const stored = this.db.get(source);
    if (typeof stored === 'number') return stored;
    const next = (this.db.get(0) as number | undefined) ?? 1;
    this.db.put(0, next + 1); // key 0 holds the next free id
    this.db.put(next, source);
    this.db.put(source, next);
    return next;
  }

  /** Id of a source if it was ever seen. */
  find(source: string): number | undefined {
    const cached = this.byName.get(source);
    if (cached !== undefined) return cached;
    const stored = this.db.get(source);
    if (typeof stored !== 'number') return undefined;
    this.remember(source, stored);
    return stored;
  }

  nameOf(id: number): string {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const stored = this.db.get(id);
    if (typeof stored !== 'string') return `unknown:${id}`;
    this.remember(stored, id);
    return stored;
  }

  remember(source: string, id: number): void {
    this.byName.set(source, id);
    this.byId.set(id, source);
  }
}
