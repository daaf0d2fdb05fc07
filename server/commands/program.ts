import { Command, CommanderError, type Help, type Option } from 'commander';
import { ConfigError } from '../config/error.js';

/** A command used the wrong way (missing or bad argument): exit status 2, as before commander. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What failed on the way (the server refused, a file cannot be read): exit status 1. */
export class CommandError extends Error {
  override name = 'CommandError';

  constructor(message: string, readonly status?: number, readonly field?: string) {
    super(message);
  }
}

/**
 * meshdns's commander Command: errors are one line `meshdns <command>: message` (`meshdns: message`
 * for serve, whose messages are the server's own), usage mistakes exit 2, and a missing argument
 * is named as the usage line names it ("keys list needs a ZONE").
 */
export class MeshCommand extends Command {
  override createCommand(name?: string): MeshCommand {
    return new MeshCommand(name);
  }

  /** `zone set`: the command's names below the program. */
  path(): string {
    const names: string[] = [];
    for (let c: Command | null = this; c?.parent; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  }

  /** `meshdns zone`, or `meshdns` for the program and serve. */
  prefix(): string {
    const top = this.path().split(' ')[0] ?? '';
    return top === '' || top === 'serve' ? 'meshdns' : `meshdns ${top}`;
  }

  // (commander calls this for a missing <ARG>; its own message is "missing required argument 'ZONE'")
  missingArgument(name: string): never {
    return this.error(`${this.path()} needs a ${name}`, { code: 'commander.missingArgument', exitCode: 2 });
  }

  override error(message: string, options?: { code?: string; exitCode?: number }): never {
    return super.error(`${this.prefix()}: ${message.replace(/^error: /, '')}`, { ...options, exitCode: options?.exitCode ?? 2 });
  }
}

/** Options written as `--config FILE` in help, as man pages and knotc do, not `--config <FILE>`. */
export function helpStyle(): Partial<Help> {
  return {
    optionTerm: (option: Option) => option.flags.replace(/<([^>]+)>/g, '$1'),
    sortSubcommands: false,
  };
}

/** The connection options of every command that talks to a running server. */
export interface ConnectionOptions {
  server?: string;
  token?: string;
  tokenFile?: string;
  config?: string;
  data?: string;
  json?: boolean;
}

export function withConnection(cmd: Command, json = true): Command {
  cmd
    .option('--server <URL>', 'the admin API (default: admin.listen of the config, else 127.0.0.1:8053)')
    .option('--token <TOKEN>', 'the API token (else --token-file, MESHDNS_API_TOKEN, the config\'s admin.token/tokenFile, <data>/admin.token)')
    .option('--token-file <FILE>', 'read the API token from FILE')
    .option('-c, --config <FILE>', 'the server\'s meshdns.yaml (default: ./meshdns.yaml when there is one)')
    .option('--data <DIR>', 'the server\'s data folder, where it keeps a generated admin.token');
  if (json) cmd.option('--json', 'print JSON for scripts instead of text for people');
  return cmd;
}

/** Where output goes (tests of the commands' text give their own). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

/** Prints `value` as JSON with --json, else the human text. */
export function printer(io: Io, json: boolean | undefined) {
  return (value: unknown, human: () => string): void => io.out(json ? `${JSON.stringify(value, null, 2)}\n` : human());
}

/** Rows as aligned columns, the first row the header; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** A program with meshdns's settings and no commands yet (commander copies settings into commands made after). */
export function newProgram(io: Io = processIo): MeshCommand {
  return new MeshCommand('meshdns')
    .helpOption('-h, --help', 'print the help of a command')
    .configureHelp(helpStyle())
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(text) })
    .showHelpAfterError('(--help after a command shows its usage)')
    .exitOverride();
}

/**
 * Runs one command line; resolves to the exit status: 0, 1 when something failed (a server
 * refusal, a bad file, an unreachable server), 2 for a usage mistake. Operator errors are one
 * line `meshdns <command>: message`; anything else is a bug and keeps its stack (the caller prints it).
 */
export async function runCommand(program: MeshCommand, argv: readonly string[], io: Io = processIo): Promise<number> {
  let running: MeshCommand = program;
  program.hook('preAction', (_program, action) => {
    running = action as MeshCommand;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; help printed because a command was missing is a usage mistake
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return err.code === 'commander.help' ? (err.exitCode === 0 ? 0 : 2) : err.exitCode;
    }
    if (err instanceof ExitStatus) return err.status;
    const e = err as Error & { code?: unknown };
    const operator = err instanceof UsageError || err instanceof CommandError || err instanceof ConfigError ||
      (typeof e.code === 'string' && e.code.startsWith('MESHDNS_ERR'));
    if (!operator) throw err;
    io.err(`${running.prefix()}: ${e.message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** A command that printed its own outcome and only needs this exit status (check with errors). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}
