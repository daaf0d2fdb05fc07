import type { Database, RootDatabase } from 'lmdb';

/**
 * Provenance: who contributed an RR. Each source has a stable string ("file:example.test.zone",
 * "api", "tsig:key.", "k8s:<uid>", "xfr:<primary>") mapped to a small id stored next to every RR,
 * so a source only ever removes what it owns.
 */
export class ProvenanceTable {
  private readonly byName = new Map<string, number>();
  private readonly byId = new Map<number, string>();
  private nextId = 1;

  constructor(
    private readonly env: RootDatabase,
    private readonly db: Database<string, number>,
  ) {
    for (const { key, value } of db.getRange()) {
      this.byName.set(value, key);
      this.byId.set(key, value);
      if (key >= this.nextId) this.nextId = key + 1;
    }
  }

  /** Id of a source, allocated on first use (must be called inside a write transaction or alone). */
  idOf(source: string): number {
    const known = this.byName.get(source);
    if (known !== undefined) return known;
    const id = this.nextId++;
    this.byName.set(source, id);
    this.byId.set(id, source);
    this.env.transactionSync(() => this.db.put(id, source));
    return id;
  }

  /** Id of a source if it was ever seen. */
  find(source: string): number | undefined {
    return this.byName.get(source);
  }

  nameOf(id: number): string {
    return this.byId.get(id) ?? `unknown:${id}`;
  }
}
