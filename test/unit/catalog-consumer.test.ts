import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogConsumer, type MemberChanges } from '../../catalog/consumer.js';
import { catalogApexRecords, memberRecords, txtRdata } from '../../catalog/records.js';
import type { DiffRR } from '../../zones/diff.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { CatalogStore } from '../../zones/store/catalog-store.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { soaRdata } from '../helpers/soa.js';

interface Fixture {
  store: LmdbStore;
  writer: ZoneWriter;
  consumer: CatalogConsumer;
  changes: MemberChanges[];
  logs: string[];
  configured: Set<string>;
  dir: string;
}

async function withConsumer(catalogs: string[], run: (f: Fixture) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-consumer-'));
  let store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const changes: MemberChanges[] = [];
    const logs: string[] = [];
    const configured = new Set<string>();
    const consumer = new CatalogConsumer(store, writer, new CatalogStore(store), {
      configured: (origin) => configured.has(origin),
      membersChanged: (c) => changes.push(c),
      log: (level, details, message) => logs.push(`${level} ${message} ${JSON.stringify(details)}`),
    });
    consumer.setConsumers(catalogs.map((zone) => ({ zone })));
    for (const c of catalogs) writer.create(parseName(c), { originText: c, kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' }, 'xfr:test').commit();
    await run({ store, writer, consumer, changes, logs, configured, dir });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Member = { name: string; id?: string; group?: string; coo?: string };

/** A new version of a consumed catalog, committed as an AXFR would (whole zone replaced). */
function transfer(writer: ZoneWriter, catalog: string, serial: number, members: Member[], extra: DiffRR[] = []): void {
  const cat = parseName(catalog);
  const records: DiffRR[] = catalogApexRecords(cat, serial);
  for (const m of members) records.push(...memberRecords(cat, { name: parseName(m.name), id: m.id ?? `id-${m.name.split('.')[0]}`, ...(m.group ? { group: m.group } : {}), ...(m.coo ? { coo: parseName(m.coo) } : {}) }));
  records.push(...extra);
  writer.begin(cat, 'xfr:test', 'secondary').replace(RecordTable.fromRecords(records)).commit();
}

const zoneOf = (store: LmdbStore, origin: string) => store.zoneMeta(nameToKey(parseName(origin)));

test('members become secondary zones; removed ones are deleted with their data; a new id resets the member (RFC 9432 §5.6)', async () => {
  await withConsumer(['cat.test.'], ({ store, writer, consumer, changes }) => {
    transfer(writer, 'cat.test.', 1, [{ name: 'a.test.' }, { name: 'b.test.', group: 'g1' }]);
    consumer.process('cat.test.');
    assert.deepEqual(changes.at(-1)!.added.sort(), ['a.test.', 'b.test.']);
    assert.equal(zoneOf(store, 'a.test.')?.kind, 'secondary');
    assert.deepEqual(consumer.members('cat.test.').map((m) => [m.zone, m.entry.id, m.entry.group]).sort(), [['a.test.', 'id-a', undefined], ['b.test.', 'id-b', 'g1']]);
    // a transfer fills a member
    const a = parseName('a.test.');
    writer.begin(a, 'xfr:p', 'secondary').replace(RecordTable.fromRecords([{ owner: a, type: RRType.SOA, ttl: 60, rdata: soaRdata(a, 5) }])).commit();
    const firstId = zoneOf(store, 'a.test.')!.id;
    transfer(writer, 'cat.test.', 2, [{ name: 'a.test.', id: 'new-id' }]);
    consumer.process('cat.test.');
    const last = changes.at(-1)!;
    assert.deepEqual(last.removed, ['b.test.']);
    assert.deepEqual(last.reset, ['a.test.']);
    assert.equal(zoneOf(store, 'b.test.'), undefined, 'b.test. is gone');
    const reset = zoneOf(store, 'a.test.')!;
    assert.notEqual(reset.id, firstId);
    assert.equal(reset.records, 0, 'a reset member is emptied, to be transferred again');
  });
});

test('a broken catalog keeps the last good member list and says why', async () => {
  await withConsumer(['cat.test.'], ({ store, writer, consumer }) => {
    transfer(writer, 'cat.test.', 1, [{ name: 'a.test.' }]);
    consumer.process('cat.test.');
    const cat = parseName('cat.test.');
    // version 1 only: broken
    writer.begin(cat, 'xfr:test', 'secondary').replace(RecordTable.fromRecords([
      { owner: cat, type: RRType.SOA, ttl: 0, rdata: soaRdata(cat, 2) },
      { owner: parseName('version', cat), type: RRType.TXT, ttl: 0, rdata: txtRdata('1') },
    ])).commit();
    consumer.process('cat.test.');
    assert.ok(zoneOf(store, 'a.test.'), 'the member stays');
    assert.match(consumer.states.get('cat.test.')!.lastError ?? '', /serial 2 is broken: version property is "1"/);
    transfer(writer, 'cat.test.', 3, [{ name: 'a.test.' }, { name: 'c.test.' }]);
    consumer.process('cat.test.');
    assert.equal(consumer.states.get('cat.test.')!.lastError, undefined);
    assert.ok(zoneOf(store, 'c.test.'));
  });
});

test('conflicts are refused and listed: a local zone, a configured zone, a member of another catalog; a coo moves a member without a reset (§5.5)', async () => {
  await withConsumer(['one.test.', 'two.test.'], ({ store, writer, consumer, configured }) => {
    const local = parseName('local.test.');
    writer.create(local, { originText: 'local.test.', kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file:x')
      .add({ owner: local, type: RRType.SOA, ttl: 60, rdata: soaRdata(local, 1) }).commit();
    configured.add('conf.test.');
    transfer(writer, 'one.test.', 1, [{ name: 'local.test.' }, { name: 'conf.test.' }, { name: 'shared.test.', id: 'same' }]);
    consumer.process('one.test.');
    const conflicts = consumer.states.get('one.test.')!.conflicts.map((c) => [c.zone, c.reason]);
    assert.deepEqual(conflicts.map(([z]) => z).sort(), ['conf.test.', 'local.test.']);
    assert.match(String(conflicts.find(([z]) => z === 'local.test.')![1]), /a primary zone of that name exists here already/);
    assert.equal(zoneOf(store, 'local.test.')!.kind, 'primary', 'the local zone is untouched');
    // two.test. lists shared.test. too: refused while one.test. holds it
    transfer(writer, 'two.test.', 1, [{ name: 'shared.test.', id: 'same' }]);
    consumer.process('two.test.');
    assert.match(consumer.states.get('two.test.')!.conflicts[0]!.reason, /already a member of catalog one\.test\./);
    const before = zoneOf(store, 'shared.test.')!.id;
    // one.test. hands it over with a coo: two.test. takes it, same id, no reset
    transfer(writer, 'one.test.', 2, [{ name: 'shared.test.', id: 'same', coo: 'two.test.' }]);
    consumer.process('one.test.');
    consumer.process('two.test.');
    assert.equal(consumer.members('two.test.').map((m) => m.zone).join(), 'shared.test.');
    assert.equal(zoneOf(store, 'shared.test.')!.id, before, 'moved without a reset');
    // one.test. drops it now: it stays, two.test. owns it
    transfer(writer, 'one.test.', 3, []);
    consumer.process('one.test.');
    assert.ok(zoneOf(store, 'shared.test.'));
  });
});

test('members are kept in LMDB: a consumer made after a restart knows them before any transfer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-consumer-restart-'));
  try {
    let store = LmdbStore.open(dir);
    let writer = new ZoneWriter(store);
    const hooks = { configured: () => false, membersChanged: () => undefined, log: () => undefined };
    let consumer = new CatalogConsumer(store, writer, new CatalogStore(store), hooks);
    consumer.setConsumers([{ zone: 'cat.test.' }]);
    writer.create(parseName('cat.test.'), { originText: 'cat.test.', kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' }, 'xfr:test').commit();
    transfer(writer, 'cat.test.', 1, [{ name: 'a.test.', group: 'g' }]);
    consumer.process('cat.test.');
    await store.close();
    store = LmdbStore.open(dir);
    writer = new ZoneWriter(store);
    consumer = new CatalogConsumer(store, writer, new CatalogStore(store), hooks);
    consumer.setConsumers([{ zone: 'cat.test.' }]);
    assert.deepEqual(consumer.members('cat.test.').map((m) => [m.zone, m.entry.group]), [['a.test.', 'g']]);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
