import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';

let zoneDir: string;
let dataDir: string;
let server: RunningMeshdns | undefined;

const zone = (serial: number, extra: string) => `$ORIGIN watch.test.
$TTL 300
@ SOA ns hostmaster ${serial} 3600 600 86400 60
@ NS ns
ns A 192.0.2.1
${extra}
`;

/** Atomic write, as an operator's tooling should do it. */
function put(name: string, text: string): void {
  const tmp = join(zoneDir, `.${name}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(zoneDir, name));
}

const ask = (name: string, type = 'A') => dig(['@127.0.0.1', '-p', String(server!.port), name, type, '+norec', '+time=2', '+tries=1']);
const loadedLog = (serial: number) => (e: Record<string, unknown>) => e['msg'] === 'zone loaded' && e['zone'] === 'watch.test.' && e['serial'] === serial;

before(async () => {
  zoneDir = mkdtempSync(join(tmpdir(), 'meshdns-watch-'));
  dataDir = mkdtempSync(join(tmpdir(), 'meshdns-watch-data-'));
  put('watch.test.zone', zone(1, 'a A 192.0.2.10'));
  server = await startMeshdns({ zoneDir, dataDir });
});
after(async () => {
  await server?.stop();
  rmSync(zoneDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('a zone file in the folder is served', () => {
  assert.match(ask('a.watch.test'), /192\.0\.2\.10/);
});

test('editing the file reloads only what changed', async () => {
  put('watch.test.zone', zone(2, 'a A 192.0.2.10\nb A 192.0.2.11'));
  const entry = await server!.waitForLog(loadedLog(2));
  assert.equal(entry['added'], 1);
  assert.equal(entry['removed'], 0);
  assert.match(ask('b.watch.test'), /192\.0\.2\.11/);
});

test('a forgotten serial bump still publishes a newer serial', async () => {
  put('watch.test.zone', zone(2, 'a A 192.0.2.10\nb A 192.0.2.12'));
  await server!.waitForLog(loadedLog(3));
  assert.match(ask('watch.test', 'SOA'), /hostmaster\.watch\.test\. 3 /);
});

test('a broken file is reported with file:line and the old data keeps answering', async () => {
  put('watch.test.zone', zone(10, 'a A 192.0.2.10\nbad MX 70000 mail\nc A 192.0.2.13'));
  const err = await server!.waitForLog((e) => e['level'] === 50 && typeof e['msg'] === 'string' && /watch\.test\.zone:7: .*70000/.test(e['msg'] as string));
  assert.ok(err);
  assert.match(ask('b.watch.test'), /192\.0\.2\.12/);
  assert.match(ask('c.watch.test'), /NXDOMAIN/);
});

test('a restart serves from LMDB without re-parsing the unchanged file', async () => {
  put('watch.test.zone', zone(20, 'a A 192.0.2.10\nd A 192.0.2.14'));
  await server!.waitForLog(loadedLog(20));
  await server!.stop();
  server = await startMeshdns({ zoneDir, dataDir });
  assert.match(ask('d.watch.test'), /192\.0\.2\.14/);
  assert.ok(!/"zone loaded"/.test(server.logs()), 'no zone was parsed again');
});

test('a file written slowly is loaded once, complete, after it settles', async () => {
  const { appendFileSync } = await import('node:fs');
  const file = join(zoneDir, 'slow.test.zone');
  writeFileSync(file, '$ORIGIN slow.test.\n$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(file, `h${i} A 192.0.2.${10 + i}\n`);
  }
  const loaded = await server!.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'slow.test.');
  assert.equal(loaded['added'], 11, 'all records, not a prefix of the file');
  assert.equal(server!.logs().split('\n').filter((l) => l.includes('"zone":"slow.test."') && l.includes('"zone loaded"')).length, 1);
});

test('deleting the file unloads the zone', async () => {
  unlinkSync(join(zoneDir, 'watch.test.zone'));
  await server!.waitForLog((e) => e['msg'] === 'zone file removed; zone unloaded');
  assert.match(ask('a.watch.test'), /REFUSED/);
});

/** A server started on a folder whose one zone file is dated `aheadMs` ahead loads it before "ready". */
async function expectLoadedBeforeReady(aheadMs: number): Promise<void> {
  const { utimesSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-fresh-'));
  const file = join(dir, 'fresh.test.zone');
  writeFileSync(file, '$ORIGIN fresh.test.\n$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n');
  const soon = new Date(Date.now() + aheadMs);
  utimesSync(file, soon, soon);
  const fresh = await startMeshdns({ zoneDir: dir });
  try {
    const logs = fresh.logs();
    assert.ok(logs.indexOf('"zone loaded"') >= 0 && logs.indexOf('"zone loaded"') < logs.indexOf('"msg":"ready'), 'loaded before ready');
    const out = dig(['@127.0.0.1', '-p', String(fresh.port), 'www.fresh.test', 'A', '+norec', '+time=2', '+tries=1']);
    assert.match(out, /status: NOERROR/);
    assert.match(out, /192\.0\.2\.80/);
  } finally {
    await fresh.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a start right after a file was dropped in waits for it to settle and loads it before "ready"', async () => {
  // a modification time a second ahead: however fast the server starts, its first look finds the
  // file still "being written"
  await expectLoadedBeforeReady(1_000);
});

test('a zone file dated an hour ahead of our clock is loaded once it is seen unchanged, before "ready"', async () => {
  // copied with its timestamps from a host whose clock is ahead: waiting for our clock to pass its
  // mtime would leave the zone unserved for an hour
  await expectLoadedBeforeReady(3_600_000);
});
