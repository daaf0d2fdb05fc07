import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { ExitStatus, newProgram, runCommand } from './program.js';
import { NameError, nameToText, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaSerial } from '../../zones/soa.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import type { ZoneProblem } from '../../zones/zonefile/parser.js';

const ABOUT = `Checks a zone file as the server would load it (syntax, $INCLUDE, $GENERATE, semantic checks),
like kzonecheck or named-checkzone. The origin defaults to the file name without ".zone".
Problems go to stderr as "file:line: error|warning: message"; exit status 0 when there is no error.`;

export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CheckIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `meshdns check FILE [--origin NAME]`; sets the exit status (1 when the zone has an error). */
export function registerCheck(program: Command, io: CheckIo = processIo): void {
  program.command('check').summary('check a zone file as the server would load it').description(ABOUT)
    .argument('<FILE>', 'the zone file')
    .option('-o, --origin <NAME>', 'the zone\'s origin (default: the file name without .zone)')
    .option('--json', 'print the outcome and every problem as JSON on stdout instead')
    .action((file: string, o: { origin?: string; json?: boolean }) => {
      const status = checkZoneFile(file, o.origin, io, o.json === true);
      if (status !== 0) throw new ExitStatus(status);
    });
}

/** `meshdns check ARGS...` on its own (tests): resolves to the exit status. */
export function runCheck(argv: readonly string[], io: CheckIo = processIo): Promise<number> {
  const withEnv = { ...io, env: process.env };
  const program = newProgram(withEnv);
  registerCheck(program, io);
  return runCommand(program, ['check', ...argv], withEnv);
}

/** Checks one zone file; prints the problems and a summary. Returns the exit status. */
export function checkZoneFile(file: string, originText: string | undefined, io: CheckIo = processIo, json = false): number {
  originText ??= defaultOrigin(file);
  let origin: WireName;
  try {
    origin = parseName(originText.endsWith('.') ? originText : `${originText}.`);
  } catch (e: unknown) {
    if (!(e instanceof NameError)) throw e;
    io.err(`meshdns check: origin "${originText}" is not a valid zone name: ${e.message}\n`);
    return 1;
  }

  const zone = loadZoneFile(file, origin, dirname(file));
  const errors = zone.problems.filter((p) => p.severity === 'error').length;
  const warnings = zone.problems.length - errors;
  const name = nameToText(origin);
  let serial: number | undefined;
  const { table } = zone;
  for (let i = 0; errors === 0 && i < table.count; i++) {
    if (table.type[i] === RRType.SOA && table.dropped[i] === 0) {
      serial = soaSerial(table.rdata(i));
      break;
    }
  }
  if (json) {
    const problems = zone.problems.map((p) => ({ file: p.file, line: p.line, severity: p.severity, message: p.message }));
    io.out(`${JSON.stringify({ zone: name, file, loaded: errors === 0, serial: serial ?? null, records: errors === 0 ? table.liveCount : null, errors, warnings, problems }, null, 2)}\n`);
    return errors > 0 ? 1 : 0;
  }
  for (const p of zone.problems) io.err(formatProblem(p));
  if (errors > 0) {
    io.out(`zone ${name}: not loaded: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
    return 1;
  }
  io.out(`zone ${name}: loaded serial ${serial ?? '?'}, ${plural(table.liveCount, 'record')}, ${plural(warnings, 'warning')}\n`);
  return 0;
}

/** `file:line: severity: message`, or `file: severity: message` for the whole file. */
export function formatProblem(p: ZoneProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.severity}: ${p.message}\n`;
}

/** kzonecheck's rule: the file name without a trailing ".zone", as an absolute name. */
export function defaultOrigin(file: string): string {
  let base = basename(file);
  if (base.endsWith('.zone')) base = base.slice(0, -'.zone'.length);
  return base.endsWith('.') ? base : `${base}.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
