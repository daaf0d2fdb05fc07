import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { dig, requireTool } from '../helpers/tools.js';

const SECRET = Buffer.from('meshdns secondary test secret!!!').toString('base64');
const KEY = ['-y', `hmac-sha256:transfer-key:${SECRET}`];
let dir: string;
let knot: Knotd;
let server: RunningMeshdns;
let zoneFile: string;

const zone = (serial: number, extra: string) =>
  `$ORIGIN prim.test.\n$TTL 300\n@ SOA ns hostmaster ${serial} 60 30 600 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n${extra}\n`;

before(async () => {
  requireTool('knotc', 'knot');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-secondary-'));
  zoneFile = join(dir, 'prim.test.zone');
  writeFileSync(zoneFile, zone(1, ''));
  knot = await startKnotd({
    zones: [{ origin: 'prim.test.', file: zoneFile, conf: 'acl: [to-secondaries]\nzonefile-load: difference\njournal-content: changes' }],
    extraConf: [
      'key:',
      `  - id: transfer-key.\n    algorithm: hmac-sha256\n    secret: ${SECRET}`,
      'acl:',
      '  - id: to-secondaries\n    address: 127.0.0.1\n    key: transfer-key.\n    action: transfer',
    ].join('\n'),
  });
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'keys:',
    `  - {name: transfer-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: primary, address: [127.0.0.1], key: [transfer-key.], action: [notify, transfer]}',
    'defaults:',
    '  acl: [primary]',
    'zones:',
    `  - {origin: prim.test., primaries: [{address: "127.0.0.1:${knot.port}", key: transfer-key.}]}`,
    '',
  ].join('\n'));
  server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data') });
});
after(async () => {
  await server?.stop();
  await knot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ours = (name: string, type = 'A') => dig(['@127.0.0.1', '-p', String(server.port), name, type, '+short']).trim();

test('the first AXFR from knotd fills the secondary zone, which answers authoritatively', async () => {
  await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'prim.test.');
  assert.equal(ours('www.prim.test'), '192.0.2.80');
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'www.prim.test', 'A']), /flags: qr aa/);
  const theirs = dig(['@127.0.0.1', '-p', String(knot.port), ...KEY, 'prim.test', 'AXFR']).split('\n').filter((l) => /\sIN\s/.test(l)).sort();
  const mine = dig(['@127.0.0.1', '-p', String(server.port), ...KEY, 'prim.test', 'AXFR']).split('\n').filter((l) => /\sIN\s/.test(l)).sort();
  assert.deepEqual(mine.map((l) => l.split(/\s+/).join(' ')), theirs.map((l) => l.split(/\s+/).join(' ')));
});

test('an UPDATE to the secondary zone gets NOTAUTH and changes nothing (secondary zones are read-only)', () => {
  const r = spawnSync('nsupdate', ['-y', `hmac-sha256:transfer-key:${SECRET}`], {
    input: `server 127.0.0.1 ${server.port}\nzone prim.test.\nupdate add sneaky.prim.test. 60 A 192.0.2.66\nsend\n`, encoding: 'utf8', timeout: 15_000,
  });
  assert.notEqual(r.status, 0);
  assert.match(`${r.stdout}${r.stderr}`, /NOTAUTH/);
  assert.equal(ours('sneaky.prim.test'), '');
});

test('a signed NOTIFY makes it refresh at once, by IXFR; an unsigned one is refused', async () => {
  writeFileSync(zoneFile, zone(2, 'new A 192.0.2.99'));
  execFileSync('knotc', ['-c', knot.confPath, 'zone-reload', 'prim.test.'], { timeout: 10_000 });
  for (let i = 0; i < 50 && !/ 2 /.test(dig(['@127.0.0.1', '-p', String(knot.port), 'prim.test', 'SOA', '+short'])); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'prim.test', 'SOA', '+opcode=notify', '+norec']), /status: REFUSED/);
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), ...KEY, 'prim.test', 'SOA', '+opcode=notify', '+norec']), /status: NOERROR/);
  const ixfr = await server.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done');
  assert.equal(ixfr['from'], 1);
  assert.equal(ixfr['serial'], 2);
  assert.equal(ours('new.prim.test'), '192.0.2.99');
});

test('the admin API shows the transfer state and starts a full transfer on request', async () => {
  const admin = server.admin!;
  const headers = { 'x-api-key': admin.token! };
  const zone = (await (await fetch(`${admin.url}/api/v1/zones/prim.test`, { headers })).json()) as Record<string, unknown>;
  assert.equal(zone['kind'], 'secondary');
  assert.match(JSON.stringify(zone), new RegExp(`127\\.0\\.0\\.1:${knot.port}`));
  const res = await fetch(`${admin.url}/api/v1/zones/prim.test/retransfer`, { method: 'PUT', headers });
  assert.equal(res.status, 200);
  await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['serial'] === 2);
});

test('a primary signing with another key: the transfer is rejected and the old version keeps answering', async () => {
  const wrong = Buffer.from('a different secret than knotd has').toString('base64');
  const config = join(dir, 'meshdns.yaml');
  const { readFileSync } = await import('node:fs');
  const original = readFileSync(config, 'utf8');
  writeFileSync(config, original.replace(`secret: "${SECRET}"`, `secret: "${wrong}"`));
  server.proc.kill('SIGHUP');
  await server.waitForLog((e) => e['msg'] === 'config reloaded' && JSON.stringify(e['applied']).includes('keys'));
  const res = await fetch(`${server.admin!.url}/api/v1/zones/prim.test/retransfer`, { method: 'PUT', headers: { 'x-api-key': server.admin!.token! } });
  assert.equal(res.status, 200);
  const failed = await server.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept');
  assert.match(String(failed['reason']), /TSIG|NOTAUTH|rcode 9/);
  assert.equal(ours('new.prim.test'), '192.0.2.99');
  writeFileSync(config, original);
  server.proc.kill('SIGHUP');
  // the right key again: the next reload (logged after the failure) puts it back
  await server.waitForLog((e) => e['msg'] === 'config reloaded' && String(e['time']) > String(failed['time']), 10_000);
});

test('a restart serves the transferred zone from LMDB even with the primary gone', async () => {
  await knot.stop();
  await server.stop();
  server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data') });
  assert.equal(ours('new.prim.test'), '192.0.2.99');
  await server.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept');
  assert.equal(ours('www.prim.test'), '192.0.2.80', 'the old version keeps answering');
});
