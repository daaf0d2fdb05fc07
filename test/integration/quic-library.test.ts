/**
 * Why server/quic/ drives quiche's binding itself instead of @matrixai/quic's JavaScript layer
 * (QUICServer/QUICClient/QUICConnection/QUICStream): reproducers of what that layer does with DNS
 * clients. Each assertion states the library's behaviour in 2.0.9; one failing after an upgrade
 * means the workaround may be dropped (README, "DNS over QUIC").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, QUICClient, QUICServer } from '@matrixai/quic';
import { serverDefault } from '@matrixai/quic/config.js';
import Logger, { LogLevel } from '@matrixai/logger';
import { DoqClient } from '../../server/quic/doq-client.js';
import { requireTool } from '../helpers/tools.js';

let dir: string;
let certPem: string;
let keyPem: string;
const logger = new Logger('quic-library-test', LogLevel.SILENT);
const hmacKey = randomBytes(32);
const serverCrypto = {
  key: hmacKey.buffer.slice(hmacKey.byteOffset, hmacKey.byteOffset + hmacKey.byteLength) as ArrayBuffer,
  ops: {
    sign: async (key: ArrayBuffer, data: ArrayBuffer) => {
      const mac = createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();
      return mac.buffer.slice(mac.byteOffset, mac.byteOffset + mac.byteLength) as ArrayBuffer;
    },
    verify: async (key: ArrayBuffer, data: ArrayBuffer, sig: ArrayBuffer) =>
      timingSafeEqual(createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest(), Buffer.from(sig)),
  },
};

before(() => {
  requireTool('openssl', 'openssl');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-quic-lib-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=lib.test'], { stdio: 'ignore' });
  certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function libraryServer(maxStreams = 100): Promise<{ server: QUICServer; streams: () => number }> {
  const server = new QUICServer({
    crypto: serverCrypto, logger,
    config: { key: keyPem, cert: certPem, applicationProtos: ['doq'], initialMaxStreamsBidi: maxStreams, maxIdleTimeout: 5000 },
  });
  let seen = 0;
  // the earliest place a stream can be seen: the connection's events, re-dispatched by the server
  server.addEventListener(events.EventQUICConnectionStream.name, () => { seen++; });
  server.addEventListener(events.EventQUICServerConnection.name, (e: Event) => {
    (e as unknown as events.EventQUICServerConnection).detail.addEventListener(events.EventQUICConnectionStream.name, () => { seen++; });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  return { server, streams: () => seen };
}

test('QUICServer never surfaces a query sent with the client\'s last handshake flight (our quiche client does that); server/quic answers it', async () => {
  const { server, streams } = await libraryServer();
  const client = await DoqClient.connect({ host: '127.0.0.1', port: server.port, check: { mode: 'opportunistic' }, timeoutMs: 3000 });
  try {
    // written the moment the handshake completes: it leaves in the same datagram as the client's Finished
    void client.query(Buffer.from('000001000001000000000000076578616d706c6503636f6d0000010001', 'hex')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(streams(), 0, 'the stream was lost: no stream event, no answer ever (the client times out)');
  } finally {
    await client.close();
    await server.stop({ force: true });
  }
});

test('QUICConnection.newStream throws ErrorQUICStreamLimit at the peer\'s stream limit instead of waiting for MAX_STREAMS', async () => {
  const { server } = await libraryServer(2);
  const client = await QUICClient.createQUICClient({
    host: '127.0.0.1', port: server.port, logger,
    config: { verifyPeer: false, applicationProtos: ['doq'] },
    crypto: { ops: { randomBytes: async (data: ArrayBuffer) => { randomBytes(data.byteLength).copy(Buffer.from(data)); } } },
  });
  try {
    client.connection.newStream();
    client.connection.newStream();
    assert.throws(() => client.connection.newStream(), (err: Error) => err.constructor.name === 'ErrorQUICStreamLimit');
  } finally {
    await client.destroy({ force: true });
    await server.stop({ force: true });
  }
});

test('the library\'s defaults: 100 concurrent streams, no idle timeout, 0-RTT on (server/quic/config.ts sets 1,024, the configured idle timeout, 0-RTT off)', () => {
  assert.equal(serverDefault.initialMaxStreamsBidi, 100);
  assert.equal(serverDefault.maxIdleTimeout, 0);
  assert.equal(serverDefault.enableEarlyData, true);
});
