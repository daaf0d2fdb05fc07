// Response rate limiting under a flood from one address: meshdns with `rrl: {exempt: []}` (20
// responses a second per /24, slip 2) takes ~20k q/s from dnsperf on 127.0.0.1, and this prints
// how many responses a second were answered, slipped (TC=1) and dropped — from the server's own
// counters — and what the client saw. Two query files: one question repeated (the reflection
// attack RRL is for) and the bench's mixed 10k-zone file (every name its own bucket).
//
// Usage: node dist/bench/rrl.js [--qps 20000] [--seconds 5]   (after npm run build; bench/README.md)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDnsperf } from './dnsperf.js';
import { expectA, freePort, waitForAnswer } from './dns-probe.js';
import { isListening, isReady, meshdnsAvailable, startMeshdns } from './meshdns.js';
import { CLIENT_CPU, SERVER_CPU } from './proc.js';
import { generateZone } from './zone-gen.js';

const { values } = parseArgs({ options: { qps: { type: 'string', default: '20000' }, seconds: { type: 'string', default: '5' } } });
const qps = Number(values.qps);
const seconds = Number(values.seconds);
const root = fileURLToPath(new URL('../../', import.meta.url));
if (!meshdnsAvailable(root)) {
  process.stderr.write('dist/server/cli.js is missing: run npm run build first\n');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'meshdns-bench-rrl-'));
const zone = generateZone(10_000, join(root, '.bench-out'));
const zoneDir = zone.zoneDir;
const one = join(work, 'one-question.txt');
writeFileSync(one, `${zone.probe.name} A\n`);
const config = join(work, 'meshdns.yaml');
writeFileSync(config, 'rrl: {responsesPerSecond: 20, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: []}\n');

const port = await freePort();
const server = startMeshdns({ root, cpu: SERVER_CPU, port, zoneDir, dataDir: join(work, 'data'), configFile: config });
try {
  // (a waiter sees only lines after it was set: all three are set at once)
  const [, admin] = await Promise.all([
    server.waitForJson(isListening, 30_000),
    server.waitForJson((l) => l['msg'] === 'admin listening', 30_000),
    server.waitForJson(isReady, 60_000),
  ]);
  await waitForAnswer(port, zone.probe.name, 'A', expectA(zone.probe.address), 10_000);
  const metricsUrl = `http://127.0.0.1:${admin.line['port'] as number}/metrics`;
  const counters = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const value = (prefix: string, label = '') => text.split('\n').filter((l) => l.startsWith(prefix) && l.includes(label)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    return {
      // (summed over the server and zone labels)
      requests: value('meshdns_dns_requests_total{', 'proto="udp"'),
      dropped: value('meshdns_rrl_responses_total{action="dropped"}'),
      slipped: value('meshdns_rrl_responses_total{action="slipped"}'),
    };
  };
  const rows: string[][] = [];
  for (const [label, queryFile] of [['one question repeated', one], ['mixed 10k-zone file', zone.queryFile]] as const) {
    await new Promise((r) => setTimeout(r, 1100)); // the buckets of the previous run refill
    const before = await counters();
    const run = await runDnsperf({ cpu: CLIENT_CPU, port, queryFile, seconds, clients: 4, outstanding: 60_000, tcp: false, maxQps: qps });
    const after = await counters();
    const requests = after.requests - before.requests;
    const dropped = after.dropped - before.dropped;
    const slipped = after.slipped - before.slipped;
    const perSecond = (n: number) => (n / run.runSeconds).toFixed(0);
    rows.push([label, perSecond(requests), perSecond(requests - dropped - slipped), perSecond(slipped), perSecond(dropped),
      `${run.lostPct.toFixed(1)}%`, run.commandLine]);
  }
  const header = ['queries', 'received/s', 'answered/s', 'slipped (TC=1)/s', 'dropped/s', 'dnsperf lost', 'command'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  console.log(`RRL from one address (127.0.0.1), rrl: {responsesPerSecond: 20, slip: 2, exempt: []}, dnsperf -Q ${qps} for ${seconds} s`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
