import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { EXAMPLE_ZONE, writeSettled } from './fixture.js';

let dir: string;
let server: RunningMeshdns;
let browser: Browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-page-'));
  mkdirSync(join(dir, 'zones'));
  writeSettled(join(dir, 'zones', 'example.test.zone'), EXAMPLE_ZONE);
  writeSettled(join(dir, 'zones', 'broken.test.zone'), '@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.300\n');
  writeSettled(join(dir, 'zones', 'mesh.test.zone'), '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.1\n');
  // mesh.test. is signed: the page shows its keys and when its CSK rolls
  writeFileSync(join(dir, 'meshdns.yaml'), 'policies:\n  - name: default\n    zskLifetime: 90d\n    kskLifetime: 90d\nzones:\n  - origin: mesh.test.\n    dnssec: default\n');
  // no token configured: meshdns makes one in <data>/admin.token, which the helper reads
  server = await startMeshdns({ zoneDir: join(dir, 'zones'), config: join(dir, 'meshdns.yaml') });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the status page loads in a real browser, lists the zones and shows a change made through the API', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });

  // without a token the page asks for one
  await page.goto(`${server.admin!.url}/?refresh=300`);
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#token', server.admin!.token!);
  await page.click('#login button');

  const row = (zone: string) => page.locator(`tr[data-zone="${zone}"]`);
  await row('example.test.').waitFor();
  const zones = await Promise.all((await page.locator('tbody tr').all()).map((r) => r.getAttribute('data-zone')));
  // broken.test. never loaded (its file has errors from the start): listed, failed, with file:line
  assert.deepEqual(zones, ['example.test.', 'mesh.test.', 'broken.test.']);
  assert.equal(await row('broken.test.').getAttribute('data-state'), 'failed');
  assert.match(await row('broken.test.').locator('td[data-field="errors"]').innerText(), /broken\.test\.zone:3: .*192\.0\.2\.300/);
  const cell = (zone: string, field: string) => row(zone).locator(`td[data-field="${field}"]`).innerText();
  assert.equal(await cell('example.test.', 'kind'), 'primary');
  assert.equal(await cell('example.test.', 'serial'), '100');
  assert.equal(await cell('example.test.', 'records'), '10');
  assert.match(await row('example.test.').locator('td[data-field="source"]').getAttribute('title') ?? '', /^file:.*example\.test\.zone$/);
  assert.equal(await row('example.test.').locator('td[data-field="source"] .base').innerText(), 'example.test.zone');

  const res = await fetch(`${server.admin!.url}/api/v1/zones/example.test/rrsets`, {
    method: 'PATCH',
    headers: { 'x-api-key': server.admin!.token!, 'content-type': 'application/json' },
    body: JSON.stringify({ rrsets: [{ name: 'shown.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.200' }] }] }),
  });
  assert.equal(res.status, 200);
  // (locators, not waitForFunction: the page's CSP forbids the eval that a string predicate needs)
  await row('example.test.').locator('td[data-field="serial"]', { hasText: /^101$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await cell('example.test.', 'records'), '11');

  // a zone-file error shows up once a zone exists for it: fix it, then break it again
  const reload = () => fetch(`${server.admin!.url}/api/v1/reload`, { method: 'POST', headers: { 'x-api-key': server.admin!.token! } });
  writeSettled(join(dir, 'zones', 'broken.test.zone'), '@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.30\n');
  await reload();
  await row('broken.test.').waitFor();
  writeSettled(join(dir, 'zones', 'broken.test.zone'), '@ SOA ns1 hm 2 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.300\n');
  await reload();
  await row('broken.test.').locator('td[data-field="errors"]', { hasText: /192\.0\.2\.300/ }).waitFor({ timeout: 10_000 });
  assert.equal(await row('broken.test.').getAttribute('class'), 'failing');

  // the DNSSEC column: policy, keys (role, tag, state), next event and earliest signature expiry of a
  // signed zone; a dash for an unsigned one
  const signing = await (await fetch(`${server.admin!.url}/api/v1/zones/mesh.test./keys`, { headers: { 'x-api-key': server.admin!.token! } })).json() as
    { keys: { role: string; keyTag: number; state: string }[]; earliestExpiry: number | null; nextEvent: number | null };
  assert.equal(signing.keys.length, 1);
  const key = signing.keys[0]!;
  const dnssec = row('mesh.test.').locator('td[data-field="dnssec"]');
  await dnssec.locator(`div.key[data-tag="${key.keyTag}"]`).waitFor({ timeout: 10_000 });
  assert.equal(await dnssec.locator('div.policy').innerText(), 'policy default');
  assert.equal(await dnssec.locator(`div.key[data-tag="${key.keyTag}"]`).innerText(), `CSK ${key.keyTag} active`);
  assert.ok(signing.earliestExpiry !== null);
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  assert.equal(await dnssec.locator('div.expiry').innerText(), `RRSIG expiry ${iso(signing.earliestExpiry)}`);
  assert.ok(signing.nextEvent !== null, 'a CSK with a lifetime has its roll planned');
  assert.equal(await dnssec.locator('div.next').innerText(), `next event ${iso(signing.nextEvent)}`);
  assert.equal(await cell('example.test.', 'dnssec'), '—');

  // the token survives a reload of the page (sessionStorage), and #token= works without the form
  await page.reload();
  await row('example.test.').waitFor();
  const second = await browser.newPage();
  await second.goto(`${server.admin!.url}/#token=${encodeURIComponent(server.admin!.token!)}`);
  await second.locator('tr[data-zone="example.test."]').waitFor();
  assert.equal(new URL(second.url()).hash, '', 'the token is taken out of the address bar');
  assert.deepEqual(problems, []);
});
