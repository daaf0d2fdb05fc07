import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, queryTcp, queryUdp } from '../helpers/dns-client.js';
import { DotClient, makePki, pinOf, tlsPortOf } from '../helpers/dot.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { pinOfPem } from '../../server/tls/pin.js';

/**
 * The DoT listener's limits and certificate rotation: the idle timeout, the per-client cap, a flood
 * of clients that never finish their handshake (cut off by the handshake timeout and capped, while
 * UDP, TCP and other DoT clients are answered), and certificate files replaced on disk.
 */

let dir: string;
let limited: RunningMeshdns;
let tlsPort: number;

const Q = () => buildQuery({ qname: 'www.example.test', qtype: 'A', id: Math.floor(Math.random() * 65535) });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-tls-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'example.test.zone'), '$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.80\n');
  writeFileSync(join(dir, 'limited.yaml'), [
    'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
    `zoneDir: ${join(dir, 'zones')}`,
    'tcp: {idleTimeout: 1, ioTimeout: 0.5, maxConnectionsPerClient: 3}',
    'tls: {handshakeTimeout: 0.5}',
    '',
  ].join('\n'));
  limited = await startMeshdns({ config: join(dir, 'limited.yaml'), listenFromConfig: true });
  tlsPort = await tlsPortOf(limited);
});

after(async () => {
  await limited?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const metric = async (server: RunningMeshdns, pattern: RegExp): Promise<number> => {
  const text = await (await fetch(`${server.admin!.url}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : NaN;
};

test('an idle DoT connection is closed after tcp.idleTimeout; one in use is not', async () => {
  const client = await DotClient.connect(tlsPort);
  assert.ok(await client.query(Q()));
  await client.whenClosed();
  assert.equal(await client.query(Q()), null);
});

test('a DoT client that stalls in the middle of a message is closed after tcp.ioTimeout', async () => {
  const client = await DotClient.connect(tlsPort);
  client.socket.write(Buffer.from([0, 40, 0x12])); // a length prefix and one octet of the 40 it announces
  await client.whenClosed();
  assert.equal(client.closed, true);
});

test('connections beyond tcp.maxConnectionsPerClient are refused; the ones open keep working', async () => {
  const open = await Promise.all([1, 2, 3].map(() => DotClient.connect(tlsPort)));
  for (const c of open) assert.ok(await c.query(Q()));
  const fourth = await DotClient.connect(tlsPort).catch(() => undefined);
  if (fourth) assert.equal(await fourth.query(Q()), null, 'the fourth connection is closed without an answer');
  for (const c of open) assert.ok(await c.query(Q()), 'the three keep their connection');
  for (const c of open) c.close();
  fourth?.close();
  assert.ok(await metric(limited, /meshdns_transport_connections_open\{proto="tls"\} (\d+)/) >= 0);
});

test('a flood of clients that never finish the handshake is cut off and capped; UDP, TCP and other DoT clients are answered meanwhile', async () => {
  const timeoutsBefore = await metric(limited, /meshdns_transport_handshake_failures_total\{proto="tls",reason="timeout"\} (\d+)/);
  const errorsBefore = await metric(limited, /meshdns_transport_handshake_failures_total\{proto="tls",reason="error"\} (\d+)/);
  const flood: net.Socket[] = [];
  const closed: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    const s = net.connect({ host: '127.0.0.1', port: tlsPort });
    s.on('error', () => undefined);
    // half a ClientHello record header, then nothing: the handshake never finishes
    s.on('connect', () => s.write(Buffer.from([0x16, 0x03, 0x01])));
    closed.push(new Promise((resolve) => s.once('close', () => resolve())));
    flood.push(s);
  }
  await new Promise((r) => setTimeout(r, 100));
  const udp = await queryUdp(limited.port, Q(), 2000);
  const tcp = await queryTcp(limited.port, Q(), 2000);
  assert.ok(udp && udp.readUInt16BE(6) === 1, 'UDP answered during the flood');
  assert.ok(tcp && tcp.readUInt16BE(6) === 1, 'TCP answered during the flood');
  // another client address (the per-client caps are per address)
  const other = await DotClient.connect(tlsPort, { localAddress: '127.0.0.2' } as tls.ConnectionOptions);
  assert.ok(await other.query(Q()), 'a DoT client from another address is served during the flood');
  other.close();
  await Promise.all(closed);
  assert.ok(flood.every((s) => s.destroyed));
  const timeouts = await metric(limited, /meshdns_transport_handshake_failures_total\{proto="tls",reason="timeout"\} (\d+)/);
  const refused = await metric(limited, /meshdns_transport_handshake_failures_total\{proto="tls",reason="refused"\} (\d+)/);
  assert.ok(timeouts - timeoutsBefore >= 1, `handshake timeouts counted: ${timeouts}`);
  assert.ok(refused >= 50, `handshakes beyond the per-client cap refused: ${refused}`);
  const errors = await metric(limited, /meshdns_transport_handshake_failures_total\{proto="tls",reason="error"\} (\d+)/);
  assert.ok(errors - errorsBefore < 5, `a refused connection is counted once, as refused, not also as an error: ${errors - errorsBefore} errors`);
  // and the listener is not left stuck: a new client gets its answer
  const after = await DotClient.connect(tlsPort);
  assert.ok(await after.query(Q()));
  after.close();
});

test('garbage instead of a ClientHello closes that connection and nothing else', async () => {
  const s = net.connect({ host: '127.0.0.1', port: tlsPort });
  s.on('error', () => undefined);
  await new Promise((resolve) => s.once('connect', resolve));
  s.write(Buffer.alloc(600, 0x41));
  await new Promise((resolve) => s.once('close', resolve));
  const client = await DotClient.connect(tlsPort);
  assert.ok(await client.query(Q()));
  client.close();
});

test('certificate files replaced on disk: new connections get the new certificate, an open one stays up', async () => {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const first = makePki(pkiDir, 'first');
  const second = makePki(pkiDir, 'second');
  const certFile = join(dir, 'live.crt');
  const keyFile = join(dir, 'live.key');
  copyFileSync(first.cert, certFile);
  copyFileSync(first.key, keyFile);
  writeFileSync(join(dir, 'rotating.yaml'), [
    'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
    `zoneDir: ${join(dir, 'zones')}`,
    `tls: {certFile: ${certFile}, keyFile: ${keyFile}, reloadOnChange: true}`,
    '',
  ].join('\n'));
  const server = await startMeshdns({ config: join(dir, 'rotating.yaml'), listenFromConfig: true });
  try {
    const port = await tlsPortOf(server);
    const firstPin = pinOfPem(readFileSync(first.cert, 'utf8'));
    const secondPin = pinOfPem(readFileSync(second.cert, 'utf8'));
    assert.equal(await pinOf(server), firstPin);
    const before = await DotClient.connect(port);
    assert.ok(await before.query(Q()));
    const peerPin = (c: DotClient) => pinOfPem(c.socket.getPeerX509Certificate()!.toString());
    assert.equal(peerPin(before), firstPin);
    // the key first, then the certificate (a moment with a mismatched pair is skipped, not used)
    copyFileSync(second.key, keyFile);
    copyFileSync(second.cert, certFile);
    const reloaded = await server.waitForLog((e) => e['msg'] === 'tls: certificate reloaded; new connections use it');
    assert.equal(reloaded['pin'], secondPin);
    const afterRotation = await DotClient.connect(port);
    assert.equal(peerPin(afterRotation), secondPin);
    assert.ok(await afterRotation.query(Q()));
    assert.ok(await before.query(Q()), 'the connection opened before the rotation is still served');
    assert.equal(before.closed, false);
    before.close();
    afterRotation.close();
  } finally {
    await server.stop();
  }
});
