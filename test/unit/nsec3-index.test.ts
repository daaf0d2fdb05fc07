import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { keyToText, nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { DiffRR } from '../../zones/diff.js';
import { LmdbStore, SCHEMA_VERSION } from '../../zones/store/lmdb-store.js';
import { NodeFlag } from '../../zones/store/node.js';
import { base32hex, fromBase32hex, nsec3Hash } from '../../zones/store/nsec3-index.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { soaRdata } from '../helpers/soa.js';

// The `nsec3` index (zone id ‖ raw hash → name key) and NodeFlag.NSEC3, kept in step by every write
// path: first content (bulk), incremental commits, AXFR replacing a zone, zone deletion, and the
// schema 2 → 3 upgrade at open.

const ORIGIN_TEXT = 'n3.test.';
const ORIGIN = parseName(ORIGIN_TEXT);
const APEX = nameToKey(ORIGIN);
const SOURCE = 'test';
const n = (s: string): WireName => parseName(s, ORIGIN);
const EMPTY_SALT = new Uint8Array(0);

const hashOf = (name: string): Uint8Array => nsec3Hash(name === '@' ? ORIGIN : n(name), EMPTY_SALT, 0);
const hashedOwner = (name: string): WireName => parseName(base32hex(hashOf(name)), ORIGIN);

/** An NSEC3 for `name` (the next hash and bitmap do not matter to the index). */
function nsec3(name: string): DiffRR {
  const rdata = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 20]), Buffer.alloc(20, 0xab), Buffer.from([0, 1, 0x40])]);
  return { owner: hashedOwner(name), type: RRType.NSEC3, ttl: 300, rdata };
}
const a = (name: string, ip: number): DiffRR => ({ owner: n(name), type: RRType.A, ttl: 300, rdata: Uint8Array.of(192, 0, 2, ip) });
const head: DiffRR[] = [
  { owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soaRdata(ORIGIN, 1) },
  { owner: ORIGIN, type: RRType.NS, ttl: 300, rdata: n('ns') },
];
const newZone = { originText: ORIGIN_TEXT, kind: 'secondary', serialPolicy: 'increment', ifExists: 'fail' } as const;

async function withStore(run: (store: LmdbStore, writer: ZoneWriter, dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-nsec3-index-'));
  const store = LmdbStore.open(dir);
  try {
    await run(store, new ZoneWriter(store), dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The owner (text) of the NSEC3 that nsec3Covering finds for `hash`. */
function covering(store: LmdbStore, zoneId: number, hash: Uint8Array): string | undefined {
  const found = store.nsec3Covering(zoneId, hash);
  return found && keyToText(found.nameKey);
}

const ownerText = (name: string): string => `${base32hex(hashOf(name))}.${ORIGIN_TEXT}`;

test('base32hex round trip and the RFC 5155 Appendix A hash of example', () => {
  const hash = nsec3Hash(parseName('example.'), Buffer.from('aabbccdd', 'hex'), 12);
  assert.equal(base32hex(hash), '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom');
  assert.deepEqual(Buffer.from(fromBase32hex(Buffer.from('0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM'))!), Buffer.from(hash));
  assert.equal(fromBase32hex(Buffer.from('not-base32hex')), undefined);
});

test('first content (bulk): NSEC3 nodes are flagged and indexed, a match and a cover are found, the chain wraps', async () => {
  await withStore((store, writer) => {
    const names = ['@', 'www', 'mail', 'ns'];
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([...head, a('ns', 1), a('www', 2), a('mail', 3), ...names.map(nsec3)])).commit();
    const id = store.zoneMeta(APEX)!.id;
    const sorted = names.map((x) => ({ name: x, hash: Buffer.from(hashOf(x)) })).sort((p, q) => Buffer.compare(p.hash, q.hash));
    for (const { name, hash } of sorted) {
      assert.equal(covering(store, id, hash), ownerText(name), `${name} matches its own NSEC3`);
      const node = store.getNode(id, nameToKey(hashedOwner(name)))!;
      assert.ok(node.flags & NodeFlag.NSEC3);
      // one more than the hash: still covered by the same NSEC3
      const after = Buffer.from(hash);
      after[19] = after[19]! ^ 1;
      if (Buffer.compare(after, hash) > 0) assert.equal(covering(store, id, after), ownerText(name));
    }
    // below the first hash: the last NSEC3 covers it (the chain is circular)
    assert.equal(covering(store, id, Buffer.alloc(20, 0)), ownerText(sorted.at(-1)!.name));
    assert.equal(covering(store, id, Buffer.alloc(20, 0xff)), ownerText(sorted.at(-1)!.name));
    // ordinary nodes are not flagged
    assert.equal(store.getNode(id, nameToKey(n('www')))!.flags & NodeFlag.NSEC3, 0);
  });
});

test('incremental commits add and remove index entries; NSEC3 beside other data is not a hashed owner', async () => {
  await withStore((store, writer) => {
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([...head, a('ns', 1), nsec3('@')])).commit();
    const id = store.zoneMeta(APEX)!.id;
    assert.equal(covering(store, id, hashOf('www')), ownerText('@'));
    writer.commitDiff(APEX, { source: SOURCE, remove: [], add: [a('www', 2), nsec3('www')] });
    assert.equal(covering(store, id, hashOf('www')), ownerText('www'));
    writer.commitDiff(APEX, { source: SOURCE, remove: [nsec3('www')], add: [] });
    assert.equal(covering(store, id, hashOf('www')), ownerText('@'), 'the removed NSEC3 left the index');
    // an A record at a hashed owner name makes it an ordinary node: out of the index, then back
    const odd = { ...a('x', 9), owner: hashedOwner('mail') };
    writer.commitDiff(APEX, { source: SOURCE, remove: [], add: [nsec3('mail'), odd] });
    assert.notEqual(covering(store, id, hashOf('mail')), ownerText('mail'));
    assert.equal(store.getNode(id, nameToKey(hashedOwner('mail')))!.flags & NodeFlag.NSEC3, 0);
    writer.commitDiff(APEX, { source: SOURCE, remove: [odd], add: [] });
    assert.equal(covering(store, id, hashOf('mail')), ownerText('mail'));
  });
});

test('AXFR replacing the zone and deleting it drop its index entries', async () => {
  await withStore((store, writer) => {
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([...head, a('ns', 1), nsec3('@'), nsec3('ns')])).commit();
    const id = store.zoneMeta(APEX)!.id;
    writer.begin(ORIGIN, SOURCE, 'secondary').replace(RecordTable.fromRecords([...head, a('ns', 1), nsec3('www')])).commit();
    assert.equal(covering(store, id, hashOf('@')), ownerText('www'), 'only the new NSEC3 is left');
    assert.equal(covering(store, id, hashOf('ns')), ownerText('www'));
    writer.begin(ORIGIN, SOURCE, 'secondary').replace(RecordTable.fromRecords([...head, a('ns', 1)])).commit();
    assert.equal(store.nsec3Covering(id, hashOf('@')), undefined, 'an unsigned replacement has none');
    writer.commitDiff(APEX, { source: SOURCE, remove: [], add: [nsec3('@')] });
    assert.equal(covering(store, id, hashOf('@')), ownerText('@'));
    writer.begin(ORIGIN, SOURCE).deleteZone().commit();
    assert.equal(store.nsec3Covering(id, hashOf('@')), undefined, 'the deleted zone has no entries left');
  });
});

test('zones keep their own entries: replacing the first of two signed zones leaves the second intact', async () => {
  await withStore((store, writer) => {
    const otherText = 'm3.test.';
    const other = parseName(otherText);
    const otherNsec3 = (name: string): DiffRR => ({ ...nsec3(name), owner: parseName(base32hex(hashOf(name)), other) });
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([...head, a('ns', 1), nsec3('@'), nsec3('ns')])).commit();
    writer.create(other, { ...newZone, originText: otherText }, SOURCE).content(RecordTable.fromRecords([
      { owner: other, type: RRType.SOA, ttl: 300, rdata: soaRdata(other, 1) }, otherNsec3('@'), otherNsec3('www'),
    ])).commit();
    const id = store.zoneMeta(APEX)!.id;
    const otherId = store.zoneMeta(nameToKey(other))!.id;
    assert.notEqual(id, otherId);
    // the first zone's range is no longer the end of the index: its new entries are put, not appended
    writer.begin(ORIGIN, SOURCE, 'secondary').replace(RecordTable.fromRecords([...head, a('ns', 1), nsec3('www'), nsec3('mail')])).commit();
    assert.equal(covering(store, id, hashOf('www')), ownerText('www'));
    assert.equal(covering(store, id, hashOf('mail')), ownerText('mail'));
    assert.notEqual(covering(store, id, hashOf('@')), ownerText('@'));
    assert.equal(covering(store, otherId, hashOf('www')), `${base32hex(hashOf('www'))}.${otherText}`);
    assert.equal(covering(store, otherId, hashOf('@')), `${base32hex(hashOf('@'))}.${otherText}`);
  });
});

test('nsecCovering: the NSEC matching or preceding a name, past names without NSEC, giving up on a zone without a chain', async () => {
  await withStore((store, writer) => {
    const nsec = (name: string, next: string): DiffRR => ({ owner: name === '@' ? ORIGIN : n(name), type: RRType.NSEC, ttl: 300, rdata: Buffer.concat([n(next), Buffer.from([0, 1, 0x40])]) });
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([
      ...head, a('ns', 1), a('b.ent', 2), a('www', 3), nsec('@', 'b.ent'), nsec('b.ent', 'ns'), nsec('ns', 'www'), nsec('www', '@'),
    ])).commit();
    const id = store.zoneMeta(APEX)!.id;
    const found = (name: string): string | undefined => {
      const r = store.nsecCovering(id, nameToKey(n(name)));
      return r && keyToText(r.nameKey);
    };
    assert.equal(found('www'), `www.${ORIGIN_TEXT}`, 'a match');
    assert.equal(found('ent'), ORIGIN_TEXT, 'the empty non-terminal has no NSEC: the apex covers it');
    assert.equal(found('a.ent'), ORIGIN_TEXT);
    assert.equal(found('c.ent'), `b.ent.${ORIGIN_TEXT}`);
    assert.equal(found('zzz'), `www.${ORIGIN_TEXT}`, 'after the last name: the last NSEC (it wraps to the apex)');
    // a stray NSEC at the apex of an otherwise unsigned zone: no walk through thousands of names
    writer.commitDiff(APEX, { source: SOURCE, remove: [nsec('b.ent', 'ns'), nsec('ns', 'www'), nsec('www', '@')], add: Array.from({ length: 5000 }, (_, i) => a(`h${i}`, i % 250)) });
    assert.equal(found('h1'), ORIGIN_TEXT, 'close to the apex, found');
    assert.equal(found('zzz'), undefined, 'beyond 4,096 names without NSEC, none');
  });
});

test('a schema 2 store is upgraded at open: flags set and the index built for existing zones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-nsec3-upgrade-'));
  try {
    let store = LmdbStore.open(dir);
    new ZoneWriter(store).create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords([...head, a('ns', 1), nsec3('@'), nsec3('ns')])).commit();
    const id = store.zoneMeta(APEX)!.id;
    await store.close();
    // make it look like schema 2: no `nsec3` entries and no NodeFlag.NSEC3 on the nodes
    const env = open({ path: dir, maxDbs: 12, compression: false });
    const nodes = env.openDB<Buffer, Buffer>({ name: 'nodes', keyEncoding: 'binary', encoding: 'binary' });
    const index = env.openDB<Buffer, Buffer>({ name: 'nsec3', keyEncoding: 'binary', encoding: 'binary' });
    const meta = env.openDB({ name: 'meta' });
    env.transactionSync(() => {
      for (const key of index.getKeys({})) index.remove(key);
      for (const { key, value } of nodes.getRange({})) {
        const copy = Buffer.from(value);
        copy[1] = copy[1]! & ~NodeFlag.NSEC3;
        nodes.put(Buffer.from(key), copy);
      }
      meta.put('schemaVersion', 2);
    });
    await env.close();

    store = LmdbStore.open(dir);
    try {
      assert.equal(covering(store, id, hashOf('@')), ownerText('@'));
      assert.equal(covering(store, id, hashOf('ns')), ownerText('ns'));
      assert.ok(store.getNode(id, nameToKey(hashedOwner('ns')))!.flags & NodeFlag.NSEC3);
    } finally {
      await store.close();
    }
    const check = open({ path: dir, maxDbs: 12, compression: false });
    assert.equal(check.openDB({ name: 'meta' }).get('schemaVersion'), SCHEMA_VERSION);
    assert.equal(SCHEMA_VERSION, 3);
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
