import { keyIsSubdomain, NameError, nameToKey, nameToText, parseName, ROOT, type WireName } from '../../zones/name.js';
import { rdataFromText, RdataError } from '../../zones/rdata/index.js';
import { isMetaType, typeFromText, typeToText } from '../../zones/rrtype.js';
import { lexOneEntry } from '../../zones/zonefile/lexer.js';
import { ApiError, invalid } from './errors.js';

/**
 * API input → wire form. Every name in the API is absolute, with or without its trailing dot, in
 * any letter case (PowerDNS requires the dot; we add it). Record content is presentation format,
 * tokenised by the zone-file lexer, names in it absolute too.
 */
export function parseAbsoluteName(text: string, field: string): WireName {
  if (text === '@') throw invalid(field, text, AT_SIGN);
  try {
    return parseName(text, ROOT);
  } catch (err) {
    if (err instanceof NameError) throw invalid(field, text, `is not a valid domain name: ${err.message}`);
    throw err;
  }
}

/** A zone's name: absolute, and not the root (whose key in the store would be empty). */
export function parseZoneName(text: string, field: string): WireName {
  const origin = parseAbsoluteName(text, field);
  if (origin.length === 1) throw invalid(field, text, ROOT_ZONE);
  return origin;
}

/** `{origin}` of a URL → the zone's wire origin (404 when no such zone is the caller's business). */
export function parseOriginParam(text: string): WireName {
  if (text === '@') throw new ApiError(404, 'origin', text, AT_SIGN);
  let origin: WireName;
  try {
    origin = parseName(text, ROOT);
  } catch (err) {
    if (err instanceof NameError) throw new ApiError(404, 'origin', text, `is not a domain name: ${err.message}`);
    throw err;
  }
  if (origin.length === 1) throw new ApiError(404, 'origin', text, ROOT_ZONE);
  return origin;
}

const ROOT_ZONE = 'is the root zone, which meshdns does not serve';
// `@` parses as the origin in zone files; in the API there is no origin to stand for
const AT_SIGN = 'is zone-file shorthand for the origin; the API wants absolute names such as "example.com."';

export function originText(origin: WireName): string {
  return nameToText(origin).toLowerCase();
}

/** An owner name that must lie in the zone. */
export function parseOwner(text: string, apexKey: Buffer, origin: string, field: string): WireName {
  const owner = parseAbsoluteName(text, field);
  if (!keyIsSubdomain(nameToKey(owner), apexKey)) throw invalid(field, text, `is outside the zone ${origin}`);
  return owner;
}

/** An RR type that may be zone data: a mnemonic or TYPEnnn, not a meta-type (RFC 6895 §3.1). */
export function parseType(text: string, field: string): number {
  const type = typeFromText(text);
  if (type === undefined) throw invalid(field, text, 'is not an RR type (a mnemonic such as AAAA, or TYPEnnn)');
  if (type === 0 || isMetaType(type)) throw invalid(field, text, `is a meta-type (${typeToText(type)}) and cannot be zone data`);
  return type;
}

/** PowerDNS `content`: one record's rdata in presentation format → uncompressed wire rdata. */
export function parseContent(type: number, content: string, field: string): Uint8Array {
  if (/[\r\n]/.test(content)) throw invalid(field, content, 'must be one line (the rdata of one record)');
  const { tokens, errors } = lexOneEntry(content, 1);
  if (errors.length > 0) throw invalid(field, content, errors[0]!.message);
  if (tokens.length === 0) throw invalid(field, content, `is empty; a ${typeToText(type)} record needs its rdata`);
  try {
    return rdataFromText(type, tokens, { origin: ROOT });
  } catch (err) {
    if (err instanceof RdataError || err instanceof NameError) throw invalid(field, content, err.message);
    throw err;
  }
}

export const MAX_TTL = 0x7fffffff;
