/**
 * Rdata codecs, public API: presentation ⇄ wire for every type meshdns knows, the RFC 3597 generic
 * form for all types, validation of received wire rdata, decompression out of DNS messages, the
 * DNSSEC canonical form, and where embedded names sit (for compression and additional processing).
 */
import { LOWER } from '../name.js';
import { typeToText } from '../rrtype.js';
import * as basic from './basic.js';
import type { RdataCodec, TextContext, Token } from './codec.js';
import * as dnssec from './dnssec.js';
import { fail } from './fields.js';
import { genericFromText, genericToText, isGeneric } from './generic.js';
import * as keys from './keys.js';
import { layoutOf } from './layout.js';
import { LOC } from './loc.js';
import * as misc from './misc.js';
import * as service from './service.js';
import * as svcb from './svcb.js';
import { walkRdata } from './wire.js';

export { RdataError, type RdataCodec, type TextContext, type Token } from './codec.js';
export { rdataFromWire } from './decompress.js';

const codecs = new Map<number, RdataCodec>();
for (const mod of [basic, service, dnssec, keys, misc, svcb, { LOC }]) {
  for (const codec of Object.values(mod) as unknown[]) {
    if (isCodec(codec)) codecs.set(codec.type, codec);
  }
}

function isCodec(v: unknown): v is RdataCodec {
  return typeof v === 'object' && v !== null && typeof (v as RdataCodec).fromText === 'function' && typeof (v as RdataCodec).type === 'number';
}

/** The codec of a type, undefined when it only has the generic form. */
export function codecOf(type: number): RdataCodec | undefined {
  return codecs.get(type);
}

/**
 * Presentation tokens → uncompressed wire rdata. The generic `\# len hex` form is accepted for any
 * type (RFC 3597 §5) and, for known types, checked like received wire data.
 */
export function rdataFromText(type: number, tokens: readonly Token[], ctx: TextContext): Uint8Array {
  const codec = codecs.get(type);
  if (codec !== undefined && !(tokens.length > 0 && isGeneric(tokens))) return codec.fromText(tokens, ctx);
  if (!isGeneric(tokens)) {
    fail(`${typeToText(type)} has no presentation format known here; write its rdata as \\# <length> <hex> (RFC 3597)`);
  }
  const rdata = genericFromText(tokens, typeToText(type));
  validateRdata(type, rdata);
  return rdata;
}

/** Wire rdata → presentation text as kdig prints it; `\# len HEX` for types without a codec. */
export function rdataToText(type: number, rdata: Uint8Array): string {
  const codec = codecs.get(type);
  return codec === undefined ? genericToText(rdata) : codec.toText(rdata);
}

/**
 * Throws RdataError when wire rdata is malformed for its type (truncated or overlong fields,
 * compressed or invalid embedded names, bad bitmaps or SVCB parameters...). Unknown types pass.
 */
export function validateRdata(type: number, rdata: Uint8Array): void {
  const layout = layoutOf(type);
  if (layout !== undefined) walkRdata(layout, rdata);
  else if (rdata.length > 0xffff) fail(`${typeToText(type)} rdata is ${rdata.length} octets, above 65535`);
}

/**
 * The RFC 4034 §6.2 canonical form (as amended by RFC 6840 §5.1): embedded names lowercased for
 * NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV,
 * DNAME, A6 and RRSIG. Returns `rdata` itself when nothing changes; never modifies it.
 */
export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const layout = layoutOf(type);
  if (!layout?.canonical) return rdata;
  let copy: Uint8Array | undefined;
  walkRdata(layout, rdata, (offset) => {
    for (let p = offset; rdata[p] !== 0; p += rdata[p]! + 1) {
      for (let i = p + 1; i <= p + rdata[p]!; i++) {
        const lower = LOWER[rdata[i]!]!;
        if (lower !== rdata[i]) (copy ??= rdata.slice())[i] = lower;
      }
    }
  });
  return copy ?? rdata;
}

export interface EmbeddedName {
  /** Offset of the name in the wire rdata. */
  offset: number;
  /** May be compressed in responses (NS, CNAME, SOA, PTR, MX: what knotd compresses). */
  compress: boolean;
  /** Triggers additional-section A/AAAA (NS, MX exchange, SRV target; RFC 1034 §4.3.2, RFC 2782). */
  additional: boolean;
}

/** Where the embedded domain names sit in (valid) wire rdata; throws RdataError when malformed. */
export function rdataNames(type: number, rdata: Uint8Array): EmbeddedName[] {
  const layout = layoutOf(type);
  const names: EmbeddedName[] = [];
  if (layout === undefined) return names;
  const compress = layout.compress === true;
  walkRdata(layout, rdata, (offset, additional) => names.push({ offset, compress, additional }));
  return names;
}
