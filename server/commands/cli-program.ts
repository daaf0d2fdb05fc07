import { readFileSync } from 'node:fs';
import { registerAgent } from './agent.js';
import { registerCheck } from './check.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerKeys } from './keys.js';
import { newProgram, processIo, runCommand, type Io, type MeshCommand } from './program.js';
import { registerServe } from './serve.js';
import { registerTls } from './tls.js';
import { registerZone } from './zone.js';

/** The version in package.json (three folders up from dist/server/commands/). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The whole `meshdns` command tree. */
export function buildProgram(io: Io = processIo): MeshCommand {
  const program = newProgram(io)
    .description('meshdns: an authoritative DNS server, and the tools to run it.')
    .version(`meshdns ${packageVersion()}`, '-V, --version', 'print the version');
  registerServe(program);
  registerZone(program, io);
  registerKeys(program, io);
  registerConfig(program, io);
  registerCheck(program, io);
  registerTls(program, io);
  registerAgent(program, io);
  registerCompletion(program, io);
  return program;
}

/** `meshdns ARGS...` → its exit status. */
export function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runCommand(buildProgram(io), argv, io);
}
