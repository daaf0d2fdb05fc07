import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMeshdnsSite, type MeshdnsSite } from '../helpers/catalog-meshdns-site.js';
import { answers, digKeyArg, meshKey, memberZoneText, startNamedCatalogConsumer, waitUntil } from '../helpers/catalog-peers.js';
import { findFreePort } from '../helpers/knotd.js';
import type { Named } from '../helpers/named.js';
import { soaAnswered } from '../helpers/peer-process.js';
import { dig, requireTool } from '../helpers/tools.js';

// BIND 9.18 `named` as a consumer of a catalog meshdns produces (issue 14): `catalog-zones` with
// meshdns as the default primary, TSIG on the catalog and on every member transfer. named serves the
// members, follows a member added and removed through meshdns's admin API (the catalog's NOTIFY,
// then its transfer), and a record changed in a member (the member's own NOTIFY and IXFR).

const CATALOG = 'catalog.site-a.mesh.';
const APP = 'app.site-a.mesh.';
const key = meshKey();
let site: MeshdnsSite;
let named: Named;

const logs = () => `--- named:\n${named.logs().slice(-6000)}\n--- meshdns:\n${site.server.logs().slice(-6000)}`;

before(async () => {
  requireTool('dig', 'bind9-dnsutils');
  requireTool('named', 'bind9');
  // meshdns first (its port goes into named.conf); NOTIFY to named follows by a reload once named's port is known
  site = await startMeshdnsSite({
    name: 'a', port: await findFreePort(), key, catalog: CATALOG,
    zones: { [APP]: memberZoneText(APP), 'db.site-a.mesh.': memberZoneText('db.site-a.mesh.', 1, '192.0.2.20') },
    consumes: [], notify: [],
  });
  named = await startNamedCatalogConsumer({ catalog: CATALOG, primaryPort: site.port, key });
  await site.reconfigure({ notify: [named.port] });
});

after(async () => {
  await named?.stop();
  await site?.stop();
});

test('named serves the members of the meshdns catalog', async () => {
  await waitUntil(`named serves ${APP}`, () => soaAnswered(named.port, APP), 20_000, logs);
  await waitUntil('named serves db.site-a.mesh.', () => soaAnswered(named.port, 'db.site-a.mesh.'), 20_000, logs);
  assert.deepEqual(answers(named.port, `www.${APP}`, 'A'), ['192.0.2.10']);
  assert.deepEqual(answers(named.port, 'www.db.site-a.mesh.', 'A'), ['192.0.2.20']);
  assert.match(named.logs(), /transfer of 'catalog\.site-a\.mesh\/IN' from 127\.0\.0\.1#\d+: connected using 127\.0\.0\.1#\d+ TSIG mesh-key/);
  assert.match(named.logs(), /catz: adding zone 'app\.site-a\.mesh' from catalog 'catalog\.site-a\.mesh'/);
});

test('the catalog is answered only to clients allowed to transfer it', () => {
  const status = (args: string[]) => /status: (\w+)/.exec(dig(['@127.0.0.1', '-p', String(site.port), '+norec', ...args, CATALOG, 'SOA']))?.[1];
  assert.equal(status([]), 'REFUSED');
  assert.equal(status(['+tcp']), 'REFUSED');
  assert.equal(status(['-y', digKeyArg(key)]), 'NOERROR');
  assert.equal(status(['+tcp', '-y', digKeyArg(key)]), 'NOERROR');
  assert.deepEqual(answers(site.port, CATALOG, 'SOA'), [], 'an unsigned query gets no SOA');
  const signed = dig(['@127.0.0.1', '-p', String(site.port), '+tcp', '+short', '-y', digKeyArg(key), CATALOG, 'SOA']).trim();
  assert.match(signed, /^invalid\. invalid\. \d+ 3600 600 2147483646 0$/m);
});

test('a zone added through the API appears at named, and goes when it is deleted', async () => {
  const origin = 'added.site-a.mesh.';
  await site.addZone(origin, memberZoneText(origin, 1, '192.0.2.46'));
  await waitUntil(`named serves ${origin}`, () => soaAnswered(named.port, origin), 20_000, logs);
  assert.deepEqual(answers(named.port, `www.${origin}`, 'A'), ['192.0.2.46']);
  const produced = (await site.catalogs()).produced.find((c) => c.zone === CATALOG);
  assert.deepEqual(produced?.members.map((m) => m.zone).sort(), [APP, origin, 'db.site-a.mesh.'].sort());

  await site.deleteZone(origin);
  await waitUntil(`named no longer serves ${origin}`, async () => !(await soaAnswered(named.port, origin)), 20_000, logs);
  await named.waitForLog(/catz: deleting zone 'added\.site-a\.mesh' from catalog 'catalog\.site-a\.mesh'/, 5_000);
  assert.ok(await soaAnswered(named.port, APP), `${APP} stays at named`);
});

test('a record changed in a member reaches named', async () => {
  await site.api('PATCH', `/api/v1/zones/${APP}/rrsets`, {
    rrsets: [{ name: `www.${APP}`, type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.79' }] }],
  });
  await waitUntil('named answers the new www', () => answers(named.port, `www.${APP}`, 'A').join() === '192.0.2.79', 20_000, logs);
  assert.match(named.logs(), /zone app\.site-a\.mesh\/IN: notify from 127\.0\.0\.1#\d+/);
});
