import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nameToKey, nameToText, parseName, type WireName } from '../../zones/name.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { canonicalOrder, forEachName, sortByComparison } from '../../zones/table/canonical-order.js';
import { RRType } from '../../zones/rrtype.js';

const ORIGIN = parseName('z.test.');
const n = (s: string): WireName => parseName(s, ORIGIN);

test('record table: records keep owner, type, TTL, rdata, file and line past the growth of every column and arena', () => {
  const t = new RecordTable();
  const views: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const rdata = Uint8Array.from({ length: 1 + (i % 40) }, (_, k) => (i + k) & 0xff);
    t.add(n(`host${i}`), RRType.TXT, 100 + i, rdata, i < 2500 ? 'a.zone' : 'b.zone', i + 1);
    if (i === 10) views.push(t.rdata(10), t.owner(10));
  }
  assert.equal(t.count, 5000);
  for (const i of [0, 1023, 1024, 4999]) {
    assert.equal(nameToText(t.owner(i)), `host${i}.z.test.`);
    assert.equal(t.type[i], RRType.TXT);
    assert.equal(t.ttl[i], 100 + i);
    assert.deepEqual([...t.rdata(i)], Array.from({ length: 1 + (i % 40) }, (_, k) => (i + k) & 0xff));
    assert.equal(t.file(i), i < 2500 ? 'a.zone' : 'b.zone');
    assert.equal(t.line[i], i + 1);
  }
  assert.deepEqual(t.files, ['a.zone', 'b.zone']);
  // views taken before the arenas grew still show their record
  assert.deepEqual([...views[0]!], [...t.rdata(10)]);
  assert.equal(nameToText(views[1]!), 'host10.z.test.');
});

test('record table: consecutive records passing one owner object share its copy; dropped records leave toRecords', () => {
  const t = new RecordTable();
  const www = n('www');
  t.add(www, RRType.A, 60, Uint8Array.of(192, 0, 2, 1), 'f', 1);
  t.add(www, RRType.A, 60, Uint8Array.of(192, 0, 2, 2), 'f', 2);
  t.add(n('www'), RRType.A, 60, Uint8Array.of(192, 0, 2, 3), 'f', 3);
  assert.equal(t.ownerAt[0], t.ownerAt[1]);
  assert.notEqual(t.ownerAt[1], t.ownerAt[2]);
  t.drop(1);
  t.drop(1);
  assert.equal(t.liveCount, 2);
  const records = t.toRecords();
  assert.deepEqual(records.map((r) => [nameToText(r.owner), r.rdata[3], r.line]), [['www.z.test.', 1, 1], ['www.z.test.', 3, 3]]);
  const again = RecordTable.fromRecords(records).toRecords();
  assert.deepEqual(again.map((r) => [nameToText(r.owner), r.type, r.ttl, [...r.rdata], r.file, r.line]),
    records.map((r) => [nameToText(r.owner), r.type, r.ttl, [...r.rdata], r.file, r.line]));
});

/** Labels that stress the canonical key: case, the escaped octets 0x00 and 0x01, a wildcard, a long label. */
const labelArb = fc.constantFrom('a', 'A', 'b', '*', '\\000', '\\001', '\\001a', 'x-y', 'long-label-0123456789');
const ownerArb = fc.array(labelArb, { minLength: 0, maxLength: 4 }).map((labels) => (labels.length === 0 ? '@' : labels.join('.')));

test('canonical order: names by RFC 4034 §6.1 order (the LMDB key order), then type, then file order; others are outside', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(ownerArb, fc.constantFrom(RRType.A, RRType.TXT, RRType.NS, RRType.MX), fc.boolean()), { maxLength: 60 }), (rows) => {
      const t = new RecordTable();
      for (const [owner, type, outside] of rows) t.add(outside ? parseName(`${owner === '@' ? 'o' : owner}.other.test.`) : n(owner), type, 60, Uint8Array.of(1), 'f', 1);
      const outsiders: number[] = [];
      const order = canonicalOrder(t, nameToKey(ORIGIN), (i) => outsiders.push(i));
      assert.deepEqual(outsiders, rows.flatMap(([, , outside], i) => (outside ? [i] : [])));
      const seen: number[] = [];
      const ids: string[] = [];
      forEachName(order, t, (at, length, members, size) => {
        const id = order.keys.toString('latin1', at, at + length);
        ids.push(id);
        seen.push(...members.slice(0, size));
        for (const i of members.slice(0, size)) assert.equal(Buffer.compare(nameToKey(t.owner(i)).subarray(nameToKey(ORIGIN).length), Buffer.from(id, 'latin1')), 0);
      });
      const expected = rows.flatMap(([, , outside], i) => (outside ? [] : [i])).sort((a, b) =>
        Buffer.compare(nameToKey(t.owner(a)), nameToKey(t.owner(b))) || t.type[a]! - t.type[b]! || a - b);
      assert.deepEqual(seen, expected);
      assert.equal(new Set(ids).size, ids.length, 'one visit per name');
      // the comparator sort that takes over past 16M records gives the same order and names
      const compared = { ...order, records: order.records.slice().reverse(), startsName: new Uint8Array(order.startsName.length) };
      if (compared.startsName.length > 0) compared.startsName[0] = 1;
      sortByComparison(compared);
      assert.deepEqual([...compared.records], [...order.records]);
      assert.deepEqual([...compared.startsName], [...order.startsName]);
    }),
    { numRuns: 300 },
  );
});
