// The long-lived children of the Kubernetes harness (etcd, kube-apiserver): started so that they die
// with the test process, however it ends, and stopped by PID with SIGKILL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { waitExit } from './peer-process.js';

const running = new Set<ChildProcess>();
const foldersToRemove = new Set<string>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // 'exit' also runs after an uncaught exception; listeners may only do synchronous work.
  process.on('exit', () => {
    for (const child of running) killQuietly(child);
    for (const dir of foldersToRemove) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
}

/** Removes `dir` when the test process exits, after its children are killed (until forgetFolder). */
export function removeFolderOnExit(dir: string): void {
  installExitHandler();
  foldersToRemove.add(dir);
}

export function forgetFolder(dir: string): void {
  foldersToRemove.delete(dir);
}

function killQuietly(child: ChildProcess): void {
  try {
    child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

/** setpriv (util-linux) sets the parent-death signal, then execs the binary under the same PID. */
function pdeathsigAvailable(): boolean {
  const probe = spawnSync('setpriv', ['--pdeathsig', 'SIGKILL', 'true'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}
let pdeathsig: boolean | undefined;

export interface HarnessChild {
  readonly process: ChildProcess;
  readonly logFile: string;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
  /** True while it runs. */
  alive(): boolean;
  /** SIGKILL and wait for the exit (SIGTERM would wait ~60 s for open watches to drain). */
  kill(): Promise<void>;
}

/**
 * Starts `command` with its output appended to `logFile`. The kernel kills it with SIGKILL when the
 * test process dies (even by SIGKILL, where no exit handler runs); an exit handler does the same
 * where setpriv is missing.
 */
export function startHarnessChild(command: string, args: string[], logFile: string): HarnessChild {
  installExitHandler();
  pdeathsig ??= pdeathsigAvailable();
  const log = openSync(logFile, 'a');
  const [file, argv] = pdeathsig ? ['setpriv', ['--pdeathsig', 'SIGKILL', command, ...args]] : [command, args];
  const child = spawn(file, argv, { stdio: ['ignore', log, log] });
  closeSync(log);
  running.add(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
    running.delete(child);
  });
  child.once('exit', () => running.delete(child));
  const alive = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  return {
    process: child,
    logFile,
    alive,
    logTail(lines = 30) {
      let text = '';
      try {
        text = readFileSync(logFile, 'utf8');
      } catch {
        // not written yet
      }
      const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
      return spawnError === undefined ? tail : `${spawnError.message}\n${tail}`;
    },
    async kill() {
      if (!alive()) return;
      killQuietly(child);
      await waitExit(child, 10_000);
    },
  };
}

/** Polls `check` every `intervalMs` until it returns true; throws `describe()` after `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, describe: () => string, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
