import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { buildQuery } from '../helpers/dns-client.js';
import { dig, records } from '../helpers/tools.js';
import { EXAMPLE_ZONE, TOKEN, writeSettled } from './fixture.js';

/** The real server as an operator runs it: CLI, config file, HTTP over loopback, dig. */
let dir: string;
let config: string;
let server: RunningMeshdns;

// (the helper's --listen, --data and --log-level flags win over the file, before and after a reload)
const GOOD_CONFIG = `admin:\n  token: ${TOKEN}\n`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-e2e-'));
  mkdirSync(join(dir, 'zones'));
  writeSettled(join(dir, 'zones', 'example.test.zone'), EXAMPLE_ZONE);
  writeSettled(join(dir, 'other.zone'), '$TTL 60\n@ SOA ns1.other.test. hm.other.test. 7 1 1 1 1\n@ NS ns1.other.test.\nns1 A 192.0.2.7\n');
  config = join(dir, 'meshdns.yaml');
  writeFileSync(config, GOOD_CONFIG);
  server = await startMeshdns({ zoneDir: join(dir, 'zones'), config });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const at = () => ['@127.0.0.1', '-p', String(server.port)];
const api = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
  fetch(`${server.admin!.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
  });
const serial = () => Number(records(dig([...at(), 'example.test', 'SOA', '+noall', '+answer']))[0]![4]!.split(' ')[2]);
/** The sum of the series of a metric whose labels include all of `series`'s (server and zone, say, summed over). */
const metric = (text: string, series: string) => {
  const [, name = series, wanted = ''] = /^([^{]+)\{(.*)\}$/.exec(series) ?? [];
  const labels = wanted === '' ? [] : wanted.split(',');
  return text.split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => labels.every((label) => l.slice(0, l.lastIndexOf(' ')).includes(label)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
};

describe('over real HTTP and DNS', () => {
  test('401 without a token; the status page and probes answer without one', async () => {
    const res = await api('/api/v1/zones', {}, null);
    assert.equal(res.status, 401);
    assert.equal((await res.json() as { error: string }).error, 'authentication required');
    assert.equal((await api('/api/v1/zones', {}, 'wrong')).status, 401);
    assert.equal((await api('/healthz', {}, null)).status, 200);
    assert.equal((await api('/readyz', {}, null)).status, 200);
    const page = await api('/', {}, null);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<title>meshdns status<\/title>/);
  });

  test('a PATCH followed at once by dig sees the change', async () => {
    const before = serial();
    const res = await api('/api/v1/zones/example.test./rrsets', {
      method: 'PATCH',
      body: JSON.stringify({ rrsets: [{ name: 'fresh.example.test.', type: 'A', ttl: 30, changetype: 'REPLACE', records: [{ content: '198.51.100.7' }] }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(records(dig([...at(), 'fresh.example.test', 'A', '+noall', '+answer'])), [['fresh.example.test.', '30', 'IN', 'A', '198.51.100.7']]);
    assert.equal(serial(), before + 1);
  });

  test('a bad PATCH changes nothing: same serial, same answers', async () => {
    const before = serial();
    const res = await api('/api/v1/zones/example.test/rrsets', {
      method: 'PATCH',
      body: JSON.stringify({ rrsets: [
        { name: 'www.example.test', type: 'A', ttl: 30, changetype: 'REPLACE', records: [{ content: '198.51.100.8' }] },
        { name: 'mx.example.test', type: 'MX', ttl: 30, changetype: 'REPLACE', records: [{ content: 'ten mail.example.test.' }] },
      ] }),
    });
    assert.equal(res.status, 422);
    const body = await res.json() as Record<string, string>;
    assert.equal(body['field'], 'rrsets[1].records[0].content');
    assert.equal(body['value'], 'ten mail.example.test.');
    assert.equal(serial(), before);
    assert.deepEqual(records(dig([...at(), 'www.example.test', 'A', '+noall', '+answer'])).map((r) => r[4]), ['192.0.2.10']);
  });

  test('metrics move when queries are sent', async () => {
    const scrape = async () => (await api('/metrics', {}, null)).text();
    const before = await scrape();
    for (let i = 0; i < 10; i++) dig([...at(), 'www.example.test', 'A', '+tries=1']);
    for (let i = 0; i < 3; i++) dig([...at(), '+tcp', 'nope.example.test', 'AAAA', '+tries=1']);
    const afterText = await scrape();
    const delta = (series: string) => metric(afterText, series) - metric(before, series);
    assert.equal(delta('meshdns_dns_requests_total{proto="udp",family="1",type="A"}'), 10);
    assert.equal(delta('meshdns_dns_requests_total{proto="tcp",family="1",type="AAAA"}'), 3);
    assert.ok(delta('meshdns_dns_responses_total{rcode="NOERROR"}') >= 10);
    assert.ok(delta('meshdns_dns_responses_total{rcode="NXDOMAIN"}') >= 3);
    assert.ok(delta('meshdns_answer_cache_hits_total') >= 9);
    assert.equal(delta('meshdns_dns_request_size_bytes_count{proto="udp"}'), 10);
    assert.equal(delta('meshdns_dns_response_size_bytes_count{proto="tcp"}'), 3);
    assert.ok(delta('meshdns_dns_response_size_bytes_sum{proto="udp"}') > 10 * 40);
  });

  test('SIGHUP with a broken config keeps serving (TCP connection included); a good one is applied', async () => {
    const conn = await openTcp(server.port);
    try {
      assert.equal(await conn.ask('www.example.test', 'A'), 0);
      writeFileSync(config, `${GOOD_CONFIG}maxUdpPayload: 100\n`);
      server.proc.kill('SIGHUP');
      const rejected = await server.waitForLog((e) => e['msg'] === 'config reload rejected; the running config stays');
      assert.match(rejected['reason'] as string, /maxUdpPayload: 100 must be a whole number from 512 to 65535/);
      assert.deepEqual(records(dig([...at(), 'www.example.test', 'A', '+noall', '+answer'])).map((r) => r[4]), ['192.0.2.10']);
      assert.equal((await api('/api/v1/zones')).status, 200);
      assert.equal(await conn.ask('www.example.test', 'AAAA'), 0);

      writeFileSync(config, `${GOOD_CONFIG}zones:\n  - origin: other.test\n    file: ${join(dir, 'other.zone')}\nnsid: reloaded\n`);
      server.proc.kill('SIGHUP');
      const done = await server.waitForLog((e) => e['msg'] === 'config reloaded');
      assert.deepEqual(done['applied'], ['nsid', 'maxUdpPayload', 'zoneDir', 'zones', 'serialPolicy']);
      assert.match(dig([...at(), 'ns1.other.test', 'A']), /status: NOERROR/);
      assert.match(dig([...at(), '+nsid', 'www.example.test', 'A']), /NSID: .*"reloaded"/);
      assert.equal(await conn.ask('ns1.other.test', 'A'), 0, 'the TCP connection opened before both reloads still answers');
    } finally {
      conn.close();
    }
  });

  test('POST /api/v1/reload: a broken config is refused as a whole with the reason', async () => {
    writeFileSync(config, `${GOOD_CONFIG}tcp: {idleTimeout: 0}\n`);
    const res = await api('/api/v1/reload', { method: 'POST' });
    assert.equal(res.status, 422);
    assert.match((await res.json() as { reason: string }).reason, /rejected; the running config stays: .*tcp\.idleTimeout: 0 must be a whole number from 1 to 3600/);
    writeFileSync(config, `${GOOD_CONFIG}listen: ["127.0.0.1:1"]\n`);
    const ok = await api('/api/v1/reload', { method: 'POST' });
    assert.equal(ok.status, 200);
    // --listen on the command line wins over the file, so nothing to restart for it
    assert.deepEqual((await ok.json() as { restartNeeded: string[] }).restartNeeded, []);
    assert.match(dig([...at(), 'www.example.test', 'A']), /status: NOERROR/);
  });
});

describe('startup rules', () => {
  test('the admin API on a non-loopback address without a token is refused in one line', () => {
    const cfg = join(dir, 'open.yaml');
    writeFileSync(cfg, 'admin:\n  listen: 0.0.0.0:8053\n');
    const env = { ...process.env };
    delete env['MESHDNS_API_TOKEN'];
    const r = spawnSync(process.execPath, [CLI, 'serve', '--config', cfg, '--listen', '127.0.0.1:0', '--data', join(dir, 'd1')], { encoding: 'utf8', env, timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /admin\.listen: "0\.0\.0\.0:8053" is not a loopback address and no API token is set \(admin\.token, admin\.tokenFile or MESHDNS_API_TOKEN\)/);
  });

  test('MESHDNS_API_TOKEN sets the token, never written to the log; the query log is sampled and nests query data', async () => {
    const cfg = join(dir, 'env.yaml');
    writeFileSync(cfg, 'queryLog:\n  sample: 1\n');
    const secret = 'env-token-5d41402abc4b2a76b9719d911017c592';
    const s = await startMeshdns({ zoneDir: join(dir, 'zones'), config: cfg, env: { ...process.env, MESHDNS_API_TOKEN: secret } });
    try {
      assert.equal(s.admin!.token, undefined, 'no token file is made when one is set');
      const ok = await fetch(`${s.admin!.url}/api/v1/zones`, { headers: { 'x-api-key': secret } });
      assert.equal(ok.status, 200);
      dig(['@127.0.0.1', '-p', String(s.port), 'WWW.example.test', 'AAAA']);
      const line = await s.waitForLog((e) => e['msg'] === 'query');
      const q = line['query'] as Record<string, unknown>;
      assert.deepEqual([q['transport'], q['name'], q['type'], q['rcode']], ['udp4', 'WWW.example.test.', 'AAAA', 0]);
      assert.equal(typeof q['size'], 'number');
      assert.equal(typeof q['responseSize'], 'number');
      assert.equal(line['name'], undefined, 'query data is nested under "query", never at the top level');
      assert.equal(line['module'], 'querylog');
      assert.doesNotMatch(s.logs(), new RegExp(secret));
    } finally {
      await s.stop();
    }
  });
});

/** One TCP connection kept open across reloads; answers the rcode of each query. */
async function openTcp(port: number): Promise<{ ask(name: string, type: string): Promise<number>; close(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = Buffer.alloc(0);
  let waiting: ((msg: Buffer) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
      const msg = buffer.subarray(2, 2 + buffer.readUInt16BE(0));
      buffer = buffer.subarray(2 + msg.length);
      waiting?.(msg);
    }
  });
  return {
    ask(name, type) {
      const q = buildQuery({ qname: name, qtype: type });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer on the TCP connection')), 5000);
        waiting = (msg) => {
          clearTimeout(timer);
          resolve(msg[3]! & 0x0f);
        };
        socket.write(Buffer.concat([len, q]));
      });
    },
    close: () => socket.destroy(),
  };
}
