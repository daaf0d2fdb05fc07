// Every configured or discovered zone is listed with its state, including the ones that never
// loaded: GET /api/v1/zones, GET /api/v1/zones/{origin} and the summary of GET /api/v1/status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakePrimary, messages, type FakePrimary, type Rr } from '../helpers/fake-primary.js';
import { findFreePort } from '../helpers/knotd.js';
import { buildQuery, queryUdp } from '../helpers/dns-client.js';
import { auth, startFixture, writeSettled, type Fixture } from './fixture.js';

const soa = (origin: string, serial: number): Rr => ({
  type: 'SOA', name: origin, ttl: 300,
  // refresh and retry 1 s, expire 3 s: the test sees the zone expire once the primary goes quiet
  data: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial, refresh: 1, retry: 1, expire: 3, minimum: 60 },
});
const zone = (origin: string): Rr[] => [
  soa(origin, 7),
  { type: 'NS', name: origin, ttl: 300, data: `ns.${origin}` },
  { type: 'A', name: `ns.${origin}`, ttl: 300, data: '192.0.2.1' },
  soa(origin, 7),
];

let fixture: Fixture;
let primary: FakePrimary;
let answering = true;

interface Zone {
  name: string; state: string; stateReason: string | null; serial: number | null; loaded: boolean; source: string;
  lastChange: string | null; expiresAt: string | null; lastError: { problems: { file: string; line: number; message: string }[] } | null;
}

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fixture.server.adminApp!.inject({ method: 'GET', url: path, headers: auth });
  return { status: res.statusCode, body: res.json() as T };
}

before(async () => {
  primary = await startFakePrimary({
    serial: () => (answering ? 7 : undefined),
    soa,
    transfer: (req) => ({ messages: messages(zone(req.origin), 2) }),
  });
  const silent = await findFreePort();
  fixture = await startFixture({
    zones: [
      { origin: 'exp.test.', primaries: [{ address: `127.0.0.1:${primary.port}` }] },
      // a primary nobody answers on: the zone waits for its first transfer
      { origin: 'wait.test.', primaries: [{ address: `127.0.0.1:${silent}` }] },
    ],
  });
  // a file that is broken from the start never loads; it is listed all the same
  writeSettled(join(fixture.zoneDir, 'broken.test.zone'), '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.300\n');
  await fixture.server.reload();
});
after(async () => {
  await fixture?.stop();
  await primary?.stop();
});

test('a zone file that never loaded is listed as failed with file:line, and found by its origin', async () => {
  const { body: zones } = await get<Zone[]>('/api/v1/zones');
  const broken = zones.find((z) => z.name === 'broken.test.');
  assert.ok(broken, `listed: ${zones.map((z) => z.name).join(', ')}`);
  assert.equal(broken.state, 'failed');
  assert.equal(broken.loaded, false);
  assert.equal(broken.serial, null);
  assert.equal(broken.lastChange, null);
  assert.equal(broken.source, `file:${join(fixture.zoneDir, 'broken.test.zone')}`);
  assert.equal(broken.lastError!.problems[0]!.line, 4);
  assert.match(broken.stateReason!, /broken\.test\.zone:4: .*192\.0\.2\.300.*never loaded; nothing answers for it/);

  const one = await get<Zone>('/api/v1/zones/BROKEN.test');
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, broken);
  assert.equal((await get('/api/v1/zones/nothing.test')).status, 404);

  const example = zones.find((z) => z.name === 'example.test.')!;
  assert.equal(example.state, 'loaded');
  assert.equal(example.stateReason, null);
  assert.equal(example.serial, 100);
});

test('a zone file that breaks after it loaded is failed while its previous version answers', async () => {
  writeSettled(join(fixture.zoneDir, 'example.test.zone'), readFileSync(join(fixture.zoneDir, 'example.test.zone'), 'utf8').replace('192.0.2.10', '192.0.2.999'));
  await fixture.server.reload();
  const { body } = await get<Zone>('/api/v1/zones/example.test.');
  assert.equal(body.state, 'failed');
  assert.equal(body.loaded, true);
  assert.match(body.stateReason!, /example\.test\.zone:8: .*\(the previous version keeps answering\)$/);
});

test('a secondary before its first transfer is waiting; one whose primary went quiet past SOA expire is expired', async () => {
  const waiting = (await get<Zone>('/api/v1/zones/wait.test.')).body;
  assert.equal(waiting.state, 'waiting');
  assert.match(waiting.stateReason!, /^no transfer from a primary yet/);
  assert.equal(waiting.expiresAt, null);

  let exp = (await get<Zone>('/api/v1/zones/exp.test.')).body;
  for (let i = 0; i < 100 && exp.state !== 'loaded'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    exp = (await get<Zone>('/api/v1/zones/exp.test.')).body;
  }
  assert.equal(exp.state, 'loaded');
  assert.equal(exp.serial, 7);
  const lastReached = Date.parse((exp as unknown as { transfer: { lastSuccess: string } }).transfer.lastSuccess);
  assert.equal(Date.parse(exp.expiresAt!), lastReached + 3000, 'expires SOA expire seconds after the primary was last reached');

  answering = false;
  for (let i = 0; i < 300 && exp.state !== 'expired'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    exp = (await get<Zone>('/api/v1/zones/exp.test.')).body;
  }
  assert.equal(exp.state, 'expired');
  assert.match(exp.stateReason!, /^no primary reached within the SOA expire time \(expired .*\); answering SERVFAIL$/);
});

test('GET /api/v1/status: version, uptime, readiness with its reasons, zone states counted, queries by RCODE', async () => {
  // (the server runs in this process: a spawnSync'd dig would block it)
  const port = fixture.server.addresses[0]!.port;
  const rcodes: number[] = [];
  for (const qname of ['www.example.test.', 'nowhere.example.test.']) {
    const answer = await queryUdp(port, buildQuery({ qname, qtype: 'A' }), 5000);
    rcodes.push(answer![3]! & 0x0f);
  }
  assert.deepEqual(rcodes, [0, 3], 'NOERROR, then NXDOMAIN');
  const { status, body } = await get<{
    version: string; uptimeSeconds: number; startedAt: string; ready: boolean; waiting: { zone: string; reason: string }[];
    zones: Record<string, number>; queries: { received: number; answered: number; byRcode: Record<string, number> };
  }>('/api/v1/status');
  assert.equal(status, 200);
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(body.version, pkg.version);
  assert.ok(body.uptimeSeconds >= 0 && Number.isInteger(body.uptimeSeconds));
  assert.ok(Date.parse(body.startedAt) <= Date.now());
  assert.equal(body.ready, false);
  assert.deepEqual(body.waiting.map((w) => w.zone).sort(), ['broken.test.', 'wait.test.']);
  assert.deepEqual(body.zones, { total: 4, loaded: 0, failed: 2, waiting: 1, expired: 1 });
  assert.ok(body.queries.received >= 2, `received ${body.queries.received}`);
  assert.ok(body.queries.answered >= 2, `answered ${body.queries.answered}`);
  assert.ok(body.queries.byRcode['NOERROR']! >= 1 && body.queries.byRcode['NXDOMAIN']! >= 1, JSON.stringify(body.queries.byRcode));
  assert.equal((await fixture.server.adminApp!.inject({ method: 'GET', url: '/api/v1/status' })).statusCode, 401, 'the token is needed');
});
