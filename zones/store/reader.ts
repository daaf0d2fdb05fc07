import type { WireName } from '../name.js';
import type { JournalEntry } from './journal.js';
import type { ZoneNode } from './node.js';
import type { RawNodeReader } from './raw-nodes.js';
import type { ZoneMeta } from './zone-meta.js';

/** One RR a source owns, as the reconcile step compares it. */
export interface OwnedRR {
  owner: WireName;
  nameKey: Buffer;
  type: number;
  ttl: number;
  rdata: Uint8Array;
}

/**
 * The read-only face of the zone store (NLnetLabs `domain` ReadableZone habit): everything outside
 * zones/store/ reads through this and writes through the write door, never an LMDB handle. Reads
 * are synchronous and see one snapshot until the next commit.
 */
export interface ZoneReader {
  /** The data directory. */
  readonly path: string;
  allZones(): { apexKey: Buffer; meta: ZoneMeta }[];
  zoneMeta(apexKey: Uint8Array): ZoneMeta | undefined;
  /** One node; `withOwners` false skips provenance (the query path). */
  getNode(zoneId: number, nameKey: Uint8Array, withOwners?: boolean): ZoneNode | undefined;
  /** A node's flags without decoding it; -1 when it does not exist. */
  getFlags(zoneId: number, nameKey: Uint8Array): number;
  /** Every node of a zone in canonical order. */
  zoneNodes(zoneId: number): Generator<{ nameKey: Buffer; node: ZoneNode }>;
  /** Every node below `nameKey` (not itself) in canonical order. */
  nodesBelow(zoneId: number, nameKey: Uint8Array): Generator<{ nameKey: Buffer; node: ZoneNode }>;
  /** The nearest existing name before / after `nameKey` in canonical order within the zone (DNSSEC denial). */
  previousName(zoneId: number, nameKey: Uint8Array): Buffer | undefined;
  nextName(zoneId: number, nameKey: Uint8Array): Buffer | undefined;
  /**
   * The NSEC3 node whose raw hash is the greatest ≤ `hash`, wrapping to the zone's last one when
   * `hash` sorts before the first (RFC 5155: it matches when the hashes are equal, else it covers);
   * undefined when the zone holds no NSEC3 (nodes with NodeFlag.NSEC3, from the `nsec3` index).
   */
  nsec3Covering(zoneId: number, hash: Uint8Array): { nameKey: Buffer; node: ZoneNode } | undefined;
  /**
   * The node with an NSEC RRset whose name is the greatest ≤ `nameKey` in canonical order (it
   * matches `nameKey` or covers it, RFC 4034 §6.1); names without NSEC (empty non-terminals, glue,
   * NSEC3 owners) are skipped, up to 4,096 of them in a row (then undefined: not an NSEC-signed zone).
   */
  nsecCovering(zoneId: number, nameKey: Uint8Array): { nameKey: Buffer; node: ZoneNode } | undefined;
  /** Every node of a zone without an allocation per node (zone transfers). */
  readonly rawNodes: RawNodeReader;
  /** The zone's journal, oldest first. */
  journal(zoneId: number): Generator<JournalEntry>;
  /** The RRs `source` owns in a zone, from the index by source (a range read). */
  ownedBy(zoneId: number, source: string): Generator<OwnedRR>;
  /** The sources that own records in a zone (from the index by source). */
  zoneSources(zoneId: number): string[];
  /** From now on, reads see commits made by other threads and processes (the loader, a worker). */
  seeExternalCommits(): void;
  /** A provenance id's source name, and the id of a name if it was ever seen. */
  sourceName(id: number): string;
  sourceId(source: string): number | undefined;
}
