import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateConfig, type Config } from '../../server/config.js';
import { startServer } from '../../server/start.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { EXAMPLE_ZONE, writeSettled } from './fixture.js';

const APEX = nameToKey(parseName('example.test.'));

test('a reload whose zoneDir cannot be read is refused with the reason, and the running folder keeps being watched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-reload-'));
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  writeSettled(join(zoneDir, 'example.test.zone'), EXAMPLE_ZONE);
  const make = (folder: string): Config =>
    validateConfig({ listen: ['127.0.0.1:0'], data: join(dir, 'data'), zoneDir: folder, logLevel: 'silent', admin: false }, {}, 'test');
  let next = make(zoneDir);
  const server = await startServer(next, pino({ level: 'silent' }), { readConfig: () => next });
  try {
    const before = server.store.zoneMeta(APEX)!;
    assert.equal(before.records, 10);
    next = make(join(dir, 'zonse')); // the typo
    await assert.rejects(server.reload(), (err: Error) => /zoneDir: ".*zonse" cannot be read: ENOENT/.test(err.message));
    assert.equal(server.store.zoneMeta(APEX)!.records, 10, 'the zones of the running folder are still there');
    // the running folder's watcher was not closed: an edit still loads
    writeSettled(join(zoneDir, 'example.test.zone'), `${EXAMPLE_ZONE}mail A 192.0.2.25\n`.replace(' 100 ', ' 101 '));
    const deadline = Date.now() + 10_000;
    while (server.store.zoneMeta(APEX)!.records !== 11 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.store.zoneMeta(APEX)!.records, 11, 'the edit was loaded by the watcher of the running folder');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
