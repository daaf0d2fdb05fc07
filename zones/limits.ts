/**
 * What one zone, RRset, request or $GENERATE may hold (config `limits:`). Each is refused with a
 * reason naming the limit, and nothing of the change is applied. Knot has none of these; BIND 9.20
 * has max-records-per-type (100) and max-types-per-name: meshdns's defaults are looser than BIND's
 * but keep one request from holding the query thread for seconds or one zone text from growing
 * into millions of records.
 */
export interface ZoneLimits {
  /** Records in one RRset. */
  recordsPerRRset: number;
  /** Records in one zone. */
  recordsPerZone: number;
  /** Records one API request or RFC 2136 UPDATE may carry (a zone created through the API included). */
  recordsPerRequest: number;
  /** Records one $GENERATE may make. */
  generateRecords: number;
}

export const DEFAULT_LIMITS: ZoneLimits = {
  recordsPerRRset: 1_000,
  recordsPerZone: 10_000_000,
  recordsPerRequest: 100_000,
  generateRecords: 65_536,
};

export class LimitError extends Error {
  override name = 'LimitError';
  readonly code = 'MESHDNS_ERR_LIMIT';
  constructor(message: string, readonly limit: keyof ZoneLimits) {
    super(message);
  }
}
