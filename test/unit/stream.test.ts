// The RFC 7766 stream handling (server/listeners/stream.ts) on its own: a loopback TCP server whose
// connections a StreamService serves, with a handler that echoes each message's first byte.
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { StreamService, type StreamOptions } from '../../server/listeners/stream.js';
import { Transport, type MessageHandler, type TransportId } from '../../server/transports.js';

interface Seen {
  messages: Buffer[];
  transports: TransportId[];
  peers: unknown[];
}

/** Answers a message [n, ...] with [n, n]; [0xff, ...] with a sequence of three messages (a transfer). */
function echoHandler(seen: Seen): MessageHandler {
  return {
    handle(msg, transport, peer) {
      seen.messages.push(Buffer.from(msg));
      seen.transports.push(transport);
      seen.peers.push(peer);
      if (msg[0] === 0xfe) return undefined;
      if (msg[0] === 0xff) return [Buffer.from([0xf0]), Buffer.from([0xf1]), Buffer.from([0xf2])];
      if (msg[0] === 0xfd) return bigAnswer(msg); // [0xfd, hi, lo]: 2,000 octets starting hi, lo
      return Buffer.from([msg[0]!, msg[0]!]);
    },
  };
}

const BIG = 2000;
function bigAnswer(msg: Uint8Array): Buffer {
  const out = Buffer.alloc(BIG);
  out[0] = msg[1]!;
  out[1] = msg[2]!;
  return out;
}

async function serve(options: StreamOptions): Promise<{ port: number; seen: Seen; service: StreamService; sockets: net.Socket[]; close(): Promise<void> }> {
  const seen: Seen = { messages: [], transports: [], peers: [] };
  const service = new StreamService(echoHandler(seen), Transport.TCP4, options);
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: false }, (socket) => {
    sockets.push(socket);
    service.accept(socket, socket.remoteAddress ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, seen, service, sockets, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function frame(...bytes: number[]): Buffer {
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  Buffer.from(bytes).copy(out, 2);
  return out;
}

async function connect(port: number, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = Buffer.alloc(0);
  socket.on('data', (chunk) => (data = Buffer.concat([data, chunk])));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => data, closed };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

const OPTIONS: StreamOptions = { idleTimeoutMs: 2000, maxConnections: 10 };

test('a message split across reads, down to one octet at a time, is reassembled', async () => {
  const server = await serve(OPTIONS);
  const client = await connect(server.port);
  const bytes = Buffer.concat([frame(7, 1, 2, 3, 4), frame(8, 5)]);
  for (const b of bytes) {
    client.socket.write(Buffer.from([b]));
    await sleep(2);
  }
  await until(() => client.received().length === 8);
  assert.deepEqual([...client.received()], [0, 2, 7, 7, 0, 2, 8, 8]);
  assert.deepEqual(server.seen.messages.map((m) => [...m]), [[7, 1, 2, 3, 4], [8, 5]]);
  assert.deepEqual(server.seen.transports, [Transport.TCP4, Transport.TCP4]);
  assert.deepEqual(server.seen.peers, ['127.0.0.1', '127.0.0.1']);
  client.socket.destroy();
  await server.close();
});

test('pipelined messages are answered in order, a silent one skipped, a sequence streamed between', async () => {
  const server = await serve(OPTIONS);
  const client = await connect(server.port);
  client.socket.write(Buffer.concat([frame(1), frame(0xfe), frame(2), frame(0xff), frame(3)]));
  const expected = [0, 2, 1, 1, 0, 2, 2, 2, 0, 1, 0xf0, 0, 1, 0xf1, 0, 1, 0xf2, 0, 2, 3, 3];
  await until(() => client.received().length === expected.length);
  assert.deepEqual([...client.received()], expected);
  client.socket.destroy();
  await server.close();
});

test('a client that half-closes right after its queries still gets every answer', async () => {
  const server = await serve(OPTIONS);
  const client = await connect(server.port);
  client.socket.end(Buffer.concat([frame(4), frame(5)]));
  await client.closed;
  assert.deepEqual([...client.received()], [0, 2, 4, 4, 0, 2, 5, 5]);
  await server.close();
});

test('an idle connection is closed after idleTimeoutMs (RFC 7766 §6.2.3)', async () => {
  const server = await serve({ idleTimeoutMs: 150, maxConnections: 10 });
  const client = await connect(server.port);
  const started = Date.now();
  await client.closed;
  const waited = Date.now() - started;
  assert.ok(waited >= 100 && waited < 2000, `closed after ${waited} ms`);
  await server.close();
});

test('connections beyond maxConnections are closed at once; a slot frees when one closes', async () => {
  const server = await serve({ idleTimeoutMs: 5000, maxConnections: 2 });
  const a = await connect(server.port);
  const b = await connect(server.port);
  await until(() => server.service.connections === 2);
  const c = await connect(server.port);
  await c.closed;
  assert.equal(c.received().length, 0);
  a.socket.write(frame(9));
  await until(() => a.received().length === 4);
  a.socket.destroy();
  await until(() => server.service.connections === 1);
  const d = await connect(server.port);
  d.socket.write(frame(6));
  await until(() => d.received().length === 4);
  assert.deepEqual([...d.received()], [0, 2, 6, 6]);
  b.socket.destroy();
  d.socket.destroy();
  await server.close();
});

/** When the connection closes, in ms after `since` (or Infinity if it is still open after `withinMs`). */
async function closedAfter(closed: Promise<void>, since: number, withinMs: number): Promise<number> {
  const timedOut = Symbol('open');
  const r = await Promise.race([closed, sleep(withinMs).then(() => timedOut)]);
  return r === timedOut ? Infinity : Date.now() - since;
}

test('a client that pipelines without reading: reading stops at maxUnsentBytes, and every answer arrives in order once it reads (RFC 7766 §6.2.1)', async () => {
  const maxUnsentBytes = 64 * 1024;
  const server = await serve({ idleTimeoutMs: 10_000, maxConnections: 10, maxUnsentBytes });
  const socket = net.connect(server.port, '127.0.0.1');
  socket.pause();
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const count = 20_000; // 40 MB of answers: far more than the kernel's socket buffers hold
  socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => frame(0xfd, i >> 8, i & 0xff))));
  await until(() => server.sockets[0]?.isPaused() === true, 10_000);
  // the server holds at most the bound and one more answer, however long the client waits
  let maxHeld = 0;
  for (let i = 0; i < 20; i++) {
    maxHeld = Math.max(maxHeld, server.sockets[0]!.writableLength, ...[...server.service.connectionsNow()].map((c) => c.unsentBytes));
    await sleep(10);
  }
  assert.ok(maxHeld <= maxUnsentBytes + BIG + 2, `holds ${maxHeld} unsent octets`);
  assert.ok(server.seen.messages.length < count, `stopped reading after ${server.seen.messages.length} queries`);
  assert.ok(server.service.counters.pausedReads >= 1);

  // now it reads: every answer, in order
  let buf: Buffer = Buffer.alloc(0);
  let next = 0;
  let inOrder = true;
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let p = 0;
    while (buf.length - p >= 2 + BIG) {
      if (buf.readUInt16BE(p) !== BIG || buf.readUInt16BE(p + 2) !== (next & 0xffff)) inOrder = false;
      next++;
      p += 2 + BIG;
    }
    buf = buf.subarray(p);
  });
  socket.resume();
  await until(() => next === count, 20_000);
  assert.ok(inOrder, 'answers in the order of the queries');
  assert.equal(server.seen.messages.length, count);
  socket.destroy();
  await server.close();
});

test('a client that never reads its answers is closed after idleTimeoutMs as a write stall', async () => {
  const server = await serve({ idleTimeoutMs: 300, maxConnections: 10, maxUnsentBytes: 16 * 1024 });
  const socket = net.connect(server.port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(Buffer.concat(Array.from({ length: 20_000 }, (_, i) => frame(0xfd, i >> 8, i & 0xff))));
  await until(() => server.sockets[0]?.isPaused() === true, 10_000);
  await until(() => server.service.connections === 0, 3000);
  assert.equal(server.service.counters.closed.write_stall, 1);
  socket.destroy();
  await closed;
  await server.close();
});

test('connections beyond maxConnectionsPerClient from one address are closed; another address is served', async () => {
  const server = await serve({ idleTimeoutMs: 5000, maxConnections: 10, maxConnectionsPerClient: 2 });
  const a = await connect(server.port);
  const b = await connect(server.port);
  await until(() => server.service.connections === 2);
  const c = await connect(server.port);
  await c.closed;
  assert.equal(c.received().length, 0);
  const other = await connect(server.port, '127.0.0.2');
  other.socket.write(frame(3));
  await until(() => other.received().length === 4);
  assert.deepEqual([...other.received()], [0, 2, 3, 3]);
  a.socket.write(frame(4));
  await until(() => a.received().length === 4);
  assert.equal(server.service.counters.closed.client_limit, 1);
  // a slot of the first address frees when one of its connections closes
  b.socket.destroy();
  await until(() => server.service.connections === 2);
  const d = await connect(server.port);
  d.socket.write(frame(5));
  await until(() => d.received().length === 4);
  for (const x of [a, d, other]) x.socket.destroy();
  await server.close();
});

test('a message trickled one octet at a time is closed at ioTimeoutMs; a connection sending whole queries lives to idleTimeoutMs', async () => {
  const server = await serve({ idleTimeoutMs: 1500, ioTimeoutMs: 500, maxConnections: 10 });
  const trickle = await connect(server.port);
  const whole = await connect(server.port);
  const started = Date.now();
  const trickleClosed = closedAfter(trickle.closed, started, 3000);
  whole.socket.write(frame(1));
  const bytes = frame(7, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  let lastWhole = started;
  for (let i = 0; i < bytes.length && !trickle.socket.destroyed; i++) {
    trickle.socket.write(bytes.subarray(i, i + 1));
    if (i === 1) {
      whole.socket.write(frame(2));
      lastWhole = Date.now();
    }
    await sleep(300);
  }
  const trickleAt = await trickleClosed;
  assert.ok(trickleAt >= 400 && trickleAt < 1300, `the trickle was closed after ${trickleAt} ms`);
  assert.equal(trickle.received().length, 0);
  assert.equal(server.service.counters.closed.io_timeout, 1);
  // the connection with whole queries got its answers and is still open after the trickle's deadline
  await until(() => whole.received().length === 8);
  assert.equal(whole.socket.destroyed, false);
  const wholeAt = await closedAfter(whole.closed, lastWhole, 4000);
  assert.ok(wholeAt >= 1300 && wholeAt < 2500, `the idle connection was closed ${wholeAt} ms after its last query`);
  assert.equal(server.service.counters.closed.idle_timeout, 1);
  await server.close();
});

test('at maxConnections the connection idle the longest is closed for a new one; with none idle the new one is refused (RFC 7766 §6.2.3)', async () => {
  const server = await serve({ idleTimeoutMs: 5000, ioTimeoutMs: 300, maxConnections: 2 });
  const a = await connect(server.port);
  a.socket.write(frame(1));
  await until(() => a.received().length === 4);
  const b = await connect(server.port);
  b.socket.write(frame(2));
  await until(() => b.received().length === 4);
  await sleep(350); // both idle for longer than ioTimeoutMs
  b.socket.write(frame(3)); // b is no longer the longest idle
  await until(() => b.received().length === 8);
  await sleep(350);
  const c = await connect(server.port);
  await a.closed;
  c.socket.write(frame(4));
  await until(() => c.received().length === 4);
  assert.equal(b.socket.destroyed, false);
  assert.equal(server.service.counters.closed.evicted, 1);
  // b and c each in the middle of a message: nothing idle to close, the newcomer is refused
  b.socket.write(Buffer.from([0]));
  c.socket.write(Buffer.from([0]));
  await sleep(50); // received, and well inside the I/O deadline
  const d = await connect(server.port);
  await d.closed;
  assert.equal(d.received().length, 0);
  assert.equal(server.service.counters.closed.full, 1);
  for (const x of [b, c]) x.socket.destroy();
  await server.close();
});
