import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readDirective } from './directives.js';
import { readRegularFile } from './read-file.js';
import { ZoneLexer } from './lexer.js';
import { readRecord } from './record-line.js';
import { MAX_GENERATE } from './generate.js';
import { parseResult, ParseSession, type FileContext, type ParseOptions, type ParseResult } from './session.js';
import { RecordTable } from '../table/record-table.js';

export type { ParseOptions, ParseResult, ZoneProblem } from './session.js';

/**
 * RFC 1035 §5 master files with RFC 2308 $TTL, RFC 3597 unknown types and BIND's $GENERATE.
 * Like kzonecheck it goes on after an error, so one run reports every problem; a problem never
 * throws (only a bug does). Records come out in file order, with the file:line they came from.
 */
export function parseZoneText(text: string, opts: ParseOptions): ParseResult {
  return parseZoneTextAt(text, opts, resolve(opts.file));
}

/** Reads and parses a zone file; an unreadable file is a problem at line 0, not an exception. */
export function parseZoneFile(path: string, opts: Omit<ParseOptions, 'file'> & { file?: string }): ParseResult {
  const file = opts.file ?? path;
  let text: string;
  try {
    text = readRegularFile(path).toString('utf8');
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    return parseResult(new RecordTable(), [{ severity: 'error', file, line: 0, message: `cannot read the zone file "${path}": ${why}` }]);
  }
  const parseOpts: ParseOptions = { origin: opts.origin, file };
  if (opts.includeRoot !== undefined) parseOpts.includeRoot = opts.includeRoot;
  else parseOpts.includeRoot = dirname(resolve(path));
  if (opts.defaultTtl !== undefined) parseOpts.defaultTtl = opts.defaultTtl;
  if (opts.maxGenerate !== undefined) parseOpts.maxGenerate = opts.maxGenerate;
  if (opts.maxRecords !== undefined) parseOpts.maxRecords = opts.maxRecords;
  // $INCLUDE paths are relative to the real file, whatever name it is shown with
  return parseZoneTextAt(text, parseOpts, resolve(path));
}

function parseZoneTextAt(text: string, opts: ParseOptions, path: string): ParseResult {
  const session = new ParseSession(realOrSelf(opts.includeRoot ?? dirname(path)), opts.defaultTtl, opts.maxGenerate ?? MAX_GENERATE, opts.maxRecords);
  const ctx: FileContext = {
    display: opts.file,
    dir: dirname(path),
    origin: opts.origin,
    owner: undefined,
    ownerBroken: false,
    originChanged: false,
  };
  session.stack.push(realOrSelf(path));
  parseText(session, ctx, text);
  return parseResult(session.table, session.problems);
}

/** The main loop over one file's entries; $INCLUDE comes back here for the included file. */
function parseText(s: ParseSession, ctx: FileContext, text: string): void {
  const lx = new ZoneLexer(text);
  while (lx.nextEntry()) {
    if (!lx.nextToken()) {
      // an entry of parentheses only, or one whose first token was lost to a syntax error
      s.lexErrors(ctx, lx.errors);
      continue;
    }
    if (!lx.blankOwner && !lx.quoted && lx.value.charCodeAt(0) === 0x24 /* $ */) {
      readDirective(s, ctx, lx, parseText);
      continue;
    }
    readRecord(s, ctx, lx);
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
