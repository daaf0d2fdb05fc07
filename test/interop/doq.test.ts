/**
 * kdig (Knot 3.2's own QUIC client, `+quic`) against meshdns over DoQ (RFC 9250): answers,
 * NXDOMAIN, several queries on one connection (`+keepopen`), the SPKI pin, and AXFR over QUIC
 * with an ACL that allows transfers over QUIC only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { DoqClient } from '../../server/quic/doq-client.js';
import { dig, requireTool } from '../helpers/tools.js';

let dir: string;
let server: RunningMeshdns;
let quicPort: number;
let pin: string;
const HOSTS = 3000;

before(async () => {
  requireTool('kdig', 'knot-dnsutils');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-doq-kdig-'));
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i} A 10.0.${i >> 8}.${i & 0xff}`).join('\n');
  writeFileSync(join(zones, 'doq.test.zone'), `$TTL 60\n@ SOA ns hm 7 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n${hosts}\n`);
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'listen:',
    '  - "127.0.0.1:0"',
    '  - {address: "127.0.0.1:0", transport: quic}',
    'acls:',
    '  - {name: over-quic, address: [127.0.0.1], transport: [quic], action: [transfer]}',
    'defaults:',
    '  acl: [over-quic]',
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml'), listenFromConfig: true });
  const line = await server.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'quic');
  quicPort = line['port'] as number;
  pin = line['pin'] as string;
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** kdig over QUIC; stdout and stderr together (kdig reports failures on stderr). */
function kdigQuic(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('kdig', ['@127.0.0.1', '-p', String(quicPort), '+retry=0', '+timeout=5', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('kdig +quic gets an authoritative A answer with message ID 0 over a QUICv1 / TLS 1.3 session', () => {
  const { status, out } = kdigQuic(['+quic', 'www.doq.test', 'A']);
  assert.equal(status, 0, out);
  assert.match(out, /QUIC session \(QUICv1\)-\(TLS1\.3\)/);
  assert.match(out, /status: NOERROR; id: 0/);
  assert.match(out, /Flags: qr aa/);
  assert.match(out, /www\.doq\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.80/);
});

test('kdig +quic gets NXDOMAIN with the SOA for a name that does not exist', () => {
  const { status, out } = kdigQuic(['+quic', 'nope.doq.test', 'A']);
  assert.equal(status, 0, out);
  assert.match(out, /status: NXDOMAIN/);
  assert.match(out, /doq\.test\.\s+60\s+IN\s+SOA/);
});

test('kdig +quic +keepopen sends several queries on one connection (its debug output says "reused connection")', () => {
  const { status, out } = kdigQuic(['-d', '+quic', '+keepopen', 'www.doq.test', 'A', 'nope.doq.test', 'A', 'h7.doq.test', 'A']);
  assert.equal(status, 0, out);
  assert.equal(out.match(/reused connection/g)?.length, 2, out);
  assert.deepEqual(out.match(/status: \w+/g), ['status: NOERROR', 'status: NXDOMAIN', 'status: NOERROR']);
  assert.match(out, /h7\.doq\.test\.\s+60\s+IN\s+A\s+10\.0\.0\.7/);
});

test('kdig verifies the pin meshdns logs; another pin fails the query', () => {
  const ok = kdigQuic([`+tls-pin=${pin}`, '+quic', 'www.doq.test', 'A', '+short']);
  assert.equal(ok.status, 0, ok.out);
  assert.equal(ok.out.trim(), '192.0.2.80');
  const wrong = kdigQuic(['+tls-pin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', '+quic', 'www.doq.test', 'A', '+short']);
  assert.notEqual(wrong.status, 0);
  assert.doesNotMatch(wrong.out, /192\.0\.2\.80/);
});

test('AXFR over QUIC (XoQ) with kdig: the whole zone on one stream; the same ACL refuses it over TCP', () => {
  const { status, out } = kdigQuic(['+quic', 'doq.test', 'AXFR']);
  assert.equal(status, 0, out);
  const records = out.split('\n').filter((l) => /\sIN\s/.test(l) && !l.startsWith(';'));
  assert.equal(records.length, HOSTS + 5, 'SOA, NS, ns A, www A, the hosts, SOA');
  assert.match(records[0]!, /SOA/);
  assert.match(records.at(-1)!, /SOA/);
  assert.ok(records.some((l) => /h2999\.doq\.test\.\s+60\s+IN\s+A\s+10\.0\.11\.183/.test(l)));
  const overTcp = dig(['@127.0.0.1', '-p', String(server.port), 'doq.test', 'AXFR']);
  assert.match(overTcp, /Transfer failed|REFUSED/);
});

test('IXFR over QUIC from the current serial is the SOA alone', () => {
  const { status, out } = kdigQuic(['+quic', 'doq.test', 'IXFR=7']);
  assert.equal(status, 0, out);
  const records = out.split('\n').filter((l) => /\sIN\s/.test(l) && !l.startsWith(';'));
  assert.equal(records.length, 1, out);
  assert.match(records[0]!, /SOA.* 7 3600/);
});

test('the metrics count DoQ per transport: requests, handshakes, streams, a protocol error', async () => {
  // a non-zero message ID from our client: DOQ_PROTOCOL_ERROR (RFC 9250 §4.2.1)
  const client = await DoqClient.connect({ host: '127.0.0.1', port: quicPort, check: { mode: 'pin', pin } });
  const { id, answer } = await client.openStream();
  answer.catch(() => undefined);
  const query = Buffer.from('1234010000010000000000000377777703646f71047465737400000100 01'.replace(/ /g, ''), 'hex');
  client.connection.write(id, Buffer.concat([Buffer.from([0, query.length]), query]), true);
  const closed = await client.closed;
  await client.close();
  assert.equal(closed.code, 0x2);
  const text = await (await fetch(`${server.admin!.url}/metrics`)).text();
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const quicRequests = [...text.matchAll(/^meshdns_dns_requests_total\{[^}]*proto="quic",[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  assert.ok(quicRequests >= 8, `requests over quic: ${quicRequests}`);
  assert.match(text, /^meshdns_dns_request_size_bytes_bucket\{server="quic:\/\/127\.0\.0\.1:\d+",proto="quic",le="200"\} [1-9]/m);
  assert.ok(value(/^meshdns_transport_handshakes_total\{proto="quic",resumed="false"\} (\d+)/m) >= 7);
  assert.ok(value(/^meshdns_doq_streams_total (\d+)/m) >= 8);
  assert.equal(value(/^meshdns_doq_protocol_errors_total (\d+)/m), 1);
});

test('a padded query over QUIC gets its answer padded to 468 octets (RFC 9250 §5.4, RFC 8467)', () => {
  const { status, out } = kdigQuic(['+quic', '+padding', 'www.doq.test', 'A']);
  assert.equal(status, 0, out);
  assert.match(out, /PADDING: \d+ B/);
  assert.match(out, /Received 468 B/);
});

test('a query carrying edns-tcp-keepalive is a DoQ protocol error (RFC 9250 §5.5.2): kdig gets no answer', async () => {
  const errors = async () => Number(/^meshdns_doq_protocol_errors_total (\d+)/m.exec(await (await fetch(`${server.admin!.url}/metrics`)).text())?.[1]);
  const before = await errors();
  const { status, out } = kdigQuic(['+quic', '+ednsopt=11', 'www.doq.test', 'A']);
  assert.notEqual(status, 0, out);
  assert.doesNotMatch(out, /192\.0\.2\.80/);
  assert.equal(await errors(), before + 1);
});
