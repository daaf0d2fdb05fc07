/** What `GET /api/v1/catalogs` shows. */
export interface CatalogsView {
  produced: { zone: string; serial: number | null; members: { zone: string; id: string; group?: string; coo?: string }[] }[];
  consumed: {
    zone: string; serial: number | null; lastTransfer: string | null; lastProcessed: string | null; lastError: string | null;
    members: { zone: string; id: string; group?: string; since: string }[];
    conflicts: { zone: string; reason: string; at: string }[];
  }[];
}

/** The catalog side of the admin API (server/catalog/service.ts does the work). */
export interface CatalogControl {
  view(): CatalogsView;
  handOver(origin: string, to: string | null): void;
  catalogOf(origin: string): { producedIn: string[]; consumedFrom: string | undefined };
  /** `produced` / `consumed` for a catalog zone itself, else undefined. */
  roleOf(origin: string): 'produced' | 'consumed' | undefined;
}

