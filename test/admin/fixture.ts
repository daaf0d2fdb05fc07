import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/start.js';

export const TOKEN = 'test-token-0123456789abcdef';

export const EXAMPLE_ZONE = `$ORIGIN example.test.
$TTL 3600
@     SOA ns1 hostmaster 100 7200 3600 1209600 300
@     NS  ns1
@     NS  ns2
ns1   A   192.0.2.1
ns2   A   192.0.2.2
www   A   192.0.2.10
www   AAAA 2001:db8::10
ftp   CNAME www
sub   NS  ns.sub
ns.sub A  192.0.2.53
`;

/**
 * Writes a zone file that looks settled: the zone folder leaves a file alone for 250 ms after it
 * changes (a copy may be in progress), so its mtime goes 10 s into the past.
 */
export function writeSettled(file: string, text: string): void {
  writeFileSync(file, text);
  const past = new Date(Date.now() - 10_000);
  utimesSync(file, past, past);
}

export interface Fixture {
  server: RunningServer;
  dir: string;
  zoneDir: string;
  stop(): Promise<void>;
}

/** The real server in this process (DNS and admin on ephemeral loopback ports), for inject() tests. */
export async function startFixture(extra: Record<string, unknown> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-admin-'));
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  writeSettled(join(zoneDir, 'example.test.zone'), EXAMPLE_ZONE);
  const config = validateConfig({
    listen: ['127.0.0.1:0'], data: join(dir, 'data'), zoneDir, logLevel: 'silent',
    admin: { listen: '127.0.0.1:0', token: TOKEN }, ...extra,
  }, {}, 'test');
  const server = await startServer(config, pino({ level: 'silent' }));
  return {
    server, dir, zoneDir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = { 'x-api-key': TOKEN };
