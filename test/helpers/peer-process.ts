// What the throw-away peer servers of the tests (knotd, named, nsd) share: starting checks, output
// capture, waiting for their zones, and stopping them with whatever they forked.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { buildQuery, queryUdp } from './dns-client.js';

/** Whether the peer's binary runs at all (its version flag exits 0). */
export function toolRuns(command: string, versionFlag: string): boolean {
  const probe = spawnSync(command, [versionFlag], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** A running peer server, as every helper hands it to a test. */
export interface PeerServer {
  port: number;
  /** The temp directory holding its config and every state file (removed by stop()). */
  dir: string;
  confPath: string;
  /** Everything it wrote to stdout and stderr so far. */
  logs(): string;
  /** True while the process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** A quoted string for the peers' config files: knot.conf, named.conf and nsd.conf all read JSON's escapes. */
export function confString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Config lines a test adds, under `pad`, blank lines dropped. Each line keeps its own indentation
 * beneath the pad: knot.conf is YAML, where it is the nesting (named.conf and nsd.conf ignore it).
 */
export function indentConf(lines: string | undefined, pad: string): string {
  if (lines === undefined || lines.trim() === '') return '';
  return lines.split('\n').filter((l) => l.trim() !== '').map((l) => `${pad}${l.trimEnd()}\n`).join('');
}

/** The origin with its trailing dot, as the peers' configs and SOA checks want it. */
export function absoluteOrigin(origin: string): string {
  return origin.endsWith('.') ? origin : `${origin}.`;
}

/** True when the server answers SOA for the origin with AA set over UDP. */
export async function soaAnswered(port: number, origin: string): Promise<boolean> {
  const response = await queryUdp(port, buildQuery({ qname: origin, qtype: 'SOA', id: 0x5a5b }), 300);
  if (response === null || response.length < 12) return false;
  const rcode = response[3]! & 0x0f;
  const aa = (response[2]! & 0x04) !== 0;
  const ancount = response.readUInt16BE(6);
  return rcode === 0 && aa && ancount > 0;
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * SIGTERM to the child's process group (it was spawned detached, so the group is its own and holds
 * whatever it forked), SIGKILL after a grace period.
 */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signal('SIGTERM');
    if (!(await waitExit(child, graceMs))) {
      signal('SIGKILL');
      await waitExit(child, 2_000);
    }
  }
  // a forked helper that outlived its parent
  signal('SIGKILL');
}

/** Collects a child's output and lets callers wait for a line. */
export function captureOutput(child: ChildProcess): { text(): string; waitFor(pattern: RegExp, timeoutMs: number, what: string): Promise<string> } {
  let output = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = output.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    text: () => output,
    waitFor(pattern, timeoutMs, what) {
      const line = output.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1);
          reject(new Error(`${what}: no log line matching ${pattern} within ${timeoutMs} ms; log so far:\n${output}`));
        }, timeoutMs);
        const entry = { pattern, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
        waiters.push(entry);
      });
    },
  };
}


/**
 * Waits until the peer answers SOA for every origin (authoritatively), failing early with its log
 * when it exits or cannot be started, or when the deadline passes.
 */
export async function awaitZones(
  name: string, child: ChildProcess, port: number, origins: string[], deadline: number, logs: () => string, spawnError: () => Error | undefined,
): Promise<void> {
  const pending = [...origins];
  while (pending.length > 0) {
    const error = spawnError();
    if (error !== undefined) throw error;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${logs()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} did not load zone(s) ${pending.map((o) => `"${o}"`).join(', ')} in time:\n${logs()}`);
    }
    if (await soaAnswered(port, pending[0]!)) pending.shift();
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
