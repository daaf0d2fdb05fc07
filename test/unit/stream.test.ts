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
      return Buffer.from([msg[0]!, msg[0]!]);
    },
  };
}

async function serve(options: StreamOptions): Promise<{ port: number; seen: Seen; service: StreamService; close(): Promise<void> }> {
  const seen: Seen = { messages: [], transports: [], peers: [] };
  const service = new StreamService(echoHandler(seen), Transport.TCP4, options);
  const server = net.createServer({ allowHalfOpen: false }, (socket) => service.accept(socket, socket.remoteAddress ?? ''));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, seen, service, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function frame(...bytes: number[]): Buffer {
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  Buffer.from(bytes).copy(out, 2);
  return out;
}

async function connect(port: number): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
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
