import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/server/cli.js, seen from dist/test/helpers/. */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'cli.js');

export interface RunningMeshdns {
  port: number;
  /** The admin API (on an ephemeral loopback port unless the caller chose otherwise). */
  admin: { port: number; url: string; token: string | undefined } | undefined;
  proc: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
  logs(): string;
  /** Resolves when a log line matching the predicate appears (or rejects after timeoutMs). */
  waitForLog(match: (entry: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/**
 * Starts the real server (the CLI, as an operator would) on an ephemeral loopback port and waits
 * for its `ready` log line.
 */
export async function startMeshdns(opts: {
  zoneDir?: string; dataDir?: string; extraArgs?: string[]; config?: string; env?: NodeJS.ProcessEnv;
  /** Pass --admin-listen 127.0.0.1:0 (default true; false leaves the config or the default 8053). */
  ephemeralAdmin?: boolean;
  /** Listen where the config says instead of --listen 127.0.0.1:0 (tls entries can only be written there). */
  listenFromConfig?: boolean;
}): Promise<RunningMeshdns> {
  const ownData = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'meshdns-data-'));
  const args = [CLI, 'serve', ...(opts.listenFromConfig ? [] : ['--listen', '127.0.0.1:0']), '--data', dataDir, '--log-level', 'debug'];
  if (opts.zoneDir) args.push('--zone-dir', opts.zoneDir);
  if (opts.config) args.push('--config', opts.config);
  // parallel test servers must not meet on the default admin port
  if (opts.ephemeralAdmin !== false && !(opts.extraArgs ?? []).includes('--admin-listen')) args.push('--admin-listen', '127.0.0.1:0');
  args.push(...(opts.extraArgs ?? []));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let out = '';
  const entries: Record<string, unknown>[] = [];
  const waiters: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let partial = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      entries.push(entry);
      for (const w of [...waiters]) {
        if (w.match(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const waitForLog = (match: (e: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const found = entries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line; output so far:\n${out}`)), timeoutMs);
      waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      void exited.then((code) => { clearTimeout(timer); reject(new Error(`meshdns exited with ${code}; output:\n${out}`)); });
    });
  };

  const listening = await waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'udp');
  // "ready" when every zone loaded; "not ready: ..." when one failed or waits (it may turn ready later)
  await waitForLog((e) => typeof e['msg'] === 'string' && /^(ready|not ready)\b/.test(e['msg'] as string));
  const adminLine = entries.find((e) => e['msg'] === 'admin listening');
  const admin = adminLine === undefined ? undefined : {
    port: adminLine['port'] as number,
    url: `http://${(adminLine['address'] as string).includes(':') ? `[${adminLine['address'] as string}]` : (adminLine['address'] as string)}:${adminLine['port'] as number}`,
    token: typeof adminLine['tokenFile'] === 'string' ? readFileSync(adminLine['tokenFile'], 'utf8').trim() : undefined,
  };
  return {
    port: listening['port'] as number,
    admin,
    proc,
    dataDir,
    logs: () => out,
    waitForLog,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      if (ownData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
