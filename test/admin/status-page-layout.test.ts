// The status page as an operator first meets it: opened plainly (a prompt that says where the token
// is), opened from the link in the start-up log, at 1280x800 with a long zone-file path and a failed
// zone, and nothing wider than the window.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';
import { messages, startFakePrimary, type FakePrimary, type Rr } from '../helpers/fake-primary.js';
import { EXAMPLE_ZONE, writeSettled } from './fixture.js';

const VIEWPORT = { width: 1280, height: 800 };
let dir: string;
let deep: string;
let server: RunningMeshdns;
let browser: Browser;
let statusLink: string;
let primary: FakePrimary;
let primaryAnswers = true;
/** Refresh and retry every second, expire after 3 s: the page sees the secondary expire. */
const secondarySoa = (origin: string, serial: number): Rr => ({
  type: 'SOA', name: origin, ttl: 300,
  data: { mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial, refresh: 1, retry: 1, expire: 3, minimum: 60 },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-layout-'));
  mkdirSync(join(dir, 'zones'));
  // a zone file four folders of 60 characters deep: its path is wider than any column
  deep = join(dir, ...Array.from({ length: 4 }, (_, i) => `operations-team-managed-zone-files-for-the-production-mesh-${i}`));
  mkdirSync(deep, { recursive: true });
  writeSettled(join(dir, 'zones', 'example.test.zone'), EXAMPLE_ZONE);
  writeSettled(join(deep, 'a-rather-long-zone-name-for-the-layout.example.test.zone'),
    '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n');
  // broken from the start: never loaded, shown as failed with its (long) file:line
  writeSettled(join(deep, 'broken.test.zone'), '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.300\n');
  primary = await startFakePrimary({
    serial: () => (primaryAnswers ? 7 : undefined),
    soa: secondarySoa,
    transfer: (req) => ({ messages: messages([secondarySoa(req.origin, 7), { type: 'NS', name: req.origin, ttl: 300, data: `ns.${req.origin}` }, secondarySoa(req.origin, 7)]) }),
  });
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'zones:',
    '  - origin: sec.test.',
    `    primaries: [{address: "127.0.0.1:${primary.port}"}]`,
    '  - origin: a-rather-long-zone-name-for-the-layout.example.test.',
    `    file: ${join(deep, 'a-rather-long-zone-name-for-the-layout.example.test.zone')}`,
    '  - origin: broken.test.',
    `    file: ${join(deep, 'broken.test.zone')}`,
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: join(dir, 'zones'), config: join(dir, 'meshdns.yaml') });
  // the log names the page and the token's file, never the token: the link is made as an operator would
  const listening = await server.waitForLog((e) => e['msg'] === 'admin listening');
  statusLink = `${listening['statusPage'] as string}#token=${readFileSync(listening['tokenFile'] as string, 'utf8').trim()}`;
  // a few answers of two kinds for the RCODE mix
  for (const name of ['www.example.test', 'ns1.example.test']) dig(['@127.0.0.1', '-p', String(server.port), name, 'A']);
  dig(['@127.0.0.1', '-p', String(server.port), 'nowhere.example.test', 'A']);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await primary?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  return { page, problems };
}

/** The few DOM shapes the in-page check reads (the tests compile without the DOM library). */
interface Box { left: number; right: number; width: number; height: number }
interface PageElement {
  tagName: string; id: string; dataset: Record<string, string | undefined>; scrollWidth: number; clientWidth: number;
  getBoundingClientRect(): Box;
}
interface PageDocument { documentElement: PageElement; body: { querySelectorAll(selector: string): ArrayLike<PageElement> } }

/** What sticks out of the window sideways: the page's scroll width, and every element's box. */
async function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; outside: string[]; clipped: string[] }> {
  // (evaluate runs a serialized function through the DevTools protocol: the page's CSP does not stop it)
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    const root = doc.documentElement;
    const width = root.clientWidth;
    const describe = (el: PageElement) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.dataset['field'] ? `[${el.dataset['field']}]` : '');
    const outside: string[] = [];
    const clipped: string[] = [];
    for (const el of Array.from(doc.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // hidden
      if (box.left < -0.5 || box.right > width + 0.5) outside.push(`${describe(el)} ${Math.round(box.left)}..${Math.round(box.right)}`);
      // a cell whose content is wider than the cell spills over its neighbours
      if (el.tagName === 'TD' && el.scrollWidth > el.clientWidth + 1) clipped.push(`${describe(el)} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, outside, clipped };
  });
}

/** A full-page screenshot that has content; kept in $MESHDNS_SCREENSHOTS (a folder) when set, to look at. */
async function screenshot(page: Page, name: string): Promise<void> {
  const shot = join(process.env['MESHDNS_SCREENSHOTS'] ?? dir, name);
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 10_000, `${name}: a screenshot with content`);
}

test('opened plainly, the page says it needs the token and where this server keeps it', async () => {
  const { page, problems } = await newPage();
  await page.goto(`${server.admin!.url}/`);
  await page.locator('#login').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login h2').innerText(), 'This page needs the admin API token');
  const where = await page.locator('#token-where').innerText();
  assert.match(where, /meshdns made this server's token and keeps it in the file admin\.token of its data folder/);
  assert.match(where, /"admin listening" shows the link to build/);
  assert.equal(await page.locator('#summary').isVisible(), false);
  const layout = await overflow(page);
  assert.deepEqual(layout.outside, []);
  assert.ok(layout.scrollWidth <= layout.clientWidth);
  await screenshot(page, 'status-prompt-1280.png');
  assert.deepEqual(problems, []);
  await page.close();
});

test('opened with the token from the file the log names, at 1280x800: summary, every zone with its state, nothing wider than the window', async () => {
  assert.match(statusLink, /^http:\/\/127\.0\.0\.1:\d+\/#token=m[\w-]+$/);
  const { page, problems } = await newPage();
  await page.goto(statusLink);
  const row = (zone: string) => page.locator(`tr[data-zone="${zone}"]`);
  await row('broken.test.').waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');

  // per zone: the long-path zone loaded, the broken one failed with file:line and never loaded
  const long = 'a-rather-long-zone-name-for-the-layout.example.test.';
  assert.equal(await row(long).getAttribute('data-state'), 'loaded');
  // a long path: its folder in at most two small lines, its file name whole, the full path in the tooltip
  const source = row(long).locator('td[data-field="source"]');
  assert.equal(await source.getAttribute('title'), `file:${join(deep, `${long}zone`)}`);
  assert.equal(await source.locator('.base').innerText(), `${long}zone`);
  const dirBox = (await source.locator('.dir').boundingBox())!;
  const lineHeight = (await source.locator('.base').boundingBox())!.height;
  assert.ok(dirBox.height <= 2 * lineHeight + 1, `the folder takes ${dirBox.height}px, two lines are ${2 * lineHeight}px`);
  assert.equal(await row('broken.test.').getAttribute('data-state'), 'failed');
  assert.equal(await row('broken.test.').getAttribute('class'), 'failing');
  assert.equal(await row('broken.test.').locator('td[data-field="serial"]').innerText(), '—');
  assert.match(await row('broken.test.').locator('td[data-field="errors"]').innerText(), /^broken\.test\.zone:4: .*192\.0\.2\.300/);

  // the summary: version, uptime, readiness and why not, zone states, query rate, RCODE mix
  await page.locator('#summary').waitFor({ state: 'visible' });
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  assert.equal(await page.locator('#version').innerText(), version);
  assert.match(await page.locator('#uptime').innerText(), /^(\d+[dhm] )*\d+s$/);
  assert.equal(await page.locator('#ready').innerText(), 'not ready');
  assert.match(await page.locator('#waiting').innerText(), /broken\.test\.: its zone file has errors/);
  // the secondary: where it transfers from, when it last reached its primary, when it expires
  const transfer = row('sec.test.').locator('td[data-field="transfer"]');
  await transfer.locator('.expiry', { hasText: /^expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/ }).waitFor({ timeout: 10_000 });
  assert.equal(await transfer.locator('.primaries').innerText(), `from 127.0.0.1:${primary.port}`);
  assert.match(await transfer.locator('.last').innerText(), /^last reached \d{4}-/);
  await page.locator('#zone-counts', { hasText: '4 zones: 3 loaded, 1 failed, 0 waiting, 0 expired' }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('#rate').innerText(), /^[\d.,]+ queries\/s/);
  await page.locator('#rcodes li[data-rcode="NXDOMAIN"]').waitFor();
  assert.match(await page.locator('#rcodes li[data-rcode="NOERROR"]').innerText(), /^NOERROR [2-9]\d* \(\d+\.\d%\)/);
  assert.match(await page.locator('#rcodes li[data-rcode="NXDOMAIN"]').innerText(), /^NXDOMAIN [1-9]\d* \(\d+\.\d%\)/);

  // a second poll turns the average into a rate between two looks
  await page.locator('#rcodes li', { hasText: 'since last look' }).first().waitFor({ timeout: 10_000 });

  const layout = await overflow(page);
  assert.deepEqual(layout.outside, [], 'no element reaches past the window');
  assert.deepEqual(layout.clipped, [], 'no cell content spills over its neighbours');
  assert.ok(layout.scrollWidth <= layout.clientWidth, `page scrolls sideways: ${layout.scrollWidth} > ${layout.clientWidth}`);
  await screenshot(page, 'status-1280.png');

  // the primary goes quiet: past SOA expire the secondary shows as expired, in its row and the counts
  primaryAnswers = false;
  await row('sec.test.').and(page.locator('[data-state="expired"]')).waitFor({ timeout: 20_000 });
  assert.equal(await row('sec.test.').getAttribute('class'), 'failing');
  assert.match(await row('sec.test.').locator('td[data-field="errors"]').innerText(), /^no primary reached within the SOA expire time/);
  await page.locator('#zone-counts', { hasText: '4 zones: 2 loaded, 1 failed, 0 waiting, 1 expired' }).waitFor({ timeout: 10_000 });
  assert.deepEqual((await overflow(page)).outside, []);
  assert.deepEqual(problems, []);
  await page.close();
});
