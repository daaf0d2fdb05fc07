import type { WireName } from '../name.js';
import type { ParsedRecord } from '../record.js';
import { RecordTable, withLazyRecords } from '../table/record-table.js';
import { RRType } from '../rrtype.js';
import { soaTimers } from '../soa.js';
import type { LexError } from './lexer.js';
import { MAX_TTL } from './ttl.js';

/** One finding about a zone, with where it is. Line 0 means the whole file or zone. */
export interface ZoneProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  message: string;
}

export interface ParseOptions {
  /** The zone's origin: relative names are completed with it until a $ORIGIN changes it. */
  origin: WireName;
  /** Name of the file for messages; $INCLUDE paths are relative to its directory. */
  file: string;
  /** $INCLUDE may only read files under this folder (default: the directory of `file`). */
  includeRoot?: string;
  /** A $TTL in force from the start of the file (without it, BIND's rules apply). */
  defaultTtl?: number;
  /** Most records one $GENERATE may make (limits.generateRecords). */
  maxGenerate?: number;
  /** Most records $GENERATE may bring the whole parse to (text sent through the API). */
  maxRecords?: number;
}

export interface ParseResult {
  /** The records in file order, as columns (what the checks and the first import read). */
  table: RecordTable;
  problems: ZoneProblem[];
  /** The same records as objects, made on first use. */
  readonly records: ParsedRecord[];
}

/** A parse result; its `records` are made from the table only when someone asks for them. */
export function parseResult(table: RecordTable, problems: ZoneProblem[]): ParseResult {
  return withLazyRecords({ table, problems });
}

/** Per-file state: RFC 1035 §5.1 says origin and current owner revert after an $INCLUDE. */
export interface FileContext {
  /** File name as shown in messages. */
  display: string;
  /** Absolute directory of the file, for relative $INCLUDE paths. */
  dir: string;
  origin: WireName;
  /** The owner that a line starting with whitespace inherits. */
  owner: WireName | undefined;
  /** The last owner was bad and reported: lines inheriting it are skipped quietly. */
  ownerBroken: boolean;
  /** A $ORIGIN came since the last record (BIND warns when the next record inherits an owner). */
  originChanged: boolean;
}

/** State shared across a file and everything it includes. */
export class ParseSession {
  readonly table = new RecordTable();
  readonly problems: ZoneProblem[] = [];
  /** $TTL (RFC 2308), or the SOA MINIMUM when the SOA had to stand in for it. Global like BIND's. */
  defaultTtl: number | undefined;
  /** TTL of the previous record (RFC 1035 semantics when there is no $TTL). */
  lastTtl: number | undefined;
  /** Real paths of the files being read, outermost first (to refuse $INCLUDE loops). */
  readonly stack: string[] = [];
  private warned1035 = false;

  constructor(
    readonly includeRoot: string,
    defaultTtl: number | undefined,
    /** Most records one $GENERATE may make. */
    readonly maxGenerate: number,
    /** Most records $GENERATE may bring the table to. */
    readonly maxRecords = Number.POSITIVE_INFINITY,
  ) {
    this.defaultTtl = defaultTtl;
  }

  error(ctx: FileContext, line: number, message: string): void {
    this.problems.push({ severity: 'error', file: ctx.display, line, message });
  }

  warning(ctx: FileContext, line: number, message: string): void {
    this.problems.push({ severity: 'warning', file: ctx.display, line, message });
  }

  /** Reports the lexer's errors for an entry; true when there were any (the entry is dropped). */
  lexErrors(ctx: FileContext, errors: readonly LexError[]): boolean {
    for (const e of errors) this.error(ctx, e.line, e.message);
    return errors.length > 0;
  }

  /** RFC 2181 §8: a TTL above 2^31-1 is taken as zero (BIND does the same, with a warning). */
  limitTtl(ctx: FileContext, line: number, ttl: number, what: string): number {
    if (ttl <= MAX_TTL) return ttl;
    this.warning(ctx, line, `${what} ${ttl} is above ${MAX_TTL} (RFC 2181 §8); using 0`);
    return 0;
  }

  /**
   * The TTL of a record, by BIND's rules: explicit, else $TTL, else the previous record's TTL,
   * else (the first record, no $TTL) the SOA MINIMUM with a warning, or an error for other types.
   */
  resolveTtl(ctx: FileContext, line: number, explicit: number | undefined, type: number, rdata: Uint8Array): number {
    if (explicit !== undefined) {
      this.lastTtl = explicit;
      return explicit;
    }
    if (this.defaultTtl !== undefined) {
      this.lastTtl = this.defaultTtl;
      return this.defaultTtl;
    }
    if (this.lastTtl !== undefined) {
      if (!this.warned1035) {
        this.warned1035 = true;
        this.warning(ctx, line, `no $TTL in the zone; records without a TTL take the previous record's TTL (RFC 1035 semantics)`);
      }
      return this.lastTtl;
    }
    if (type === RRType.SOA) {
      const min = this.limitTtl(ctx, line, soaTimers(rdata).minimum, 'SOA MINIMUM');
      this.warning(ctx, line, `no TTL specified and no $TTL before the SOA; using the SOA MINIMUM "${min}"`);
      this.defaultTtl = min;
      this.lastTtl = min;
      return min;
    }
    this.error(ctx, line, `no TTL specified and no $TTL before this record`);
    return 0;
  }
}
