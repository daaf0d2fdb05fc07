import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { EXAMPLE_ZONE, writeSettled } from './fixture.js';

// A server producing a catalog and consuming one whose primary is not there: the zone API says
// which catalog lists a zone, the status page has a catalogs table with the consumer's error.
let dir: string;
let server: RunningMeshdns;
let browser: Browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-catalog-page-'));
  mkdirSync(join(dir, 'zones'));
  writeSettled(join(dir, 'zones', 'example.test.zone'), EXAMPLE_ZONE);
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'catalogs:',
    '  - zone: catalog.here.test.',
    'consumers:',
    '  - zone: catalog.there.test.',
    '    primaries: [{address: "127.0.0.1:9"}]',
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: join(dir, 'zones'), config: join(dir, 'meshdns.yaml') });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (path: string) => {
  const res = await fetch(`${server.admin!.url}${path}`, { headers: { 'X-API-Key': server.admin!.token! } });
  assert.equal(res.status, 200, path);
  return res.json() as Promise<Record<string, unknown>>;
};

test('the zone API says which catalog lists a zone and which zone is a catalog', async () => {
  const zone = await api('/api/v1/zones/example.test.');
  assert.deepEqual(zone['catalog'], { listedIn: ['catalog.here.test.'], from: null, role: null });
  const catalog = await api('/api/v1/zones/catalog.here.test.');
  assert.deepEqual(catalog['catalog'], { listedIn: [], from: null, role: 'produced' });
  const catalogs = await api('/api/v1/catalogs') as { produced: { zone: string; members: { zone: string }[] }[]; consumed: { zone: string }[] };
  assert.deepEqual(catalogs.produced.map((p) => [p.zone, p.members.map((m) => m.zone)]), [['catalog.here.test.', ['example.test.']]]);
  assert.deepEqual(catalogs.consumed.map((c) => c.zone), ['catalog.there.test.']);
});

test('the status page lists the catalogs, the consumed one with why it has no data, and fits 1280 px', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${server.admin!.url}/?refresh=300#token=${server.admin!.token!}`);
  const row = (catalog: string) => page.locator(`#catalogs tr[data-catalog="${catalog}"]`);
  await row('catalog.here.test.').waitFor();
  assert.equal(await row('catalog.here.test.').locator('td[data-field="role"]').innerText(), 'produced');
  assert.equal(await row('catalog.here.test.').locator('td[data-field="members"]').innerText(), '1');
  assert.equal(await row('catalog.there.test.').locator('td[data-field="role"]').innerText(), 'consumed');
  // the consumed catalog's primary does not answer: its refresh error shows once the first try failed
  const errors = row('catalog.there.test.').locator('td[data-field="errors"]');
  for (const start = Date.now(); (await errors.innerText()) === '';) {
    assert.ok(Date.now() - start < 60_000, 'the consumed catalog shows its refresh error');
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(await errors.innerText(), /127\.0\.0\.1:9/);
  const zoneRow = page.locator('#zones tr[data-zone="example.test."] td[data-field="transfer"]');
  assert.match(await zoneRow.innerText(), /listed in catalog catalog\.here\.test\./);
  const widths = await page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return { scroll: root.scrollWidth, client: root.clientWidth };
  });
  assert.ok(widths.scroll <= widths.client, `nothing wider than the window (${widths.scroll} > ${widths.client})`);
  assert.deepEqual(problems, []);
  await page.close();
});
