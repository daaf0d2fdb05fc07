/**
 * Keys, fingerprints and certificates outside DNSSEC proper: SSHFP (RFC 4255), TLSA (RFC 6698),
 * SMIMEA (RFC 8162), OPENPGPKEY (RFC 7929), DHCID (RFC 4701), CERT (RFC 4398), IPSECKEY (RFC 4025),
 * HIP (RFC 8005).
 */
import { nameToText } from '../name.js';
import { RRType } from '../rrtype.js';
import type { RdataCodec, TextContext, Token } from './codec.js';
import { ipv4ToText, ipv6ToText, parseIPv4Into, parseIPv6Into } from './address.js';
import { base64ToText, hexToText, joinTokens, parseBase64, parseHex } from './encoding.js';
import { expectAtLeast, fail, nameEnd, parseNameField, parseU16, parseU8, q, Reader, Writer } from './fields.js';
import { parseAlgorithm, parseCertType } from './mnemonics.js';

export const SSHFP: RdataCodec = {
  type: RRType.SSHFP,
  fromText(tokens) {
    expectAtLeast(tokens, 'SSHFP', ['algorithm', 'fp-type', 'fingerprint']);
    return new Writer()
      .u8(parseU8(tokens[0]!.value, 'SSHFP algorithm'))
      .u8(parseU8(tokens[1]!.value, 'SSHFP fingerprint type'))
      .bytes(parseHex(joinTokens(tokens, 2), 'SSHFP fingerprint'))
      .finish('SSHFP');
  },
  toText(r) {
    const rd = new Reader(r, 'SSHFP');
    return `${rd.u8('algorithm')} ${rd.u8('fingerprint type')} ${hexToText(rd.rest1('fingerprint'))}`;
  },
};

function tlsaLike(type: number, typeName: string): RdataCodec {
  return {
    type,
    fromText(tokens) {
      expectAtLeast(tokens, typeName, ['usage', 'selector', 'matching-type', 'data']);
      return new Writer()
        .u8(parseU8(tokens[0]!.value, `${typeName} usage`))
        .u8(parseU8(tokens[1]!.value, `${typeName} selector`))
        .u8(parseU8(tokens[2]!.value, `${typeName} matching type`))
        .bytes(parseHex(joinTokens(tokens, 3), `${typeName} certificate association data`))
        .finish(typeName);
    },
    toText(r) {
      const rd = new Reader(r, typeName);
      return `${rd.u8('usage')} ${rd.u8('selector')} ${rd.u8('matching type')} ${hexToText(rd.rest1('certificate association data'))}`;
    },
  };
}

export const TLSA = tlsaLike(RRType.TLSA, 'TLSA');
export const SMIMEA = tlsaLike(RRType.SMIMEA, 'SMIMEA');

function base64Only(type: number, typeName: string, field: string): RdataCodec {
  return {
    type,
    fromText(tokens) {
      expectAtLeast(tokens, typeName, [field.replace(/ /g, '-')]);
      return parseBase64(joinTokens(tokens, 0), `${typeName} ${field}`);
    },
    toText(r) {
      if (r.length === 0) fail(`${typeName} rdata is empty`);
      return base64ToText(r);
    },
  };
}

export const OPENPGPKEY = base64Only(RRType.OPENPGPKEY, 'OPENPGPKEY', 'public key');
export const DHCID = base64Only(RRType.DHCID, 'DHCID', 'digest');

export const CERT: RdataCodec = {
  type: RRType.CERT,
  fromText(tokens) {
    expectAtLeast(tokens, 'CERT', ['type', 'key-tag', 'algorithm', 'certificate']);
    return new Writer()
      .u16(parseCertType(tokens[0]!.value, 'CERT type'))
      .u16(parseU16(tokens[1]!.value, 'CERT key tag'))
      .u8(parseAlgorithm(tokens[2]!.value, 'CERT algorithm'))
      .bytes(parseBase64(joinTokens(tokens, 3), 'CERT certificate'))
      .finish('CERT');
  },
  toText(r) {
    const rd = new Reader(r, 'CERT');
    return `${rd.u16('type')} ${rd.u16('key tag')} ${rd.u8('algorithm')} ${base64ToText(rd.rest1('certificate'))}`;
  },
};

/** IPSECKEY gateway by gateway type (RFC 4025 §2.3): none, IPv4, IPv6, uncompressed name. */
function writeGateway(w: Writer, gatewayType: number, text: string, ctx: TextContext): void {
  switch (gatewayType) {
    case 0:
      if (text !== '.') fail(`IPSECKEY gateway ${q(text)} must be "." for gateway type 0`);
      return;
    case 1: {
      const a = new Uint8Array(4);
      parseIPv4Into(text, a, 0, 'IPSECKEY gateway');
      w.bytes(a);
      return;
    }
    case 2: {
      const a = new Uint8Array(16);
      parseIPv6Into(text, a, 0, 'IPSECKEY gateway');
      w.bytes(a);
      return;
    }
    case 3:
      w.bytes(parseNameField(text, ctx, 'IPSECKEY gateway'));
      return;
    default:
      fail(`IPSECKEY gateway type "${gatewayType}" is not 0, 1, 2 or 3`);
  }
}

/** Offset just past the IPSECKEY gateway that starts at `pos`; shared with the wire validator. */
export function ipseckeyGatewayEnd(r: Uint8Array, gatewayType: number, pos: number, end: number): number {
  const need = (n: number): number => {
    if (pos + n > end) fail(`IPSECKEY rdata is truncated: the gateway needs ${n} octets`);
    return pos + n;
  };
  switch (gatewayType) {
    case 0: return pos;
    case 1: return need(4);
    case 2: return need(16);
    case 3: return nameEnd(r, pos, end, 'IPSECKEY gateway');
    default: fail(`IPSECKEY gateway type ${gatewayType} is not 0, 1, 2 or 3`);
  }
}

export const IPSECKEY: RdataCodec = {
  type: RRType.IPSECKEY,
  fromText(tokens: readonly Token[], ctx) {
    expectAtLeast(tokens, 'IPSECKEY', ['precedence', 'gateway-type', 'algorithm', 'gateway']);
    const gatewayType = parseU8(tokens[1]!.value, 'IPSECKEY gateway type');
    const w = new Writer()
      .u8(parseU8(tokens[0]!.value, 'IPSECKEY precedence'))
      .u8(gatewayType)
      .u8(parseU8(tokens[2]!.value, 'IPSECKEY algorithm'));
    writeGateway(w, gatewayType, tokens[3]!.value, ctx);
    // RFC 4025 §2.6: the public key may be absent
    if (tokens.length > 4) w.bytes(parseBase64(joinTokens(tokens, 4), 'IPSECKEY public key'));
    return w.finish('IPSECKEY');
  },
  toText(r) {
    const rd = new Reader(r, 'IPSECKEY');
    const precedence = rd.u8('precedence');
    const gatewayType = rd.u8('gateway type');
    const algorithm = rd.u8('algorithm');
    const end = ipseckeyGatewayEnd(r, gatewayType, rd.pos, r.length);
    const gateway = gatewayType === 0 ? '.' : gatewayType === 1 ? ipv4ToText(r, rd.pos) : gatewayType === 2 ? ipv6ToText(r, rd.pos) : nameToText(r, rd.pos);
    rd.pos = end;
    const s = `${precedence} ${gatewayType} ${algorithm} ${gateway}`;
    return rd.left > 0 ? `${s} ${base64ToText(rd.rest())}` : s;
  },
};

/** HIP (RFC 8005 §5): HIT length, PK algorithm, PK length, HIT, public key, rendezvous servers. */
export const HIP: RdataCodec = {
  type: RRType.HIP,
  fromText(tokens, ctx) {
    expectAtLeast(tokens, 'HIP', ['pk-algorithm', 'hit', 'public-key']);
    const hit = parseHex(tokens[1]!.value, 'HIP HIT');
    if (hit.length > 255) fail(`HIP HIT ${q(tokens[1]!.value)} is ${hit.length} octets, above 255`);
    // the key is one token here: the rendezvous servers follow it (RFC 8005 §6)
    const key = parseBase64(tokens[2]!.value, 'HIP public key');
    if (key.length > 0xffff) fail(`HIP public key is ${key.length} octets, above 65535`);
    const w = new Writer().u8(hit.length).u8(parseU8(tokens[0]!.value, 'HIP PK algorithm')).u16(key.length).bytes(hit).bytes(key);
    for (let i = 3; i < tokens.length; i++) w.bytes(parseNameField(tokens[i]!.value, ctx, 'HIP rendezvous server'));
    return w.finish('HIP');
  },
  toText(r) {
    const rd = new Reader(r, 'HIP');
    const hitLen = rd.u8('HIT length');
    const algorithm = rd.u8('PK algorithm');
    const keyLen = rd.u16('public key length');
    if (hitLen === 0) fail('HIP HIT is empty');
    if (keyLen === 0) fail('HIP public key is empty');
    let s = `${algorithm} ${hexToText(rd.bytes(hitLen, 'HIT'))} ${base64ToText(rd.bytes(keyLen, 'public key'))}`;
    while (rd.left > 0) s += ' ' + rd.name('rendezvous server');
    return s;
  },
};

/** Offset of the first HIP rendezvous server, after checking the fixed part; for the wire walker. */
export function hipServersStart(r: Uint8Array, end: number): number {
  if (end < 4) fail('HIP rdata is truncated: the fixed header needs 4 octets');
  const hitLen = r[0]!;
  const keyLen = (r[2]! << 8) | r[3]!;
  if (hitLen === 0) fail('HIP HIT is empty');
  if (keyLen === 0) fail('HIP public key is empty');
  const p = 4 + hitLen + keyLen;
  if (p > end) fail(`HIP rdata is truncated: HIT and key need ${hitLen + keyLen} octets`);
  return p;
}
