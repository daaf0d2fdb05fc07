/**
 * DNSSEC records: DS and CDS (RFC 4034 §5, RFC 7344), DNSKEY and CDNSKEY (RFC 4034 §2), RRSIG
 * (RFC 4034 §3), NSEC (RFC 4034 §4), NSEC3 and NSEC3PARAM (RFC 5155 §3–4).
 */
import { nameToText } from '../name.js';
import { RRType, typeFromText, typeToText } from '../rrtype.js';
import type { RdataCodec } from './codec.js';
import { bitmapFromText, bitmapToText } from './bitmap.js';
import { base32hexToText, base64ToText, hexToText, joinTokens, parseBase32hex, parseBase64, parseHex } from './encoding.js';
import {
  expectAtLeast, fail, nameEnd, parseDuration, parseNameField, parseTimestamp, parseU16, parseU8, q, Reader, timestampToText, Writer,
} from './fields.js';
import { parseAlgorithm } from './mnemonics.js';

function dsLike(type: number, typeName: string): RdataCodec {
  const fields = ['key-tag', 'algorithm', 'digest-type', 'digest'];
  return {
    type,
    fromText(tokens) {
      expectAtLeast(tokens, typeName, fields);
      return new Writer()
        .u16(parseU16(tokens[0]!.value, `${typeName} key tag`))
        .u8(parseAlgorithm(tokens[1]!.value, `${typeName} algorithm`))
        .u8(parseU8(tokens[2]!.value, `${typeName} digest type`))
        .bytes(parseHex(joinTokens(tokens, 3), `${typeName} digest`))
        .finish(typeName);
    },
    toText(r) {
      const rd = new Reader(r, typeName);
      return `${rd.u16('key tag')} ${rd.u8('algorithm')} ${rd.u8('digest type')} ${hexToText(rd.rest1('digest'))}`;
    },
  };
}

export const DS = dsLike(RRType.DS, 'DS');
export const CDS = dsLike(RRType.CDS, 'CDS');

function dnskeyLike(type: number, typeName: string): RdataCodec {
  const fields = ['flags', 'protocol', 'algorithm', 'public-key'];
  return {
    type,
    fromText(tokens) {
      expectAtLeast(tokens, typeName, fields);
      return new Writer()
        .u16(parseU16(tokens[0]!.value, `${typeName} flags`))
        .u8(parseU8(tokens[1]!.value, `${typeName} protocol`))
        .u8(parseAlgorithm(tokens[2]!.value, `${typeName} algorithm`))
        .bytes(parseBase64(joinTokens(tokens, 3), `${typeName} public key`))
        .finish(typeName);
    },
    toText(r) {
      const rd = new Reader(r, typeName);
      return `${rd.u16('flags')} ${rd.u8('protocol')} ${rd.u8('algorithm')} ${base64ToText(rd.rest1('public key'))}`;
    },
  };
}

export const DNSKEY = dnskeyLike(RRType.DNSKEY, 'DNSKEY');
export const CDNSKEY = dnskeyLike(RRType.CDNSKEY, 'CDNSKEY');

const RRSIG_FIELDS = ['type-covered', 'algorithm', 'labels', 'original-ttl', 'expiration', 'inception', 'key-tag', 'signer', 'signature'];

export const RRSIG: RdataCodec = {
  type: RRType.RRSIG,
  fromText(tokens, ctx) {
    expectAtLeast(tokens, 'RRSIG', RRSIG_FIELDS);
    const covered = typeFromText(tokens[0]!.value);
    if (covered === undefined) fail(`RRSIG type covered ${q(tokens[0]!.value)} is not a known RR type (use TYPEnnn for others)`);
    return new Writer()
      .u16(covered)
      .u8(parseAlgorithm(tokens[1]!.value, 'RRSIG algorithm'))
      .u8(parseU8(tokens[2]!.value, 'RRSIG labels'))
      .u32(parseDuration(tokens[3]!.value, 'RRSIG original TTL'))
      .u32(parseTimestamp(tokens[4]!.value, 'RRSIG expiration'))
      .u32(parseTimestamp(tokens[5]!.value, 'RRSIG inception'))
      .u16(parseU16(tokens[6]!.value, 'RRSIG key tag'))
      .bytes(parseNameField(tokens[7]!.value, ctx, 'RRSIG signer'))
      .bytes(parseBase64(joinTokens(tokens, 8), 'RRSIG signature'))
      .finish('RRSIG');
  },
  toText(r) {
    const rd = new Reader(r, 'RRSIG');
    const covered = typeToText(rd.u16('type covered'));
    const head = `${covered} ${rd.u8('algorithm')} ${rd.u8('labels')} ${rd.u32('original TTL')}`;
    const times = `${timestampToText(rd.u32('expiration'))} ${timestampToText(rd.u32('inception'))}`;
    return `${head} ${times} ${rd.u16('key tag')} ${rd.name('signer')} ${base64ToText(rd.rest1('signature'))}`;
  },
};

export const NSEC: RdataCodec = {
  type: RRType.NSEC,
  fromText(tokens, ctx) {
    expectAtLeast(tokens, 'NSEC', ['next-domain']);
    return new Writer()
      .bytes(parseNameField(tokens[0]!.value, ctx, 'NSEC next domain'))
      .bytes(bitmapFromText(tokens, 1, 'NSEC'))
      .finish('NSEC');
  },
  toText(r) {
    const end = nameEnd(r, 0, r.length, 'NSEC next domain');
    const types = bitmapToText(r, end, r.length, 'NSEC');
    return types === '' ? nameToText(r) : `${nameToText(r)} ${types}`;
  },
};

/** The NSEC3 salt: `-` for none, else hex of at most 255 octets. */
function parseSalt(text: string, field: string): Uint8Array {
  if (text === '-') return new Uint8Array(0);
  const salt = parseHex(text, field);
  if (salt.length > 255) fail(`${field} ${q(text)} is ${salt.length} octets, above 255`);
  return salt;
}

function saltToText(rd: Reader): string {
  const len = rd.u8('salt length');
  return len === 0 ? '-' : hexToText(rd.bytes(len, 'salt'));
}

const NSEC3_FIELDS = ['hash-algorithm', 'flags', 'iterations', 'salt', 'next-hashed-owner', 'types...'];

export const NSEC3: RdataCodec = {
  type: RRType.NSEC3,
  fromText(tokens) {
    expectAtLeast(tokens, 'NSEC3', NSEC3_FIELDS.slice(0, 5));
    const salt = parseSalt(tokens[3]!.value, 'NSEC3 salt');
    const next = parseBase32hex(tokens[4]!.value, 'NSEC3 next hashed owner');
    if (next.length > 255) fail(`NSEC3 next hashed owner ${q(tokens[4]!.value)} is ${next.length} octets, above 255`);
    return new Writer()
      .u8(parseU8(tokens[0]!.value, 'NSEC3 hash algorithm'))
      .u8(parseU8(tokens[1]!.value, 'NSEC3 flags'))
      .u16(parseU16(tokens[2]!.value, 'NSEC3 iterations'))
      .u8(salt.length)
      .bytes(salt)
      .u8(next.length)
      .bytes(next)
      .bytes(bitmapFromText(tokens, 5, 'NSEC3'))
      .finish('NSEC3');
  },
  toText(r) {
    const rd = new Reader(r, 'NSEC3');
    let s = `${rd.u8('hash algorithm')} ${rd.u8('flags')} ${rd.u16('iterations')} ${saltToText(rd)}`;
    const hashLen = rd.u8('hash length');
    if (hashLen === 0) fail('NSEC3 next hashed owner is empty');
    s += ' ' + base32hexToText(rd.bytes(hashLen, 'next hashed owner'));
    const types = bitmapToText(r, rd.pos, r.length, 'NSEC3');
    return types === '' ? s : `${s} ${types}`;
  },
};

export const NSEC3PARAM: RdataCodec = {
  type: RRType.NSEC3PARAM,
  fromText(tokens) {
    expectAtLeast(tokens, 'NSEC3PARAM', ['hash-algorithm', 'flags', 'iterations', 'salt']);
    if (tokens.length > 4) fail(`NSEC3PARAM needs 4 fields (hash-algorithm flags iterations salt), got ${tokens.length}`);
    const salt = parseSalt(tokens[3]!.value, 'NSEC3PARAM salt');
    return new Writer()
      .u8(parseU8(tokens[0]!.value, 'NSEC3PARAM hash algorithm'))
      .u8(parseU8(tokens[1]!.value, 'NSEC3PARAM flags'))
      .u16(parseU16(tokens[2]!.value, 'NSEC3PARAM iterations'))
      .u8(salt.length)
      .bytes(salt)
      .finish('NSEC3PARAM');
  },
  toText(r) {
    const rd = new Reader(r, 'NSEC3PARAM');
    const s = `${rd.u8('hash algorithm')} ${rd.u8('flags')} ${rd.u16('iterations')} ${saltToText(rd)}`;
    rd.end();
    return s;
  },
};
