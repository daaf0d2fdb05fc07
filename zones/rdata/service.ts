/** Service location and policy records: SRV (RFC 2782), NAPTR (RFC 3403), URI (RFC 7553), CAA (RFC 8659). */
import { RRType } from '../rrtype.js';
import type { RdataCodec } from './codec.js';
import { expectAtLeast, expectFields, fail, parseNameField, parseU16, parseU8, q, Reader, Writer } from './fields.js';
import { charStringInto, charStringToText, quotedText, scratch, unescapeText } from './text-string.js';

const SRV_FIELDS = ['priority', 'weight', 'port', 'target'];

export const SRV: RdataCodec = {
  type: RRType.SRV,
  fromText(tokens, ctx) {
    expectFields(tokens, 'SRV', SRV_FIELDS);
    const target = parseNameField(tokens[3]!.value, ctx, 'SRV target');
    const out = new Uint8Array(6 + target.length);
    for (let i = 0; i < 3; i++) {
      const v = parseU16(tokens[i]!.value, `SRV ${SRV_FIELDS[i]}`);
      out[i * 2] = v >> 8;
      out[i * 2 + 1] = v & 0xff;
    }
    out.set(target, 6);
    return out;
  },
  toText(r) {
    const rd = new Reader(r, 'SRV');
    const s = `${rd.u16('priority')} ${rd.u16('weight')} ${rd.u16('port')} ${rd.name('target')}`;
    rd.end();
    return s;
  },
};

const NAPTR_FIELDS = ['order', 'preference', 'flags', 'services', 'regexp', 'replacement'];

export const NAPTR: RdataCodec = {
  type: RRType.NAPTR,
  fromText(tokens, ctx) {
    expectFields(tokens, 'NAPTR', NAPTR_FIELDS);
    const w = new Writer();
    w.u16(parseU16(tokens[0]!.value, 'NAPTR order'));
    w.u16(parseU16(tokens[1]!.value, 'NAPTR preference'));
    for (let i = 2; i < 5; i++) {
      const end = charStringInto(tokens[i]!.value, scratch, 0, `NAPTR ${NAPTR_FIELDS[i]}`);
      w.bytes(scratch.subarray(0, end));
    }
    w.bytes(parseNameField(tokens[5]!.value, ctx, 'NAPTR replacement'));
    return w.finish('NAPTR');
  },
  toText(r) {
    const rd = new Reader(r, 'NAPTR');
    let s = `${rd.u16('order')} ${rd.u16('preference')}`;
    for (let i = 2; i < 5; i++) {
      const { text, next } = charStringToText(r, rd.pos, r.length, `NAPTR ${NAPTR_FIELDS[i]}`);
      s += ' ' + text;
      rd.pos = next;
    }
    s += ' ' + rd.name('replacement');
    rd.end();
    return s;
  },
};

export const URI: RdataCodec = {
  type: RRType.URI,
  fromText(tokens) {
    expectFields(tokens, 'URI', ['priority', 'weight', 'target']);
    const target = unescapeText(tokens[2]!.value, 'URI target', 65535 - 4);
    const out = new Uint8Array(4 + target.length);
    const p = parseU16(tokens[0]!.value, 'URI priority');
    const wt = parseU16(tokens[1]!.value, 'URI weight');
    out[0] = p >> 8;
    out[1] = p & 0xff;
    out[2] = wt >> 8;
    out[3] = wt & 0xff;
    out.set(target, 4);
    return out;
  },
  toText(r) {
    const rd = new Reader(r, 'URI');
    const s = `${rd.u16('priority')} ${rd.u16('weight')} `;
    return s + quotedText(r, 4, r.length);
  },
};

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);
}

/** RFC 8659 §4.1: the tag is 1 to 15 ASCII letters and digits. */
export function checkCaaTag(r: Uint8Array, pos: number, end: number): number {
  if (pos >= end) fail('CAA rdata is truncated: tag length is missing');
  const len = r[pos]!;
  if (len < 1 || len > 15) fail(`CAA tag length ${len} is not 1 to 15`);
  if (pos + 1 + len > end) fail(`CAA rdata is truncated: tag says ${len} octets`);
  for (let i = pos + 1; i <= pos + len; i++) if (!isAlnum(r[i]!)) fail(`CAA tag has the octet ${r[i]}, not a letter or digit`);
  return pos + 1 + len;
}

export const CAA: RdataCodec = {
  type: RRType.CAA,
  fromText(tokens) {
    expectAtLeast(tokens, 'CAA', ['flags', 'tag', 'value']);
    if (tokens.length > 3) fail(`CAA needs 3 fields (flags tag value), got ${tokens.length}: quote a value with spaces`);
    const flags = parseU8(tokens[0]!.value, 'CAA flags');
    const tag = tokens[1]!.value;
    if (tag.length < 1 || tag.length > 15) fail(`CAA tag ${q(tag)} must be 1 to 15 letters and digits`);
    const w = new Writer().u8(flags).u8(tag.length);
    for (let i = 0; i < tag.length; i++) {
      const c = tag.charCodeAt(i);
      if (!isAlnum(c)) fail(`CAA tag ${q(tag)} must be 1 to 15 letters and digits`);
      w.u8(c);
    }
    w.bytes(unescapeText(tokens[2]!.value, 'CAA value', 65535 - 2 - tag.length));
    return w.finish('CAA');
  },
  toText(r) {
    const rd = new Reader(r, 'CAA');
    const flags = rd.u8('flags');
    const end = checkCaaTag(r, 1, r.length);
    const tag = String.fromCharCode(...r.subarray(2, end));
    return `${flags} ${tag} ${quotedText(r, end, r.length)}`;
  },
};
