import type { WireName } from './name.js';

/** One RR in a diff: uncompressed wire rdata, owner name in wire form. */
export interface DiffRR {
  owner: WireName;
  type: number;
  ttl: number;
  rdata: Uint8Array;
}

/**
 * A change to one zone, from one source. Everything that changes a zone — zone files, the admin
 * API, RFC 2136 updates, transfers in, Kubernetes — builds one of these and hands it to the write
 * door (`ZoneWriter.commit`).
 *
 * - `remove`: the source withdraws its claim on these RRs (an RR goes when no source claims it).
 * - `add`: the source claims these RRs. Adding an SOA replaces the zone's SOA.
 * - `removeRRsets` / `removeNames`: remove whole RRsets or names whatever their sources
 *   (RFC 2136 §2.5.2 / §2.5.3 semantics).
 * - `removeAny`: remove these RRs whatever their sources (RFC 2136 §2.5.4, "delete an RR from an
 *   RRset"); an SOA listed here is ignored.
 */
export interface ZoneDiff {
  source: string;
  remove: DiffRR[];
  add: DiffRR[];
  removeRRsets?: { owner: WireName; type: number }[];
  removeNames?: WireName[];
  removeAny?: DiffRR[];
}

export function emptyDiff(source: string): ZoneDiff {
  return { source, remove: [], add: [] };
}

export function diffIsEmpty(diff: ZoneDiff): boolean {
  return (
    diff.remove.length === 0 &&
    diff.add.length === 0 &&
    (diff.removeRRsets?.length ?? 0) === 0 &&
    (diff.removeNames?.length ?? 0) === 0 &&
    (diff.removeAny?.length ?? 0) === 0
  );
}
