// DNS over QUIC throughput: meshdns on one CPU, our DoQ client (server/quic on @matrixai/quic's
// quiche binding) on the other, long-lived connections with many streams in flight. Prints
// queries/s, server CPU per query and queries per server-CPU-second ("per core"), the same
// server's TCP (pipelined) in the same run for reference, the server CPU per QUIC handshake, and
// where the server's time goes (a --cpu-prof run, summarised by self time).
//
// Usage: npm run bench:quic -- [--seconds 8] [--connections 4] [--depth 64] [--no-profile]
//    (or node dist/bench/doq.js ... after a build)
// The client half runs as `node dist/bench/doq.js --client PORT KIND CONNECTIONS DEPTH SECONDS`.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DoqClient } from '../server/quic/doq-client.js';
import { CLIENT_CPU, cpuDelta, cpuSnapshot, SERVER_CPU, sleep, spawnPinned, type Pinned } from './proc.js';
import { f0, f1, table } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

/** www.bench.test A, ID 0 (DoQ's; TCP keeps it too: answers are matched by order). */
const QUERY = Buffer.from('000001000001000000000000037777770562656e636804746573740000010001', 'hex');

interface LoadResult {
  kind: string;
  answered: number;
  seconds: number;
}

// ---- client half -------------------------------------------------------------------------------

async function doqLoad(port: number, connections: number, depth: number, seconds: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: connections }, () => DoqClient.connect({ host: '127.0.0.1', port, check: { mode: 'opportunistic' } })));
  let answered = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (c: DoqClient) => {
    while (performance.now() < end) {
      await c.query(QUERY);
      answered++;
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: depth }, () => worker(c))));
  await Promise.all(clients.map((c) => c.close()));
  return answered;
}

async function tcpLoad(port: number, connections: number, depth: number, seconds: number): Promise<number> {
  const frame = Buffer.concat([Buffer.from([0, QUERY.length]), QUERY]);
  let answered = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, () => new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    let pending: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    const send = (n: number) => {
      s.write(Buffer.concat(Array(n).fill(frame) as Buffer[]));
      inFlight += n;
    };
    s.on('connect', () => send(depth));
    s.on('error', reject);
    s.on('close', () => resolve());
    s.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let got = 0;
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        got++;
      }
      answered += got;
      inFlight -= got;
      if (performance.now() < end) send(got);
      else if (inFlight === 0) s.end();
    });
  })));
  return answered;
}

/** Connections opened one after another, 8 at a time: each a full handshake, one query, a close. */
async function handshakeLoad(port: number, seconds: number): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < end) {
      const c = await DoqClient.connect({ host: '127.0.0.1', port, check: { mode: 'opportunistic' } });
      await c.query(QUERY);
      await c.close();
      done++;
    }
  }));
  return done;
}

async function clientMain(args: string[]): Promise<void> {
  const [port, kind, connections, depth, seconds] = [Number(args[0]), args[1]!, Number(args[2]), Number(args[3]), Number(args[4])];
  const started = performance.now();
  const answered = kind === 'doq' ? await doqLoad(port, connections, depth, seconds)
    : kind === 'tcp' ? await tcpLoad(port, connections, depth, seconds)
      : await handshakeLoad(port, seconds);
  const result: LoadResult = { kind, answered, seconds: (performance.now() - started) / 1000 };
  process.stdout.write(`${JSON.stringify({ result })}\n`);
}

// ---- driver ------------------------------------------------------------------------------------

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function startServer(dir: string, udpPort: number, quicPort: number, cpuProfDir?: string): Promise<Pinned> {
  const zones = join(dir, 'zones');
  mkdirSync(zones, { recursive: true });
  writeFileSync(join(zones, 'bench.test.zone'), '$TTL 60\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n');
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'listen:',
    `  - "127.0.0.1:${udpPort}"`,
    `  - {address: "127.0.0.1:${quicPort}", transport: quic}`,
    'tcp: {maxConnections: 4096, idleTimeout: 60}',
    '',
  ].join('\n'));
  const server = spawnPinned(SERVER_CPU, process.execPath, [
    ...(cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []),
    join(ROOT, 'dist', 'server', 'cli.js'), 'serve', '--config', join(dir, 'meshdns.yaml'), '--zone-dir', zones,
    '--data', join(dir, 'data'), '--admin-listen', '127.0.0.1:0', '--log-level', 'info',
  ]);
  await server.waitForJson((l) => typeof l['msg'] === 'string' && /^ready\b/.test(l['msg']), 60_000);
  return server;
}

async function runClient(port: number, kind: string, connections: number, depth: number, seconds: number): Promise<LoadResult & { clientCpuSeconds: number }> {
  const client = spawnPinned(CLIENT_CPU, process.execPath, [fileURLToPath(import.meta.url), '--client', String(port), kind, String(connections), String(depth), String(seconds)]);
  const before = cpuSnapshot(client.pid);
  let after = before;
  const sampler = setInterval(() => { after = cpuSnapshot(client.pid); }, 100);
  const { line } = await client.waitForJson((l) => l['result'] !== undefined, (seconds + 60) * 1000);
  clearInterval(sampler);
  after = cpuSnapshot(client.pid);
  await client.stop();
  return { ...(line['result'] as LoadResult), clientCpuSeconds: cpuDelta(before, after) / 1e6 };
}

interface Measured {
  result: LoadResult & { clientCpuSeconds: number };
  serverCpuSeconds: number;
}

async function measure(server: Pinned, port: number, kind: string, connections: number, depth: number, seconds: number): Promise<Measured> {
  const before = cpuSnapshot(server.pid);
  const result = await runClient(port, kind, connections, depth, seconds);
  const serverCpuSeconds = cpuDelta(before, cpuSnapshot(server.pid)) / 1e6;
  return { result, serverCpuSeconds };
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

/** What a function's self time counts as (native calls are charged to the JavaScript that makes them). */
const CATEGORIES: [RegExp, string][] = [
  [/^\(garbage collector\)/, 'garbage collection'],
  [/^receive .*quic\/endpoint/, 'quiche recv: decrypt, parse frames (conn.recv)'],
  [/^sendPackets .*quic\/endpoint/, 'quiche send: build and encrypt packets (conn.send)'],
  [/quic\/connection\.js/, 'quiche stream calls: readable/streamRecv/streamSend'],
  [/dgram|udp_wrap|internal\/dgram/, 'node:dgram: one send system call per datagram, receive events'],
  [/quic\/(endpoint|packet)\.js/, 'endpoint: routing by connection ID, timers, flush'],
  [/quic-doq\.js|stream-edns\.js/, 'DoQ framing, EDNS padding check'],
  [/server\/(router|query|message|limits|metrics)\//, 'answering: the query pipeline'],
  [/^\(program\)/, 'V8/libuv outside JavaScript'],
];

/**
 * Self time in the profile from the first QUIC datagram on (the process start, module loading
 * and the zone load before it are not the query path): the top `n` functions and the categories.
 */
function profileSummary(file: string, n: number): { top: { label: string; pct: number }[]; categories: { label: string; pct: number }[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const labels = new Map(p.nodes.map((node) => {
    const url = node.callFrame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/').replace(/^node:/, '');
    return [node.id, `${node.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${node.callFrame.lineNumber + 1}` : ''}`.trim()];
  }));
  const first = p.samples.findIndex((id) => /server\/quic\/endpoint\.js/.test(labels.get(id) ?? ''));
  const self = new Map<string, number>();
  for (let i = Math.max(0, first); i < p.samples.length; i++) {
    const label = labels.get(p.samples[i]!)!;
    if (label === '(idle)') continue;
    self.set(label, (self.get(label) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  const byCategory = new Map<string, number>();
  for (const [label, us] of self) {
    const category = CATEGORIES.find(([re]) => re.test(label))?.[1] ?? 'other JavaScript (Node internals, timers, promises)';
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
  }
  const shares = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([label, us]) => ({ label, pct: (100 * us) / busy }));
  return { top: shares(self).slice(0, n), categories: shares(byCategory) };
}

async function main(): Promise<void> {
  const seconds = option('seconds', 8);
  const connections = option('connections', 4);
  const depth = option('depth', 64);
  const profile = !process.argv.includes('--no-profile');
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-doq-'));
  const udpPort = 20000 + Math.floor(Math.random() * 20000);
  const quicPort = udpPort + 1;
  try {
    const server = await startServer(dir, udpPort, quicPort);
    let doq: Measured;
    let tcp: Measured;
    let hs: Measured;
    try {
      await runClient(quicPort, 'doq', connections, depth, 1); // warm-up (JIT, answer cache)
      doq = await measure(server, quicPort, 'doq', connections, depth, seconds);
      tcp = await measure(server, udpPort, 'tcp', connections, depth, Math.max(2, seconds / 2));
      hs = await measure(server, quicPort, 'handshakes', 0, 0, Math.max(2, seconds / 2));
    } finally {
      await server.stop();
    }
    const row = (name: string, m: Measured, unit: string) => {
      const perSecond = m.result.answered / m.result.seconds;
      const cpuPer = (m.serverCpuSeconds * 1e6) / m.result.answered;
      return [name, f0(m.result.answered), f0(perSecond), f1(cpuPer), f0(m.result.answered / m.serverCpuSeconds), f0((100 * m.serverCpuSeconds) / m.result.seconds),
        f0((100 * m.result.clientCpuSeconds) / m.result.seconds), unit];
    };
    console.log(`DoQ bench: ${connections} connections x ${depth} streams in flight, ${seconds} s; server on CPU ${SERVER_CPU}, client on CPU ${CLIENT_CPU}`);
    console.log(table(['load', 'done', 'per s (wall)', 'server CPU us each', 'per server-CPU-second', 'server CPU %', 'client CPU %', 'unit'], [
      row('DoQ queries', doq, 'query'),
      row('TCP queries (same server)', tcp, 'query'),
      row('QUIC handshakes (+1 query)', hs, 'connection'),
    ]));
    const doqCpu = doq.serverCpuSeconds / doq.result.answered;
    const tcpCpu = tcp.serverCpuSeconds / tcp.result.answered;
    console.log(`DoQ costs ${f1(doqCpu / tcpCpu)}x the server CPU of TCP per query; ${f0(1 / doqCpu)} DoQ queries per core-second (target 5,000; knotd 3.4 ~20,000)`);

    if (profile) {
      const profDir = join(dir, 'prof');
      mkdirSync(profDir);
      const profiled = await startServer(join(dir, 'p'), udpPort + 2, udpPort + 3, profDir);
      try {
        await runClient(udpPort + 3, 'doq', connections, depth, Math.max(3, seconds / 2));
      } finally {
        await profiled.stop();
      }
      await sleep(200);
      // children (the zone loader, transfer workers) inherit --cpu-prof: the server's is the largest
      const file = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))
        .sort((a, b) => statSync(join(profDir, b)).size - statSync(join(profDir, a)).size)[0];
      if (file === undefined) console.log('no CPU profile was written');
      else {
        const summary = profileSummary(join(profDir, file), 15);
        console.log(`\nWhere the server's busy time goes under DoQ load (node --cpu-prof, self time from the first QUIC datagram on):`);
        console.log(table(['self %', 'what'], summary.categories.map((t) => [f1(t.pct), t.label])));
        console.log('');
        console.log(table(['self %', 'function'], summary.top.map((t) => [f1(t.pct), t.label])));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client') await clientMain(process.argv.slice(3));
else await main();
