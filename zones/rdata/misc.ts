/** Small types: EUI48/EUI64 (RFC 7043), ZONEMD (RFC 8976), CSYNC (RFC 7477), APL (RFC 3123). */
import { RRType } from '../rrtype.js';
import type { RdataCodec } from './codec.js';
import { ipv4ToText, ipv6ToText, parseIPv4Into, parseIPv6Into } from './address.js';
import { bitmapFromText, bitmapToText } from './bitmap.js';
import { hexToText, joinTokens, parseHex } from './encoding.js';
import { expectAtLeast, expectFields, fail, parseU16, parseU32, parseU8, q, Reader, Writer } from './fields.js';

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** EUI-48 / EUI-64 as hex pairs separated by `-` (RFC 7043 §3.2, §4.2); Knot prints uppercase. */
function eui(type: number, typeName: string, octets: number): RdataCodec {
  const label = `${typeName} address`;
  return {
    type,
    fromText(tokens) {
      expectFields(tokens, typeName, ['address']);
      const text = tokens[0]!.value;
      if (text.length !== octets * 3 - 1) fail(`${label} ${q(text)} is not ${octets} hex pairs separated by "-"`);
      const out = new Uint8Array(octets);
      for (let i = 0; i < octets; i++) {
        const hi = hexVal(text.charCodeAt(i * 3));
        const lo = hexVal(text.charCodeAt(i * 3 + 1));
        if (hi < 0 || lo < 0 || (i < octets - 1 && text.charCodeAt(i * 3 + 2) !== 0x2d)) {
          fail(`${label} ${q(text)} is not ${octets} hex pairs separated by "-"`);
        }
        out[i] = (hi << 4) | lo;
      }
      return out;
    },
    toText(r) {
      if (r.length !== octets) fail(`${typeName} rdata is ${r.length} octets, must be ${octets}`);
      const parts: string[] = [];
      for (let i = 0; i < octets; i++) parts.push(hexToText(r, i, i + 1));
      return parts.join('-');
    },
  };
}

export const EUI48 = eui(RRType.EUI48, 'EUI48', 6);
export const EUI64 = eui(RRType.EUI64, 'EUI64', 8);

export const ZONEMD: RdataCodec = {
  type: RRType.ZONEMD,
  fromText(tokens) {
    expectAtLeast(tokens, 'ZONEMD', ['serial', 'scheme', 'hash-algorithm', 'digest']);
    return new Writer()
      .u32(parseU32(tokens[0]!.value, 'ZONEMD serial'))
      .u8(parseU8(tokens[1]!.value, 'ZONEMD scheme'))
      .u8(parseU8(tokens[2]!.value, 'ZONEMD hash algorithm'))
      .bytes(parseHex(joinTokens(tokens, 3), 'ZONEMD digest'))
      .finish('ZONEMD');
  },
  toText(r) {
    const rd = new Reader(r, 'ZONEMD');
    return `${rd.u32('serial')} ${rd.u8('scheme')} ${rd.u8('hash algorithm')} ${hexToText(rd.rest1('digest'))}`;
  },
};

export const CSYNC: RdataCodec = {
  type: RRType.CSYNC,
  fromText(tokens) {
    expectAtLeast(tokens, 'CSYNC', ['serial', 'flags']);
    return new Writer()
      .u32(parseU32(tokens[0]!.value, 'CSYNC serial'))
      .u16(parseU16(tokens[1]!.value, 'CSYNC flags'))
      .bytes(bitmapFromText(tokens, 2, 'CSYNC'))
      .finish('CSYNC');
  },
  toText(r) {
    const rd = new Reader(r, 'CSYNC');
    const s = `${rd.u32('serial')} ${rd.u16('flags')}`;
    const types = bitmapToText(r, rd.pos, r.length, 'CSYNC');
    return types === '' ? s : `${s} ${types}`;
  },
};

/** APL item: `[!]afi:address/prefix`, afi 1 (IPv4) or 2 (IPv6); trailing zero octets dropped (RFC 3123 §4). */
function aplItem(w: Writer, text: string): void {
  const label = 'APL item';
  let i = 0;
  const negate = text.charCodeAt(0) === 0x21;
  if (negate) i = 1;
  const colon = text.indexOf(':', i);
  const slash = text.lastIndexOf('/');
  if (colon < 0 || slash < colon) fail(`${label} ${q(text)} is not [!]afi:address/prefix`);
  const family = parseU16(text.slice(i, colon), `${label} ${q(text)} address family`);
  const prefix = parseU8(text.slice(slash + 1), `${label} ${q(text)} prefix`);
  const addr = new Uint8Array(16);
  let size: number;
  if (family === 1) {
    parseIPv4Into(text.slice(colon + 1, slash), addr, 0, `${label} ${q(text)} address`);
    size = 4;
  } else if (family === 2) {
    parseIPv6Into(text.slice(colon + 1, slash), addr, 0, `${label} ${q(text)} address`);
    size = 16;
  } else {
    fail(`${label} ${q(text)} has address family ${family}, not 1 (IPv4) or 2 (IPv6)`);
  }
  if (prefix > size * 8) fail(`${label} ${q(text)} has prefix ${prefix}, above ${size * 8}`);
  let len = size;
  while (len > 0 && addr[len - 1] === 0) len--;
  w.u16(family).u8(prefix).u8((negate ? 0x80 : 0) | len).bytes(addr.subarray(0, len));
}

/** Checks the APL items from `pos` to `end` and returns their text; shared with the wire walker. */
export function aplItems(r: Uint8Array, pos: number, end: number): string[] {
  const items: string[] = [];
  let p = pos;
  while (p < end) {
    if (p + 4 > end) fail(`APL rdata is truncated: item header at offset ${p}`);
    const family = (r[p]! << 8) | r[p + 1]!;
    const prefix = r[p + 2]!;
    const negate = (r[p + 3]! & 0x80) !== 0;
    const len = r[p + 3]! & 0x7f;
    const size = family === 1 ? 4 : family === 2 ? 16 : 0;
    if (size === 0) fail(`APL item at offset ${p} has address family ${family}, not 1 or 2`);
    if (prefix > size * 8) fail(`APL item at offset ${p} has prefix ${prefix}, above ${size * 8}`);
    if (len > size) fail(`APL item at offset ${p} has ${len} address octets, above ${size}`);
    if (p + 4 + len > end) fail(`APL rdata is truncated: item at offset ${p} needs ${len} address octets`);
    // RFC 3123 §4: trailing zero octets of the address are not sent (BIND refuses them too)
    if (len > 0 && r[p + 3 + len] === 0) fail(`APL item at offset ${p} ends its address with a zero octet`);
    const addr = new Uint8Array(size);
    addr.set(r.subarray(p + 4, p + 4 + len));
    const text = size === 4 ? ipv4ToText(addr, 0) : ipv6ToText(addr, 0);
    items.push(`${negate ? '!' : ''}${family}:${text}/${prefix}`);
    p += 4 + len;
  }
  return items;
}

export const APL: RdataCodec = {
  type: RRType.APL,
  fromText(tokens) {
    const w = new Writer();
    for (const t of tokens) aplItem(w, t.value);
    return w.finish('APL');
  },
  toText(r) {
    return aplItems(r, 0, r.length).join(' ');
  },
};
