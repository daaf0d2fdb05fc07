/**
 * The RFC 1035 family and its close relatives: A, AAAA, NS, CNAME, DNAME, PTR, MX, SOA, HINFO, TXT,
 * SPF, RP, AFSDB, KX. A, AAAA, NS, CNAME, MX, TXT and SOA make up most of any zone, so their
 * fromText paths avoid regexes and intermediate arrays.
 */
import { nameToText } from '../name.js';
import { RRType } from '../rrtype.js';
import type { RdataCodec, TextContext, Token } from './codec.js';
import { ipv4ToText, ipv6ToText, parseIPv4Into, parseIPv6Into } from './address.js';
import { expectFields, fail, nameEnd, parseDuration, parseNameField, parseU16, parseU32, Reader } from './fields.js';
import { charStringInto, charStringToText, scratch } from './text-string.js';

const A_FIELDS = ['address'];

export const A: RdataCodec = {
  type: RRType.A,
  fromText(tokens) {
    if (tokens.length !== 1) expectFields(tokens, 'A', A_FIELDS);
    const out = new Uint8Array(4);
    parseIPv4Into(tokens[0]!.value, out, 0, 'A address');
    return out;
  },
  toText(r) {
    if (r.length !== 4) fail(`A rdata is ${r.length} octets, must be 4`);
    return ipv4ToText(r, 0);
  },
};

export const AAAA: RdataCodec = {
  type: RRType.AAAA,
  fromText(tokens) {
    if (tokens.length !== 1) expectFields(tokens, 'AAAA', A_FIELDS);
    const out = new Uint8Array(16);
    parseIPv6Into(tokens[0]!.value, out, 0, 'AAAA address');
    return out;
  },
  toText(r) {
    if (r.length !== 16) fail(`AAAA rdata is ${r.length} octets, must be 16`);
    return ipv6ToText(r, 0);
  },
};

/** A type whose rdata is one domain name. */
function singleName(type: number, typeName: string, field: string): RdataCodec {
  const fields = [field];
  const label = `${typeName} ${field}`;
  return {
    type,
    fromText(tokens, ctx) {
      if (tokens.length !== 1) expectFields(tokens, typeName, fields);
      return parseNameField(tokens[0]!.value, ctx, label);
    },
    toText(r) {
      if (nameEnd(r, 0, r.length, label) !== r.length) fail(`${typeName} rdata has trailing octets after the ${field}`);
      return nameToText(r);
    },
  };
}

export const NS = singleName(RRType.NS, 'NS', 'nameserver');
export const CNAME = singleName(RRType.CNAME, 'CNAME', 'target');
export const DNAME = singleName(RRType.DNAME, 'DNAME', 'target');
export const PTR = singleName(RRType.PTR, 'PTR', 'target');

/** A 16-bit number followed by a domain name (MX, AFSDB, KX). */
function numberAndName(type: number, typeName: string, numField: string, nameField: string): RdataCodec {
  const fields = [numField, nameField];
  const numLabel = `${typeName} ${numField}`;
  const nameLabel = `${typeName} ${nameField}`;
  return {
    type,
    fromText(tokens, ctx) {
      if (tokens.length !== 2) expectFields(tokens, typeName, fields);
      const n = parseU16(tokens[0]!.value, numLabel);
      const name = parseNameField(tokens[1]!.value, ctx, nameLabel);
      const out = new Uint8Array(2 + name.length);
      out[0] = n >> 8;
      out[1] = n & 0xff;
      out.set(name, 2);
      return out;
    },
    toText(r) {
      const rd = new Reader(r, typeName);
      const n = rd.u16(numField);
      const name = rd.name(nameField);
      rd.end();
      return `${n} ${name}`;
    },
  };
}

export const MX = numberAndName(RRType.MX, 'MX', 'preference', 'exchange');
export const AFSDB = numberAndName(RRType.AFSDB, 'AFSDB', 'subtype', 'hostname');
export const KX = numberAndName(RRType.KX, 'KX', 'preference', 'exchanger');

const SOA_FIELDS = ['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum'];

export const SOA: RdataCodec = {
  type: RRType.SOA,
  fromText(tokens, ctx) {
    if (tokens.length !== 7) expectFields(tokens, 'SOA', SOA_FIELDS);
    const mname = parseNameField(tokens[0]!.value, ctx, 'SOA mname');
    const rname = parseNameField(tokens[1]!.value, ctx, 'SOA rname');
    const out = new Uint8Array(mname.length + rname.length + 20);
    out.set(mname, 0);
    out.set(rname, mname.length);
    const view = new DataView(out.buffer);
    let p = mname.length + rname.length;
    view.setUint32(p, parseU32(tokens[2]!.value, 'SOA serial'));
    view.setUint32((p += 4), parseDuration(tokens[3]!.value, 'SOA refresh'));
    view.setUint32((p += 4), parseDuration(tokens[4]!.value, 'SOA retry'));
    view.setUint32((p += 4), parseDuration(tokens[5]!.value, 'SOA expire'));
    view.setUint32((p += 4), parseDuration(tokens[6]!.value, 'SOA minimum'));
    return out;
  },
  toText(r) {
    const rd = new Reader(r, 'SOA');
    const s = `${rd.name('mname')} ${rd.name('rname')} ${rd.u32('serial')} ${rd.u32('refresh')} ${rd.u32('retry')} ${rd.u32('expire')} ${rd.u32('minimum')}`;
    rd.end();
    return s;
  },
};

/** Types made of a fixed number of character-strings (HINFO) or one or more of them (TXT, SPF). */
function charStrings(type: number, typeName: string, fields: readonly string[] | undefined): RdataCodec {
  const label = `${typeName} ${fields ? 'field' : 'string'}`;
  return {
    type,
    fromText(tokens: readonly Token[]) {
      if (fields) {
        if (tokens.length !== fields.length) expectFields(tokens, typeName, fields);
      } else if (tokens.length === 0) {
        fail(`${typeName} needs at least one character-string`);
      }
      let p = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (p > 65535) break; // scratch has room for one more string; the check below reports it
        p = charStringInto(tokens[i]!.value, scratch, p, fields ? `${typeName} ${fields[i]}` : label);
      }
      if (p > 65535) fail(`${typeName} rdata would be ${p} octets, above 65535`);
      return scratch.slice(0, p);
    },
    toText(r) {
      let s = '';
      let p = 0;
      let count = 0;
      while (p < r.length || count === 0) {
        const { text, next } = charStringToText(r, p, r.length, `${typeName} character-string ${count + 1}`);
        s += count === 0 ? text : ' ' + text;
        p = next;
        count++;
      }
      if (fields && count !== fields.length) fail(`${typeName} rdata has ${count} character-strings, must be ${fields.length}`);
      return s;
    },
  };
}

export const TXT = charStrings(RRType.TXT, 'TXT', undefined);
export const SPF = charStrings(RRType.SPF, 'SPF', undefined);
export const HINFO = charStrings(RRType.HINFO, 'HINFO', ['cpu', 'os']);

export const RP: RdataCodec = {
  type: RRType.RP,
  fromText(tokens, ctx: TextContext) {
    expectFields(tokens, 'RP', ['mbox', 'txt']);
    const mbox = parseNameField(tokens[0]!.value, ctx, 'RP mbox');
    const txt = parseNameField(tokens[1]!.value, ctx, 'RP txt');
    const out = new Uint8Array(mbox.length + txt.length);
    out.set(mbox, 0);
    out.set(txt, mbox.length);
    return out;
  },
  toText(r) {
    const rd = new Reader(r, 'RP');
    const s = `${rd.name('mbox')} ${rd.name('txt')}`;
    rd.end();
    return s;
  },
};
