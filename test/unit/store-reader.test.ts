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
import { open as lmdbOpen } from 'lmdb';

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

test('the reader walks names in canonical order within one zone: previous, next, and the nodes below a name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-snapshot-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const zone = (text: string) => {
      const origin = parseName(text);
      const update = writer.create(origin, { originText: text, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'test')
        .add({ owner: origin, type: RRType.SOA, ttl: 300, rdata: soaRdata(origin, 1) });
      for (const host of ['b', 'a.b', 'z', '*.z', 'Y']) update.add({ owner: parseName(`${host}.${text}`), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) });
      return update.commit().meta!.id;
    };
    const a = zone('a.test.');
    zone('b.test.'); // a neighbour zone: its names must never show up in a.test.'s walk
    const key = (s: string) => nameToKey(parseName(s));
    const text = (k: Buffer | undefined) => (k === undefined ? undefined : k.toString('latin1'));
    // RFC 4034 §6.1 order: a.test. < b.a.test. < a.b.a.test. < y.a.test. < z.a.test. < *.z.a.test.
    assert.equal(text(store.nextName(a, key('a.test.'))), text(key('b.a.test.')));
    assert.equal(text(store.nextName(a, key('b.a.test.'))), text(key('a.b.a.test.')));
    assert.equal(text(store.nextName(a, key('a.b.a.test.'))), text(key('y.a.test.')));
    assert.equal(text(store.previousName(a, key('z.a.test.'))), text(key('y.a.test.')));
    assert.equal(text(store.previousName(a, key('b.a.test.'))), text(key('a.test.')));
    assert.equal(store.previousName(a, key('a.test.')), undefined, 'nothing before the apex');
    assert.equal(store.nextName(a, key('*.z.a.test.')), undefined, 'nothing after the last name, not even the next zone');
    // a name that does not exist has neighbours too (the NSEC that covers it)
    assert.equal(text(store.previousName(a, key('c.a.test.'))), text(key('a.b.a.test.')));
    assert.equal(text(store.nextName(a, key('c.a.test.'))), text(key('y.a.test.')));
    assert.deepEqual([...store.nodesBelow(a, key('z.a.test.'))].map((n) => text(n.nameKey)), [text(key('*.z.a.test.'))]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('content under a zone id that no zone has is removed when the store opens; other zones are untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-orphans-'));
  try {
    let store = LmdbStore.open(dir);
    const writer = new ZoneWriter(store);
    const make = (text: string) => {
      const origin = parseName(text);
      return writer.create(origin, { originText: text, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'test')
        .add({ owner: origin, type: RRType.SOA, ttl: 300, rdata: soaRdata(origin, 1) })
        .add({ owner: parseName(`www.${text}`), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) })
        .commit().meta!.id;
    };
    const kept = make('kept.test.');
    const orphan = make('orphan.test.');
    writer.commitDiff(nameToKey(parseName('orphan.test.')), { source: 'test', remove: [], add: [{ owner: parseName('x.orphan.test.'), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 2) }] });
    assert.equal(store.orphansRemoved.length, 0);
    await store.close();
    // what an older meshdns could leave: the zone's entry gone, its nodes and journal still there
    const env = lmdbOpen({ path: dir, maxDbs: 12, compression: false });
    const zones = env.openDB({ name: 'zones', keyEncoding: 'binary' });
    await zones.remove(nameToKey(parseName('orphan.test.')));
    await env.close();
    store = LmdbStore.open(dir);
    try {
      assert.deepEqual(store.orphansRemoved, [orphan]);
      assert.equal([...store.zoneNodes(orphan)].length, 0);
      assert.equal([...store.journal(orphan)].length, 0);
      assert.deepEqual(store.zoneSources(orphan), []);
      assert.equal([...store.zoneNodes(kept)].length, 2);
      assert.deepEqual(store.zoneSources(kept), ['test']);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
