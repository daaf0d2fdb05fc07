import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { NameError, parseName, type WireName } from '../name.js';
import { readGenerate } from './generate.js';
import { NotRegularFileError, readRegularFile } from './read-file.js';
import type { LexToken, ZoneLexer } from './lexer.js';
import type { FileContext, ParseSession } from './session.js';
import { parseTtl } from './ttl.js';

/** Parses the text of one file (the parser's main loop), for $INCLUDE. */
export type ParseText = (s: ParseSession, ctx: FileContext, text: string) => void;

/** Deeper nesting than this is refused even without a loop. */
const MAX_INCLUDE_DEPTH = 20;

/**
 * A `$` entry: $ORIGIN and $INCLUDE (RFC 1035 §5.1), $TTL (RFC 2308 §4), $GENERATE (BIND).
 * Directive names are case-insensitive, as in BIND. The lexer stands on the directive's name.
 */
export function readDirective(s: ParseSession, ctx: FileContext, lx: ZoneLexer, parseText: ParseText): void {
  const directive = lx.value;
  const name = directive.toUpperCase();
  const line = lx.line;
  const args = lx.rest();
  if (s.lexErrors(ctx, lx.errors)) return;
  switch (name) {
    case '$ORIGIN':
      return origin(s, ctx, line, args);
    case '$TTL':
      return ttl(s, ctx, line, args);
    case '$INCLUDE':
      return include(s, ctx, line, args, parseText);
    case '$GENERATE':
      return readGenerate(s, ctx, line, args);
    default:
      s.error(ctx, line, `unknown directive "${directive}" (known: $ORIGIN, $TTL, $INCLUDE, $GENERATE; ` +
        `an owner name starting with "$" must be written "\\$")`);
  }
}

function origin(s: ParseSession, ctx: FileContext, line: number, args: LexToken[]): void {
  const arg = args[0];
  if (arg === undefined) return s.error(ctx, line, '$ORIGIN needs a domain name');
  if (tooMany(s, ctx, '$ORIGIN', args, 1)) return;
  const name = nameArg(s, ctx, '$ORIGIN', arg);
  if (name === undefined) return;
  ctx.origin = name;
  ctx.originChanged = true;
}

function ttl(s: ParseSession, ctx: FileContext, line: number, args: LexToken[]): void {
  const arg = args[0];
  if (arg === undefined) return s.error(ctx, line, '$TTL needs a TTL value');
  if (tooMany(s, ctx, '$TTL', args, 1)) return;
  const t = parseTtl(arg.value, '$TTL');
  if (!t.ok) return s.error(ctx, arg.line, t.message);
  const v = s.limitTtl(ctx, line, t.ttl, '$TTL');
  s.defaultTtl = v;
  s.lastTtl = v;
}

/** `$INCLUDE file [origin]`: the path is relative to the including file and must stay in the root. */
function include(s: ParseSession, ctx: FileContext, line: number, args: LexToken[], parseText: ParseText): void {
  const fileArg = args[0];
  if (fileArg === undefined || fileArg.value === '') return s.error(ctx, line, '$INCLUDE needs a file name');
  if (tooMany(s, ctx, '$INCLUDE', args, 2)) return;
  let childOrigin = ctx.origin;
  const originArg = args[1];
  if (originArg !== undefined) {
    const o = nameArg(s, ctx, '$INCLUDE origin', originArg);
    if (o === undefined) return;
    childOrigin = o;
  }
  const path = fileArg.value;
  const target = resolve(ctx.dir, path);
  let real: string;
  try {
    real = realpathSync(target);
  } catch (e: unknown) {
    return s.error(ctx, line, `$INCLUDE file "${path}" cannot be read: ${reason(e)}`);
  }
  const rel = relative(s.includeRoot, real);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) {
    return s.error(ctx, line, `$INCLUDE file "${path}" resolves to "${real}", outside the include root "${s.includeRoot}"`);
  }
  const loopAt = s.stack.indexOf(real);
  if (loopAt >= 0) {
    const chain = [...s.stack.slice(loopAt), real].map((p) => relative(s.includeRoot, p) || p).join(' → ');
    return s.error(ctx, line, `$INCLUDE file "${path}" is already being read: include loop ${chain}`);
  }
  if (s.stack.length >= MAX_INCLUDE_DEPTH) {
    return s.error(ctx, line, `$INCLUDE file "${path}" is nested more than ${MAX_INCLUDE_DEPTH} levels deep`);
  }
  let text: string;
  try {
    text = readRegularFile(real).toString('utf8');
  } catch (e: unknown) {
    return s.error(ctx, line, `$INCLUDE file "${path}" cannot be read: ${reason(e)}`);
  }
  // RFC 1035 §5.1: the included file starts with the given origin; origin and owner revert after it.
  // BIND lets the first lines of the included file inherit the current owner.
  const child: FileContext = {
    display: isAbsolute(path) ? path : join(dirname(ctx.display), path),
    dir: dirname(real),
    origin: childOrigin,
    owner: ctx.owner,
    ownerBroken: ctx.ownerBroken,
    originChanged: originArg !== undefined,
  };
  s.stack.push(real);
  try {
    parseText(s, child, text);
  } finally {
    s.stack.pop();
  }
}

function nameArg(s: ParseSession, ctx: FileContext, what: string, arg: LexToken): WireName | undefined {
  try {
    return parseName(arg.value, ctx.origin);
  } catch (e: unknown) {
    if (!(e instanceof NameError)) throw e;
    s.error(ctx, arg.line, `${what} "${arg.value}" is not a valid domain name: ${e.message}`);
    return undefined;
  }
}

function tooMany(s: ParseSession, ctx: FileContext, what: string, args: LexToken[], max: number): boolean {
  const extra = args[max];
  if (extra === undefined) return false;
  s.error(ctx, extra.line, `${what} takes ${max === 1 ? 'one argument' : `at most ${max} arguments`}; unexpected "${extra.value}"`);
  return true;
}

function reason(e: unknown): string {
  if (e instanceof NotRegularFileError) return e.message;
  if (e instanceof Error && 'code' in e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'it is a directory';
    return String(code);
  }
  return e instanceof Error ? e.message : String(e);
}
