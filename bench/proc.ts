// Process plumbing for the benchmark: spawn pinned servers, read CPU time and RSS from /proc,
// wait for stdout lines, stop cleanly. Linux only.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { createInterface } from 'node:readline';

/** The server under test runs on this CPU, the client (dnsperf, nsupdate, the bench's own clients) on the other. */
export const SERVER_CPU = '0';
export const CLIENT_CPU = '1';

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface Pinned {
  readonly child: ChildProcess;
  readonly pid: number;
  /** performance.now() when spawn() was called. */
  readonly spawnedAt: number;
  /** The command line, as a shell would read it. */
  readonly commandLine: string;
  /** Resolves with the first stdout JSON line for which `match` returns true. */
  waitForJson(match: (o: Record<string, unknown>) => boolean, timeoutMs: number): Promise<{ line: Record<string, unknown>; at: number }>;
  /** Last stdout/stderr lines, for error reports. */
  tail(): string;
  /** undefined while running; otherwise how it ended and its last output. */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

let niceness: number | undefined;

/** Run benchmark processes (servers and dnsperf) at this nice level (e.g. -10 on a shared machine). */
export function setNiceness(n: number | undefined): void {
  niceness = n;
}

/** [executable, args] for `cmd args` pinned to `cpu` (and niced if asked); both exec, so the pid is cmd's. */
export function pinnedCommand(cpu: string, cmd: string, args: readonly string[]): [string, string[]] {
  const pinned = ['-c', cpu, cmd, ...args];
  return niceness === undefined ? ['taskset', pinned] : ['nice', ['-n', String(niceness), 'taskset', ...pinned]];
}

/** Spawn `cmd args` under `taskset -c cpu`. */
export function spawnPinned(cpu: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Pinned {
  const [exe, argv] = pinnedCommand(cpu, cmd, args);
  const spawnedAt = performance.now();
  const child = spawn(exe, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  if (child.pid === undefined) throw new Error(`could not spawn "${cmd}"`);
  const pid = child.pid;
  const lines: string[] = [];
  const waiters: Array<{ match: (o: Record<string, unknown>) => boolean; resolve: (v: { line: Record<string, unknown>; at: number }) => void }> = [];
  const keep = (l: string): void => {
    lines.push(l);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const at = performance.now();
    keep(l);
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch {
      return;
    }
    if (typeof o !== 'object' || o === null) return;
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!;
      if (w.match(o as Record<string, unknown>)) {
        waiters.splice(i--, 1);
        w.resolve({ line: o as Record<string, unknown>, at });
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', keep);
  let exited = false;
  const exit = new Promise<void>((res) => child.once('exit', () => { exited = true; res(); }));

  return {
    child,
    pid,
    spawnedAt,
    commandLine: shellQuote([exe, ...argv]),
    tail: () => lines.join('\n'),
    exitReason: () =>
      exited || child.exitCode !== null || child.signalCode !== null
        ? `"${cmd}" exited (code ${child.exitCode}, signal ${child.signalCode}); last output:\n${lines.join('\n')}`
        : undefined,
    waitForJson(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (v: { line: Record<string, unknown>; at: number }) => {
            done();
            resolve(v);
          },
        };
        const fail = (why: string): void => {
          done();
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${why}; last output of "${cmd}":\n${lines.join('\n')}`));
        };
        const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms waiting for a log line`), timeoutMs);
        const onExit = (): void => fail(`exited (code ${child.exitCode}) before the expected log line`);
        const done = (): void => {
          clearTimeout(timer);
          child.off('exit', onExit);
        };
        child.once('exit', onExit);
        waiters.push(waiter);
      });
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Pids of `pid` and all its descendants (worker processes count towards the server's cost). */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(e), Number(f[1]));
    } catch {
      // raced with an exit
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parentOf) if (pp === out[i]) out.push(p);
  return out;
}

/** utime+stime of one process (all its threads), in microseconds; 0 if it is gone. */
function cpuMicros(pid: number): number {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    // fields after "comm": state(3) ... utime(14) stime(15) → indexes 11, 12 here
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU time of a process tree, as a per-pid map (so processes that exit or appear are handled). */
export function cpuSnapshot(pid: number): Map<number, number> {
  return new Map(processTree(pid).map((p) => [p, cpuMicros(p)]));
}

/** CPU microseconds used by the tree between two snapshots. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let d = 0;
  for (const [p, us] of after) d += us - (before.get(p) ?? 0);
  return d;
}

export interface Memory {
  /** VmRSS of the main process, KiB. */
  readonly rssKiB: number;
  readonly anonKiB: number;
  readonly fileKiB: number;
  /** VmRSS summed over the process tree (workers included), KiB. */
  readonly treeRssKiB: number;
}

function statusKiB(pid: number): { rss: number; anon: number; file: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { rss: get('VmRSS'), anon: get('RssAnon'), file: get('RssFile') + get('RssShmem') };
  } catch {
    return { rss: 0, anon: 0, file: 0 };
  }
}

export function memory(pid: number): Memory {
  const main = statusKiB(pid);
  let tree = 0;
  for (const p of processTree(pid)) tree += statusKiB(p).rss;
  return { rssKiB: main.rss, anonKiB: main.anon, fileKiB: main.file, treeRssKiB: tree };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** CPU time of every user-space process (kernel threads excluded), per pid. */
export function allCpuSnapshot(): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (f[1] === '2' || e === '2') continue; // kthreadd and its children
      out.set(Number(e), ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK);
    } catch {
      // raced with an exit
    }
  }
  return out;
}

/** CPU microseconds used between two snapshots by processes not in `exclude`. */
export function foreignCpuDelta(before: Map<number, number>, after: Map<number, number>, exclude: ReadonlySet<number>): number {
  let d = 0;
  for (const [p, us] of after) if (!exclude.has(p)) d += us - (before.get(p) ?? 0);
  return d;
}

/** Per-CPU steal ticks from /proc/stat (time the hypervisor gave our vCPU to someone else). */
export function stealSnapshot(): Map<string, { steal: number; total: number }> {
  const out = new Map<string, { steal: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^(cpu\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.split(/\s+/).map(Number);
    out.set(m[1]!, { steal: v[7] ?? 0, total: v.slice(0, 8).reduce((a, b) => a + b, 0) });
  }
  return out;
}

/** Steal of one CPU between two snapshots, in % of that CPU's time. */
export function stealPct(before: Map<string, { steal: number; total: number }>, after: Map<string, { steal: number; total: number }>, cpu: string): number {
  const b = before.get(`cpu${cpu}`);
  const a = after.get(`cpu${cpu}`);
  if (!a || !b || a.total === b.total) return NaN;
  return (100 * (a.steal - b.steal)) / (a.total - b.total);
}

/** The first line a command prints, or "unknown" when it cannot run (for the results' environment). */
export function commandOutput(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

/** What every results file starts with: when, how the bench was called, with what settings, on what. */
export interface RunStamp {
  readonly startedAt: string;
  readonly argv: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly environment: Readonly<Record<string, string>>;
}

/** The stamp of a run starting now: `tools` adds the versions of the peers it drives. */
export function runStamp(settings: object, tools: Record<string, string>): RunStamp {
  return {
    startedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    settings: { ...settings, serverCpu: SERVER_CPU, clientCpu: CLIENT_CPU },
    environment: { ...machineFacts(), ...tools },
  };
}

/** The machine a run was measured on: Node, CPU model and count, kernel. */
export function machineFacts(): { node: string; cpu: string; cores: string; kernel: string } {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: String(cpus().length), kernel: release() };
}
