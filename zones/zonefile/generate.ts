import { NameError } from '../name.js';
import { isMetaType, RRClass } from '../rrtype.js';
import { lexOneEntry, type LexToken } from './lexer.js';
import { parseOwnerName } from './owner-name.js';
import { addRecord, classCode, typeCode } from './record-line.js';
import type { FileContext, ParseSession } from './session.js';
import { parseTtl } from './ttl.js';

/**
 * BIND's `$GENERATE range lhs [ttl] [class] type rhs` (class and TTL in either order).
 * range is `start-stop[/step]`; in lhs and rhs `$` is the iterator, `${offset[,width[,base]]}`
 * formats it (bases d o x X n N; n/N print reversed nibbles with dots, as for ip6.arpa), and
 * `$$` or `\$` give a literal `$`. The rhs is one token (quote it if it has spaces); after
 * substitution it is read as the rdata of each record, exactly as BIND does.
 */

/** More records than this from one $GENERATE is refused unless configured otherwise (a /8 of PTRs). */
export const MAX_GENERATE = 1 << 24;

export class GenerateError extends Error {
  override name = 'GenerateError';
}

export function readGenerate(s: ParseSession, ctx: FileContext, line: number, args: LexToken[]): void {
  const [rangeTok, lhsTok] = args;
  if (rangeTok === undefined || lhsTok === undefined) {
    return s.error(ctx, line, '$GENERATE needs a range, an lhs, a type and an rhs');
  }
  const range = parseRange(rangeTok.value, s.maxGenerate);
  if (typeof range === 'string') return s.error(ctx, rangeTok.line, range);
  const count = Math.floor((range.stop - range.start) / range.step) + 1;
  if (s.table.count + count > s.maxRecords) {
    return s.error(ctx, rangeTok.line, `$GENERATE would bring the zone to ${s.table.count + count} records, more than the ${s.maxRecords} one request may carry (limits.recordsPerRequest)`);
  }

  let i = 2;
  let ttl: number | undefined;
  let sawClass = false;
  for (let k = 0; k < 2; k++) {
    const tok = args[i];
    if (tok === undefined || tok.quoted) break;
    const c0 = tok.value.charCodeAt(0);
    if (c0 >= 0x30 && c0 <= 0x39 && ttl === undefined) {
      const t = parseTtl(tok.value);
      if (!t.ok) return s.error(ctx, tok.line, `$GENERATE ${t.message}`);
      ttl = s.limitTtl(ctx, line, t.ttl, 'TTL');
    } else {
      const cls = classCode(tok.value);
      if (cls === undefined || sawClass) break;
      if (cls !== RRClass.IN) {
        return s.error(ctx, tok.line, `$GENERATE class "${tok.value}" is not supported: meshdns serves class IN zones only`);
      }
      sawClass = true;
    }
    i++;
  }
  const typeTok = args[i];
  const rhsTok = args[i + 1];
  if (typeTok === undefined || rhsTok === undefined) {
    return s.error(ctx, line, '$GENERATE needs a type and an rhs after the lhs');
  }
  const extra = args[i + 2];
  if (extra !== undefined) {
    return s.error(ctx, extra.line, `$GENERATE takes one rhs token; unexpected "${extra.value}" (quote an rhs that contains spaces)`);
  }
  const type = typeTok.quoted ? undefined : typeCode(typeTok.value);
  if (type === undefined) return s.error(ctx, typeTok.line, `$GENERATE unknown RR type "${typeTok.value}"`);
  if (isMetaType(type)) return s.error(ctx, typeTok.line, `$GENERATE RR type "${typeTok.value}" is a query or meta type`);

  for (let v = range.start; v <= range.stop; v += range.step) {
    let lhs: string;
    let rhs: string;
    try {
      lhs = substitute(lhsTok.value, v);
      rhs = substitute(rhsTok.value, v);
    } catch (e: unknown) {
      if (e instanceof GenerateError) return s.error(ctx, line, e.message);
      throw e;
    }
    let owner;
    try {
      owner = parseOwnerName(lhs, ctx.origin);
    } catch (e: unknown) {
      if (!(e instanceof NameError)) throw e;
      return s.error(ctx, line, `$GENERATE lhs "${lhsTok.value}" at ${v}: owner ${e.message}`);
    }
    const lexed = lexOneEntry(rhs, line);
    const lexError = lexed.errors[0];
    if (lexError !== undefined) return s.error(ctx, line, `$GENERATE rhs "${rhsTok.value}" at ${v}: ${lexError.message}`);
    const before = s.problems.length;
    addRecord(s, ctx, line, owner, ttl, type, lexed.tokens, `$GENERATE rhs "${rhsTok.value}" at ${v}: `);
    // one bad rhs is bad for every value: report it once
    if (s.problems.length > before && s.problems.some((p, j) => j >= before && p.severity === 'error')) return;
  }
}

interface Range {
  start: number;
  stop: number;
  step: number;
}

function parseRange(text: string, max: number): Range | string {
  const m = /^([0-9]{1,10})-([0-9]{1,10})(?:\/([0-9]{1,10}))?$/.exec(text);
  const bad = `$GENERATE range "${text}" is not valid`;
  if (!m) return `${bad}: expected start-stop or start-stop/step`;
  const start = Number(m[1]);
  const stop = Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (start > 0x7fffffff || stop > 0x7fffffff) return `${bad}: values must be at most 2147483647`;
  if (stop < start) return `${bad}: the start is above the stop`;
  if (step < 1) return `${bad}: the step must be at least 1`;
  if (Math.floor((stop - start) / step) + 1 > max) return `${bad}: it makes more than ${max} records (limits.generateRecords)`;
  return { start, stop, step };
}

const HEX = '0123456789abcdef0123456789ABCDEF';

/** BIND's genname(): expands `$`, `$$` and `${offset,width,base}`; `\X` is copied as written. */
export function substitute(template: string, it: number): string {
  let out = '';
  const n = template.length;
  let i = 0;
  while (i < n) {
    const c = template[i]!;
    if (c === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let offset = 0;
    let width = 0;
    let base = 'd';
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw new GenerateError(`$GENERATE modifier "${template.slice(i - 1)}" has no closing "}"`);
      const spec = template.slice(i + 1, close);
      const m = /^([+-]?[0-9]+)(?:,([0-9]+)(?:,([doxXnN]))?)?$/.exec(spec);
      if (!m) {
        throw new GenerateError(`$GENERATE modifier "\${${spec}}" is not valid: expected \${offset[,width[,base]]} with base d, o, x, X, n or N`);
      }
      offset = Number(m[1]);
      if (m[2] !== undefined) width = Number(m[2]);
      if (m[3] !== undefined) base = m[3];
      if (width > 255) throw new GenerateError(`$GENERATE modifier "\${${spec}}" has a width above 255`);
      i = close + 1;
    }
    const value = it + offset;
    if (value > 0x7fffffff) throw new GenerateError(`$GENERATE value ${it} with offset ${offset} is above 2147483647`);
    out += format(value, width, base);
  }
  return out;
}

function format(value: number, width: number, base: string): string {
  switch (base) {
    case 'd':
      return value < 0 ? '-' + String(-value).padStart(width - 1, '0') : String(value).padStart(width, '0');
    case 'o':
      return (value >>> 0).toString(8).padStart(width, '0');
    case 'x':
      return (value >>> 0).toString(16).padStart(width, '0');
    case 'X':
      return (value >>> 0).toString(16).toUpperCase().padStart(width, '0');
    default:
      return nibbles(value, width, base === 'N');
  }
}

/** BIND's nibbles(): least significant nibble first, dot separated; width counts dots too. */
function nibbles(value: number, width: number, upper: boolean): string {
  if (value < 0) throw new GenerateError(`$GENERATE value ${value} is negative; the nibble bases need 0 or more`);
  let out = '';
  let v = value;
  let w = width;
  do {
    out += HEX[(v & 0x0f) + (upper ? 16 : 0)]!;
    v >>>= 4;
    if (w > 0) w--;
    if (w > 0 || v !== 0) {
      out += '.';
      if (w > 0) w--;
    }
  } while (v !== 0 || w > 0);
  return out;
}
