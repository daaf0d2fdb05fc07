import { checkTable } from './checks.js';
import type { WireName } from '../name.js';
import type { ParsedRecord } from '../record.js';
import { RecordTable, withLazyRecords } from '../table/record-table.js';
import { parseZoneFile, type ZoneProblem } from '../zonefile/parser.js';

export interface LoadedZoneFile {
  /** The zone's records after the checks (duplicates marked dropped, RRset TTLs made equal). */
  table: RecordTable;
  /** The records that remain, as objects, made on first use. */
  readonly records: ParsedRecord[];
  /** Parse problems then semantic problems, each with file:line. */
  problems: ZoneProblem[];
  /** No errors: the zone may be loaded (warnings do not stop it). */
  ok: boolean;
}

export interface LoadOptions {
  /** Name shown in messages (default: `path` as given). */
  file?: string;
  /** A $TTL in force from the start of the file. */
  defaultTtl?: number;
  /** Most records one $GENERATE may make (limits.generateRecords). */
  maxGenerate?: number;
}

/**
 * Reads a zone file the way the server and `meshdns check` do: parse (with $INCLUDE confined to
 * `includeRoot`, by default the file's directory), then the semantic checks of checks.ts.
 */
export function loadZoneFile(path: string, origin: WireName, includeRoot?: string, opts: LoadOptions = {}): LoadedZoneFile {
  const parseOpts: Parameters<typeof parseZoneFile>[1] = { origin };
  if (includeRoot !== undefined) parseOpts.includeRoot = includeRoot;
  if (opts.file !== undefined) parseOpts.file = opts.file;
  if (opts.defaultTtl !== undefined) parseOpts.defaultTtl = opts.defaultTtl;
  if (opts.maxGenerate !== undefined) parseOpts.maxGenerate = opts.maxGenerate;
  const parsed = parseZoneFile(path, parseOpts);
  // an unreadable file has nothing to check; "no SOA" would only add noise
  if (parsed.problems.some((p) => p.line === 0 && p.severity === 'error')) {
    return loaded(new RecordTable(), parsed.problems);
  }
  const problems = [...parsed.problems, ...checkTable(origin, parsed.table, opts.file ?? path)];
  return loaded(parsed.table, problems);
}

function loaded(table: RecordTable, problems: ZoneProblem[]): LoadedZoneFile {
  return withLazyRecords({ table, problems, ok: !problems.some((p) => p.severity === 'error') });
}
