import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, OPT_PADDING } from '../helpers/dns-client.js';
import { DotClient, makePki, pinOf, tlsPortOf, type TestPki } from '../helpers/dot.js';
import { CLI, startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';

/**
 * DNS over TLS (RFC 7858) with real clients: kdig (GnuTLS) with +tls, +tls-pin, +tls-ca and
 * +tls-hostname, dig (OpenSSL) with +tls, queries and AXFR; TLS 1.2 and 1.3 and session
 * resumption with node:tls; keepalive and padding; an ACL that requires TLS for transfers.
 */

let dir: string;
let selfSigned: RunningMeshdns;
let withFiles: RunningMeshdns;
let pki: TestPki;
let port: number;
let tcpPort: number;
let filesPort: number;
let pin: string;

const ZONE = ['$ORIGIN example.test.', '$TTL 300', '@ SOA ns1 hostmaster 7 3600 600 86400 300', '@ NS ns1', 'ns1 A 192.0.2.1', 'www A 192.0.2.80',
  ...Array.from({ length: 200 }, (_, i) => `host${i} A 198.51.100.${i % 250}`), ''].join('\n');

before(async () => {
  requireTool('kdig', 'knot-dnsutils');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-dot-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'example.test.zone'), ZONE);
  writeFileSync(join(dir, 'self.yaml'), [
    'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
    `zoneDir: ${join(dir, 'zones')}`,
    'acls:',
    '  - {name: encrypted-only, action: transfer, transport: [tls, quic]}',
    'defaults: {acl: [encrypted-only]}',
    '',
  ].join('\n'));
  selfSigned = await startMeshdns({ config: join(dir, 'self.yaml'), listenFromConfig: true });
  port = await tlsPortOf(selfSigned);
  tcpPort = selfSigned.port;
  pin = await pinOf(selfSigned);

  pki = makePki(dir);
  writeFileSync(join(dir, 'files.yaml'), [
    'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
    `zoneDir: ${join(dir, 'zones')}`,
    `tls: {certFile: ${pki.cert}, keyFile: ${pki.key}}`,
    '',
  ].join('\n'));
  withFiles = await startMeshdns({ config: join(dir, 'files.yaml'), listenFromConfig: true });
  filesPort = await tlsPortOf(withFiles);
});

after(async () => {
  await selfSigned?.stop();
  await withFiles?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kdig = (args: string[]) => dig(args, 'kdig');
const kdigFails = (args: string[]) => spawnSync('kdig', args, { encoding: 'utf8', timeout: 15_000 });

test('a self-signed P-256 certificate is made at first start; its pin is logged, printed by `meshdns tls pin` and on the status page', async () => {
  assert.match(pin, /^[A-Za-z0-9+/]{43}=$/);
  const cli = spawnSync(process.execPath, [CLI, 'tls', 'pin', '--config', join(dir, 'self.yaml'), '--data', selfSigned.dataDir], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout, `${pin}\n`);
  const page = await (await fetch(`${selfSigned.admin!.url}/`)).text();
  assert.match(page, new RegExp(`<code>${pin.replace(/[+/]/g, '\\$&')}</code>`));
  const session = kdig(['@127.0.0.1', '-p', String(port), '+tls', 'www.example.test', 'A']);
  assert.match(session, /ECDSA-SECP256R1-SHA256/, 'the certificate is ECDSA P-256');
});

test('kdig +tls (opportunistic) and +tls-pin query over DoT; a wrong pin is refused by kdig', () => {
  assert.equal(kdig(['@127.0.0.1', '-p', String(port), '+tls', '+short', 'www.example.test', 'A']).trim(), '192.0.2.80');
  const pinned = kdig(['@127.0.0.1', '-p', String(port), `+tls-pin=${pin}`, 'www.example.test', 'A']);
  assert.match(pinned, /TLS session \(TLS1\.3\)/);
  assert.match(pinned, /www\.example\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
  const wrong = kdigFails(['@127.0.0.1', '-p', String(port), '+tls-pin=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', '+retry=0', 'www.example.test', 'A']);
  assert.doesNotMatch(wrong.stdout, /192\.0\.2\.80/);
});

test('kdig +tls-ca with +tls-hostname verifies a CA-issued certificate from files; a wrong hostname fails', () => {
  const ok = kdig(['@127.0.0.1', '-p', String(filesPort), `+tls-ca=${pki.caCert}`, '+tls-hostname=dns.test', 'www.example.test', 'A']);
  assert.match(ok, /192\.0\.2\.80/);
  const wrong = kdigFails(['@127.0.0.1', '-p', String(filesPort), `+tls-ca=${pki.caCert}`, '+tls-hostname=other.test', '+retry=0', 'www.example.test', 'A']);
  assert.doesNotMatch(wrong.stdout, /192\.0\.2\.80/);
});

test('dig +tls queries; kdig and dig take the zone by AXFR over TLS', () => {
  assert.equal(dig(['@127.0.0.1', '-p', String(port), '+tls', '+short', 'www.example.test', 'A']).trim(), '192.0.2.80');
  const viaKdig = kdig(['@127.0.0.1', '-p', String(port), '+tls', 'example.test', 'AXFR']).split('\n').filter((l) => /\sIN\s/.test(l));
  assert.equal(viaKdig.length, 205, 'SOA, NS, 2 A + 200 hosts, closing SOA');
  const viaDig = dig(['@127.0.0.1', '-p', String(port), '+tls', 'example.test', 'AXFR']).split('\n').filter((l) => /\sIN\s/.test(l));
  assert.equal(viaDig.length, 205);
});

test('an ACL with transport: [tls, quic] refuses the same transfer over plain TCP', () => {
  const overTcp = dig(['@127.0.0.1', '-p', String(tcpPort), 'example.test', 'AXFR']);
  assert.match(overTcp, /Transfer failed|REFUSED/);
  assert.doesNotMatch(overTcp, /host0\.example\.test/);
});

test('the refusal is logged with the transport it came over', async () => {
  await selfSigned.waitForLog((e) => e['msg'] === 'transfer refused by ACL' && e['transport'] === 'tcp', 5000);
});

test('TLS 1.2 and TLS 1.3 both work, ALPN is "dot"', async () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const client = await DotClient.connect(port, { minVersion: version, maxVersion: version });
    assert.equal(client.socket.getProtocol(), version);
    assert.equal(client.socket.alpnProtocol, 'dot');
    const answer = await client.query(buildQuery({ qname: 'www.example.test', qtype: 'A' }));
    assert.ok(answer && answer.readUInt16BE(6) === 1, `one answer over ${version}`);
    client.close();
  }
});

test('a session is resumed with the ticket the server gave (TLS 1.2 and 1.3)', async () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    const first = await DotClient.connect(port, { maxVersion: version });
    // TLS 1.3 tickets come after the handshake: an answer read means they arrived
    assert.ok(await first.query(buildQuery({ qname: 'www.example.test', qtype: 'A' })));
    const session = first.lastSession;
    assert.ok(session, `a session ticket over ${version}`);
    assert.equal(first.socket.isSessionReused(), false);
    first.close();
    const second = await DotClient.connect(port, { maxVersion: version, session });
    assert.equal(second.socket.isSessionReused(), true, `resumed over ${version}`);
    assert.ok(await second.query(buildQuery({ qname: 'www.example.test', qtype: 'A' })));
    second.close();
  }
  const metrics = await (await fetch(`${selfSigned.admin!.url}/metrics`)).text();
  const resumed = /meshdns_transport_handshakes_total\{proto="tls",resumed="true"\} (\d+)/.exec(metrics);
  assert.match(metrics, /meshdns_dns_request_size_bytes_count\{server="tls:\/\/[^"]+",proto="tls"\} [1-9]/, 'request sizes are counted for tls too');
  assert.ok(resumed && Number(resumed[1]) >= 2, metrics.split('\n').filter((l) => l.includes('transport_')).join('\n'));
});

test('keepalive (RFC 7828) is answered over TLS and TCP; padding (RFC 7830/8467) only over TLS, to a multiple of 468', () => {
  const overTls = dig(['@127.0.0.1', '-p', String(port), '+tls', '+keepalive', '+padding=128', 'www.example.test', 'A']);
  assert.match(overTls, /TCP KEEPALIVE: 10\.0 secs/);
  assert.match(overTls, /PAD: \(\d+ bytes\)/);
  const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(overTls)![1]);
  assert.equal(size % 468, 0, `padded to a block: ${size}`);
  const overTcp = dig(['@127.0.0.1', '-p', String(tcpPort), '+tcp', '+keepalive', '+padding=128', 'www.example.test', 'A']);
  assert.match(overTcp, /TCP KEEPALIVE: 10\.0 secs/);
  assert.doesNotMatch(overTcp, /PAD:/, 'no padding in the clear');
  const overUdp = dig(['@127.0.0.1', '-p', String(tcpPort), '+keepalive', 'www.example.test', 'A']);
  assert.doesNotMatch(overUdp, /KEEPALIVE/, 'never over UDP (RFC 7828 §3.2.1)');
  const unpadded = dig(['@127.0.0.1', '-p', String(port), '+tls', 'www.example.test', 'A']);
  assert.doesNotMatch(unpadded, /PAD:/, 'a query without padding gets none');
});

test('a padded query from our own client gets a padded answer on a long-lived connection with pipelining', async () => {
  const client = await DotClient.connect(port);
  const padded = buildQuery({ qname: 'www.example.test', qtype: 'A', edns: { options: [{ code: OPT_PADDING, data: new Uint8Array(20) }] } });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.query(i % 2 === 0 ? padded : buildQuery({ qname: `host${i}.example.test`, qtype: 'A' }))));
  for (const [i, a] of answers.entries()) {
    assert.ok(a);
    if (i % 2 === 0) assert.equal(a.length % 468, 0);
    else assert.notEqual(a.length % 468, 0);
  }
  client.close();
});
