import { NameError, nameToText, type WireName } from '../name.js';
import { RdataError } from '../rdata/codec.js';
import { rdataFromText } from '../rdata/index.js';
import { classFromText, isMetaType, RRClass, typeFromText } from '../rrtype.js';
import type { LexToken, ZoneLexer } from './lexer.js';
import { parseOwnerName } from './owner-name.js';
import type { FileContext, ParseSession } from './session.js';
import { parseTtl } from './ttl.js';

/**
 * One resource record entry (RFC 1035 §5.1):
 *   [owner] [TTL] [class] type rdata   — TTL and class optional and in either order;
 * an entry starting with whitespace has the previous owner.
 * The lexer stands on the entry's first token when this is called.
 */
export function readRecord(s: ParseSession, ctx: FileContext, lx: ZoneLexer): void {
  const line = lx.line;
  let owner: WireName;
  if (lx.blankOwner) {
    if (!lx.quoted && lx.value.charCodeAt(0) === 0x24 && DIRECTIVES.has(lx.value.toUpperCase())) {
      const directive = lx.value;
      lx.skipEntry();
      if (!s.lexErrors(ctx, lx.errors)) s.error(ctx, line, `directive "${directive}" must start at the beginning of the line`);
      return;
    }
    if (ctx.owner === undefined) {
      lx.skipEntry();
      if (s.lexErrors(ctx, lx.errors) || ctx.ownerBroken) return;
      s.error(ctx, line, `line starts with whitespace but there is no previous owner name to repeat`);
      return;
    }
    owner = ctx.owner;
    if (ctx.originChanged) {
      s.warning(ctx, line, `record inherits the owner "${nameToText(owner)}" right after $ORIGIN "${nameToText(ctx.origin)}"; ` +
        `the $ORIGIN does not change it`);
    }
  } else {
    const parsed = ownerName(lx.value, ctx.origin);
    if (typeof parsed === 'string') {
      ctx.owner = undefined;
      ctx.ownerBroken = true;
      lx.skipEntry();
      if (!s.lexErrors(ctx, lx.errors)) s.error(ctx, line, parsed);
      return;
    }
    owner = parsed;
    ctx.owner = owner;
    ctx.ownerBroken = false;
    if (!lx.nextToken()) {
      if (!s.lexErrors(ctx, lx.errors)) s.error(ctx, line, `record "${lx.value}" has no type and data after the owner name`);
      return;
    }
  }
  ctx.originChanged = false;

  // [TTL] [class] in either order (RFC 1035 §5.1), then the type
  let ttl: number | undefined;
  let sawClass = false;
  let problem: string | undefined;
  for (let i = 0; i < 2; i++) {
    const v = lx.value;
    const c0 = v.charCodeAt(0);
    if (lx.quoted) break;
    if (c0 >= 0x30 && c0 <= 0x39) {
      if (ttl !== undefined) {
        problem = `a second TTL "${v}" where the type is expected`;
        break;
      }
      const t = parseTtl(v);
      if (!t.ok) {
        problem = t.message;
        break;
      }
      ttl = s.limitTtl(ctx, line, t.ttl, 'TTL');
    } else {
      const cls = v === 'IN' || v === 'in' ? RRClass.IN : mayBeClass(v) ? classCode(v) : undefined;
      if (cls === undefined) break;
      if (sawClass) {
        problem = `a second class "${v}" where the type is expected`;
        break;
      }
      if (cls !== RRClass.IN) {
        problem = `class "${v}" is not supported: meshdns serves class IN zones only`;
        break;
      }
      sawClass = true;
    }
    if (!lx.nextToken()) {
      problem = `record for "${nameToText(owner)}" ends before its type`;
      break;
    }
  }
  const typeText = lx.value;
  let type: number | undefined;
  if (problem === undefined) {
    type = lx.quoted ? undefined : typeCode(typeText);
    if (lx.quoted) problem = `quoted string "${typeText}" where the RR type is expected`;
    else if (type === undefined) problem = `unknown RR type "${typeText}"`;
    else if (isMetaType(type)) problem = `RR type "${typeText}" is a query or meta type and cannot appear in a zone (RFC 6895 §3.1)`;
  }
  if (problem !== undefined || type === undefined) {
    lx.skipEntry();
    if (!s.lexErrors(ctx, lx.errors)) s.error(ctx, lx.tokenLine, problem ?? 'no type');
    return;
  }
  const tokens = lx.rest();
  if (s.lexErrors(ctx, lx.errors)) return;
  addRecord(s, ctx, line, owner, ttl, type, tokens);
}

const DIRECTIVES = new Set(['$ORIGIN', '$TTL', '$INCLUDE', '$GENERATE']);

/** Converts the rdata and stores the record with its TTL; reports rdata errors at the best line. */
export function addRecord(
  s: ParseSession, ctx: FileContext, line: number, owner: WireName, explicitTtl: number | undefined,
  type: number, tokens: readonly LexToken[], prefix = '',
): void {
  let rdata: Uint8Array;
  try {
    rdata = rdataFromText(type, tokens, { origin: ctx.origin });
  } catch (e: unknown) {
    if (e instanceof RdataError || e instanceof NameError) {
      s.error(ctx, errorLine(e.message, tokens, line), prefix + e.message);
      return;
    }
    throw e;
  }
  const ttl = s.resolveTtl(ctx, line, explicitTtl, type, rdata);
  s.table.add(owner, type, ttl, rdata, ctx.display, line);
}

/** In a multi-line entry, the line of the token that the message quotes, else the entry's line. */
function errorLine(message: string, tokens: readonly LexToken[], line: number): number {
  const last = tokens[tokens.length - 1];
  if (last === undefined || last.line === line) return line;
  const q = message.indexOf('"');
  const q2 = q < 0 ? -1 : message.indexOf('"', q + 1);
  if (q2 < 0) return line;
  const quoted = message.slice(q + 1, q2);
  for (const t of tokens) if (t.value === quoted) return t.line;
  return line;
}

let lastOwnerText = '';
let lastOwnerOrigin: WireName | undefined;
let lastOwner: WireName | undefined;

/** The owner as a wire name, or the problem as a message. Repeated spellings share one object. */
function ownerName(text: string, origin: WireName): WireName | string {
  if (text === lastOwnerText && origin === lastOwnerOrigin && lastOwner !== undefined) return lastOwner;
  try {
    const name = parseOwnerName(text, origin);
    lastOwnerText = text;
    lastOwnerOrigin = origin;
    lastOwner = name;
    return name;
  } catch (e: unknown) {
    if (e instanceof NameError) return text === '' ? 'owner name is empty' : `owner ${e.message}`;
    throw e;
  }
}

/**
 * Whether a token could be a class: IN, CH, HS, ANY, NONE or CLASSnnn, by length and first letter.
 * Most tokens asked are types (A, AAAA, NS...), and this spares them a map lookup each.
 */
function mayBeClass(text: string): boolean {
  const c = text.charCodeAt(0) | 0x20;
  switch (text.length) {
    case 2:
      return c === 0x69 /* i */ || c === 0x63 /* c */ || c === 0x68 /* h */;
    case 3:
      return c === 0x61 /* a */;
    case 4:
      return c === 0x6e /* n */;
    default:
      return text.length > 5 && c === 0x63 /* c */;
  }
}

const typeCache = new Map<string, number | undefined>();
const classCache = new Map<string, number | undefined>();

/** Class code of a mnemonic or CLASSnnn, cached per spelling (most tokens asked are types). */
export function classCode(text: string): number | undefined {
  let code = classCache.get(text);
  if (code === undefined && !classCache.has(text)) {
    code = classFromText(text);
    if (classCache.size < 4096) classCache.set(text, code);
  }
  return code;
}

/** Type code of a mnemonic or TYPEnnn (RFC 3597 §5), cached per spelling. */
export function typeCode(text: string): number | undefined {
  let code = typeCache.get(text);
  if (code === undefined && !typeCache.has(text)) {
    code = typeFromText(text);
    if (typeCache.size < 4096) typeCache.set(text, code);
  }
  return code;
}
