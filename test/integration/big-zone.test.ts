import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

let zoneDir: string;
let server: RunningMeshdns;
const NAMES = 200_000;

before(async () => {
  zoneDir = mkdtempSync(join(tmpdir(), 'meshdns-big-'));
  const lines = ['$TTL 300', '@ SOA ns hm 1 3600 600 86400 60', '@ NS ns', 'ns A 192.0.2.1'];
  for (let i = 0; i < NAMES; i++) lines.push(`host-number-${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  writeFileSync(join(zoneDir, 'big.test.zone'), `${lines.join('\n')}\n`);
  writeFileSync(join(zoneDir, 'small.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n');
  // both files settled (a file written moments ago waits until it has been quiet): the order is by size alone
  const past = new Date(Date.now() - 60_000);
  for (const f of ['big.test.zone', 'small.test.zone']) utimesSync(join(zoneDir, f), past, past);
  server = await startMeshdns({ zoneDir });
});
after(async () => {
  await server?.stop();
  rmSync(zoneDir, { recursive: true, force: true });
});

test('a big zone file loads in a worker thread with progress lines, small zones first', async () => {
  const progress = await server.waitForLog((e) => e['msg'] === 'parsing zone file' && e['zone'] === 'big.test.');
  assert.ok(Number(progress['bytes']) > 4 * 1024 * 1024);
  const smallLoaded = await server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'small.test.');
  const bigLoaded = await server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'big.test.', 60_000);
  assert.equal(bigLoaded['added'], NAMES + 3);
  assert.ok(String(smallLoaded['time']) <= String(bigLoaded['time']));
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'host-number-199999.big.test', 'A', '+short']), /^10\.3\.13\.63\n$/);
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'www.small.test', 'A', '+short']), /^192\.0\.2\.80\n$/);
});

test('a small file replacing a big zone is diffed and committed in the loader process, not on the query thread', async () => {
  await server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'big.test.', 60_000);
  writeFileSync(join(zoneDir, 'big.test.zone'), '$TTL 300\n@ SOA ns hm 2 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nleft A 192.0.2.7\n');
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(zoneDir, 'big.test.zone'), past, past);
  // progress lines come only from the loader process
  const progress = await server.waitForLog((e) => e['msg'] === 'parsing zone file' && e['zone'] === 'big.test.' && Number(e['bytes']) < 1024, 30_000);
  assert.ok(progress);
  const reloaded = await server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'big.test.' && e['removed'] === NAMES, 120_000);
  assert.equal(reloaded['added'], 1);
  assert.equal(dig(['@127.0.0.1', '-p', String(server.port), 'host-number-199999.big.test', 'A', '+short']), '');
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'left.big.test', 'A', '+short']), /^192\.0\.2\.7\n$/);
});
