#!/usr/bin/env node
/**
 * The `meshdns` command.
 *
 * `serve` first caps V8's young generation. V8 sizes it from the machine's memory, and on a 24 GiB
 * host it grows to 128 MiB under query load: most of a serving process's anonymous memory, where
 * the query path keeps a few MiB alive between collections. The cap (--max-semi-space-size=16, a
 * 32 MiB young generation) must be a flag to node itself, so the process replaces itself with the
 * same command plus the flag (execve: same PID, same stdio, ~50 ms). A --max-semi-space-size of the
 * operator's own, on the command line or in NODE_OPTIONS, is left alone.
 *
 * It first checks the Node version (one line instead of a SyntaxError on an old Node). Then,
 * before anything else loads, Node's compile cache is switched on (it keeps compiled code of
 * meshdns and its dependencies in the OS temp folder): a start compiles ~65 ms less, which matters
 * for a restart and on a one-CPU host where a first import shares the core with the start.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off; a read-only temp folder just means no cache. The
 * zone-loader process inherits both through its execArgv and NODE_COMPILE_CACHE.
 */
import { unsupportedNode } from './node-version.js';

// an older Node would fail on a missing API with a stack trace: say what is needed instead
const tooOld = unsupportedNode(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}
const { enableCompileCache } = await import('node:module');

const YOUNG_GENERATION_FLAG = '--max-semi-space-size';
const chosen = (flags: readonly string[]): boolean => flags.some((f) => f.startsWith(YOUNG_GENERATION_FLAG));
if (
  process.argv[2] === 'serve' && process.execve !== undefined &&
  !chosen(process.execArgv) && !chosen((process.env['NODE_OPTIONS'] ?? '').split(/\s+/))
) {
  process.execve(process.execPath, [process.execPath, `${YOUNG_GENERATION_FLAG}=16`, ...process.execArgv, ...process.argv.slice(1)]);
}

const cache = enableCompileCache();
if (cache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] ??= cache.directory;
await import('./cli-main.js');
