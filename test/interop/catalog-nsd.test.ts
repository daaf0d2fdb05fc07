import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMeshdnsSite, type MeshdnsSite } from '../helpers/catalog-meshdns-site.js';
import { answers, meshKey, memberZoneText, startNsdSecondary, waitUntil } from '../helpers/catalog-peers.js';
import { findFreePort } from '../helpers/knotd.js';
import type { Nsd } from '../helpers/nsd.js';
import { soaAnswered } from '../helpers/peer-process.js';
import { requireTool } from '../helpers/tools.js';

// NSD 4.6 (no catalog support of its own) as a secondary of a zone that meshdns made from a catalog
// (issue 14): site A (meshdns) is primary of app.site-a.mesh. and produces its catalog; site B
// (meshdns) consumes that catalog, so app.site-a.mesh. is a secondary zone at B created by the
// catalog; NSD transfers it from B. A change at A must travel A → B (NOTIFY + IXFR) → NSD (B's NOTIFY
// to its own notify targets, then IXFR), TSIG all the way.

const CAT_A = 'catalog.site-a.mesh.';
const CAT_B = 'catalog.site-b.mesh.';
const APP = 'app.site-a.mesh.';
const key = meshKey();
let a: MeshdnsSite;
let b: MeshdnsSite;
let nsd: Nsd;

const logs = () => `--- nsd:\n${nsd?.logs().slice(-4000)}\n--- meshdns B:\n${b.server.logs().slice(-6000)}`;

before(async () => {
  requireTool('dig', 'bind9-dnsutils');
  requireTool('nsd', 'nsd');
  const [pa, pb] = [await findFreePort(), await findFreePort()];
  a = await startMeshdnsSite({ name: 'a', port: pa, key, catalog: CAT_A, zones: { [APP]: memberZoneText(APP) }, consumes: [], notify: [pb] });
  b = await startMeshdnsSite({ name: 'b', port: pb, key, catalog: CAT_B, zones: {}, consumes: [{ catalog: CAT_A, port: pa }], notify: [] });
  await waitUntil(`meshdns B serves ${APP} from A's catalog`, () => soaAnswered(b.port, APP), 20_000, () => b.server.logs());
  nsd = await startNsdSecondary({ origin: APP, primaryPort: b.port, key });
  // B's NOTIFY targets learn NSD's port by a reload (NSD picks its port when it starts)
  await b.reconfigure({ notify: [nsd.port] });
});

after(async () => {
  await nsd?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

test('NSD transfers a catalog-made secondary zone from meshdns', async () => {
  assert.deepEqual(answers(nsd.port, `www.${APP}`, 'A'), ['192.0.2.10']);
  assert.deepEqual(answers(nsd.port, APP, 'SOA'), answers(a.port, APP, 'SOA'));
  const consumed = (await b.catalogs()).consumed.find((c) => c.zone === CAT_A);
  assert.deepEqual(consumed?.members.map((m) => m.zone), [APP]);
});

test('a change at the primary reaches NSD through the catalog-made secondary', async () => {
  await a.api('PATCH', `/api/v1/zones/${APP}/rrsets`, {
    rrsets: [{ name: `www.${APP}`, type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.80' }] }],
  });
  await waitUntil('meshdns B answers the new www', () => answers(b.port, `www.${APP}`, 'A').join() === '192.0.2.80', 20_000, logs);
  await waitUntil('NSD answers the new www', () => answers(nsd.port, `www.${APP}`, 'A').join() === '192.0.2.80', 20_000, logs);
  assert.deepEqual(answers(nsd.port, APP, 'SOA'), answers(a.port, APP, 'SOA'));
  // B took the change by IXFR, then NOTIFYed NSD and served it an IXFR, signed
  await b.server.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === APP, 5_000);
  await b.server.waitForLog((e) => e['msg'] === 'NOTIFY acknowledged' && e['zone'] === APP, 5_000);
  await b.server.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['zone'] === APP && e['type'] === 'IXFR', 5_000);
  await nsd.waitForLog(/zone app\.site-a\.mesh\. committed "received update to serial 2 .* TSIG verified with key mesh-key\./, 5_000);
});
