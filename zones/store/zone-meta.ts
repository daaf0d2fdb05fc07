import type { SerialPolicy } from '../serial.js';

export type ZoneKind = 'primary' | 'secondary';

/** What the store keeps per zone besides its nodes (sub-database `zones`, keyed by apex key). */
export interface ZoneMeta {
  id: number;
  /** Origin in presentation format, as first configured. */
  origin: string;
  kind: ZoneKind;
  serial: number;
  serialPolicy: SerialPolicy;
  /** Bumped on every commit; answer caches compare it. */
  generation: number;
  /** ISO time of the last commit. */
  lastChange: string;
  /** Number of RRs (RRSIGs included). */
  records: number;
  /** Zone-file origin of the data, when loaded from a file. */
  source?: { file: string; mtimeMs: number; size: number; sha256: string };
  /** Next journal sequence number. */
  journalSeq: number;
  /** Entries and encoded bytes in the journal now (absent in stores written before it was kept). */
  journalUsage?: { entries: number; bytes: number };
}

/** The metadata a commit may set besides content. */
export type ZoneMetaPatch = Partial<Pick<ZoneMeta, 'source' | 'serialPolicy' | 'kind'>>;

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(message: string, readonly code = 'MESHDNS_ERR_STORE') {
    super(message);
  }
}
