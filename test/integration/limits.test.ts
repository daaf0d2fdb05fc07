// Response rate limiting, DNS COOKIEs and log rate limiting against the real server: UDP floods
// from 127.0.0.1, TCP, cookies from our own client and from dig and kdig, a NOTIFY flood.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';
import { buildQuery, OPT_COOKIE, queryTcp, type QuerySpec } from '../helpers/dns-client.js';

const SECRET = '000102030405060708090a0b0c0d0e0f';
let dir: string;
let server: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-limits-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'rrl.test.zone'), [
    '$TTL 300', '@ SOA ns hostmaster 1 3600 600 86400 60', '@ NS ns', 'ns A 192.0.2.1',
    'www A 192.0.2.10', 'cookie A 192.0.2.11', 'dig A 192.0.2.12', 'kdig A 192.0.2.13', '',
  ].join('\n'));
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'rrl: {responsesPerSecond: 20, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: []}',
    `cookies: {secret: "${SECRET}"}`, '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: join(dir, 'zones'), config: join(dir, 'meshdns.yaml') });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends every packet from one socket (in bursts, so the loopback buffers keep up) and collects what comes back. */
async function flood(packets: Buffer[], settleMs = 500): Promise<{ responses: Buffer[]; seconds: number }> {
  const socket = dgram.createSocket('udp4');
  const responses: Buffer[] = [];
  socket.on('message', (m) => responses.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const started = Date.now();
  for (let i = 0; i < packets.length; i += 50) {
    for (const p of packets.slice(i, i + 50)) socket.send(p, server.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, settleMs));
  socket.close();
  return { responses, seconds };
}

const tc = (m: Buffer) => (m[2]! & 0x02) !== 0;
const ancount = (m: Buffer) => m.readUInt16BE(6);

/** The COOKIE option's data in a response's OPT (the last record), or undefined. */
function cookieOf(m: Buffer): Buffer | undefined {
  const marker = Buffer.from([0, OPT_COOKIE, 0, 24]);
  const at = m.lastIndexOf(marker);
  return at < 0 ? undefined : m.subarray(at + 4, at + 28);
}

async function metric(name: string): Promise<string> {
  const res = await fetch(`${server.admin!.url}/metrics`);
  const text = await res.text();
  return text.split('\n').filter((l) => l.startsWith(name)).join('\n');
}

function metricValue(lines: string, labels: string): number {
  const line = lines.split('\n').find((l) => l.includes(labels));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const spec = (qname: string, extra: Partial<QuerySpec> = {}): QuerySpec => ({ qname, qtype: 'A', ...extra });

describe('response rate limiting', () => {
  test('2,000 identical UDP queries from 127.0.0.1: about rate × seconds answered, every 2nd limited one slipped with TC', async () => {
    const packets = Array.from({ length: 2000 }, (_, i) => buildQuery(spec('www.rrl.test', { id: i })));
    const { responses, seconds } = await flood(packets);
    const answers = responses.filter((m) => !tc(m) && ancount(m) === 1);
    const slips = responses.filter((m) => tc(m));
    // whole seconds started during the flood, each with at most 20 tokens
    const bound = 20 * (Math.ceil(seconds) + 1);
    assert.ok(answers.length >= 1 && answers.length <= bound, `${answers.length} answers in ${seconds} s (at most ${bound})`);
    for (const s of slips) {
      assert.equal(ancount(s), 0, 'a slip carries no records');
      assert.equal(s.readUInt16BE(4), 1, 'a slip echoes the question');
    }
    const limited = 2000 - answers.length;
    assert.ok(Math.abs(slips.length - limited / 2) <= limited * 0.1 + 5, `${slips.length} slips of ${limited} limited responses`);
    const counted = await metric('meshdns_rrl_responses_total');
    assert.ok(metricValue(counted, 'action="dropped"') >= limited / 2 - limited * 0.1 - 5, counted);
    assert.equal(metricValue(counted, 'action="slipped"'), slips.length);
  });

  test('TCP is never limited: the same question is still answered over TCP', async () => {
    for (let i = 0; i < 30; i++) {
      const answer = await queryTcp(server.port, buildQuery(spec('www.rrl.test', { id: i })), 3000);
      assert.ok(answer, 'answered over TCP');
      assert.equal(ancount(answer), 1);
      assert.equal(tc(answer), false);
    }
  });

  test('a client that presents a valid server cookie is not limited', async () => {
    const clientCookie = Buffer.from('0123456789abcdef', 'hex');
    // the server cookie learnt over TCP (never limited), then used over UDP
    const first = await queryTcp(server.port, buildQuery(spec('cookie.rrl.test', { edns: { options: [{ code: OPT_COOKIE, data: clientCookie }] } })), 3000);
    const full = cookieOf(first!);
    assert.ok(full, 'the answer carries a COOKIE option');
    assert.deepEqual(full.subarray(0, 8), clientCookie, 'the client cookie is echoed');
    assert.equal(full[8], 1, 'an RFC 9018 server cookie (version 1)');
    const validBefore = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    const packets = Array.from({ length: 300 }, (_, i) => buildQuery(spec('cookie.rrl.test', { id: i, edns: { options: [{ code: OPT_COOKIE, data: full }] } })));
    const { responses } = await flood(packets);
    const answered = responses.filter((m) => !tc(m) && ancount(m) === 1);
    assert.equal(answered.length, 300, 'every query with a valid server cookie answered');
    for (const m of answered) assert.deepEqual(cookieOf(m)?.subarray(0, 8), clientCookie);
    const validAfter = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    assert.equal(validAfter - validBefore, 300);
    // without the cookie, the same flood is limited
    const plain = await flood(Array.from({ length: 300 }, (_, i) => buildQuery(spec('cookie.rrl.test', { id: i }))));
    assert.ok(plain.responses.filter((m) => !tc(m)).length < 300);
  });
});

describe('DNS COOKIEs', () => {
  test('a malformed COOKIE option is FORMERR (RFC 7873 §5.2.2)', async () => {
    for (const length of [7, 12, 41]) {
      const answer = await queryTcp(server.port, buildQuery(spec('www.rrl.test', { edns: { options: [{ code: OPT_COOKIE, data: Buffer.alloc(length, 1) }] } })), 3000);
      assert.equal(answer![3]! & 0x0f, 1, `cookie of ${length} octets: FORMERR`);
    }
  });

  test('a cookie made with another secret is answered with a fresh one of ours, and not exempt', async () => {
    const forged = Buffer.from('0123456789abcdef010000000000000000000000000000ff', 'hex');
    const answer = await queryTcp(server.port, buildQuery(spec('www.rrl.test', { edns: { options: [{ code: OPT_COOKIE, data: forged }] } })), 3000);
    const cookie = cookieOf(answer!);
    assert.ok(cookie);
    assert.notDeepEqual(cookie, forged);
  });

  test('dig +cookie: the server cookie comes back, and on the second query it is verified ("good")', async () => {
    const validBefore = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    const first = dig(['@127.0.0.1', '-p', String(server.port), '+cookie', '+tcp', 'dig.rrl.test', 'A']);
    const cookie = /COOKIE: ([0-9a-f]{16})([0-9a-f]{32})/.exec(first);
    assert.ok(cookie, first);
    const second = dig(['@127.0.0.1', '-p', String(server.port), `+cookie=${cookie[1]!}${cookie[2]!}`, 'dig.rrl.test', 'A']);
    assert.match(second, /COOKIE: [0-9a-f]{48} \(good\)/);
    assert.match(second, /192\.0\.2\.12/);
    const validAfter = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    assert.equal(validAfter - validBefore, 1, 'the second query carried a valid server cookie');
  });

  test('kdig +cookie: the client cookie is echoed with a server cookie, and the server cookie is accepted back', async () => {
    const validBefore = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    const first = dig(['@127.0.0.1', '-p', String(server.port), '+cookie', '+tcp', 'kdig.rrl.test', 'A'], 'kdig');
    const cookie = /COOKIE: ([0-9a-f]{16})([0-9a-f]{32})/i.exec(first);
    assert.ok(cookie, first);
    const second = dig(['@127.0.0.1', '-p', String(server.port), `+cookie=${cookie[1]!}${cookie[2]!}`, 'kdig.rrl.test', 'A'], 'kdig');
    assert.match(second, /192\.0\.2\.13/);
    const validAfter = metricValue(await metric('meshdns_cookie_requests_total'), 'server_cookie="valid"');
    assert.equal(validAfter - validBefore, 1, 'the second query carried a valid server cookie');
  });
});

describe('log rate limiting', () => {
  test('a 5,000-packet NOTIFY flood writes a bounded number of lines; the counter has the rest', async () => {
    const before = server.logs().split('\n').filter((l) => l.includes('NOTIFY for a zone')).length;
    const packets = Array.from({ length: 5000 }, (_, i) => buildQuery(spec('rrl.test', { id: i, opcode: 4, qtype: 'SOA' })));
    const started = Date.now();
    await flood(packets, 200);
    // wait until the server has read them all (a datagram lost on loopback is simply not counted)
    let suppressed = 0;
    let lines = 0;
    for (let tries = 0; tries < 50; tries++) {
      suppressed = metricValue(await metric('meshdns_log_lines_suppressed_total'), '');
      lines = server.logs().split('\n').filter((l) => l.includes('NOTIFY for a zone')).length - before;
      if (suppressed + lines >= 4900) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    assert.ok(lines <= 5 * seconds, `${lines} NOTIFY lines in about ${seconds} s`);
    assert.ok(suppressed + lines >= 4900, `${suppressed} suppressed + ${lines} written of 5,000`);
    await server.waitForLog((e) => typeof e['msg'] === 'string' && /^suppressed \d+ similar log lines$/.test(e['msg'] as string), 8000);
  });
});
