/** SOA serial numbers: RFC 1982 arithmetic and the serial policies of ARCHITECTURE.md. */

export type SerialPolicy = 'increment' | 'unixtime' | 'dateserial';

/** RFC 1982 §3.2: s1 < s2 in serial number arithmetic (undefined when exactly 2^31 apart). */
export function serialLessThan(s1: number, s2: number): boolean {
  return s1 !== s2 && ((s1 < s2 && s2 - s1 < 0x80000000) || (s1 > s2 && s1 - s2 > 0x80000000));
}

/** RFC 1982 §3.1: addition of n (0 ≤ n ≤ 2^31 - 1), modulo 2^32. */
export function serialAdd(s: number, n: number): number {
  return (s + n) >>> 0;
}

/** The serial after `current` under `policy`, always greater than `current` in RFC 1982 terms. */
export function nextSerial(current: number, policy: SerialPolicy, now = new Date()): number {
  let candidate: number;
  switch (policy) {
    case 'increment':
      return serialAdd(current, 1);
    case 'unixtime':
      candidate = Math.floor(now.getTime() / 1000) >>> 0;
      break;
    case 'dateserial': {
      const ymd = now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate();
      candidate = ymd * 100;
      // same day: take the next free two-digit counter, as BIND's dateserial does
      if (!serialLessThan(current, candidate) && Math.floor(current / 100) === ymd) return serialAdd(current, 1);
      break;
    }
  }
  return serialLessThan(current, candidate) ? candidate : serialAdd(current, 1);
}
