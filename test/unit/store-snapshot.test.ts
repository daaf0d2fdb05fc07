import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameToKey, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { soaRdata } from '../helpers/soa.js';

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a lookup in the same turn as a commit does not pin a snapshot from before it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-snapshot-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const origin = parseName('snap.test.');
    const apexKey = nameToKey(origin);
    const www = nameToKey(parseName('www.snap.test.'));
    const result = writer.create(origin, { originText: 'snap.test.', kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'test')
      .add({ owner: origin, type: RRType.SOA, ttl: 300, rdata: soaRdata(origin, 1) })
      .commit();
    const id = result.meta!.id;
    assert.equal(store.getFlags(id, apexKey), 1, 'the apex, read in the commit turn');
    await nextTurn();
    assert.equal(store.getFlags(id, apexKey), 1, 'the apex, a turn later');
    // the same after an incremental commit, read at once and in later turns
    writer.commitDiff(apexKey, { source: 'test', remove: [], add: [{ owner: parseName('www.snap.test.'), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) }] });
    assert.notEqual(store.getNode(id, www, false), undefined);
    await nextTurn();
    await nextTurn();
    assert.notEqual(store.getNode(id, www, false), undefined, 'www, two turns after its commit');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
