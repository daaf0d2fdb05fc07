import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

// The reload promises: a consumer added by a reload starts at once; a zone added to the
// config joins the catalog in the commit that creates it and leaves it when removed; a consumer
// removed by a reload takes its members with it.
let dir: string;
let a: RunningMeshdns;
let b: RunningMeshdns;
const SECRET = Buffer.from('catalog reload test key, 32 oct').toString('base64');

const common = (): string[] => [
  `keys: [{name: k., secret: "${SECRET}"}]`,
  'acls: [{name: mesh, address: 127.0.0.1, key: k., action: [transfer, notify]}]',
  'defaults: {acl: [mesh]}',
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-catalog-reload-'));
  mkdirSync(join(dir, 'a-zones'));
  writeFileSync(join(dir, 'a-zones', 'one.test.zone'), '$TTL 60\n@ SOA ns hm 1 60 30 600 60\n@ NS ns\nns A 127.0.0.1\nwww A 192.0.2.1\n');
  writeFileSync(join(dir, 'two.zone'), '$TTL 60\n@ SOA ns hm 1 60 30 600 60\n@ NS ns\nns A 127.0.0.1\nwww A 192.0.2.2\n');
  writeFileSync(join(dir, 'a.yaml'), [...common(), 'catalogs: [{zone: catalog.a.test.}]', ''].join('\n'));
  writeFileSync(join(dir, 'b.yaml'), [...common(), ''].join('\n'));
  a = await startMeshdns({ zoneDir: join(dir, 'a-zones'), config: join(dir, 'a.yaml') });
  b = await startMeshdns({ config: join(dir, 'b.yaml') });
});
after(async () => {
  await b?.stop();
  await a?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (server: RunningMeshdns, method: string, path: string) => {
  const res = await fetch(`${server.admin!.url}${path}`, { method, headers: { 'X-API-Key': server.admin!.token! } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};
const answer = (server: RunningMeshdns, name: string) => dig(['@127.0.0.1', '-p', String(server.port), name, 'A', '+short']).trim();
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const start = Date.now(); !(await check());) {
    assert.ok(Date.now() - start < 60_000, `${what} within a minute`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const members = async (server: RunningMeshdns, catalog: string, role: 'produced' | 'consumed') => {
  const view = (await api(server, 'GET', '/api/v1/catalogs')).body as Record<string, { zone: string; members: { zone: string }[] }[]>;
  return (view[role]!.find((c) => c.zone === catalog)?.members ?? []).map((m) => m.zone).sort();
};

test('a consumer added by a reload starts at once and serves the members', async () => {
  assert.equal(answer(b, 'www.one.test'), '', 'B serves nothing before');
  writeFileSync(join(dir, 'b.yaml'), [...common(), 'consumers:', `  - zone: catalog.a.test.`, `    primaries: [{address: "127.0.0.1:${a.port}", key: k.}]`, ''].join('\n'));
  const reload = await api(b, 'POST', '/api/v1/reload');
  assert.equal(reload.status, 200, JSON.stringify(reload.body));
  await until('B serving one.test. from the catalog', () => answer(b, 'www.one.test') === '192.0.2.1');
  assert.deepEqual(await members(b, 'catalog.a.test.', 'consumed'), ['one.test.']);
});

test('a zone added to the config joins the catalog, and leaves it when the config drops it', async () => {
  writeFileSync(join(dir, 'a.yaml'), [...common(), 'catalogs: [{zone: catalog.a.test.}]', `zones: [{origin: two.test., file: ${join(dir, 'two.zone')}}]`, ''].join('\n'));
  assert.equal((await api(a, 'POST', '/api/v1/reload')).status, 200);
  assert.deepEqual(await members(a, 'catalog.a.test.', 'produced'), ['one.test.', 'two.test.']);
  // (A's catalog NOTIFY goes to no one here: B asks on its own schedule; make it ask now)
  await api(b, 'PUT', '/api/v1/zones/catalog.a.test./retransfer');
  await until('B serving two.test.', () => answer(b, 'www.two.test') === '192.0.2.2');
  writeFileSync(join(dir, 'a.yaml'), [...common(), 'catalogs: [{zone: catalog.a.test.}]', ''].join('\n'));
  assert.equal((await api(a, 'POST', '/api/v1/reload')).status, 200);
  assert.deepEqual(await members(a, 'catalog.a.test.', 'produced'), ['one.test.']);
  await api(b, 'PUT', '/api/v1/zones/catalog.a.test./retransfer');
  await until('B dropping two.test.', async () => (await members(b, 'catalog.a.test.', 'consumed')).join() === 'one.test.');
  assert.equal((await api(b, 'GET', '/api/v1/zones/two.test.')).status, 404);
});

test('a consumer removed by a reload takes its members with it', async () => {
  writeFileSync(join(dir, 'b.yaml'), [...common(), ''].join('\n'));
  assert.equal((await api(b, 'POST', '/api/v1/reload')).status, 200);
  assert.equal((await api(b, 'GET', '/api/v1/zones/one.test.')).status, 404);
  assert.equal(answer(b, 'www.one.test'), '');
});
