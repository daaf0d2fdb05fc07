import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { keyToName, nameToKey, parseName } from '../../zones/name.js';
import { requireTool } from '../helpers/tools.js';
import { patchBody } from '../../server/admin/schemas.js';
import { auth, startFixture, TOKEN, writeSettled, type Fixture } from './fixture.js';

let fx: Fixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.stop();
});

const app = () => fx.server.adminApp!;
const meta = (origin = 'example.test.') => fx.server.store.zoneMeta(nameToKey(parseName(origin)))!;
const patch = (rrsets: unknown[], origin = 'example.test.') =>
  app().inject({ method: 'PATCH', url: `/api/v1/zones/${origin}/rrsets`, headers: auth, payload: { rrsets } });
const rrset = async (name: string, type: string) => {
  const res = await app().inject({ url: `/api/v1/zones/example.test/rrsets?name=${name}&type=${type}`, headers: auth });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { rrsets: { ttl: number; records: { content: string; sources: string[] }[] }[] }).rrsets[0];
};

describe('authentication', () => {
  test('every /api route wants the token: 401 without it or with a wrong one, and says how to send it', async () => {
    for (const url of ['/api/v1/zones', '/api/v1/zones/example.test/rrsets', '/api/v1/openapi.json', '/api/v1/nothing-here']) {
      const res = await app().inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.match(res.headers['www-authenticate'] as string, /^Bearer/);
      assert.match(res.json().reason, /Authorization: Bearer <token> or X-API-Key/);
    }
    assert.equal((await app().inject({ url: '/api/v1/zones', headers: { 'x-api-key': `${TOKEN}x` } })).statusCode, 401);
    assert.equal((await app().inject({ url: '/api/v1/zones', headers: { authorization: `Basic ${TOKEN}` } })).statusCode, 401);
    const reload = await app().inject({ method: 'POST', url: '/api/v1/reload' });
    assert.equal(reload.statusCode, 401);
  });

  test('Bearer and X-API-Key both work; probes, metrics and the status page need no token', async () => {
    assert.equal((await app().inject({ url: '/api/v1/zones', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200);
    assert.equal((await app().inject({ url: '/api/v1/zones', headers: { 'x-api-key': TOKEN } })).statusCode, 200);
    for (const url of ['/healthz', '/readyz', '/metrics', '/', '/status.js', '/status.css']) {
      assert.equal((await app().inject({ url })).statusCode, 200, url);
    }
  });
});

describe('zones', () => {
  test('GET /api/v1/zones and one zone, origin in any case with or without the dot', async () => {
    const list = (await app().inject({ url: '/api/v1/zones', headers: auth })).json() as Record<string, unknown>[];
    const z = list.find((x) => x['name'] === 'example.test.')!;
    assert.equal(z['kind'], 'primary');
    assert.equal(z['records'], meta().records);
    assert.equal(z['serial'], meta().serial);
    assert.match(z['source'] as string, /^file:.*example\.test\.zone$/);
    assert.equal(z['lastError'], null);
    assert.equal(typeof z['lastChange'], 'string');
    assert.ok('transfer' in z);
    for (const origin of ['example.test', 'EXAMPLE.Test.', 'example.test.']) {
      const one = await app().inject({ url: `/api/v1/zones/${origin}`, headers: auth });
      assert.equal(one.statusCode, 200, origin);
      assert.equal(one.json().name, 'example.test.');
    }
    const missing = await app().inject({ url: '/api/v1/zones/nope.test', headers: auth });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(Object.keys(missing.json()).sort(), ['error', 'field', 'reason', 'value']);
  });

  test('GET rrsets: filters by name and type, provenance per record', async () => {
    const www = await rrset('www.example.test', 'A');
    assert.deepEqual(www!.records.map((r) => r.content), ['192.0.2.10']);
    assert.deepEqual(www!.records[0]!.sources, ['file:example.test.zone']);
    const all = (await app().inject({ url: '/api/v1/zones/example.test/rrsets', headers: auth })).json().rrsets as unknown[];
    assert.ok(all.length >= 9);
    const bad = await app().inject({ url: '/api/v1/zones/example.test/rrsets?type=BOGUS', headers: auth });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().field, 'type');
  });

  test('POST a zone from zone-file text: served at once; export gives text that loads again; DELETE removes it', async () => {
    const text = '$TTL 300\n@ SOA ns1.api.test. hm.api.test. 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.9\nhost A 192.0.2.99\n';
    const res = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'API.test', zone: text } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().name, 'api.test.');
    assert.equal(res.json().source, 'api');
    assert.equal(res.headers['location'], '/api/v1/zones/api.test.');
    assert.ok(fx.server.table.find(nameToKey(parseName('host.api.test.'))), 'served right after the POST');

    const again = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'api.test.', zone: text } });
    assert.equal(again.statusCode, 409);

    const exported = await app().inject({ url: '/api/v1/zones/api.test/export', headers: auth });
    assert.equal(exported.statusCode, 200);
    assert.match(exported.headers['content-type'] as string, /^text\/plain/);
    assert.match(exported.body, /^host\.api\.test\.\t300\tIN\tA\t192\.0\.2\.99$/m);
    assert.equal((await app().inject({ method: 'DELETE', url: '/api/v1/zones/api.test', headers: auth })).statusCode, 204);
    assert.equal(fx.server.store.zoneMeta(nameToKey(parseName('api.test.'))), undefined);
    const reloaded = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'api.test', zone: exported.body } });
    assert.equal(reloaded.statusCode, 201, reloaded.body);
    assert.equal(reloaded.json().records, 4);
    assert.equal((await app().inject({ method: 'DELETE', url: '/api/v1/zones/api.test', headers: auth })).statusCode, 204);
  });

  test('owner and rdata names with { } % \\ , & # and other specials export escaped: kzonecheck passes, re-import is identical', async () => {
    requireTool('kzonecheck', 'knot');
    // presentation forms of awkward labels; the wire octets are what must survive the round trip
    const labels = ['a{b}', 'per%cent', 'com\\,ma', 'amp&er', 'back\\\\slash', 'h\\#sh', 'sp\\032ace', 'q\\"uote', 'semi\\;colon', 'pa\\(re\\)n',
      'at\\@', 'dol\\$lar', 'tilde~', 'ex!', 'pl+us=eq', 'br[ack]et', 'pipe|', 'caret^', 'back`tick', 'apos\'', 'lt<gt>', 'q?', 'col:on', 'non\\200ascii', 'dot\\.inside'];
    const zone = ['$TTL 300', '@ SOA ns hm 1 7200 3600 1209600 300', '@ NS ns', 'ns A 192.0.2.1',
      ...labels.map((l, i) => `${l} A 192.0.2.${10 + i}`),
      `alias CNAME ${labels[0]}`, `@ MX 10 ${labels[1]}`, `srv SRV 0 0 53 ${labels[3]}.esc.test.`].join('\n') + '\n';
    const created = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'esc.test', zone } });
    assert.equal(created.statusCode, 201, created.body);
    const wire = (): string[] => {
      const out: string[] = [];
      for (const { nameKey, node } of fx.server.store.zoneNodes(meta('esc.test.').id)) {
        // the SOA is left out: its serial moves with the new zone
        for (const set of node.rrsets) for (const rr of set.rrs) if (set.type !== 6) out.push(`${Buffer.from(keyToName(nameKey)).toString('hex')} ${set.type} ${Buffer.from(rr.rdata).toString('hex')}`);
      }
      return out.sort();
    };
    const before = wire();
    assert.equal(before.length, labels.length + 5);
    const exported = await app().inject({ url: '/api/v1/zones/esc.test/export', headers: auth });
    assert.equal(exported.statusCode, 200);
    const dir = mkdtempSync(join(tmpdir(), 'meshdns-esc-'));
    try {
      writeFileSync(join(dir, 'esc.test.zone'), exported.body);
      const check = spawnSync('kzonecheck', ['-o', 'esc.test.', join(dir, 'esc.test.zone')], { encoding: 'utf8' });
      assert.equal(check.status, 0, `kzonecheck refused the export:\n${check.stdout}${check.stderr}\n${exported.body}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(exported.body, /^a\\\{b\\\}\.esc\.test\.\t/m);
    assert.match(exported.body, /^h\\035sh\.esc\.test\.\t/m);
    assert.equal((await app().inject({ method: 'DELETE', url: '/api/v1/zones/esc.test', headers: auth })).statusCode, 204);
    const reloaded = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'esc.test', zone: exported.body} });
    assert.equal(reloaded.statusCode, 201, reloaded.body);
    assert.deepEqual(wire(), before, 'the same wire data after export and import');
    assert.equal((await app().inject({ method: 'DELETE', url: '/api/v1/zones/esc.test', headers: auth })).statusCode, 204);
  });

  test('POST a zone from rrsets plus nameservers', async () => {
    const res = await app().inject({
      method: 'POST', url: '/api/v1/zones', headers: auth, payload: {
        name: 'rr.test.', kind: 'Native', nameservers: ['ns1.rr.test.'],
        rrsets: [
          { name: 'rr.test.', type: 'SOA', ttl: 300, records: [{ content: 'ns1.rr.test. hm.rr.test. 1 7200 3600 1209600 300' }] },
          { name: 'ns1.rr.test.', type: 'A', ttl: 300, records: [{ content: '192.0.2.3' }] },
        ],
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().records, 3);
    await app().inject({ method: 'DELETE', url: '/api/v1/zones/rr.test', headers: auth });
  });

  test('POST with errors: 422 naming the zone line or rrset; nothing created; $INCLUDE cannot read server files', async () => {
    const bad = await app().inject({
      method: 'POST', url: '/api/v1/zones', headers: auth,
      payload: { name: 'bad.test', zone: '@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.300\n' },
    });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().field, 'zone');
    assert.equal(bad.json().value, 'ns1 A 192.0.2.300');
    assert.match(bad.json().reason, /^line 3: .*192\.0\.2\.300/);
    assert.equal(fx.server.store.zoneMeta(nameToKey(parseName('bad.test.'))), undefined);

    const noSoa = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'bad.test', rrsets: [{ name: 'bad.test', type: 'NS', ttl: 1, records: [{ content: 'ns.bad.test.' }] }] } });
    assert.equal(noSoa.statusCode, 422);
    assert.match(noSoa.json().reason, /no SOA/);

    const include = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name: 'inc.test', zone: `$INCLUDE ${join(fx.zoneDir, 'example.test.zone')}\n` } });
    assert.equal(include.statusCode, 422);
    assert.equal(fx.server.store.zoneMeta(nameToKey(parseName('inc.test.'))), undefined);
  });

  test('the origins "@" and "." (the root): 4xx naming the field and value, never a 500', async () => {
    for (const name of ['@', '.']) {
      const created = await app().inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: { name, zone: '$TTL 60\n@ SOA ns. hm. 1 1 1 1 1\n@ NS ns.\n' } });
      assert.equal(created.statusCode, 422, created.body);
      assert.equal(created.json().field, 'name');
      assert.equal(created.json().value, name);
      assert.match(created.json().reason, name === '@' ? /shorthand for the origin/ : /root zone/);
    }
    const root = await app().inject({ url: '/api/v1/zones/%2E', headers: auth });
    assert.equal(root.statusCode, 400, root.body);
    assert.equal(root.json().field, 'origin');
    for (const origin of ['@', '%40']) {
      const requests = [
        { method: 'GET', url: `/api/v1/zones/${origin}` }, { method: 'GET', url: `/api/v1/zones/${origin}/rrsets` },
        { method: 'GET', url: `/api/v1/zones/${origin}/export` }, { method: 'DELETE', url: `/api/v1/zones/${origin}` },
        { method: 'PUT', url: `/api/v1/zones/${origin}/notify` }, { method: 'PUT', url: `/api/v1/zones/${origin}/retransfer` },
        { method: 'PATCH', url: `/api/v1/zones/${origin}/rrsets`, payload: { rrsets: [{ name: 'a.', type: 'A', changetype: 'DELETE' }] } },
      ] as const;
      for (const r of requests) {
        const res = await app().inject({ ...r, headers: auth });
        assert.equal(res.statusCode, 404, `${r.method} ${r.url}: ${res.body}`);
        assert.equal(res.json().field, 'origin');
        assert.equal(res.json().value, decodeURIComponent(origin));
      }
    }
    assert.equal((await app().inject({ url: '/api/v1/zones/example.test/rrsets?name=@', headers: auth })).statusCode, 422);
  });

  test('JSON nested 100,000 deep is a 400 naming the body, not a stack overflow', async () => {
    for (const [method, url] of [['POST', '/api/v1/zones'], ['PATCH', '/api/v1/zones/example.test/rrsets']] as const) {
      for (const payload of ['['.repeat(100_000) + ']'.repeat(100_000), `{"rrsets":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_001)}`]) {
        const res = await app().inject({ method, url, headers: { ...auth, 'content-type': 'application/json' }, payload });
        assert.equal(res.statusCode, 400, res.body.slice(0, 300));
        assert.equal(res.json().field, 'body');
        assert.match(res.json().reason, /more than 64 levels deep/);
      }
    }
    // brackets inside strings do not count; 64 levels are fine (and then fail the schema)
    const inString = await app().inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth, payload: { rrsets: [{ name: '['.repeat(200), type: 'A', changetype: 'DELETE' }] } });
    assert.equal(inString.statusCode, 422, inString.body);
    const deepButAllowed = await app().inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"rrsets":${'['.repeat(63)}${']'.repeat(63)}}` });
    assert.equal(deepButAllowed.statusCode, 400);
    assert.equal(deepButAllowed.json().field, 'rrsets[0]', deepButAllowed.body);
    // the proto-poisoning guard of fastify's own parser is kept
    const proto = await app().inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1},"rrsets":[]}' });
    assert.equal(proto.statusCode, 400);
  });

  test('DELETE of a zone-file zone is refused: the zone goes with its file', async () => {
    const res = await app().inject({ method: 'DELETE', url: '/api/v1/zones/example.test', headers: auth });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().reason, /remove the file/);
    assert.ok(meta());
  });

  test('NOTIFY goes to the zone\'s targets (none configured here); retransfer of a primary is a 409', async () => {
    const notify = await app().inject({ method: 'PUT', url: '/api/v1/zones/example.test/notify', headers: auth });
    assert.equal(notify.statusCode, 200);
    assert.deepEqual(notify.json(), { result: 'Notification sent', sent: 0, failed: 0 });
    assert.equal((await app().inject({ method: 'PUT', url: '/api/v1/zones/example.test/retransfer', headers: auth })).statusCode, 409);
  });
});

describe('PATCH rrsets', () => {
  test('several rrsets are one commit: one serial bump, one journal entry; the answer changes at once', async () => {
    const before = meta();
    const res = await patch([
      { name: 'a.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.101' }, { content: '192.0.2.102' }] },
      { name: 'b.example.test.', type: 'TXT', ttl: 60, changetype: 'REPLACE', records: [{ content: '"hello world" "two"' }] },
      { name: 'B.Example.Test', type: 'MX', ttl: 60, changetype: 'REPLACE', records: [{ content: '10 mail.example.test.' }] },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { changed: true, serial: before.serial + 1, added: 4, removed: 0 });
    const after = meta();
    assert.equal(after.serial, before.serial + 1);
    assert.equal(after.journalSeq, before.journalSeq + 1);
    const a = await rrset('a.example.test', 'A');
    assert.deepEqual(a!.records.map((r) => r.content).sort(), ['192.0.2.101', '192.0.2.102']);
    assert.deepEqual(a!.records[0]!.sources, ['api']);
    assert.deepEqual((await rrset('b.example.test', 'TXT'))!.records.map((r) => r.content), ['"hello world" "two"']);
  });

  test('one bad record rejects the whole request with field, value and reason; nothing is applied', async () => {
    const before = meta();
    const res = await patch([
      { name: 'ok.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] },
      { name: 'www.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.11' }] },
      { name: 'bad.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.12' }, { content: '192.0.2.300' }] },
    ]);
    assert.equal(res.statusCode, 422);
    const body = res.json();
    assert.equal(body.field, 'rrsets[2].records[1].content');
    assert.equal(body.value, '192.0.2.300');
    assert.match(body.reason, /not an IPv4 address/);
    assert.match(body.error, /^rrsets\[2\]\.records\[1\]\.content: "192\.0\.2\.300" /);
    assert.deepEqual(meta(), before);
    assert.equal(await rrset('ok.example.test', 'A'), undefined);
    assert.deepEqual((await rrset('www.example.test', 'A'))!.records.map((r) => r.content), ['192.0.2.10']);
  });

  test('schema errors are 400 with the field path; unknown fields are refused, not dropped', async () => {
    const cases: [unknown[], string, RegExp][] = [
      [[{ name: 'x.example.test', type: 'A', ttl: 1, changetype: 'REPLACE', records: [{ content: '192.0.2.1', colour: 'red' }] }], 'rrsets[0].records[0].colour', /not a known field/],
      [[{ name: 'x.example.test', type: 'A', ttl: 1, changetype: 'UPSERT', records: [] }], 'rrsets[0].changetype', /must be one of REPLACE, DELETE/],
      [[{ name: 'x.example.test', type: 'A', ttl: '60', changetype: 'REPLACE', records: [] }], 'rrsets[0].ttl', /integer/],
      [[{ type: 'A', ttl: 1, changetype: 'DELETE' }], 'rrsets[0].name', /is required/],
    ];
    for (const [rrsets, field, reason] of cases) {
      const res = await patch(rrsets);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field);
      assert.match(res.json().reason, reason);
    }
    const notJson = await app().inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"rrsets": [' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(typeof notJson.json().error, 'string');
  });

  test('semantic errors are 422: out of zone, meta-type, missing TTL, duplicate rrset or record, bad type', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: 'www.other.test', type: 'A', ttl: 1, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }, 'rrsets[0].name', /outside the zone example\.test\./],
      [{ name: 'x.example.test', type: 'AXFR', ttl: 1, changetype: 'REPLACE', records: [] }, 'rrsets[0].type', /meta-type/],
      [{ name: 'x.example.test', type: 'NOPE', ttl: 1, changetype: 'REPLACE', records: [] }, 'rrsets[0].type', /not an RR type/],
      [{ name: 'x.example.test', type: 'A', changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }, 'rrsets[0].ttl', /required for REPLACE/],
      [{ name: 'x.example.test', type: 'A', ttl: 1, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }, { content: '192.0.2.1' }] }, 'rrsets[0].records[1].content', /same record/],
      [{ name: 'x.example.test', type: 'A', ttl: 1, changetype: 'REPLACE', records: [{ content: '192.0.2.1\n192.0.2.2' }] }, 'rrsets[0].records[0].content', /one line/],
      [{ name: 'x.example.test', type: 'A', ttl: 1, changetype: 'REPLACE', records: [{ content: '192.0.2.1', disabled: true }] }, 'rrsets[0].records[0].disabled', /not supported/],
    ];
    for (const [rs, field, reason] of cases) {
      const res = await patch([rs]);
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().field, field, res.body);
      assert.match(res.json().reason, reason);
    }
    const dup = await patch([
      { name: 'x.example.test', type: 'A', ttl: 1, changetype: 'DELETE' },
      { name: 'X.example.test.', type: 'a', ttl: 1, changetype: 'DELETE' },
    ]);
    assert.equal(dup.statusCode, 422);
    assert.equal(dup.json().field, 'rrsets[1]');
  });

  test('zone checks: CNAME beside data, no apex NS, no SOA, data below a DNAME — 422 and nothing applied', async () => {
    const before = meta();
    const cases: [unknown[], string, RegExp][] = [
      [[{ name: 'www.example.test', type: 'CNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: 'ns1.example.test.' }] }], 'rrsets[0]', /CNAME and other data/],
      [[{ name: 'ok.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] },
        { name: 'ftp.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }], 'rrsets[1]', /CNAME and other data/],
      [[{ name: 'example.test', type: 'NS', changetype: 'DELETE' }], 'rrsets[0]', /no NS records at the zone apex/],
      [[{ name: 'example.test', type: 'SOA', changetype: 'DELETE' }], 'rrsets[0]', /no SOA/],
      [[{ name: 'www.example.test', type: 'SOA', ttl: 60, changetype: 'REPLACE', records: [{ content: 'ns1.example.test. hm.example.test. 1 1 1 1 1' }] }], 'rrsets[0]', /not the zone apex/],
      [[{ name: 'www.example.test', type: 'DNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: 'other.test.' }] },
        { name: 'deep.www.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.1' }] }], 'rrsets[1]', /below the DNAME/],
      // a DNAME above data that is already there
      [[{ name: 'sub.example.test', type: 'DNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: 'other.test.' }] }], 'rrsets[0]', /below the DNAME/],
    ];
    for (const [rrsets, field, reason] of cases) {
      const res = await patch(rrsets);
      assert.equal(res.statusCode, 422, `${JSON.stringify(rrsets)}: ${res.body}`);
      assert.equal(res.json().field, field, res.body);
      assert.match(res.json().reason, reason);
    }
    assert.deepEqual(meta(), before);
  });

  test('REPLACE of a zone-file RRset makes it exactly what was sent, owned by the API; DELETE removes it whoever wrote it', async () => {
    const res = await patch([{ name: 'www.example.test', type: 'AAAA', ttl: 120, changetype: 'REPLACE', records: [{ content: '2001:db8::99' }] }]);
    assert.equal(res.statusCode, 200, res.body);
    const aaaa = await rrset('www.example.test', 'AAAA');
    assert.equal(aaaa!.ttl, 120);
    assert.deepEqual(aaaa!.records, [{ content: '2001:db8::99', disabled: false, sources: ['api'] }]);
    // records that stay only gain the API as an owner
    await patch([{ name: 'ns2.example.test', type: 'A', ttl: 3600, changetype: 'REPLACE', records: [{ content: '192.0.2.2' }, { content: '192.0.2.222' }] }]);
    const ns2 = await rrset('ns2.example.test', 'A');
    assert.deepEqual(ns2!.records.find((r) => r.content === '192.0.2.2')!.sources, ['file:example.test.zone', 'api']);
    const del = await patch([{ name: 'ns2.example.test', type: 'A', changetype: 'DELETE' }, { name: 'ns2.example.test', type: 'TXT', changetype: 'DELETE' }]);
    assert.equal(del.statusCode, 200);
    assert.equal(await rrset('ns2.example.test', 'A'), undefined);
    // an unchanged REPLACE is no commit
    const same = await patch([{ name: 'www.example.test', type: 'AAAA', ttl: 120, changetype: 'REPLACE', records: [{ content: '2001:db8::99' }] }]);
    assert.equal(same.json().changed, false);
  });

  test('apex NS: the API may add and remove its own, not drop the zone file\'s', async () => {
    const keep = await patch([{ name: 'example.test', type: 'NS', ttl: 3600, changetype: 'REPLACE', records: [
      { content: 'ns1.example.test.' }, { content: 'ns2.example.test.' }, { content: 'ns3.example.test.' }] }]);
    assert.equal(keep.statusCode, 200, keep.body);
    const drop3 = await patch([{ name: 'example.test', type: 'NS', ttl: 3600, changetype: 'REPLACE', records: [{ content: 'ns1.example.test.' }, { content: 'ns2.example.test.' }] }]);
    assert.equal(drop3.statusCode, 200, drop3.body);
    assert.equal((await rrset('example.test', 'NS'))!.records.length, 2);
    const drop2 = await patch([{ name: 'example.test', type: 'NS', ttl: 3600, changetype: 'REPLACE', records: [{ content: 'ns1.example.test.' }] }]);
    assert.equal(drop2.statusCode, 422);
    assert.match(drop2.json().reason, /ns2\.example\.test\..*file:example\.test\.zone/);
  });

  test('SOA REPLACE: a higher serial is published, a lower one is bumped by policy', async () => {
    const before = meta().serial;
    const res = await patch([{ name: 'example.test', type: 'SOA', ttl: 3600, changetype: 'REPLACE', records: [{ content: `ns1.example.test. hostmaster.example.test. ${before + 50} 7200 3600 1209600 600` }] }]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().serial, before + 50);
    const soa = await rrset('example.test', 'SOA');
    assert.match(soa!.records[0]!.content, / 600$/);
  });

  test('records written through the API survive a zone-file reload', async () => {
    await patch([{ name: 'kept.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.150' }] }]);
    const { EXAMPLE_ZONE } = await import('./fixture.js');
    writeSettled(join(fx.zoneDir, 'example.test.zone'), `${EXAMPLE_ZONE.replace(' 100 ', ' 100000 ')}mail A 192.0.2.25\n`);
    await fx.server.reload();
    assert.ok(await rrset('mail.example.test', 'A'), 'the file change is loaded');
    assert.deepEqual((await rrset('kept.example.test', 'A'))!.records.map((r) => r.content), ['192.0.2.150']);
  });
});

describe('storage faults', () => {
  test('a commit failing with ENOSPC or MDB_MAP_FULL: 507 saying which, nothing applied, and the API goes on', async () => {
    const writer = fx.server.writer;
    const original = writer.commitDiff;
    const before = meta().serial;
    try {
      for (const [err, expected] of [
        [Object.assign(new Error('No space left on device'), { code: 28 }), /^the disk holding the data directory is full \(ENOSPC\)/],
        [Object.assign(new Error('MDB_MAP_FULL: Environment mapsize limit reached'), { code: -30792 }), /^the LMDB map size is full \(MDB_MAP_FULL\)/],
      ] as const) {
        writer.commitDiff = () => {
          throw err;
        };
        const res = await patch([{ name: 'full.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }]);
        assert.equal(res.statusCode, 507, res.body);
        assert.match(res.json().reason, expected);
        assert.match(res.json().error, /^the change was not stored: /);
      }
    } finally {
      writer.commitDiff = original;
    }
    assert.equal(meta().serial, before);
    const res = await patch([{ name: 'full.example.test', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }]);
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('OpenAPI, metrics, probes', () => {
  test('the OpenAPI document is built from the schemas that validate requests', async () => {
    const res = await app().inject({ url: '/api/v1/openapi.json', headers: auth });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    const op = doc.paths['/api/v1/zones/{origin}/rrsets'].patch;
    assert.deepEqual(op.requestBody.content['application/json'].schema, JSON.parse(JSON.stringify(patchBody)));
    assert.equal(op.parameters[0].name, 'origin');
    assert.equal(op.responses['422'].content['application/json'].schema.$ref, '#/components/schemas/Error');
    for (const path of ['/api/v1/zones', '/api/v1/zones/{origin}', '/api/v1/zones/{origin}/export', '/api/v1/zones/{origin}/notify', '/api/v1/reload', '/metrics', '/healthz', '/readyz']) {
      assert.ok(doc.paths[path], path);
    }
    assert.deepEqual(doc.paths['/metrics'].get.security, []);
    assert.equal(doc.paths['/'], undefined);
  });

  test('metrics: CoreDNS-style names, API updates counted, zones and serials', async () => {
    const text = (await app().inject({ url: '/metrics' })).body;
    // (histograms by their TYPE line: with no DNS traffic they have no series yet)
    for (const name of ['meshdns_dns_requests_total', 'meshdns_dns_responses_total', 'meshdns_dns_request_duration_seconds',
      'meshdns_dns_request_size_bytes', 'meshdns_dns_response_size_bytes', 'meshdns_answer_cache_hits_total',
      'meshdns_answer_cache_misses_total', 'meshdns_zones_loaded', 'meshdns_zone_serial', 'meshdns_zonefile_load_errors_total',
      'meshdns_xfr_out_total', 'meshdns_xfr_in_failed_total', 'meshdns_notify_sent_total', 'meshdns_notify_failed_total',
      'meshdns_updates_applied_total', 'meshdns_updates_refused_total', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      // (a counter with no events yet has its HELP and TYPE lines only)
      assert.match(text, new RegExp(`^(# TYPE )?${name}`, 'm'), name);
    }
    assert.match(text, new RegExp(`^meshdns_zone_serial\\{zone="example.test."\\} ${meta().serial}$`, 'm'));
    assert.match(text, /^meshdns_zones_loaded\{kind="primary"\} 1$/m);
    const applied = Number(/^meshdns_updates_applied_total\{source="api"\} (\d+)/m.exec(text)![1]);
    const refused = Number(/^meshdns_updates_refused_total\{source="api"\} (\d+)/m.exec(text)![1]);
    assert.ok(applied >= 5 && refused >= 5, `${applied} ${refused}`);
  });

  test('a zone file with errors: counted, shown as lastError, /readyz says why until it loads', async () => {
    const before = fx.server.counters.zoneFileLoadErrors;
    writeSettled(join(fx.zoneDir, 'broken.test.zone'), '@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.999\n');
    await fx.server.reload();
    // (every failed attempt counts: the folder watcher may have tried the file too)
    assert.ok(fx.server.counters.zoneFileLoadErrors >= before + 1);
    const ready = await app().inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().waiting[0].zone, 'broken.test.');
    assert.match(ready.json().waiting[0].reason, /192\.0\.2\.999/);
    writeSettled(join(fx.zoneDir, 'broken.test.zone'), '@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.99\n');
    await fx.server.reload();
    assert.equal((await app().inject({ url: '/readyz' })).statusCode, 200);
    assert.equal((await app().inject({ url: '/healthz' })).json().status, 'ok');
  });
});
