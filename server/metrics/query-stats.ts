/**
 * Query-path counters as plain numbers in typed arrays: counting costs an increment at an index
 * computed from small integers (listener slot, zone slot, type column), and the metrics collector
 * turns them into Prometheus series at scrape time.
 */
import { RRType } from '../../zones/rrtype.js';
import { TRANSPORTS, type TransportId } from '../transports.js';
import { ZoneLabels } from './zone-labels.js';

/** CoreDNS's request/response size buckets (bytes), upper bounds. */
export const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];
/** Per size histogram: the buckets, +Inf, then the sum of the sizes. */
export const SIZE_SUM = SIZE_BUCKETS.length + 1;
const SIZE_STRIDE = SIZE_SUM + 1;

/**
 * Answer durations are measured for one query in DURATION_SAMPLE. Timing every query was measured
 * (issue 17): two `performance.now()` reads cost ~125 ns of CPU here (kvm-clock), ~2.1% of a UDP
 * query end to end at the best 5.9 µs/query of `npm run bench -- --quick`: over the 2% allowed.
 */
export const DURATION_SAMPLE = 64;
/** Upper bounds in seconds. */
export const DURATION_BUCKETS = [0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.1];
/** Per duration histogram: the buckets, +Inf, then the sum of the durations. */
export const DURATION_SUM = DURATION_BUCKETS.length + 1;
const DURATION_STRIDE = DURATION_SUM + 1;

/** Response rcodes counted: the 4-bit header rcode, and BADVERS (16) in its own column. */
export const RCODE_COLUMNS = 17;

/**
 * QTYPEs reported by name (CoreDNS habit: a fixed set, everything else is "other", so labels stay
 * few). Column 0 is "unparsed" (no question could be read), the last is "other".
 */
export const TYPE_LABELS: readonly string[] = [
  'unparsed',
  ...Object.keys(RRType).filter((name) => name !== 'OPT' && name !== 'TSIG' && name !== 'TKEY'),
  'other',
];
export const TYPE_UNPARSED = 0;
const TYPE_OTHER = TYPE_LABELS.length - 1;
/** QTYPE → its column, so counting a type is one load. */
export const TYPE_COLUMN = new Uint8Array(65536).fill(TYPE_OTHER);
TYPE_LABELS.forEach((name, column) => {
  const code = (RRType as Record<string, number>)[name];
  if (code !== undefined) TYPE_COLUMN[code] = column;
});
const TYPES = TYPE_LABELS.length;

/** Bucket index per message size, so counting a size is one load. */
const SIZE_BUCKET_OF = new Uint8Array(65536);
for (let size = 0, i = 0; size < 65536; size++) {
  while (i < SIZE_BUCKETS.length && size > SIZE_BUCKETS[i]!) i++;
  SIZE_BUCKET_OF[size] = i;
}

/** Where messages arrive: a transport and the listener's `server` label ("" for messages handed in by code). */
export interface Binding {
  readonly transport: TransportId;
  readonly server: string;
}

export class QueryStats {
  /** Slot 0..N of each zone; 0 is "other". */
  readonly zones: ZoneLabels;
  /** Rows 0..7 are the transports without a listener (in-process callers); listeners bind more. */
  readonly bindings: Binding[] = TRANSPORTS.map((t) => ({ transport: t.id as TransportId, server: '' }));
  /** Requests per (binding, zone, type column). */
  requests: Float64Array;
  /** Responses per (binding, zone, rcode column). */
  responses: Float64Array;
  /** Request and response size histograms per binding (SIZE_STRIDE numbers each). */
  requestSizes: Float64Array;
  responseSizes: Float64Array;
  /** Duration histograms per (binding, zone) (DURATION_STRIDE numbers each). */
  durations: Float64Array;
  /** Zone slots per binding: the N labelled zones and "other". */
  readonly zoneCount: number;
  dropped = 0;
  servfail = 0;
  private capacity = 0;

  constructor(zoneLabels = 50) {
    this.zones = new ZoneLabels(zoneLabels);
    this.zoneCount = zoneLabels + 1;
    this.requests = this.responses = this.requestSizes = this.responseSizes = this.durations = new Float64Array(0);
    this.grow(TRANSPORTS.length * 2);
  }

  /** The binding of a listener: the same transport and label always get the same row, so a restarted listener keeps counting. */
  bind(transport: TransportId, server: string): number {
    const found = this.bindings.findIndex((b) => b.transport === transport && b.server === server);
    if (found >= 0) return found;
    if (this.bindings.length === this.capacity) this.grow(this.capacity * 2);
    return this.bindings.push({ transport, server }) - 1;
  }

  countRequest(binding: number, zone: number, typeColumn: number, size: number): void {
    this.requests[(binding * this.zoneCount + zone) * TYPES + typeColumn]!++;
    const at = binding * SIZE_STRIDE;
    this.requestSizes[at + SIZE_BUCKET_OF[size]!]!++;
    this.requestSizes[at + SIZE_SUM]! += size;
  }

  countResponse(binding: number, zone: number, rcodeColumn: number, size: number): void {
    this.responses[(binding * this.zoneCount + zone) * RCODE_COLUMNS + rcodeColumn]!++;
    const at = binding * SIZE_STRIDE;
    this.responseSizes[at + SIZE_BUCKET_OF[size]!]!++;
    this.responseSizes[at + SIZE_SUM]! += size;
  }

  countDuration(binding: number, zone: number, seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    const at = (binding * this.zoneCount + zone) * DURATION_STRIDE;
    this.durations[at + i]!++;
    this.durations[at + DURATION_SUM]! += seconds;
  }

  /** Views for the collector. */
  requestsOf(binding: number, zone: number): Float64Array {
    const at = (binding * this.zoneCount + zone) * TYPES;
    return this.requests.subarray(at, at + TYPES);
  }

  responsesOf(binding: number, zone: number): Float64Array {
    const at = (binding * this.zoneCount + zone) * RCODE_COLUMNS;
    return this.responses.subarray(at, at + RCODE_COLUMNS);
  }

  durationsOf(binding: number, zone: number): Float64Array {
    const at = (binding * this.zoneCount + zone) * DURATION_STRIDE;
    return this.durations.subarray(at, at + DURATION_STRIDE);
  }

  requestSizesOf(binding: number): Float64Array {
    return this.requestSizes.subarray(binding * SIZE_STRIDE, (binding + 1) * SIZE_STRIDE);
  }

  responseSizesOf(binding: number): Float64Array {
    return this.responseSizes.subarray(binding * SIZE_STRIDE, (binding + 1) * SIZE_STRIDE);
  }

  /** More binding rows: the arrays are row-major by binding, so the old counts are a prefix of the new. */
  private grow(rows: number): void {
    const zones = this.zoneCount;
    const bigger = (old: Float64Array, perRow: number) => {
      const next = new Float64Array(rows * perRow);
      next.set(old);
      return next;
    };
    this.requests = bigger(this.requests, zones * TYPES);
    this.responses = bigger(this.responses, zones * RCODE_COLUMNS);
    this.requestSizes = bigger(this.requestSizes, SIZE_STRIDE);
    this.responseSizes = bigger(this.responseSizes, SIZE_STRIDE);
    this.durations = bigger(this.durations, zones * DURATION_STRIDE);
    this.capacity = rows;
  }
}
