import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogProducer } from '../../catalog/producer.js';
import { interpretCatalog, type CatalogRecord } from '../../catalog/interpret.js';
import { memberId } from '../../catalog/member-id.js';
import { keyToName, nameToKey, nameToText, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { CatalogStore } from '../../zones/store/catalog-store.js';
import { readJournal } from '../../zones/store/journal.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { soaRdata } from '../helpers/soa.js';

async function withProducer(run: (o: { store: LmdbStore; writer: ZoneWriter; catalogs: CatalogStore; producer: CatalogProducer; dir: string }) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-catalog-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const catalogs = new CatalogStore(store);
    const producer = new CatalogProducer(store, writer, catalogs);
    producer.attach();
    await run({ store, writer, catalogs, producer, dir });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function createZone(writer: ZoneWriter, origin: string): void {
  const name = parseName(origin);
  writer.create(name, { originText: origin, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file:x')
    .add({ owner: name, type: RRType.SOA, ttl: 60, rdata: soaRdata(name, 1) })
    .add({ owner: name, type: RRType.NS, ttl: 60, rdata: parseName('ns', name) }).commit();
}

function catalogContent(store: LmdbStore, catalog: string) {
  const name = parseName(catalog);
  const meta = store.zoneMeta(nameToKey(name));
  assert.ok(meta, `catalog ${catalog} exists`);
  const records: CatalogRecord[] = [];
  for (const { nameKey, node } of store.zoneNodes(meta.id)) for (const set of node.rrsets) for (const rr of set.rrs) records.push({ owner: keyToName(nameKey), type: set.type, rdata: rr.rdata });
  const read = interpretCatalog(name, records);
  assert.ok(read.ok, 'the catalog is a valid RFC 9432 version 2 catalog');
  return { meta, members: new Map(read.members.map((m) => [m.origin, m])) };
}

test('a zone created joins its catalog and a zone deleted leaves it, in the commit that creates or deletes it', async () => {
  await withProducer(({ store, writer, catalogs, producer }) => {
    catalogs.replaceConfig(new Map([['catalog.test.', { members: 'primary' }]]), new Map());
    producer.reconcile();
    const first = catalogContent(store, 'catalog.test.');
    assert.equal(first.members.size, 0);
    const announced: string[] = [];
    writer.onCommit((apex, _meta, result) => announced.push(`${nameToText(keyToName(apex))}:${result.created ? 'created' : result.deleted ? 'deleted' : 'changed'}`));
    createZone(writer, 'a.test.');
    assert.deepEqual(announced, ['a.test.:created', 'catalog.test.:changed'], 'the member first, then its catalog, both from one transaction');
    const after = catalogContent(store, 'catalog.test.');
    assert.equal(after.members.get('a.test.')?.id, memberId(parseName('a.test.')));
    assert.ok(after.meta.serial !== first.meta.serial, 'the catalog has a new serial');
    const journal = [...readJournal(store, after.meta.id)];
    assert.equal(journal.length, 1, 'and a journal entry (IXFR)');
    assert.ok(journal[0]!.added.some(([, type]) => type === RRType.PTR));
    announced.length = 0;
    writer.begin(parseName('a.test.'), 'file:x').deleteZone().commit();
    assert.deepEqual(announced, ['a.test.:deleted', 'catalog.test.:changed']);
    assert.equal(catalogContent(store, 'catalog.test.').members.size, 0);
    // created again: the same id (consumers keep its data)
    createZone(writer, 'a.test.');
    assert.equal(catalogContent(store, 'catalog.test.').members.get('a.test.')?.id, memberId(parseName('a.test.')));
  });
});

test('members: listed takes only assigned zones; the group property and a coo hand-over are written; secondaries never join', async () => {
  await withProducer(({ store, writer, catalogs, producer }) => {
    catalogs.replaceConfig(
      new Map([['all.test.', { members: 'primary' }], ['picked.test.', { members: 'listed' }]]),
      new Map([['b.test.', { catalog: 'picked.test.', group: 'internal' }]]),
    );
    producer.reconcile();
    createZone(writer, 'a.test.');
    createZone(writer, 'b.test.');
    writer.create(parseName('s.test.'), { originText: 's.test.', kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' }, 'xfr:s').commit();
    assert.deepEqual([...catalogContent(store, 'all.test.').members.keys()], ['a.test.']);
    const picked = catalogContent(store, 'picked.test.').members;
    assert.deepEqual([...picked.keys()], ['b.test.']);
    assert.equal(picked.get('b.test.')!.group, 'internal');
    // hand a.test. to another catalog: all.test. writes a coo, and picked.test. (produced here) lists it too, same id
    catalogs.putAssignment('a.test.', { coo: 'picked.test.' });
    producer.reconcile();
    assert.equal(catalogContent(store, 'all.test.').members.get('a.test.')!.coo, 'picked.test.');
    assert.equal(catalogContent(store, 'picked.test.').members.get('a.test.')!.id, memberId(parseName('a.test.')));
    // the group changed in the config: the catalog follows at the next reconcile
    catalogs.replaceConfig(
      new Map([['all.test.', { members: 'primary' }], ['picked.test.', { members: 'listed' }]]),
      new Map([['b.test.', { catalog: 'picked.test.', group: 'external' }]]),
    );
    producer.reconcile();
    assert.equal(catalogContent(store, 'picked.test.').members.get('b.test.')!.group, 'external');
    assert.equal(catalogContent(store, 'all.test.').members.get('a.test.')!.coo, 'picked.test.', 'a hand-over made through the API outlives a reload');
  });
});

test('a catalog no longer configured is deleted with its member entries; members of a zone folder reload appear at the next reconcile', async () => {
  await withProducer(({ store, writer, catalogs, producer }) => {
    catalogs.replaceConfig(new Map([['catalog.test.', { members: 'primary' }]]), new Map());
    createZone(writer, 'a.test.');
    // the zone came before the catalog: reconcile lists it
    producer.reconcile();
    assert.deepEqual([...catalogContent(store, 'catalog.test.').members.keys()], ['a.test.']);
    catalogs.replaceConfig(new Map(), new Map());
    producer.reconcile();
    assert.equal(store.zoneMeta(nameToKey(parseName('catalog.test.'))), undefined);
    assert.deepEqual(catalogs.produced(), []);
    assert.ok(store.zoneMeta(nameToKey(parseName('a.test.'))), 'the member zone itself stays');
  });
});
