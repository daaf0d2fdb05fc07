/**
 * Query-path counters as plain numbers in typed arrays: counting costs an increment, and the
 * metrics collector turns them into Prometheus series at scrape time.
 */
import { PROTOS, TRANSPORTS } from '../transports.js';

/** CoreDNS's request/response size buckets (bytes), upper bounds. */
export const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];

/** Index of the size sum in the size arrays. */
export const SIZE_SUM = SIZE_BUCKETS.length + 1;

/** Answer durations are measured for one query in DURATION_SAMPLE (a clock read costs ~50 ns). */
export const DURATION_SAMPLE = 64;
/** Upper bounds in seconds. */
export const DURATION_BUCKETS = [0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.1];

/** Bucket index per message size, so counting a size is one load. */
const SIZE_BUCKET_OF = new Uint8Array(65536);
for (let size = 0, i = 0; size < 65536; size++) {
  while (i < SIZE_BUCKETS.length && size > SIZE_BUCKETS[i]!) i++;
  SIZE_BUCKET_OF[size] = i;
}

export class QueryStats {
  /** Messages received per transport (answered or not). */
  readonly requests = new Float64Array(TRANSPORTS.length);
  /** Per transport and QTYPE (index = transport << 16 | type code). */
  readonly qtypes = new Float64Array(TRANSPORTS.length * 65536);
  /** Responses per RCODE (index 16 = BADVERS). */
  readonly rcodes = new Float64Array(24);
  /**
   * Cumulative-free bucket counts (index SIZE_BUCKETS.length = +Inf), per protocol (PROTOS order);
   * the last slot (SIZE_SUM) holds the sum of the sizes, for the histogram's _sum.
   */
  readonly requestSizes = PROTOS.map(() => new Float64Array(SIZE_BUCKETS.length + 2));
  readonly responseSizes = PROTOS.map(() => new Float64Array(SIZE_BUCKETS.length + 2));
  readonly durations = new Float64Array(DURATION_BUCKETS.length + 1);
  durationSum = 0;
  durationCount = 0;
  dropped = 0;
  servfail = 0;

  countSize(target: Float64Array, size: number): void {
    let i = 0;
    while (i < SIZE_BUCKETS.length && size > SIZE_BUCKETS[i]!) i++;
    target[i]!++;
    target[SIZE_SUM]! += size;
  }

  countDuration(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.durations[i]!++;
    this.durationSum += seconds;
    this.durationCount++;
  }
}
