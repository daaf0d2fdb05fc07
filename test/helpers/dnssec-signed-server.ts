// The real server in this test's process with signing policies, for tests that reach inside it:
// its key store (keys lost or corrupted), its DNSSEC driver (a rollover step now). Everything that
// talks to it over the network must not block the event loop (async dig/delv/nsupdate), or the
// server cannot answer.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import { validateConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/start.js';
import { SIGNED_ZONE_TEXT, type SigningVariant } from './dnssec-signed-zones.js';
import { requireTool } from './tools.js';

const execFileAsync = promisify(execFile);
export const TOKEN = 'dnssec-signed-token-0123456789abcdef';
export const auth = { 'x-api-key': TOKEN };

export interface InProcessSigned {
  server: RunningServer;
  dir: string;
  port: number;
  /** Everything the server logged (pino JSON lines). */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the server in this process serving `variants` from a zone folder, each signed with its
 * own policy; AXFR and UPDATE open to 127.0.0.1; `zone` adds keys to each zone entry (notify).
 */
export async function startSignedInProcess(variants: readonly SigningVariant[], opts: { zone?: (v: SigningVariant) => Record<string, unknown>; zoneText?: string; listenPort?: number } = {}): Promise<InProcessSigned> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-signed-inproc-'));
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  const past = new Date(Date.now() - 10_000);
  for (const v of variants) {
    const file = join(zoneDir, `${v.origin}.zone`);
    writeFileSync(file, `$ORIGIN ${v.origin}.\n${opts.zoneText ?? SIGNED_ZONE_TEXT}`);
    // settled: the zone folder leaves a file alone for 250 ms after it changes
    utimesSync(file, past, past);
  }
  const config = validateConfig({
    listen: [`127.0.0.1:${opts.listenPort ?? 0}`], data: join(dir, 'data'), zoneDir, logLevel: 'info', cookies: false,
    admin: { listen: '127.0.0.1:0', token: TOKEN },
    policies: variants.map((v) => ({
      name: v.origin, algorithm: v.algorithm, keys: v.keys, denial: v.denial,
      ...(v.denial === 'nsec3' ? { nsec3: { iterations: 0, saltLength: v.saltLength ?? 0, optOut: v.optOut ?? false } } : {}),
    })),
    acls: [{ name: 'local', address: ['127.0.0.1'], action: ['transfer', 'update'] }],
    defaults: { acl: ['local'] },
    zones: variants.map((v) => ({ origin: `${v.origin}.`, dnssec: v.origin, ...(opts.zone?.(v) ?? {}) })),
  }, {}, 'test');
  let logged = '';
  const log: Logger = pino({ level: 'info' }, { write: (line: string) => { logged += line; } });
  const server = await startServer(config, log);
  return {
    server, dir, port: server.addresses[0]!.port, logs: () => logged,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** dig, without blocking the event loop. */
export async function digAsync(args: string[]): Promise<string> {
  requireTool('dig', 'bind9-dnsutils');
  const { stdout } = await execFileAsync('dig', args, { timeout: 15_000 });
  return stdout;
}

/** The zone's SOA serial as the server at `port` answers it. */
export async function serialAt(port: number, origin: string): Promise<number> {
  const out = await digAsync(['@127.0.0.1', '-p', String(port), '+short', `${origin}.`, 'SOA']);
  return Number(out.trim().split(/\s+/)[2]);
}

/** Feeds nsupdate (bind9-dnsutils) the lines on stdin against 127.0.0.1:port; `send` is appended. */
export async function nsupdateAsync(port: number, zone: string, lines: string[]): Promise<{ status: number | null; out: string }> {
  requireTool('nsupdate', 'bind9-dnsutils');
  const child = spawn('nsupdate', [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end([`server 127.0.0.1 ${port}`, `zone ${zone}.`, ...lines, 'send', ''].join('\n'));
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { status, out };
}
