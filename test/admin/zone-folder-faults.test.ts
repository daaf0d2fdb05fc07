import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nameToKey, parseName } from '../../zones/name.js';
import { auth, EXAMPLE_ZONE, startFixture, writeSettled } from './fixture.js';

const APEX = nameToKey(parseName('example.test.'));

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an unreadable zone folder unloads nothing: the zones keep answering, the fault is shown, and the folder is watched again once it is back', async () => {
  const fx = await startFixture();
  try {
    const app = fx.server.adminApp!;
    const patched = await app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth,
      payload: { rrsets: [{ name: 'api.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }] } });
    assert.equal(patched.statusCode, 200, patched.body);
    const records = fx.server.store.zoneMeta(APEX)!.records;
    // the folder goes away (deleted, unmounted, renamed: all the same to a reader)
    const aside = `${fx.zoneDir}.aside`;
    renameSync(fx.zoneDir, aside);
    await fx.server.zoneFolder.sync();
    assert.equal(fx.server.store.zoneMeta(APEX)?.records, records, 'the file zone and the API record are still there');
    const zone = await app.inject({ method: 'GET', url: '/api/v1/zones/example.test', headers: auth });
    assert.match(zone.json().lastError.problems[0].message, /zone folder ".*" cannot be read \(ENOENT\); the zone keeps answering from LMDB/);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.match(JSON.stringify(ready.json().problems), /cannot be read since .* \(ENOENT\)/);
    // it comes back: the retry notices, and an edit after that is loaded by a new watcher
    renameSync(aside, fx.zoneDir);
    await until('the folder is readable again', () => fx.server.zoneFolder.folderError === undefined);
    writeSettled(join(fx.zoneDir, 'example.test.zone'), `${EXAMPLE_ZONE.replace(' 100 ', ' 101 ')}mail A 192.0.2.25\n`);
    await until('the edit is loaded', () => fx.server.store.zoneMeta(APEX)?.records === records + 1);
  } finally {
    await fx.stop();
  }
});

test('a zone file removed from a readable folder: the zone goes when the file was all of it, stays (and says why) when the API wrote to it', async () => {
  const fx = await startFixture();
  try {
    const app = fx.server.adminApp!;
    writeSettled(join(fx.zoneDir, 'only.test.zone'), EXAMPLE_ZONE.replace('$ORIGIN example.test.', '$ORIGIN only.test.'));
    await fx.server.zoneFolder.sync();
    assert.ok(fx.server.store.zoneMeta(nameToKey(parseName('only.test.'))), 'only.test. loaded');
    const patched = await app.inject({ method: 'PATCH', url: '/api/v1/zones/example.test/rrsets', headers: auth,
      payload: { rrsets: [{ name: 'api.example.test.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }] } });
    assert.equal(patched.statusCode, 200, patched.body);
    rmSync(join(fx.zoneDir, 'only.test.zone'));
    rmSync(join(fx.zoneDir, 'example.test.zone'));
    await fx.server.zoneFolder.sync();
    assert.equal(fx.server.store.zoneMeta(nameToKey(parseName('only.test.'))), undefined, 'a zone only its file wrote goes with the file');
    assert.ok(fx.server.store.zoneMeta(APEX), 'a zone the API wrote to stays');
    const zone = await app.inject({ method: 'GET', url: '/api/v1/zones/example.test', headers: auth });
    assert.match(zone.json().lastError.problems[0].message, /zone file removed, but the zone keeps records written by api/);
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/zones/example.test', headers: auth });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal(fx.server.store.zoneMeta(APEX), undefined);
  } finally {
    await fx.stop();
  }
});
