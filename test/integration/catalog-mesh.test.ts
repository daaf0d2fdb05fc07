/**
 * The three-site catalog mesh of examples/mesh/ (issue 14, docs/catalog-mesh.md), three real meshdns
 * processes: each site is the primary of its zone and of its catalog (RFC 9432) and consumes the
 * other two catalogs. What a newcomer does in the walk-through is checked here: every site serves
 * every zone; a zone added at A by a file or by the API reaches B and C; a changed record reaches
 * them by NOTIFY + IXFR; a removed zone leaves them; GET /api/v1/catalogs, PUT .../catalog (coo) and
 * one zone listed in two catalogs (conflicts). Failures and restarts: catalog-mesh-failures.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Mesh, memberId, siphash24, until, zoneText, type CatalogsJson } from '../helpers/catalog-mesh.js';

let mesh: Mesh;
const a = () => mesh.sites.a;
const b = () => mesh.sites.b;
const c = () => mesh.sites.c;

before(async () => {
  mesh = await Mesh.prepare();
  await mesh.start();
});
after(async () => {
  await mesh?.remove();
});

const EXAMPLE_ADDRESSES = { a: '192.0.2.10', b: '198.51.100.10', c: '203.0.113.10' } as const;

test('member ids are SipHash-2-4 as the reference vectors say (the check the other tests rely on)', () => {
  // SipHash paper, appendix A: key 00..0f, message 00..0e → a129ca6149be45e5 (as little-endian octets)
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const message = Uint8Array.from({ length: 15 }, (_, i) => i);
  assert.equal(siphash24(message, key).toString('hex'), 'e545be4961ca29a1');
  assert.equal(memberId('App.Site-A.Mesh.'), memberId('app.site-a.mesh.'), 'ids are made from the lowercase name');
});

test('every site serves all three zones, its own as primary and the other two as secondaries', async () => {
  for (const [site, address] of Object.entries(EXAMPLE_ADDRESSES)) {
    await mesh.everywhere(`www.app.site-${site}.mesh.`, 'A', address);
  }
  for (const s of ['a', 'b', 'c'] as const) {
    const { body } = await mesh.sites[s].api<{ name: string; kind: string }[]>('GET', '/api/v1/zones');
    const kinds = Object.fromEntries(body.filter((z) => z.name.startsWith('app.')).map((z) => [z.name, z.kind]));
    assert.deepEqual(kinds, {
      'app.site-a.mesh.': s === 'a' ? 'primary' : 'secondary',
      'app.site-b.mesh.': s === 'b' ? 'primary' : 'secondary',
      'app.site-c.mesh.': s === 'c' ? 'primary' : 'secondary',
    }, `zone kinds at site ${s}`);
  }
});

test('GET /api/v1/catalogs: the catalog a site produces and the two it consumes, with their members', async () => {
  // the consumed lists fill in as the transfers land
  await until('site A listing the members of both catalogs it consumes', async () => {
    const { consumed } = await a().catalogs();
    return consumed.length === 2 && consumed.every((cat) => cat.members.length === 1);
  }, 30_000, () => mesh.logs());
  const body: CatalogsJson = await a().catalogs();
  assert.equal(body.produced.length, 1);
  const produced = body.produced[0]!;
  assert.equal(produced.zone, 'catalog.site-a.mesh.');
  assert.deepEqual(produced.members, [{ zone: 'app.site-a.mesh.', id: memberId('app.site-a.mesh.') }]);
  assert.deepEqual(body.consumed.map((cat) => cat.zone).sort(), ['catalog.site-b.mesh.', 'catalog.site-c.mesh.']);
  for (const cat of body.consumed) {
    const site = cat.zone.split('.')[1]!;
    // (a consumed member also says `since` when it was added here)
    assert.deepEqual(cat.members.map(({ zone, id }) => ({ zone, id })), [{ zone: `app.${site}.mesh.`, id: memberId(`app.${site}.mesh.`) }], cat.zone);
    assert.equal(cat.lastError, null, cat.zone);
    assert.deepEqual(cat.conflicts, [], cat.zone);
    assert.ok(cat.serial > 0 && typeof cat.lastTransfer === 'string', JSON.stringify(cat));
    // what B says it produces is what A says it consumed from B
    const producer = (await mesh.sites[site.slice(-1) as 'b' | 'c'].catalogs()).produced[0]!;
    assert.equal(producer.zone, cat.zone);
    assert.equal(producer.serial, cat.serial, `${cat.zone}: the consumed serial is the produced one`);
  }
});

test('metrics: members per catalog and role, conflicts per catalog', async () => {
  const text = await (await fetch(`${b().running.admin!.url}/metrics`)).text();
  assert.match(text, /^# TYPE meshdns_catalog_members gauge$/m);
  assert.match(text, /^# TYPE meshdns_catalog_conflicts_total counter$/m);
  assert.equal(await b().metric('meshdns_catalog_members', { catalog: 'catalog.site-b.mesh.', role: 'producer' }), 1);
  assert.equal(await b().metric('meshdns_catalog_members', { catalog: 'catalog.site-a.mesh.', role: 'consumer' }), 1);
  assert.equal(await b().metric('meshdns_catalog_members', { catalog: 'catalog.site-c.mesh.', role: 'consumer' }), 1);
});

test('the catalog zone itself: RFC 9432 records, transferred with the mesh key, refused to anyone else', async () => {
  const rows = await a().axfr('catalog.site-a.mesh.', mesh.key);
  const soa = rows.find((r) => r[3] === 'SOA')!;
  assert.match(soa[4]!, /^invalid\. invalid\. \d+ 3600 600 2147483646 0$/);
  const serial = Number(soa[4]!.split(' ')[2]);
  assert.equal((await a().catalogs()).produced[0]!.serial, serial);
  const id = memberId('app.site-a.mesh.');
  const data = rows.slice(1, -1).map((r) => `${r[0]} ${r[3]} ${r[4]}`).sort();
  assert.deepEqual(data, [
    'catalog.site-a.mesh. NS invalid.',
    `${id}.zones.catalog.site-a.mesh. PTR app.site-a.mesh.`,
    'version.catalog.site-a.mesh. TXT "2"',
  ]);
  // no key: the ACL allows transfers to the mesh key only, so the catalog is not shown at all
  const unsigned = await a().ask('catalog.site-a.mesh.', 'SOA');
  assert.equal(unsigned.status, 'REFUSED', unsigned.text);
  const signed = await a().ask('catalog.site-a.mesh.', 'SOA', ['-y', `hmac-sha256:${mesh.key.name}:${mesh.key.secret}`]);
  assert.equal(signed.status, 'NOERROR', signed.text);
});

test('a zone file dropped into A\'s folder is listed in A\'s catalog and served by B and C', async () => {
  const before = (await a().catalogs()).produced[0]!.serial;
  a().writeZone('files.site-a.mesh.', zoneText('files.site-a.mesh.', 1, 'www A 192.0.2.31'));
  await mesh.everywhere('www.files.site-a.mesh.', 'A', '192.0.2.31');
  const produced = (await a().catalogs()).produced[0]!;
  assert.ok(produced.serial > before, `the catalog's serial went up (${before} → ${produced.serial})`);
  assert.deepEqual(produced.members.map((m) => m.zone).sort(), ['app.site-a.mesh.', 'files.site-a.mesh.']);
  await until('B listing files.site-a.mesh. as a member', async () =>
    (await b().catalogs()).consumed.find((cat) => cat.zone === 'catalog.site-a.mesh.')!.members.some((m) => m.zone === 'files.site-a.mesh.' && m.id === memberId('files.site-a.mesh.')));
});

test('a zone created through A\'s API (POST /api/v1/zones) is served by B and C', async () => {
  const created = await a().api('POST', '/api/v1/zones', { name: 'api.site-a.mesh.', zone: zoneText('api.site-a.mesh.', 1, 'www A 192.0.2.41') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await mesh.everywhere('www.api.site-a.mesh.', 'A', '192.0.2.41');
  const { body } = await c().api<{ kind: string; source: string }>('GET', '/api/v1/zones/api.site-a.mesh.');
  assert.equal(body.kind, 'secondary');
  assert.equal(body.source, 'transfer');
});

test('a record changed at A reaches B and C by NOTIFY and IXFR', async () => {
  const ixfrBefore = { b: await b().metric('meshdns_xfr_in_total', { type: 'ixfr' }), c: await c().metric('meshdns_xfr_in_total', { type: 'ixfr' }) };
  const patched = await a().api('PATCH', '/api/v1/zones/app.site-a.mesh./rrsets', {
    rrsets: [{ name: 'www.app.site-a.mesh.', type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }],
  });
  assert.ok(patched.status < 300, JSON.stringify(patched.body));
  const serial = (await a().api<{ serial: number }>('GET', '/api/v1/zones/app.site-a.mesh.')).body.serial;
  // the SOA refresh is 300 s: within the wait only a NOTIFY can have started the transfer
  await mesh.everywhere('www.app.site-a.mesh.', 'A', '192.0.2.99', ['b', 'c'], 20_000);
  for (const s of ['b', 'c'] as const) {
    const line = await mesh.sites[s].running.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === 'app.site-a.mesh.' && e['serial'] === serial);
    assert.equal(line['steps'], 1, `site ${s} took one IXFR step`);
    assert.ok(await mesh.sites[s].metric('meshdns_xfr_in_total', { type: 'ixfr' }) > ixfrBefore[s], `site ${s}'s IXFR counter went up`);
  }
});

test('PUT /api/v1/zones/{origin}/catalog hands a member to another catalog: a coo property in the old one', async () => {
  const created = await a().api('POST', '/api/v1/zones', { name: 'moving.site-a.mesh.', zone: zoneText('moving.site-a.mesh.', 1, 'www A 192.0.2.51') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await mesh.everywhere('www.moving.site-a.mesh.', 'A', '192.0.2.51', ['b', 'c']);
  const moved = await a().api('PUT', '/api/v1/zones/moving.site-a.mesh./catalog', { catalog: 'catalog.site-b.mesh.' });
  assert.ok(moved.status < 300, `${moved.status} ${JSON.stringify(moved.body)}`);
  const id = memberId('moving.site-a.mesh.');
  const member = (await a().catalogs()).produced[0]!.members.find((m) => m.zone === 'moving.site-a.mesh.');
  assert.deepEqual(member, { zone: 'moving.site-a.mesh.', id, coo: 'catalog.site-b.mesh.' });
  const rows = await a().axfr('catalog.site-a.mesh.', mesh.key);
  assert.ok(rows.some((r) => r[0] === `coo.${id}.zones.catalog.site-a.mesh.` && r[3] === 'PTR' && r[4] === 'catalog.site-b.mesh.'), JSON.stringify(rows));
  // B's copy of A's catalog carries it too (NOTIFY + transfer of the catalog)
  await until('B\'s copy of catalog.site-a.mesh. carrying the coo property', async () =>
    (await b().axfr('catalog.site-a.mesh.', mesh.key)).some((r) => r[0] === `coo.${id}.zones.catalog.site-a.mesh.` && r[4] === 'catalog.site-b.mesh.'), 60_000, () => mesh.logs());
  // RFC 9432 §5.5: until catalog.site-b.mesh. lists the zone, the consumers keep it as it is
  assert.ok(await b().serves('www.moving.site-a.mesh.', 'A', '192.0.2.51'));
  assert.ok(await c().serves('www.moving.site-a.mesh.', 'A', '192.0.2.51'));
});

test('one zone in two catalogs: a conflict wherever it is consumed, shown in the API; the first owner stays', async () => {
  // B and C both create twice.mesh.: each lists it in its own catalog, so each sees the other's
  // member clash with its local primary zone, and A sees it in two catalogs and keeps the first
  for (const [s, address] of [['b', '198.51.100.62'], ['c', '203.0.113.62']] as const) {
    const created = await mesh.sites[s].api('POST', '/api/v1/zones', { name: 'twice.mesh.', zone: zoneText('twice.mesh.', 1, `www A ${address}`) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const conflictsAt = async (s: 'a' | 'b' | 'c') =>
    (await mesh.sites[s].catalogs()).consumed.flatMap((cat) => cat.conflicts.filter((x) => x.zone === 'twice.mesh.').map((x) => ({ ...x, catalog: cat.zone })));
  for (const s of ['a', 'b', 'c'] as const) {
    await until(`site ${s} reporting the conflict on twice.mesh.`, async () => (await conflictsAt(s)).length > 0, 60_000, () => mesh.logs());
  }
  const atB = await conflictsAt('b');
  assert.deepEqual(atB.map((x) => x.catalog), ['catalog.site-c.mesh.']);
  assert.ok(atB[0]!.reason.length > 0 && !Number.isNaN(Date.parse(atB[0]!.at)), JSON.stringify(atB));
  assert.deepEqual((await conflictsAt('c')).map((x) => x.catalog), ['catalog.site-b.mesh.']);
  // each keeps its own zone
  assert.ok(await b().serves('www.twice.mesh.', 'A', '198.51.100.62'));
  assert.ok(await c().serves('www.twice.mesh.', 'A', '203.0.113.62'));
  assert.equal((await b().api<{ kind: string }>('GET', '/api/v1/zones/twice.mesh.')).body.kind, 'primary');
  // A serves the copy of the catalog that listed it first, and reports the other
  const atA = await conflictsAt('a');
  assert.equal(atA.length, 1, JSON.stringify(atA));
  assert.match(atA[0]!.reason, /already a member of catalog/);
  const owner = atA[0]!.catalog === 'catalog.site-b.mesh.' ? c() : b();
  const ownersAddress = owner === b() ? '198.51.100.62' : '203.0.113.62';
  await mesh.everywhere('www.twice.mesh.', 'A', ownersAddress, ['a']);
  // both owners delete it: it is gone everywhere
  for (const s of ['b', 'c'] as const) assert.ok((await mesh.sites[s].api('DELETE', '/api/v1/zones/twice.mesh.')).status < 300);
  await mesh.nowhere('twice.mesh.', ['a', 'b', 'c']);
  // the conflict is counted (a counter: it stays after the zone is gone)
  const metrics = await (await fetch(`${b().running.admin!.url}/metrics`)).text();
  assert.match(metrics, /^meshdns_catalog_conflicts_total\{catalog="catalog\.site-c\.mesh\."\} [1-9]/m, 'B counts the conflict');
});

test('zones removed at A (file deleted, DELETE through the API) disappear at B and C', async () => {
  a().removeZoneFile('files.site-a.mesh.');
  const deleted = await a().api('DELETE', '/api/v1/zones/api.site-a.mesh.');
  assert.ok(deleted.status < 300, `${deleted.status} ${JSON.stringify(deleted.body)}`);
  await mesh.nowhere('files.site-a.mesh.', ['a', 'b', 'c']);
  await mesh.nowhere('api.site-a.mesh.', ['a', 'b', 'c']);
  for (const s of ['b', 'c'] as const) {
    assert.equal((await mesh.sites[s].api('GET', '/api/v1/zones/files.site-a.mesh.')).status, 404, `site ${s}`);
    const members = (await mesh.sites[s].catalogs()).consumed.find((cat) => cat.zone === 'catalog.site-a.mesh.')!.members.map((m) => m.zone);
    assert.ok(!members.includes('files.site-a.mesh.') && !members.includes('api.site-a.mesh.'), `site ${s}: ${members.join(', ')}`);
  }
  // the rest of the mesh is untouched
  await mesh.everywhere('www.app.site-b.mesh.', 'A', EXAMPLE_ADDRESSES.b);
});
