// Test fixture: a throw-away knotd on a free loopback port, serving the given zone files.
// Used by the differential tests, the benchmarks and the transfer tests, so every section of the
// generated knot.conf can be extended by the caller.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { absoluteOrigin, awaitZones, confString, indentConf, type PeerServer, toolRuns, waitExit } from './peer-process.js';

export interface KnotdZone {
  /** Zone origin, with or without the trailing dot. */
  origin: string;
  /** Zone file path (absolute, or relative to the current directory). */
  file: string;
  /** Extra YAML lines for this zone entry (no indentation needed), e.g. `acl: [xfr]`. */
  conf?: string;
  /** Wait for this zone to answer SOA before resolving (default true; false for a secondary still empty). */
  wait?: boolean;
}

export interface KnotdOptions {
  zones: KnotdZone[];
  /** Extra top-level YAML appended verbatim (acl:, remote:, key:, mod-*: sections). */
  extraConf?: string;
  /** Extra lines for the `server:` section (no indentation needed), e.g. `nsid: "x"`. */
  serverConf?: string;
  /** Extra lines for the default template (no indentation needed), applied to every zone. */
  templateConf?: string;
  /** knotd log level written to the captured log (default `info`). */
  logLevel?: 'critical' | 'error' | 'warning' | 'notice' | 'info' | 'debug';
  /** Milliseconds to wait for the zones to load (default 20,000). */
  startTimeoutMs?: number;
}

export type Knotd = PeerServer;

const KNOTD = process.env['KNOTD'] ?? 'knotd';

/** A port free on 127.0.0.1 for both UDP and TCP at the time of the call. */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const udp = dgram.createSocket('udp4');
    const udpOk = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpOk && port !== 0) return port;
  }
  throw new Error('no free loopback port found for both UDP and TCP after 20 attempts');
}

function renderConf(dir: string, port: number, opts: KnotdOptions): string {
  const level = opts.logLevel ?? 'info';
  let conf = '';
  conf += 'server:\n';
  conf += `    rundir: ${confString(path.join(dir, 'run'))}\n`;
  conf += `    listen: 127.0.0.1@${port}\n`;
  // No `user:`: knotd keeps the identity it was started with (root in CI containers), so the
  // temp directory stays writable.
  conf += '    udp-workers: 2\n';
  conf += '    tcp-workers: 2\n';
  conf += '    background-workers: 1\n';
  conf += indentConf(opts.serverConf, '    ');
  conf += 'log:\n';
  conf += `  - target: stderr\n    any: ${level}\n`;
  conf += 'database:\n';
  conf += `    storage: ${confString(path.join(dir, 'db'))}\n`;
  conf += 'template:\n';
  conf += '  - id: default\n';
  conf += `    storage: ${confString(dir)}\n`;
  conf += '    zonefile-load: whole\n';
  conf += '    zonefile-sync: -1\n';
  conf += '    journal-content: none\n';
  conf += '    semantic-checks: off\n';
  conf += indentConf(opts.templateConf, '    ');
  if (opts.extraConf !== undefined) conf += `${opts.extraConf.trimEnd()}\n`;
  conf += 'zone:\n';
  for (const zone of opts.zones) {
    conf += `  - domain: ${confString(absoluteOrigin(zone.origin))}\n`;
    conf += `    file: ${confString(path.resolve(zone.file))}\n`;
    conf += indentConf(zone.conf, '    ');
  }
  return conf;
}

/** Start knotd on a free loopback port; resolves once every zone (with wait ≠ false) answers SOA. */
export async function startKnotd(opts: KnotdOptions): Promise<Knotd> {
  if (!toolRuns(KNOTD, '--version')) {
    throw new Error(`knotd not found ("${KNOTD}"): install the Debian package "knot" (apt-get install knot)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-knotd-'));
  const port = await findFreePort();
  const confPath = path.join(dir, 'knot.conf');
  await mkdir(path.join(dir, 'run'));
  await mkdir(path.join(dir, 'db'));
  await writeFile(confPath, renderConf(dir, port, opts));

  let output = '';
  const child = spawn(KNOTD, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2_000);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  const pending = opts.zones.filter((zone) => zone.wait !== false).map((zone) => absoluteOrigin(zone.origin));
  try {
    await awaitZones('knotd', child, port, pending, deadline, () => output, () => spawnError);
  } catch (error) {
    await stop();
    throw error;
  }

  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return { port, dir, confPath, logs: () => output, alive, stop };
}
