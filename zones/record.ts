import type { WireName } from './name.js';

/** One resource record as zone sources produce it; rdata is in uncompressed wire form. */
export interface ZoneRecord {
  owner: WireName;
  type: number;
  /** Class is always IN for zone data; kept for the parser's checks and for UPDATE (NONE/ANY). */
  rclass: number;
  ttl: number;
  rdata: Uint8Array;
}

/**
 * A record with where it came from, for error messages (file:line). Flat fields, not a position
 * object: a million-record zone would keep a million more objects alive while it loads.
 */
export interface ParsedRecord extends ZoneRecord {
  file: string;
  line: number;
}
