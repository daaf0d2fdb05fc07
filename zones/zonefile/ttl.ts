/**
 * TTL values in master files: a plain number of seconds, or numbers with units as BIND and Knot
 * accept them (`1h30m`, `2D`, `1w2d`; units w d h m s, either case). RFC 2308 §4 and BIND's
 * `dns_ttl_fromtext`: a bare number may only stand alone, so `1h30` is refused.
 */

export const MAX_TTL = 0x7fffffff; // RFC 2181 §8
const MAX_U32 = 0xffffffff;

export type TtlResult = { ok: true; ttl: number } | { ok: false; message: string };

const UNIT = new Float64Array(128);
UNIT[0x77] = UNIT[0x57] = 604800; // w W
UNIT[0x64] = UNIT[0x44] = 86400; // d D
UNIT[0x68] = UNIT[0x48] = 3600; // h H
UNIT[0x6d] = UNIT[0x4d] = 60; // m M
UNIT[0x73] = UNIT[0x53] = 1; // s S

/** Parses a TTL; the message names the bad text in quotes (`what` is "TTL" or "$TTL"...). */
export function parseTtl(text: string, what = 'TTL'): TtlResult {
  let total = 0;
  let i = 0;
  const n = text.length;
  if (n === 0) return { ok: false, message: `${what} is empty` };
  let sawUnit = false;
  while (i < n) {
    let num = 0;
    const start = i;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) {
      num = num * 10 + (c - 0x30);
    }
    if (i === start) return { ok: false, message: `${what} "${text}" is not a number of seconds or a duration like 1h30m` };
    if (i === n) {
      // a bare number: the whole value, or nothing (BIND refuses "1h30")
      if (sawUnit) return { ok: false, message: `${what} "${text}" ends with a number without a unit` };
      total = num;
      break;
    }
    const c = text.charCodeAt(i);
    const unit = c < 128 ? UNIT[c]! : 0;
    if (unit === 0) return { ok: false, message: `${what} "${text}" has an unknown unit "${text[i]}" (use w, d, h, m or s)` };
    total += num * unit;
    sawUnit = true;
    i++;
  }
  if (total > MAX_U32) return { ok: false, message: `${what} "${text}" is above 4294967295` };
  return { ok: true, ttl: total };
}
