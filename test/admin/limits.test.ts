import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { nameToKey, parseName } from '../../zones/name.js';
import { auth, EXAMPLE_ZONE, startFixture, writeSettled } from './fixture.js';

const APEX = nameToKey(parseName('example.test.'));
const LIMITS = { recordsPerRRset: 5, recordsPerZone: 25, recordsPerRequest: 20, generateRecords: 10 };
const addresses = (n: number) => Array.from({ length: n }, (_, i) => ({ content: `192.0.2.${i + 1}` }));

test('limits: an RRset, a request, a zone or a $GENERATE over its limit is refused with the limit named, and nothing of it is applied', async () => {
  const fx = await startFixture({ limits: LIMITS });
  try {
    const app = fx.server.adminApp!;
    const before = fx.server.store.zoneMeta(APEX)!;
    const patch = (rrsets: unknown[]) => app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth, payload: { rrsets } });

    const big = await patch([{ name: 'rr.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: addresses(6) }]);
    assert.equal(big.statusCode, 422, big.body);
    assert.match(big.json().reason, /rr\.example\.test\. A would have 6 records, more than 5 \(limits\.recordsPerRRset\)/);

    const many = await patch(Array.from({ length: 5 }, (_, i) => ({ name: `h${i}.example.test.`, type: 'A', ttl: 60, changetype: 'REPLACE', records: addresses(5) })));
    assert.equal(many.statusCode, 422, many.body);
    assert.equal(many.json().field, 'rrsets');
    assert.match(many.json().reason, /more than 20 \(limits\.recordsPerRequest\)/);

    const zoneFull = await patch(Array.from({ length: 4 }, (_, i) => ({ name: `z${i}.example.test.`, type: 'A', ttl: 60, changetype: 'REPLACE', records: addresses(4) })));
    assert.equal(zoneFull.statusCode, 422, zoneFull.body);
    assert.match(zoneFull.json().reason, /zone example\.test\. would have 26 records, more than 25 \(limits\.recordsPerZone\)/);

    const after = fx.server.store.zoneMeta(APEX)!;
    assert.equal(after.serial, before.serial, 'nothing was committed');
    assert.equal(after.records, before.records);

    // a few bytes of zone text must not become many records
    const generated = await app.inject({ method: 'POST', url: '/api/v1/zones', headers: auth, payload: {
      name: 'gen.test.', zone: '$ORIGIN gen.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n$GENERATE 1-2000000 h$ A 192.0.2.1\n' } });
    assert.equal(generated.statusCode, 422, generated.body);
    assert.match(generated.json().reason, /it makes more than 10 records \(limits\.generateRecords\)/);
    assert.equal(fx.server.store.zoneMeta(nameToKey(parseName('gen.test.'))), undefined);
  } finally {
    await fx.stop();
  }
});

test('limits: a zone file over a limit is reported like a syntax error and the version already served stays', async () => {
  const fx = await startFixture({ limits: LIMITS });
  try {
    const before = fx.server.store.zoneMeta(APEX)!;
    writeSettled(join(fx.zoneDir, 'example.test.zone'), `${EXAMPLE_ZONE.replace(' 100 ', ' 101 ')}${addresses(6).map((a) => `rr A ${a.content}\n`).join('')}`);
    await fx.server.zoneFolder.sync();
    assert.equal(fx.server.store.zoneMeta(APEX)!.serial, before.serial, 'the old version keeps answering');
    const status = fx.server.zoneFolder.status.get('example.test.');
    assert.match(status?.lastError?.problems[0]?.message ?? '', /rr\.example\.test\. A would have 6 records, more than 5 \(limits\.recordsPerRRset\)/);
  } finally {
    await fx.stop();
  }
});

test('a PATCH of more than 1,000 records is planned and committed in a worker thread: applied, announced, and refused with the field named like any other', async () => {
  const fx = await startFixture({ limits: { recordsPerRRset: 5000, recordsPerRequest: 5000 } });
  try {
    const app = fx.server.adminApp!;
    const before = fx.server.store.zoneMeta(APEX)!;
    const records = Array.from({ length: 1500 }, (_, i) => ({ content: `10.1.${i >> 8}.${i & 255}` }));
    const ok = await app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth,
      payload: { rrsets: [{ name: 'many.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records }] } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().added, 1500);
    // the commit was made elsewhere: this process's zone table and reader must see it at once
    const after = fx.server.store.zoneMeta(APEX)!;
    assert.equal(after.records, before.records + 1500);
    assert.equal(fx.server.table.byApexKey(APEX)?.serial, after.serial);
    assert.equal(fx.server.store.getNode(after.id, nameToKey(parseName('many.example.test.')))?.rrsets[0]?.rrs.length, 1500);
    const bad = [...records.slice(0, 1200), { content: 'not-an-address' }];
    const refused = await app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth,
      payload: { rrsets: [{ name: 'more.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: bad }] } });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(refused.json().field, 'rrsets[0].records[1200].content');
    assert.equal(fx.server.store.zoneMeta(APEX)!.serial, after.serial, 'nothing of the refused request was applied');
  } finally {
    await fx.stop();
  }
});

test('two big PATCHes replacing the same RRset at once: the RRset ends as exactly one of them, never their union', async () => {
  const fx = await startFixture({ limits: { recordsPerRRset: 5000, recordsPerRequest: 5000 } });
  try {
    const app = fx.server.adminApp!;
    const set = (prefix: number) => Array.from({ length: 1500 }, (_, i) => ({ content: `10.${prefix}.${i >> 8}.${i & 255}` }));
    const replace = (prefix: number) => app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth,
      payload: { rrsets: [{ name: 'many.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: set(prefix) }] } });
    const [a, b] = await Promise.all([replace(1), replace(2)]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    const meta = fx.server.store.zoneMeta(APEX)!;
    const rrs = fx.server.store.getNode(meta.id, nameToKey(parseName('many.example.test.')))!.rrsets[0]!.rrs;
    assert.equal(rrs.length, 1500, 'one request replaced the other, as two REPLACEs one after the other do');
    const firstOctets = new Set(rrs.map((rr) => rr.rdata[1]));
    assert.equal(firstOctets.size, 1);
  } finally {
    await fx.stop();
  }
});
