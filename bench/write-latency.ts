// Query latency while meshdns writes: a steady UDP query load (a fixed rate from this process, on
// the client CPU) against meshdns on the server CPU, measured as p50/p99/max and lost queries,
// idle and during each of: a 10,000-record RRset sent through the admin API, a reload of a
// 1M-name zone file after one line changed (the loader process), and a 600k-name AXFR-in from knotd.
// The bar: p99 under 50 ms during each. Queries and their timing are our own (dnsperf
// reports only averages), sent to 127.0.0.1 only.
//
// Usage: node dist/bench/write-latency.js [--qps 2000]   (after npm run build; bench/README.md)

import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './dns-probe.js';
import { startKnotd } from './knotd.js';
import { isReady, meshdnsAvailable, startMeshdns } from './meshdns.js';
import { CLIENT_CPU, SERVER_CPU, sleep, type Pinned } from './proc.js';
import { UdpProbe, type LatencyStats } from './latency-probe.js';
import { generateZone } from './zone-gen.js';

const { values } = parseArgs({ options: { qps: { type: 'string', default: '2000' } } });
const qps = Number(values.qps);
const root = fileURLToPath(new URL('../../', import.meta.url));
if (!meshdnsAvailable(root)) {
  process.stderr.write('dist/server/cli.js is missing: run npm run build first\n');
  process.exit(2);
}
const TOKEN = 'bench-token-0123456789abcdef0123';
const work = mkdtempSync(join(tmpdir(), 'meshdns-bench-latency-'));
const rows: { phase: string; ms: number; stats: LatencyStats }[] = [];

/** Runs `action` under the query load; the load starts a moment before and stops a moment after. */
async function measure(probe: UdpProbe, phase: string, action: () => Promise<void>): Promise<void> {
  probe.reset();
  await sleep(300);
  const t0 = performance.now();
  await action();
  const ms = performance.now() - t0;
  await sleep(300);
  rows.push({ phase, ms, stats: probe.stats() });
  process.stderr.write(`[latency] ${phase}: ${JSON.stringify(rows[rows.length - 1]!.stats)} over ${ms.toFixed(0)} ms\n`);
}

async function adminPort(server: Pinned): Promise<number> {
  const { line } = await server.waitForJson((l) => l['msg'] === 'admin listening', 60_000);
  return Number(line['port']);
}

async function primaryPhases(): Promise<void> {
  const big = generateZone(1_000_000, join(root, '.bench-out'));
  const zoneDir = join(work, 'zones');
  mkdirSync(zoneDir);
  const zoneFile = join(zoneDir, 'bench.test.zone');
  copyFileSync(big.zoneFile, zoneFile);
  const config = join(work, 'primary.yaml');
  writeFileSync(config, `admin: {listen: "127.0.0.1:0", token: "${TOKEN}"}\nlimits: {recordsPerRRset: 20000, recordsPerRequest: 20000}\n`);
  const port = await freePort();
  const server = startMeshdns({ root, cpu: SERVER_CPU, port, zoneDir, dataDir: join(work, 'data-primary'), configFile: config });
  try {
    const admin = await adminPort(server);
    await server.waitForJson(isReady, 600_000);
    const probe = new UdpProbe(port, big.probe.name, qps);
    await probe.start();
    try {
      await measure(probe, 'idle', () => sleep(3000));
      await measure(probe, '10,000-record RRset through the admin API', async () => {
        const records = Array.from({ length: 10_000 }, (_, i) => ({ content: `10.9.${i >> 8}.${i & 255}` }));
        const res = await fetch(`http://127.0.0.1:${admin}/api/v1/zones/bench.test./rrsets`, {
          method: 'PATCH', headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
          body: JSON.stringify({ rrsets: [{ name: 'many.bench.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records }] }),
        });
        if (!res.ok) throw new Error(`PATCH answered ${res.status}: ${await res.text()}`);
      });
      await measure(probe, '1M-name zone file reloaded after one line changed', async () => {
        const loaded = server.waitForJson((l) => l['msg'] === 'zone loaded' && l['zone'] === 'bench.test.', 600_000);
        appendFileSync(zoneFile, 'one-more-line A 192.0.2.99\n');
        await loaded;
      });
    } finally {
      probe.stop();
    }
  } finally {
    await server.stop();
  }
}

async function secondaryPhase(): Promise<void> {
  const zone = generateZone(600_000, join(root, '.bench-out'));
  const knotPort = await freePort();
  const knotd = startKnotd({ cpu: CLIENT_CPU, port: knotPort, origin: zone.origin, zoneFile: zone.zoneFile, replication: true });
  const empty = join(work, 'empty');
  mkdirSync(empty);
  const config = join(work, 'secondary.yaml');
  writeFileSync(config, `admin: {listen: "127.0.0.1:0", token: "${TOKEN}"}\nzones:\n  - origin: ${zone.origin}\n    primaries: [{address: "127.0.0.1:${knotPort}"}]\n`);
  const port = await freePort();
  const server = startMeshdns({ root, cpu: SERVER_CPU, port, zoneDir: empty, dataDir: join(work, 'data-secondary'), configFile: config });
  try {
    const admin = await adminPort(server);
    // the first transfer fills the zone; the measured one replaces it whole
    await server.waitForJson((l) => typeof l['msg'] === 'string' && /incoming transfer .*done/.test(l['msg']), 600_000);
    const probe = new UdpProbe(port, zone.probe.name, qps);
    await probe.start();
    try {
      await measure(probe, '600k-name AXFR-in replacing the zone', async () => {
        const done = server.waitForJson((l) => typeof l['msg'] === 'string' && /incoming transfer .*done/.test(l['msg']), 600_000);
        const res = await fetch(`http://127.0.0.1:${admin}/api/v1/zones/${zone.origin}/retransfer`, { method: 'PUT', headers: { 'x-api-key': TOKEN } });
        if (!res.ok) throw new Error(`retransfer answered ${res.status}: ${await res.text()}`);
        await done;
      });
    } finally {
      probe.stop();
    }
  } finally {
    await server.stop();
    await knotd.stop();
  }
}

try {
  await primaryPhases();
  await secondaryPhase();
} finally {
  rmSync(work, { recursive: true, force: true });
}
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`query latency while writing (UDP, ${qps} q/s from one client; target p99 < 50 ms)`);
console.log(`${pad('phase', 52)} ${pad('ms', 8)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('max ms', 8)} ${pad('sent', 7)} lost`);
for (const r of rows) {
  const s = r.stats;
  console.log(`${pad(r.phase, 52)} ${pad(r.ms.toFixed(0), 8)} ${pad(s.p50.toFixed(2), 8)} ${pad(s.p99.toFixed(2), 8)} ${pad(s.max.toFixed(1), 8)} ${pad(String(s.sent), 7)} ${s.lost}${s.p99 < 50 ? '' : '   p99 over 50 ms: MISSED'}`);
}
