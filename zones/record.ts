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

/** Where a parsed record came from, for error messages (file:line). */
export interface SourcePosition {
  file: string;
  line: number;
}

export interface ParsedRecord extends ZoneRecord {
  position: SourcePosition;
}
