import { maskWords, inPrefix, type Prefix } from './address.js';

/** Response rate limiting settings (the `rrl:` config section). */
export interface RrlConfig {
  /** Responses per second allowed per (client prefix, response class); also the burst. */
  responsesPerSecond: number;
  /** Every Nth limited response goes out as TC=1 (the client retries over TCP); 0: all dropped. */
  slip: number;
  ipv4Prefix: number;
  ipv6Prefix: number;
  /** Clients never limited. */
  exempt: Prefix[];
}

/** What to do with one response. */
export const RrlVerdict = { SEND: 0, DROP: 1, SLIP: 2 } as const;
export type RrlVerdictId = (typeof RrlVerdict)[keyof typeof RrlVerdict];

/**
 * Response classes (Knot's rrl module and BIND's rate-limit alike): answers are limited per
 * (qname, qtype), NXDOMAIN and NODATA per zone, referrals per delegation, errors per rcode; a flood
 * of random names under one zone then shares one bucket.
 */
export const RrlClass = { ANSWER: 1, NXDOMAIN: 2, NODATA: 3, REFERRAL: 4, ERROR: 5 } as const;

/** Buckets looked at for a key before one is taken over (linear probing, bounded). */
const PROBE = 4;
export const DEFAULT_RRL_TABLE_SIZE = 1 << 17;

/**
 * Token buckets in a fixed-size table of typed arrays: nothing is allocated per response, and a
 * flood of distinct keys evicts the oldest bucket of its probe window instead of growing a Map
 * (Knot's `rrl` module keeps a fixed hash table the same way). Time is in whole seconds: a bucket
 * gets `rate` tokens back per elapsed second, up to `rate`.
 */
export class ResponseRateLimiter {
  readonly rate: number;
  readonly slip: number;
  private readonly mask: number;
  private readonly keys: Int32Array;
  /** Second of the last refill, from 1 (0: an empty bucket). */
  private readonly stamps: Uint32Array;
  private readonly tokens: Int32Array;
  /** Responses limited in this bucket, for slip. */
  private readonly limited: Uint32Array;
  private readonly v4Bits: number;
  private readonly v6Bits: number;
  private readonly exempt: Prefix[];
  private readonly words = new Uint32Array(4);
  private readonly epoch: number;
  dropped = 0;
  slipped = 0;
  /** Buckets taken over from another key while still in use (the table was full in that window). */
  evictions = 0;

  constructor(config: RrlConfig, tableSize = DEFAULT_RRL_TABLE_SIZE, private readonly clock: () => number = Date.now) {
    if (!Number.isInteger(tableSize) || tableSize < PROBE || (tableSize & (tableSize - 1)) !== 0) {
      throw new RangeError(`RRL table size must be a power of two of at least ${PROBE}, not "${tableSize}"`);
    }
    this.rate = config.responsesPerSecond;
    this.slip = config.slip;
    this.v4Bits = 96 + config.ipv4Prefix;
    this.v6Bits = config.ipv6Prefix;
    this.exempt = config.exempt;
    this.mask = tableSize - 1;
    this.keys = new Int32Array(tableSize);
    this.stamps = new Uint32Array(tableSize);
    this.tokens = new Int32Array(tableSize);
    this.limited = new Uint32Array(tableSize);
    this.epoch = clock() - 1000;
  }

  /**
   * The verdict for one response to the client in `address` (4 network-order words, as parsed by
   * address.ts; clobbered), of class `cls` keyed by `name` (a hash of what the class is keyed by).
   */
  check(address: Uint32Array, family: 4 | 6, cls: number, name: number): RrlVerdictId {
    for (const prefix of this.exempt) if (inPrefix(address, family, prefix)) return RrlVerdict.SEND;
    maskWords(address, family === 4 ? this.v4Bits : this.v6Bits);
    let h = Math.imul(cls ^ 0x9e3779b9, 0x01000193) ^ name;
    for (let w = 0; w < 4; w++) h = Math.imul(h ^ address[w]!, 0x01000193);
    h ^= h >>> 15;
    return this.take(h | 0);
  }

  /** The bucket of `key` gives a token, or the response is limited (dropped or slipped). */
  take(key: number): RrlVerdictId {
    const now = (((this.clock() - this.epoch) / 1000) | 0) >>> 0;
    const mask = this.mask;
    const keys = this.keys, stamps = this.stamps;
    let slot = -1;
    let oldest = -1;
    for (let i = 0, s = key & mask; i < PROBE; i++, s = (s + 1) & mask) {
      if (keys[s] === key && stamps[s] !== 0) {
        slot = s;
        break;
      }
      if (oldest < 0 || stamps[s]! < stamps[oldest]!) oldest = s;
    }
    const rate = this.rate;
    if (slot < 0) {
      slot = oldest;
      // a bucket refilled in the last second may still be limiting someone: count the takeover
      if (stamps[slot] !== 0 && now - stamps[slot]! <= 1) this.evictions++;
      keys[slot] = key;
      stamps[slot] = now;
      this.tokens[slot] = rate;
      this.limited[slot] = 0;
    } else if (stamps[slot] !== now) {
      const refill = (now - stamps[slot]!) * rate + this.tokens[slot]!;
      this.tokens[slot] = refill > rate ? rate : refill;
      stamps[slot] = now;
    }
    if (this.tokens[slot]! > 0) {
      this.tokens[slot]!--;
      return RrlVerdict.SEND;
    }
    const n = ++this.limited[slot]!;
    if (this.slip > 0 && n % this.slip === 0) {
      this.slipped++;
      return RrlVerdict.SLIP;
    }
    this.dropped++;
    return RrlVerdict.DROP;
  }
}
