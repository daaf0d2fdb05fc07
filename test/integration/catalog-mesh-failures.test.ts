/**
 * The three-site catalog mesh of examples/mesh/ when things go wrong (issue 14): the catalog's
 * primary down, a member's primary down, a TSIG mismatch on the catalog, and site C restarted while
 * A and B are down (it must serve everything from LMDB at once, then catch up).
 *
 * Two additions to the example configs, so that a member's primary can fail while the catalog's
 * primary stays up: A writes the RFC 9432 group "relay" for relay.site-a.mesh., and B's consumer of
 * A's catalog maps that group to another primary, site C (which is itself a secondary of A for it).
 * A also knows a second key, other-key., that B holds with another secret: when B's consumer is
 * switched to it, the catalog's transfers fail TSIG while everything else goes on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Mesh, until, zoneText, type ConsumerConfig, type SiteConfig } from '../helpers/catalog-mesh.js';

let mesh: Mesh;
const a = () => mesh.sites.a;
const b = () => mesh.sites.b;
const c = () => mesh.sites.c;

const OTHER_KEY_AT_A = Buffer.from('other-key as site A holds it...').toString('base64');
const OTHER_KEY_AT_B = Buffer.from('other-key as site B holds it!!!').toString('base64');

const consumerOf = (config: SiteConfig, catalog: string): ConsumerConfig => config.consumers.find((x) => x.zone === catalog)!;

before(async () => {
  mesh = await Mesh.prepare((site, config, ports) => {
    if (site === 'a') {
      config.zones = [{ origin: 'relay.site-a.mesh.', catalogGroup: 'relay' }];
      config.keys.push({ name: 'other-key.', algorithm: 'hmac-sha256', secret: OTHER_KEY_AT_A });
      config.acls[0]!.key = [...config.acls[0]!.key!, 'other-key.'];
    }
    if (site === 'b') {
      config.keys.push({ name: 'other-key.', algorithm: 'hmac-sha256', secret: OTHER_KEY_AT_B });
      consumerOf(config, 'catalog.site-a.mesh.').groups = { relay: { primaries: [{ address: `127.0.0.1:${ports.c}`, key: 'mesh-key.' }] } };
    }
  });
  mesh.sites.a.writeZone('relay.site-a.mesh.', zoneText('relay.site-a.mesh.', 1, 'www A 192.0.2.70'));
  await mesh.start();
  await mesh.everywhere('www.app.site-a.mesh.', 'A', '192.0.2.10');
  await mesh.everywhere('www.app.site-b.mesh.', 'A', '198.51.100.10');
  await mesh.everywhere('www.app.site-c.mesh.', 'A', '203.0.113.10');
  await mesh.everywhere('www.relay.site-a.mesh.', 'A', '192.0.2.70', ['a', 'c']);
  // B may have asked C before C had relay (a secondary's commit sends no NOTIFY, and a zone never
  // transferred retries after a minute): ask again until B has it
  await until('B serving relay.site-a.mesh. from C', async () => {
    if (await b().serves('www.relay.site-a.mesh.', 'A', '192.0.2.70')) return true;
    await b().api('PUT', '/api/v1/zones/relay.site-a.mesh./retransfer');
    return false;
  }, 90_000, () => mesh.logs());
});
after(async () => {
  await mesh?.remove();
});

const consumedAt = async (site: 'a' | 'b' | 'c', catalog: string) => {
  const entry = (await mesh.sites[site].catalogs()).consumed.find((x) => x.zone === catalog);
  if (entry === undefined) throw new Error(`site ${site} does not consume ${catalog}`);
  return entry;
};
const memberNames = async (site: 'a' | 'b' | 'c', catalog: string) => (await consumedAt(site, catalog)).members.map((m) => m.zone).sort();

test('the group "relay" sends B to site C for relay.site-a.mesh., and to A for everything else', async () => {
  const members = (await consumedAt('b', 'catalog.site-a.mesh.')).members;
  assert.deepEqual(members.find((m) => m.zone === 'relay.site-a.mesh.')?.group, 'relay');
  const relay = await b().running.waitForLog((e) => String(e['msg']).startsWith('incoming transfer') && e['zone'] === 'relay.site-a.mesh.');
  assert.equal(relay['primary'], `127.0.0.1:${c().port}`);
  const app = await b().running.waitForLog((e) => String(e['msg']).startsWith('incoming transfer') && e['zone'] === 'app.site-a.mesh.');
  assert.equal(app['primary'], `127.0.0.1:${a().port}`);
});

test('the catalog\'s primary down: its members keep serving at B and C, the failed refresh shows in the API', async () => {
  await a().stop();
  const retransfer = await b().api('PUT', '/api/v1/zones/catalog.site-a.mesh./retransfer');
  assert.ok(retransfer.status < 300, `${retransfer.status} ${JSON.stringify(retransfer.body)}`);
  await until('B showing the failed refresh of catalog.site-a.mesh.', async () => (await consumedAt('b', 'catalog.site-a.mesh.')).lastError !== null, 60_000, () => mesh.logs());
  assert.deepEqual(await memberNames('b', 'catalog.site-a.mesh.'), ['app.site-a.mesh.', 'relay.site-a.mesh.']);
  for (const site of [b(), c()]) {
    assert.ok(await site.serves('www.app.site-a.mesh.', 'A', '192.0.2.10'), `site ${site.name} serves A's zone with A down`);
    assert.ok(await site.serves('www.relay.site-a.mesh.', 'A', '192.0.2.70'), `site ${site.name} serves relay with A down`);
  }
  await a().start();
  await b().api('PUT', '/api/v1/zones/catalog.site-a.mesh./retransfer');
  await until('B refreshing catalog.site-a.mesh. again', async () => (await consumedAt('b', 'catalog.site-a.mesh.')).lastError === null, 60_000, () => mesh.logs());
});

test('a member\'s primary down: that member keeps its last data at B while A\'s catalog goes on', async () => {
  await c().stop();
  const patched = await a().api('PATCH', '/api/v1/zones/relay.site-a.mesh./rrsets', {
    rrsets: [{ name: 'www.relay.site-a.mesh.', type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.71' }] }],
  });
  assert.ok(patched.status < 300, JSON.stringify(patched.body));
  // A's NOTIFY reaches B, which asks relay's primary (site C) and fails
  await b().running.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept' && e['zone'] === 'relay.site-a.mesh.');
  assert.ok(await b().serves('www.relay.site-a.mesh.', 'A', '192.0.2.70'), 'B keeps serving relay\'s last version');
  // the catalog is not held up by one member: a new zone at A still reaches B
  const created = await a().api('POST', '/api/v1/zones', { name: 'during.site-a.mesh.', zone: zoneText('during.site-a.mesh.', 1, 'www A 192.0.2.72') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await mesh.everywhere('www.during.site-a.mesh.', 'A', '192.0.2.72', ['b']);
  assert.equal((await consumedAt('b', 'catalog.site-a.mesh.')).lastError, null);
  // C back: it takes relay from A at start, and B takes it from C
  await c().start();
  await mesh.everywhere('www.relay.site-a.mesh.', 'A', '192.0.2.71', ['c']);
  await b().api('PUT', '/api/v1/zones/relay.site-a.mesh./retransfer');
  await mesh.everywhere('www.relay.site-a.mesh.', 'A', '192.0.2.71', ['b']);
  await mesh.everywhere('www.during.site-a.mesh.', 'A', '192.0.2.72', ['c']);
});

test('a TSIG mismatch on the catalog: B keeps the last good member list and shows the error', async () => {
  const config = b().config();
  consumerOf(config, 'catalog.site-a.mesh.').primaries = [{ address: `127.0.0.1:${a().port}`, key: 'other-key.' }];
  b().writeConfig(config);
  const reload = await b().api('POST', '/api/v1/reload');
  assert.ok(reload.status < 300, `${reload.status} ${JSON.stringify(reload.body)}`);
  const good = await memberNames('b', 'catalog.site-a.mesh.');
  a().writeZone('unseen.site-a.mesh.', zoneText('unseen.site-a.mesh.', 1, 'www A 192.0.2.73'));
  await mesh.everywhere('www.unseen.site-a.mesh.', 'A', '192.0.2.73', ['a', 'c']);
  await b().api('PUT', '/api/v1/zones/catalog.site-a.mesh./retransfer');
  await until('B showing the TSIG failure of catalog.site-a.mesh.', async () => /TSIG|BADSIG|NOTAUTH/i.test((await consumedAt('b', 'catalog.site-a.mesh.')).lastError ?? ''), 60_000, () => mesh.logs());
  assert.deepEqual(await memberNames('b', 'catalog.site-a.mesh.'), good, 'the last good list is kept');
  assert.ok(await b().lacks('unseen.site-a.mesh.'), 'B has not seen the new member');
  assert.ok(await b().serves('www.during.site-a.mesh.', 'A', '192.0.2.72'), 'the members B had keep serving');
  // the key put right: the catalog catches up
  consumerOf(config, 'catalog.site-a.mesh.').primaries = [{ address: `127.0.0.1:${a().port}`, key: 'mesh-key.' }];
  b().writeConfig(config);
  assert.ok((await b().api('POST', '/api/v1/reload')).status < 300);
  await b().api('PUT', '/api/v1/zones/catalog.site-a.mesh./retransfer');
  await mesh.everywhere('www.unseen.site-a.mesh.', 'A', '192.0.2.73', ['b']);
  await until('B clearing the error of catalog.site-a.mesh.', async () => (await consumedAt('b', 'catalog.site-a.mesh.')).lastError === null, 60_000, () => mesh.logs());
});

test('site C restarted while A and B are down serves every zone from LMDB at once, then catches up', async () => {
  await c().stop();
  const patched = await a().api('PATCH', '/api/v1/zones/app.site-a.mesh./rrsets', {
    rrsets: [{ name: 'www.app.site-a.mesh.', type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.77' }] }],
  });
  assert.ok(patched.status < 300, JSON.stringify(patched.body));
  const created = await a().api('POST', '/api/v1/zones', { name: 'late.site-a.mesh.', zone: zoneText('late.site-a.mesh.', 1, 'www A 192.0.2.78') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await a().stop();
  await b().stop();

  await c().start();
  // no waiting: nothing else is up, so whatever C answers now comes from its own LMDB
  const expected: [string, string][] = [
    ['www.app.site-a.mesh.', '192.0.2.10'], ['www.app.site-b.mesh.', '198.51.100.10'], ['www.app.site-c.mesh.', '203.0.113.10'],
    ['www.relay.site-a.mesh.', '192.0.2.71'], ['www.during.site-a.mesh.', '192.0.2.72'], ['www.unseen.site-a.mesh.', '192.0.2.73'],
  ];
  for (const [name, address] of expected) assert.ok(await c().serves(name, 'A', address), `C serves ${name} ${address} at once:\n${c().logs()}`);
  assert.deepEqual(await memberNames('c', 'catalog.site-a.mesh.'), ['app.site-a.mesh.', 'during.site-a.mesh.', 'relay.site-a.mesh.', 'unseen.site-a.mesh.']);
  assert.deepEqual(await memberNames('c', 'catalog.site-b.mesh.'), ['app.site-b.mesh.']);
  assert.ok(await c().lacks('late.site-a.mesh.'), 'C never saw late.site-a.mesh.');

  await a().start();
  await b().start();
  // A announces what C missed (what an operator does after a site's outage; the SOA retry timers
  // would get there too, in up to a minute for the members and ten for the catalog)
  for (const zone of ['catalog.site-a.mesh.', 'app.site-a.mesh.']) {
    const sent = await a().api<{ sent: number }>('PUT', `/api/v1/zones/${zone}/notify`);
    assert.ok(sent.status < 300 && sent.body.sent === 2, `${zone}: ${sent.status} ${JSON.stringify(sent.body)}`);
  }
  await mesh.everywhere('www.app.site-a.mesh.', 'A', '192.0.2.77', ['c']);
  await mesh.everywhere('www.late.site-a.mesh.', 'A', '192.0.2.78', ['b', 'c']);
});
