import type { Sample } from './scrape-metric.js';

/** What the metrics read of the catalogs (server/catalog/service.ts). */
export interface CatalogSummary {
  memberCounts(): { catalog: string; role: 'producer' | 'consumer'; members: number }[];
  /** Per consumed catalog: versions interpreted and members refused, since start. */
  consumerCounts(): { catalog: string; processed: number; conflicts: number }[];
}

type Add = (name: string, help: string, type: 'counter' | 'gauge', read: () => Sample[]) => void;

/** Catalog zones (RFC 9432): members per catalog and role, consumed catalog versions read, members refused. */
export function addCatalogMetrics(add: Add, catalogs: () => CatalogSummary | undefined): void {
  add('meshdns_catalog_members', 'Members of each catalog, by role: producer (listed in a catalog made here) or consumer (served here from a consumed catalog).', 'gauge',
    () => (catalogs()?.memberCounts() ?? []).map((c) => ({ labels: { catalog: c.catalog, role: c.role }, value: c.members })));
  add('meshdns_catalog_transfers_total', 'New versions of each consumed catalog read and reconciled (one per transfer that changed it).', 'counter',
    () => (catalogs()?.consumerCounts() ?? []).map((c) => ({ labels: { catalog: c.catalog }, value: c.processed })));
  add('meshdns_catalog_conflicts_total', 'Members of each consumed catalog refused (a zone served here already, a member of another catalog), counted once per refusal.', 'counter',
    () => (catalogs()?.consumerCounts() ?? []).map((c) => ({ labels: { catalog: c.catalog }, value: c.conflicts })));
}
