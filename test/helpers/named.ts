// Test fixture: a throw-away BIND 9 `named` on a free loopback port, for the replication interop
// tests. It runs in the foreground (-g: every log line on stderr, which we capture) as the user that
// started it (root in CI containers: no -u, so the temp directory stays writable), with its pid
// file, lock file, session key, managed keys and zone files all inside its own temp directory, so
// it needs nothing under /run, /var/cache/bind or /etc/bind. IPv4 loopback only, no recursion, no
// DNSSEC validation. The rndc control channel is off unless asked for (with /etc/bind/rndc.key
// present, named would otherwise open 127.0.0.1#953, which parallel instances would fight over).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './knotd.js';
import { absoluteOrigin, awaitZones, captureOutput, confString, indentConf, type PeerServer, stopGroup, toolRuns } from './peer-process.js';

export interface NamedZone {
  /** Zone origin, with or without the trailing dot. */
  origin: string;
  type: 'primary' | 'secondary';
  /** Zone file (absolute, or relative to named's directory; a secondary writes its copy there). */
  file: string;
  /** Extra statements for the zone block, e.g. `allow-update { key transfer-key.; };`. */
  conf?: string;
  /** Wait for the zone to answer SOA before resolving (default: true for primaries, false for secondaries). */
  wait?: boolean;
}

export interface NamedKey {
  /** Key name, with or without the trailing dot. */
  name: string;
  /** e.g. hmac-sha256 */
  algorithm: string;
  /** base64 */
  secret: string;
}

export interface NamedOptions {
  zones: NamedZone[];
  keys?: NamedKey[];
  /** Extra statements for the `options` block. */
  optionsConf?: string;
  /** Extra top-level statements appended verbatim (acl, server, …). */
  extraConf?: string;
  /** Open an rndc control channel on another free loopback port, with a key of its own (default false). */
  rndc?: boolean;
  /** Milliseconds to wait for the primary zones to load (default 20,000). */
  startTimeoutMs?: number;
}

export interface Named extends PeerServer {
  /** Resolves with the first log line matching `pattern` (or rejects after timeoutMs, with the log). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Runs `rndc <args>` against this instance (only with `rndc: true`); returns its stdout. */
  rndc(args: string[]): string;
}

const NAMED = process.env['NAMED'] ?? 'named';

function renderConf(dir: string, port: number, opts: NamedOptions, control: { port: number; secret: string } | undefined): string {
  let conf = 'options {\n';
  conf += `  directory ${confString(dir)};\n`;
  conf += `  pid-file ${confString(path.join(dir, 'named.pid'))};\n`;
  conf += `  lock-file ${confString(path.join(dir, 'named.lock'))};\n`;
  conf += `  session-keyfile ${confString(path.join(dir, 'session.key'))};\n`;
  conf += `  managed-keys-directory ${confString(dir)};\n`;
  conf += `  dump-file ${confString(path.join(dir, 'named_dump.db'))};\n`;
  conf += `  statistics-file ${confString(path.join(dir, 'named.stats'))};\n`;
  conf += `  listen-on port ${port} { 127.0.0.1; };\n`;
  conf += '  listen-on-v6 { none; };\n';
  conf += '  recursion no;\n';
  conf += '  dnssec-validation no;\n';
  // only the targets a test names get NOTIFY, and at once (the default delay is 5 s)
  conf += '  notify explicit;\n';
  conf += '  notify-delay 0;\n';
  conf += indentConf(opts.optionsConf, '  ');
  conf += '};\n';
  if (control) {
    conf += `key "rndc-key" { algorithm hmac-sha256; secret ${confString(control.secret)}; };\n`;
    conf += `controls { inet 127.0.0.1 port ${control.port} allow { 127.0.0.1; } keys { "rndc-key"; }; };\n`;
  } else {
    conf += 'controls { };\n';
  }
  for (const key of opts.keys ?? []) {
    conf += `key ${confString(absoluteOrigin(key.name))} { algorithm ${key.algorithm}; secret ${confString(key.secret)}; };\n`;
  }
  if (opts.extraConf !== undefined) conf += `${opts.extraConf.trimEnd()}\n`;
  for (const zone of opts.zones) {
    conf += `zone ${confString(absoluteOrigin(zone.origin))} {\n`;
    conf += `  type ${zone.type};\n`;
    conf += `  file ${confString(path.resolve(dir, zone.file))};\n`;
    conf += indentConf(zone.conf, '  ');
    conf += '};\n';
  }
  return conf;
}

/** Start named on a free loopback port; resolves once every zone to wait for answers SOA. */
export async function startNamed(opts: NamedOptions): Promise<Named> {
  if (!toolRuns(NAMED, '-v')) {
    throw new Error(`named not found ("${NAMED}"): install the Debian package "bind9" (apt-get install -y bind9)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-named-'));
  const port = await findFreePort();
  const control = opts.rndc === true ? { port: await findFreePort(), secret: randomBytes(32).toString('base64') } : undefined;
  const confPath = path.join(dir, 'named.conf');
  await writeFile(confPath, renderConf(dir, port, opts, control));
  let rndcConf: string | undefined;
  if (control) {
    rndcConf = path.join(dir, 'rndc.conf');
    await writeFile(rndcConf, [
      `key "rndc-key" { algorithm hmac-sha256; secret ${confString(control.secret)}; };`,
      `options { default-key "rndc-key"; default-server 127.0.0.1; default-port ${control.port}; };`,
      '',
    ].join('\n'));
  }

  // -g: foreground, all logging to stderr; -4: IPv4 only; -n 1: one worker thread is plenty
  const child = spawn(NAMED, ['-g', '-4', '-n', '1', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = captureOutput(child);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  const stop = async (): Promise<void> => {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  const pending = opts.zones.filter((z) => z.wait ?? z.type === 'primary').map((z) => absoluteOrigin(z.origin));
  try {
    // named is up once it logs "running" (a secondaries-only instance has no SOA to ask for)
    const exited = new Promise<never>((_, reject) => child.once('exit', (code, sig) => reject(
      new Error(`named exited early (code ${code}, signal ${sig}):\n${output.text()}`))));
    exited.catch(() => undefined);
    await Promise.race([output.waitFor(/ running$/, opts.startTimeoutMs ?? 20_000, 'named start'), exited]);
    await awaitZones('named', child, port, pending, deadline, () => output.text(), () => spawnError);
  } catch (error) {
    await stopGroup(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    dir,
    confPath,
    logs: () => output.text(),
    alive: () => child.exitCode === null && child.signalCode === null,
    waitForLog: (pattern, timeoutMs = 15_000) => output.waitFor(pattern, timeoutMs, 'named'),
    rndc(args) {
      if (rndcConf === undefined) throw new Error('startNamed was called without rndc: true');
      return execFileSync('rndc', ['-c', rndcConf, ...args], { encoding: 'utf8', timeout: 10_000 });
    },
    stop,
  };
}
