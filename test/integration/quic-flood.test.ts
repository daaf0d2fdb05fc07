/**
 * A flood of QUIC handshakes that never finish (each a real client's first Initial, nothing
 * after it) against the real server: UDP and TCP keep answering throughout, the QUIC slots come
 * back at the handshake timeout, and DoQ answers again afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuicheConfig, CLIENT_LIMITS } from '../../server/quic/config.js';
import { DoqClient } from '../../server/quic/doq-client.js';
import { Quiche } from '../../server/quic/native.js';
import { buildQuery, queryTcp, queryUdp } from '../helpers/dns-client.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';

let dir: string;
let server: RunningMeshdns;
let quicPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-quic-flood-'));
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  writeFileSync(join(zones, 'flood.test.zone'), '$TTL 60\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n');
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'listen:',
    '  - "127.0.0.1:0"',
    '  - {address: "127.0.0.1:0", transport: quic}',
    'tls: {handshakeTimeout: 1}',
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml'), listenFromConfig: true });
  quicPort = (await server.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'quic'))['port'] as number;
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const www = buildQuery({ qname: 'www.flood.test', qtype: 'A' });

test('3,000 handshakes that never finish do not stop UDP and TCP answers; DoQ serves again after the handshake timeout', async () => {
  const config = buildQuicheConfig('client', { alpn: ['doq'], verifyInCode: true }, CLIENT_LIMITS);
  const sockets: dgram.Socket[] = [];
  for (let i = 0; i < 30; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('message', () => undefined); // the server's first flight, never answered
    sockets.push(s);
  }
  const out = Buffer.alloc(1350);
  let sent = 0;
  let flooding = true;
  const flood = (async () => {
    while (flooding && sent < 3000) {
      for (const s of sockets) {
        const conn = Quiche.Connection.connect(null, randomBytes(20), { host: '127.0.0.1', port: s.address().port }, { host: '127.0.0.1', port: quicPort }, config);
        const first = conn.send(out)!;
        s.send(Buffer.from(out.subarray(0, first[0])), quicPort, '127.0.0.1');
        sent++;
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    let udpAnswers = 0;
    let tcpAnswers = 0;
    for (let i = 0; i < 20; i++) {
      const u = await queryUdp(server.port, www, 2000);
      if (u !== null && u.readUInt16BE(6) === 1) udpAnswers++;
      const t = await queryTcp(server.port, www, 2000);
      if (t !== null && t.readUInt16BE(6) === 1) tcpAnswers++;
    }
    assert.equal(udpAnswers, 20, 'every UDP query answered during the flood');
    assert.equal(tcpAnswers, 20, 'every TCP query answered during the flood');
  } finally {
    flooding = false;
    await flood;
    for (const s of sockets) s.close();
  }
  assert.ok(sent >= 300, `the flood sent ${sent} Initials`);
  // the pending handshakes time out (1 s); then a DoQ client gets a slot and an answer
  let answered = false;
  for (let i = 0; i < 20 && !answered; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      const c = await DoqClient.connect({ host: '127.0.0.1', port: quicPort, check: { mode: 'opportunistic' }, timeoutMs: 2000 });
      const a = await c.query(www);
      answered = a.readUInt16BE(6) === 1;
      await c.close();
    } catch { /* still refused: slots not back yet */ }
  }
  assert.ok(answered, 'DoQ answers once the unfinished handshakes timed out');
  assert.match(server.logs(), /quic connection refused at a limit/);
});
