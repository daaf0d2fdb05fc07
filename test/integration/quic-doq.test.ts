/**
 * The DoQ listener and the QUIC engine under it, with our DoQ client and hand-made datagrams as
 * peers (kdig, the real-world peer, is in test/interop/doq.test.ts): stream limits, FIN in its
 * own frame, split queries, protocol errors, caps, handshakes that never finish, garbage,
 * transfers under flow control and STOP_SENDING, the idle timeout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { listenQuic, type DoqListener, type DoqOptions } from '../../server/listeners/quic.js';
import { DoqClient } from '../../server/quic/doq-client.js';
import { spkiPin } from '../../server/quic/peer-check.js';
import { buildQuicheConfig, CLIENT_LIMITS } from '../../server/quic/config.js';
import { Quiche } from '../../server/quic/native.js';
import type { MessageHandler } from '../../server/transports.js';
import { requireTool } from '../helpers/tools.js';

let dir: string;
let certPem: string;
let keyPem: string;
let pin: string;
const log = pino({ level: 'silent' });

before(() => {
  requireTool('openssl', 'openssl');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-doq-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=doq.test',
    '-addext', 'subjectAltName=DNS:doq.test,IP:127.0.0.1'], { stdio: 'ignore' });
  certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  pin = spkiPin(new X509Certificate(certPem).raw);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Answers any query with its question and QR set; "xfr." queries with `transferMessages` messages. */
class StubHandler implements MessageHandler {
  transferMessages = 200;
  transferClosedEarly = 0;
  seen: Buffer[] = [];
  handle(msg: Buffer): Buffer | Iterable<Buffer> {
    this.seen.push(msg);
    if (msg.includes(Buffer.from('\x03xfr\x00', 'latin1'))) return this.transfer(msg);
    const out = Buffer.from(msg);
    out[2] = out[2]! | 0x80;
    return out;
  }
  private *transfer(msg: Buffer): Iterable<Buffer> {
    let finished = false;
    try {
      for (let i = 0; i < this.transferMessages; i++) {
        const m = Buffer.alloc(16_000, i & 0xff);
        msg.copy(m, 0, 0, 12);
        m[2] = m[2]! | 0x80;
        yield m;
      }
      finished = true;
    } finally {
      if (!finished) this.transferClosedEarly++;
    }
  }
}

function query(name: string, id = 0): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

async function listen(handler: MessageHandler, over: Partial<DoqOptions> = {}): Promise<DoqListener> {
  return listenQuic({ host: '127.0.0.1', port: 0, family: 4, text: '127.0.0.1:0', transports: ['quic'] }, handler, {
    certPem, keyPem, idleTimeoutMs: 10_000, handshakeTimeoutMs: 5_000, maxConnections: 100, maxConnectionsPerClient: 20,
    maxStreamsPerConnection: 1024, ...over,
  }, log);
}

const connect = (l: DoqListener) => DoqClient.connect({ host: '127.0.0.1', port: l.port, check: { mode: 'pin', pin } });

async function until(what: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('3,000 queries at once on one connection: the client waits at the 1,024-stream limit, every one is answered', async () => {
  const handler = new StubHandler();
  const l = await listen(handler);
  const c = await connect(l);
  try {
    const answers = await Promise.all(Array.from({ length: 3000 }, (_, i) => c.query(query(`q${i}.test`))));
    assert.equal(answers.length, 3000);
    for (const [i, a] of answers.entries()) {
      assert.equal(a.readUInt16BE(0), 0, 'message ID 0');
      assert.ok(a.includes(Buffer.from(`q${i}`)), `answer ${i} is for its own query`);
    }
    assert.equal(l.counters.streams, 3000);
    assert.equal(l.counters.handshakes, 1);
  } finally {
    await c.close();
    await l.close();
  }
});

test('a query whose FIN comes in a later frame, and one split over two frames, are answered', async () => {
  const l = await listen(new StubHandler());
  const c = await connect(l);
  try {
    const conn = c.connection;
    const framed = (m: Buffer) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
    // the message, then in a later packet an empty FIN
    const late = await c.openStream();
    conn.write(late.id, framed(query('late-fin.test')), false);
    await new Promise((r) => setTimeout(r, 50));
    conn.write(late.id, Buffer.alloc(0), true);
    const [got1] = await late.answer;
    assert.ok(got1!.includes(Buffer.from('late-fin')));
    // the length prefix and half the message, then the rest with the FIN
    const split = await c.openStream();
    const whole = framed(query('split.test'));
    conn.write(split.id, whole.subarray(0, 7), false);
    await new Promise((r) => setTimeout(r, 50));
    conn.write(split.id, whole.subarray(7), true);
    const [got2] = await split.answer;
    assert.ok(got2!.includes(Buffer.from('split')));
  } finally {
    await c.close();
    await l.close();
  }
});

test('a non-zero message ID closes the connection with DOQ_PROTOCOL_ERROR (RFC 9250 §4.2.1)', async () => {
  const l = await listen(new StubHandler());
  const c = await connect(l);
  try {
    const conn = c.connection;
    const id = conn.openStream()!;
    const m = query('bad-id.test', 0x1234);
    conn.write(id, Buffer.concat([Buffer.from([0, m.length]), m]), true);
    const info = await c.closed;
    assert.equal(info.by, 'peer');
    assert.equal(info.app, true);
    assert.equal(info.code, 0x2);
    assert.equal(l.counters.protocolErrors, 1);
  } finally {
    await c.close();
    await l.close();
  }
});

test('two messages on one stream, and a FIN inside a message, are protocol errors (RFC 9250 §4.3.3)', async () => {
  const l = await listen(new StubHandler());
  try {
    for (const wire of [
      (m: Buffer) => Buffer.concat([Buffer.from([0, m.length]), m, Buffer.from([0, m.length]), m]),
      (m: Buffer) => Buffer.concat([Buffer.from([0, m.length + 5]), m]),
    ]) {
      const c = await connect(l);
      const id = c.connection.openStream()!;
      c.connection.write(id, wire(query('twice.test')), true);
      const info = await c.closed;
      assert.equal(info.app, true);
      assert.equal(info.code, 0x2);
      await c.close();
    }
    assert.equal(l.counters.protocolErrors, 2);
  } finally {
    await l.close();
  }
});

test('a zone transfer of 200 messages (3.2 MB) comes through flow control in order on one stream', async () => {
  const handler = new StubHandler();
  const l = await listen(handler);
  const c = await connect(l);
  try {
    const messages = await c.exchange(query('xfr'));
    assert.equal(messages.length, 200);
    messages.forEach((m, i) => assert.equal(m[100], i & 0xff, `message ${i} in order`));
    assert.equal(handler.transferClosedEarly, 0);
  } finally {
    await c.close();
    await l.close();
  }
});

test('STOP_SENDING on a transfer ends it on the server (its snapshot released), and the connection goes on', async () => {
  const handler = new StubHandler();
  handler.transferMessages = 100_000;
  const l = await listen(handler);
  const c = await connect(l);
  try {
    let got = 0;
    const m = query('xfr');
    const { id, answer } = await c.openStream(() => { got++; });
    answer.catch(() => undefined);
    c.connection.write(id, Buffer.concat([Buffer.from([0, m.length]), m]), true);
    await until(() => got >= 10);
    c.connection.shutdownStream(id, 'read', 0x3);
    await until(() => handler.transferClosedEarly === 1);
    assert.ok((await c.query(query('after.test'))).includes(Buffer.from('after')));
  } finally {
    await c.close();
    await l.close();
  }
});

/** The transport error a refused connection ends with (it may see the handshake complete first, see endpoint.ts). */
async function refusal(l: DoqListener): Promise<number> {
  try {
    const c = await connect(l);
    const info = await c.closed;
    await c.close();
    return info.by === 'peer' && !info.app ? info.code : -1;
  } catch (err) {
    return /transport error 2\b/.test(String(err)) ? 2 : -1;
  }
}

test('the per-client cap refuses the next connection with CONNECTION_REFUSED; a closed one frees its slot', async () => {
  const l = await listen(new StubHandler(), { maxConnectionsPerClient: 3 });
  const clients: DoqClient[] = [];
  try {
    for (let i = 0; i < 3; i++) clients.push(await connect(l));
    assert.equal(await refusal(l), 0x2, 'CONNECTION_REFUSED');
    assert.equal(l.counters.refused, 1);
    await clients.pop()!.close();
    await until(() => l.connections() === 2);
    clients.push(await connect(l));
    assert.ok((await clients.at(-1)!.query(query('again.test'))).length > 0);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await l.close();
  }
});

test('the total cap holds with clients on many sockets', async () => {
  const l = await listen(new StubHandler(), { maxConnections: 5, maxConnectionsPerClient: 100 });
  const clients = await Promise.all(Array.from({ length: 5 }, () => connect(l)));
  try {
    const refused = await Promise.all(Array.from({ length: 7 }, () => refusal(l)));
    assert.deepEqual(refused, Array(7).fill(0x2));
    assert.equal(l.connections(), 5);
    for (const c of clients) assert.ok((await c.query(query('kept.test'))).length > 0);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await l.close();
  }
});

test('200 connections at once, each with 10 queries in flight, are all answered', async () => {
  const l = await listen(new StubHandler(), { maxConnections: 300, maxConnectionsPerClient: 300 });
  const clients = await Promise.all(Array.from({ length: 200 }, () => connect(l)));
  try {
    assert.equal(l.connections(), 200);
    const answers = await Promise.all(clients.flatMap((c, i) => Array.from({ length: 10 }, (_, j) => c.query(query(`c${i}q${j}.test`)))));
    assert.equal(answers.length, 2000);
    answers.forEach((a, k) => assert.ok(a.includes(Buffer.from(`c${Math.floor(k / 10)}q${k % 10}`))));
    assert.equal(l.counters.handshakes, 200);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await l.close();
  }
});

test('clients that never finish the handshake are dropped at the handshake timeout, and hold no slot', async () => {
  const l = await listen(new StubHandler(), { handshakeTimeoutMs: 300, maxConnectionsPerClient: 10 });
  const sockets: dgram.Socket[] = [];
  try {
    // ten Initials from a real QUIC client, whose later packets never come
    const config = buildQuicheConfig('client', { alpn: ['doq'], verifyInCode: true }, CLIENT_LIMITS);
    for (let i = 0; i < 10; i++) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      sockets.push(s);
      const conn = Quiche.Connection.connect(null, randomBytes(20), { host: '127.0.0.1', port: s.address().port }, { host: '127.0.0.1', port: l.port }, config);
      const out = Buffer.alloc(1350);
      const sent = conn.send(out)!;
      s.send(out.subarray(0, sent[0]), l.port, '127.0.0.1');
    }
    await until(() => l.connections() === 10);
    await until(() => l.connections() === 0);
    assert.equal(l.counters.handshakeFailures, 10);
    const c = await connect(l);
    assert.ok((await c.query(query('fine.test'))).length > 0);
    await c.close();
  } finally {
    for (const s of sockets) s.close();
    await l.close();
  }
});

test('garbage datagrams are dropped and counted; the listener answers on', async () => {
  const l = await listen(new StubHandler());
  const s = dgram.createSocket('udp4');
  try {
    const junk = [Buffer.alloc(0), Buffer.from([0xff]), randomBytes(1200), Buffer.concat([Buffer.from([0xc0, 0, 0, 0, 1, 200]), randomBytes(40)]),
      Buffer.concat([Buffer.from([0x40]), randomBytes(60)]), Buffer.concat([Buffer.from([0xc0, 0xba, 0xba, 0xba, 0xba, 8]), randomBytes(8), Buffer.from([8]), randomBytes(1300)])];
    // full-size Initials of version 1 whose contents do not decrypt: no state, no slot held
    const initial = () => Buffer.concat([Buffer.from([0xc0, 0, 0, 0, 1, 8]), randomBytes(8), Buffer.from([8]), randomBytes(8), Buffer.from([0, 0x44, 0xd0]), randomBytes(1200)]);
    for (let i = 0; i < 50; i++) for (const j of [...junk, initial()]) s.send(j, l.port, '127.0.0.1');
    const c = await connect(l);
    assert.ok((await c.query(query('still.test'))).length > 0);
    await c.close();
    assert.ok(l.endpointCounters.dropped >= 150, `dropped ${l.endpointCounters.dropped}`);
    assert.ok(l.endpointCounters.versionNegotiations >= 1, 'an unknown version with a full-size datagram gets a Version Negotiation');
    assert.ok(l.endpointCounters.rejected >= 40, `undecryptable Initials rejected: ${l.endpointCounters.rejected}`);
    await until(() => l.connections() === 0);
    assert.equal(l.counters.handshake.failures.timeout, 0, 'none waited for the handshake timeout');
  } finally {
    s.close();
    await l.close();
  }
});

test('an idle connection is closed at the idle timeout', async () => {
  const l = await listen(new StubHandler(), { idleTimeoutMs: 400 });
  const c = await connect(l);
  try {
    assert.ok((await c.query(query('one.test'))).length > 0);
    const info = await c.closed;
    assert.equal(info.by, 'timeout');
    await until(() => l.connections() === 0);
    assert.equal(l.counters.connectionsOpen, 0);
  } finally {
    await c.close();
    await l.close();
  }
});

test('a wrong pin and a CA with the wrong hostname are refused by the client; the right CA and name pass', async () => {
  const l = await listen(new StubHandler());
  try {
    await assert.rejects(DoqClient.connect({ host: '127.0.0.1', port: l.port, check: { mode: 'pin', pin: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }), /key pin is/);
    await assert.rejects(DoqClient.connect({ host: '127.0.0.1', port: l.port, check: { mode: 'ca', caPem: certPem, hostname: 'other.test' } }), /not for "other.test"|TLS alert/);
    const ok = await DoqClient.connect({ host: '127.0.0.1', port: l.port, check: { mode: 'ca', caPem: certPem, hostname: 'doq.test' } });
    assert.ok((await ok.query(query('ca.test'))).length > 0);
    await ok.close();
  } finally {
    await l.close();
  }
});

test('a client that resets a stream mid-query (RESET_STREAM) cancels it; the connection answers on', async () => {
  const l = await listen(new StubHandler());
  const c = await connect(l);
  try {
    const { id, answer } = await c.openStream();
    answer.catch(() => undefined);
    const m = query('reset.test');
    c.connection.write(id, Buffer.concat([Buffer.from([0, m.length]), m.subarray(0, 5)]), false);
    await new Promise((r) => setTimeout(r, 50));
    c.connection.shutdownStream(id, 'write', 0x3);
    await until(() => l.counters.cancelled === 1);
    assert.ok((await c.query(query('after-reset.test'))).includes(Buffer.from('after-reset')));
    assert.equal(l.counters.protocolErrors, 0);
  } finally {
    await c.close();
    await l.close();
  }
});

test('DoQ over IPv6 (::1)', async () => {
  const l = await listenQuic({ host: '::1', port: 0, family: 6, text: '[::1]:0', transports: ['quic'] }, new StubHandler(), {
    certPem, keyPem, idleTimeoutMs: 10_000, handshakeTimeoutMs: 5_000, maxConnections: 10, maxConnectionsPerClient: 10, maxStreamsPerConnection: 100,
  }, log);
  const c = await DoqClient.connect({ host: '::1', port: l.port, check: { mode: 'pin', pin } });
  try {
    assert.ok((await c.query(query('v6.test'))).includes(Buffer.from('v6')));
  } finally {
    await c.close();
    await l.close();
  }
});

test('unfinished queries past 256 KiB on one connection close it with DOQ_EXCESSIVE_LOAD', async () => {
  const l = await listen(new StubHandler());
  const c = await connect(l);
  try {
    // 300 streams, each with a length prefix promising 4,000 octets and 1,000 of them
    for (let i = 0; i < 300; i++) {
      const { id, answer } = await c.openStream();
      answer.catch(() => undefined);
      c.connection.write(id, Buffer.concat([Buffer.from([4000 >> 8, 4000 & 0xff]), Buffer.alloc(1000)]), false);
    }
    const info = await c.closed;
    assert.equal(info.app, true);
    assert.equal(info.code, 0x4);
    assert.equal(l.counters.excessiveLoad, 1);
  } finally {
    await c.close();
    await l.close();
  }
});

test('a fifth zone transfer at once on one connection is reset with DOQ_EXCESSIVE_LOAD; the four go on', async () => {
  const handler = new StubHandler();
  handler.transferMessages = 50;
  const l = await listen(handler);
  const c = await connect(l);
  try {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.exchange(query('xfr'))));
    assert.equal(results.filter((r) => r.status === 'fulfilled' && r.value.length === 50).length, 4);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    assert.match(String(refused?.reason), /reset the stream \(code 4\)/);
    assert.equal(l.counters.excessiveLoad, 1);
  } finally {
    await c.close();
    await l.close();
  }
});
