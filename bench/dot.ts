// DNS over TLS against the same server's TCP, in one run: server CPU per query on long-lived
// connections with pipelining (the target: DoT within 1.5x of TCP), and the cost of
// setting a connection up (full handshakes and resumed ones, per second and in server CPU).
//
// Usage: npm run bench:tls -- [--connections N] [--depth N] [--seconds S] [--rounds N] [--handshake-seconds S]
// The server runs on CPU 0, this client on CPU 1 (bench/proc.ts); only the server's CPU is counted.
// TCP and TLS rounds alternate (on a shared machine the noise then falls on both alike); each
// transport's figure is the median of its rounds.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_CPU, cpuDelta, cpuSnapshot, SERVER_CPU, spawnPinned } from './proc.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '8' },
    depth: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'handshake-seconds': { type: 'string', default: '4' },
  },
});
const CONNECTIONS = Number(values.connections);
const DEPTH = Number(values.depth);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const HANDSHAKE_SECONDS = Number(values['handshake-seconds']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync('taskset', ['-pc', CLIENT_CPU, String(process.pid)], { stdio: 'ignore' });

const dir = mkdtempSync(join(tmpdir(), 'meshdns-bench-dot-'));
mkdirSync(join(dir, 'zones'));
const NAMES = 1000;
writeFileSync(join(dir, 'zones', 'bench.test.zone'), ['$ORIGIN bench.test.', '$TTL 300', '@ SOA ns1 h 1 3600 600 86400 300', '@ NS ns1', 'ns1 A 192.0.2.1',
  ...Array.from({ length: NAMES }, (_, i) => `h${i} A 198.51.${(i >> 8) & 255}.${i & 255}`), ''].join('\n'));
writeFileSync(join(dir, 'meshdns.yaml'), [
  'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
  `zoneDir: ${join(dir, 'zones')}`,
  `data: ${join(dir, 'data')}`,
  'admin: false',
  'tcp: {idleTimeout: 60, maxConnectionsPerClient: 4096, maxConnections: 8192}',
  '',
].join('\n'));

/** Framed queries for h0..h999 (the answer cache serves them after the first round, on both transports alike). */
const QUERIES = Array.from({ length: NAMES }, (_, i) => {
  const labels = ['h' + i, 'bench', 'test'];
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const msg = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 1, 0, 1])]);
  msg.writeUInt16BE(i & 0xffff, 0);
  const frame = Buffer.alloc(2);
  frame.writeUInt16BE(msg.length);
  return Buffer.concat([frame, msg]);
});

type Connect = () => Promise<net.Socket>;

/** One connection sending `DEPTH` queries at a time and waiting for their answers, until `until`. */
async function drive(socket: net.Socket, until: number, offset: number): Promise<number> {
  let answered = 0;
  let buffered: Buffer = Buffer.alloc(0);
  let outstanding = 0;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let p = 0;
    while (buffered.length - p >= 2 && buffered.length - p >= 2 + buffered.readUInt16BE(p)) {
      p += 2 + buffered.readUInt16BE(p);
      outstanding--;
      answered++;
    }
    buffered = buffered.subarray(p);
    if (outstanding === 0) wake?.();
  });
  let next = offset;
  while (performance.now() < until) {
    const batch: Buffer[] = [];
    for (let i = 0; i < DEPTH; i++) batch.push(QUERIES[next++ % NAMES]!);
    outstanding = DEPTH;
    const done = new Promise<void>((resolve) => (wake = resolve));
    socket.write(Buffer.concat(batch));
    await done;
  }
  socket.destroy();
  return answered;
}

async function queryLoad(connect: Connect, pid: number): Promise<{ queries: number; cpuUs: number; qps: number }> {
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
  // a warm-up round: the cache fills, TLS buffers grow
  await Promise.all(sockets.map((s, i) => drive(s, performance.now() + 500, i * 97).then(() => undefined)));
  const warm = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
  const before = cpuSnapshot(pid);
  const started = performance.now();
  const counts = await Promise.all(warm.map((s, i) => drive(s, started + SECONDS * 1000, i * 131)));
  const elapsed = (performance.now() - started) / 1000;
  const cpuUs = cpuDelta(before, cpuSnapshot(pid));
  const queries = counts.reduce((a, b) => a + b, 0);
  return { queries, cpuUs, qps: queries / elapsed };
}

async function handshakes(port: number, pid: number, resume: boolean): Promise<{ count: number; cpuUs: number; perSecond: number }> {
  let session: Buffer | undefined;
  if (resume) {
    const first = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['dot'] });
    first.on('session', (s: Buffer) => (session = s));
    await new Promise((r) => first.once('secureConnect', r));
    first.write(QUERIES[0]!);
    await new Promise((r) => first.once('data', r));
    first.destroy();
  }
  const before = cpuSnapshot(pid);
  const started = performance.now();
  const until = started + HANDSHAKE_SECONDS * 1000;
  let count = 0;
  // 4 at a time, each one full connection: handshake, one query, close
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (performance.now() < until) {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['dot'], ...(session ? { session } : {}) });
      s.on('error', () => undefined);
      await new Promise((r) => s.once('secureConnect', r));
      if (resume && !s.isSessionReused()) throw new Error('the session was not resumed');
      s.write(QUERIES[count % NAMES]!);
      await new Promise((r) => s.once('data', r));
      s.destroy();
      count++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return { count, cpuUs: cpuDelta(before, cpuSnapshot(pid)), perSecond: count / elapsed };
}

const server = spawnPinned(SERVER_CPU, process.execPath, [join(root, 'dist', 'server', 'cli.js'), 'serve', '--config', join(dir, 'meshdns.yaml'), '--log-level', 'info']);
try {
  // (all asked for at once: a waiter sees only the lines that come after it)
  const [tcp, dot] = await Promise.all([
    server.waitForJson((l) => l['msg'] === 'listening' && l['proto'] === 'tcp', 30_000),
    server.waitForJson((l) => l['msg'] === 'listening' && l['proto'] === 'tls', 30_000),
    server.waitForJson((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('ready'), 30_000),
  ]);
  const tcpPort = tcp.line['port'] as number;
  const tlsPort = dot.line['port'] as number;
  const overTcp: Connect = () => new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: tcpPort, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
  const overTls: Connect = () => new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, ALPNProtocols: ['dot'], noDelay: true } as tls.ConnectionOptions, () => resolve(s));
    s.once('error', reject);
  });
  console.log(`meshdns DoT vs TCP: ${CONNECTIONS} connections, ${DEPTH} queries in flight on each, ${ROUNDS} rounds of ${SECONDS} s per transport, alternating (server on CPU ${SERVER_CPU}, client on CPU ${CLIENT_CPU})`);
  const perQuery = (r: { queries: number; cpuUs: number }) => r.cpuUs / r.queries;
  const rounds: Record<'tcp' | 'tls', { queries: number; cpuUs: number; qps: number }[]> = { tcp: [], tls: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.tcp.push(await queryLoad(overTcp, server.pid));
    rounds.tls.push(await queryLoad(overTls, server.pid));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const figures = { tcp: 0, tls: 0 };
  for (const proto of ['tcp', 'tls'] as const) {
    const us = rounds[proto].map(perQuery);
    figures[proto] = median(us);
    console.log(`${proto}: ${median(rounds[proto].map((r) => r.qps)).toFixed(0)} q/s, server CPU ${figures[proto].toFixed(2)} µs/query (median; rounds: ${us.map((u) => u.toFixed(2)).join(', ')})`);
  }
  console.log(`DoT/TCP server CPU per query: ${(figures.tls / figures.tcp).toFixed(2)}x (target: at most 1.5x)`);
  const full = await handshakes(tlsPort, server.pid, false);
  const resumed = await handshakes(tlsPort, server.pid, true);
  console.log(`full handshakes (+1 query each): ${full.perSecond.toFixed(0)}/s, server CPU ${(full.cpuUs / full.count / 1000).toFixed(2)} ms each`);
  console.log(`resumed handshakes (+1 query each): ${resumed.perSecond.toFixed(0)}/s, server CPU ${(resumed.cpuUs / resumed.count / 1000).toFixed(2)} ms each`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
