// Test fixture: a throw-away NSD on a free loopback port, for the replication interop tests. It runs
// in the foreground (-d, logging to stderr, which we capture) as the user that started it (no
// privilege drop, no chroot), with its zones directory, pid file, xfrd state, zone list and
// transfer scratch files in its own temp directory (no database file). IPv4 loopback only; the
// remote-control channel is off. NSD forks (xfrd, the server, reloads), so it is started in a process
// group of its own and stopped as a group.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './knotd.js';
import { absoluteOrigin, awaitZones, captureOutput, confString, indentConf, type PeerServer, stopGroup, toolRuns } from './peer-process.js';

export interface NsdZone {
  /** Zone origin, with or without the trailing dot. */
  origin: string;
  /** Zone file, relative to the zones directory or absolute (a secondary writes its copy there). */
  file?: string;
  /** Extra lines for this `zone:` clause (no indentation needed), e.g. `request-xfr: 127.0.0.1@5300 k.`. */
  conf?: string;
  /** Wait for the zone to answer SOA before resolving (default true; false for a secondary still empty). */
  wait?: boolean;
}

export interface NsdKey {
  name: string;
  /** e.g. hmac-sha256 */
  algorithm: string;
  /** base64 */
  secret: string;
}

export interface NsdOptions {
  zones: NsdZone[];
  keys?: NsdKey[];
  /** Extra lines for the `server:` clause (no indentation needed). */
  serverConf?: string;
  /** NSD verbosity (default 2: transfers and NOTIFYs are logged). */
  verbosity?: number;
  /** Milliseconds to wait for the zones to load (default 20,000). */
  startTimeoutMs?: number;
}

export interface Nsd extends PeerServer {
  /** Resolves with the first log line matching `pattern` (or rejects after timeoutMs, with the log). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const NSD = process.env['NSD'] ?? 'nsd';

function renderConf(dir: string, port: number, opts: NsdOptions): string {
  let conf = 'server:\n';
  conf += `  ip-address: 127.0.0.1@${port}\n`;
  conf += `  port: ${port}\n`;
  conf += '  do-ip4: yes\n';
  conf += '  do-ip6: no\n';
  conf += '  username: ""\n';
  conf += '  chroot: ""\n';
  conf += `  zonesdir: ${confString(dir)}\n`;
  conf += '  database: ""\n';
  conf += `  pidfile: ${confString(path.join(dir, 'nsd.pid'))}\n`;
  conf += `  xfrdfile: ${confString(path.join(dir, 'xfrd.state'))}\n`;
  conf += `  zonelistfile: ${confString(path.join(dir, 'zone.list'))}\n`;
  conf += `  xfrdir: ${confString(dir)}\n`;
  conf += '  server-count: 1\n';
  conf += `  verbosity: ${opts.verbosity ?? 2}\n`;
  // apply a finished transfer at once (the default waits up to a second to batch them)
  conf += '  xfrd-reload-timeout: 0\n';
  conf += indentConf(opts.serverConf, '  ');
  conf += 'remote-control:\n  control-enable: no\n';
  for (const key of opts.keys ?? []) {
    conf += `key:\n  name: ${confString(absoluteOrigin(key.name))}\n  algorithm: ${key.algorithm}\n  secret: ${confString(key.secret)}\n`;
  }
  for (const zone of opts.zones) {
    const origin = absoluteOrigin(zone.origin);
    conf += `zone:\n  name: ${confString(origin)}\n  zonefile: ${confString(zone.file ?? `${origin}zone`)}\n`;
    conf += indentConf(zone.conf, '  ');
  }
  return conf;
}

/** Start NSD on a free loopback port; resolves once every zone to wait for answers SOA. */
export async function startNsd(opts: NsdOptions): Promise<Nsd> {
  if (!toolRuns(NSD, '-v')) {
    throw new Error(`nsd not found ("${NSD}"): install the Debian package "nsd" (apt-get install -y nsd)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-nsd-'));
  const port = await findFreePort();
  const confPath = path.join(dir, 'nsd.conf');
  await writeFile(confPath, renderConf(dir, port, opts));

  const child = spawn(NSD, ['-d', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = captureOutput(child);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  const stop = async (): Promise<void> => {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
  };

  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  const pending = opts.zones.filter((z) => z.wait !== false).map((z) => absoluteOrigin(z.origin));
  try {
    const exited = new Promise<never>((_, reject) => child.once('exit', (code, sig) => reject(
      new Error(`nsd exited early (code ${code}, signal ${sig}):\n${output.text()}`))));
    exited.catch(() => undefined);
    await Promise.race([output.waitFor(/nsd started/, timeoutMs, 'nsd start'), exited]);
    await awaitZones('nsd', child, port, pending, deadline, () => output.text(), () => spawnError);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    port,
    dir,
    confPath,
    logs: () => output.text(),
    alive: () => child.exitCode === null && child.signalCode === null,
    waitForLog: (pattern, timeoutMs = 15_000) => output.waitFor(pattern, timeoutMs, 'nsd'),
    stop,
  };
}
