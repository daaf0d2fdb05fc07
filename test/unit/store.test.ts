import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaRdata } from '../helpers/soa.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import type { DiffRR } from '../../zones/diff.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { NodeFlag } from '../../zones/store/node.js';
import { readJournal } from '../../zones/store/journal.js';
import { soaSerial } from '../../zones/soa.js';

const ORIGIN = parseName('z.test.');
const n = (s: string): WireName => parseName(s, ORIGIN);

const soa = (serial: number): Uint8Array => soaRdata(ORIGIN, serial);
const a = (owner: string, ip: number, ttl = 300): DiffRR => ({ owner: n(owner), type: RRType.A, ttl, rdata: Uint8Array.of(192, 0, 2, ip) });
const ns = (owner: string, target: string): DiffRR => ({ owner: n(owner), type: RRType.NS, ttl: 300, rdata: n(target) });
const base = (): DiffRR[] => [
  { owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soa(10) },
  ns('@', 'ns'),
  a('ns', 1),
];

function withStore(fn: (store: LmdbStore, writer: ZoneWriter, apexKey: Buffer) => void): () => Promise<void> {
  return () => withEmptyZone('z.test.', (writer, store, apex) => fn(store, writer, apex));
}

const node = (store: LmdbStore, name: string) => store.getNode(store.zoneMeta(nameToKey(ORIGIN))!.id, nameToKey(n(name)));

test('first content: nodes, empty non-terminals and flags computed on write', withStore((store, writer, apex) => {
  const r = writer.commitDiff(apex, { source: 'file:z', remove: [], add: [...base(), a('x.y.deep', 5), ns('sub', 'ns.sub'), a('ns.sub', 6), a('*.wild', 7), a('x.*.entw', 8)] });
  assert.equal(r.serial, 10);
  assert.equal(node(store, '@')!.flags & NodeFlag.APEX, NodeFlag.APEX);
  assert.equal(node(store, 'deep')!.rrsets.length, 0, 'ENT deep.z.test. is a real node');
  assert.equal(node(store, 'y.deep')!.rrsets.length, 0);
  assert.equal(node(store, 'sub')!.flags & NodeFlag.DELEGATION, NodeFlag.DELEGATION);
  assert.equal(node(store, 'ns.sub')!.flags & NodeFlag.NONAUTH, NodeFlag.NONAUTH);
  assert.equal(node(store, 'wild')!.flags & NodeFlag.WILDCARD_CHILD, NodeFlag.WILDCARD_CHILD);
  assert.equal(node(store, 'entw')!.flags & NodeFlag.WILDCARD_CHILD, NodeFlag.WILDCARD_CHILD, 'a wildcard that is an ENT counts');
  assert.equal(store.zoneMeta(apex)!.records, 8);
}));

test('incremental commit: serial bump, journal diff, ENT cleanup, provenance', withStore((store, writer, apex) => {
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: [...base(), a('x.y.deep', 5)] });
  const r1 = writer.commitDiff(apex, { source: 'api', remove: [], add: [a('www', 9), a('x.y.deep', 5)] });
  assert.equal(r1.serial, 11, 'increment policy');
  assert.equal(r1.added, 1, 'the identical RR only gains an owner');
  // the API does not own x.y.deep's record: its removal leaves it in place
  const r2 = writer.commitDiff(apex, { source: 'api', remove: [a('x.y.deep', 5), a('www', 9)], add: [] });
  assert.equal(r2.removed, 1);
  assert.ok(node(store, 'x.y.deep'), 'still claimed by the file');
  assert.equal(node(store, 'www'), undefined);
  writer.commitDiff(apex, { source: 'file:z', remove: [a('x.y.deep', 5)], add: [] });
  assert.equal(node(store, 'x.y.deep'), undefined);
  assert.equal(node(store, 'y.deep'), undefined, 'childless ENTs go');
  assert.equal(node(store, 'deep'), undefined);
  const journal = [...readJournal(store, store.zoneMeta(apex)!.id)];
  assert.equal(journal.length, 3);
  assert.deepEqual(journal.map((j) => [j.from, j.to]), [[10, 11], [11, 12], [12, 13]]);
  assert.equal(journal[0]!.added.length, 2, 'SOA + www');
  assert.equal(soaSerial(journal[0]!.added[0]![3]), 11);
}));

test('no-op diff changes nothing (no serial bump)', withStore((store, writer, apex) => {
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: base() });
  const r = writer.commitDiff(apex, { source: 'file:z', remove: [], add: [a('ns', 1)] });
  assert.equal(r.changed, false);
  assert.equal(store.zoneMeta(apex)!.serial, 10);
}));

test('a zone cut added later makes names below it non-authoritative, and back', withStore((store, writer, apex) => {
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: [...base(), a('host.part', 3), a('deeper.host.part', 4)] });
  assert.equal(node(store, 'host.part')!.flags & NodeFlag.NONAUTH, 0);
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: [ns('part', 'ns.elsewhere.')] });
  assert.equal(node(store, 'part')!.flags & NodeFlag.DELEGATION, NodeFlag.DELEGATION);
  assert.equal(node(store, 'host.part')!.flags & NodeFlag.NONAUTH, NodeFlag.NONAUTH);
  assert.equal(node(store, 'deeper.host.part')!.flags & NodeFlag.NONAUTH, NodeFlag.NONAUTH);
  writer.commitDiff(apex, { source: 'file:z', remove: [ns('part', 'ns.elsewhere.')], add: [] });
  assert.equal(node(store, 'deeper.host.part')!.flags & NodeFlag.NONAUTH, 0);
}));

test('wildcard flag follows the * node; SOA serial from a newer SOA', withStore((store, writer, apex) => {
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: base() });
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: [a('*.w', 1)] });
  assert.equal(node(store, 'w')!.flags & NodeFlag.WILDCARD_CHILD, NodeFlag.WILDCARD_CHILD);
  writer.commitDiff(apex, { source: 'file:z', remove: [a('*.w', 1)], add: [a('other.w', 2), { owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soa(500) }] });
  assert.equal(node(store, 'w')!.flags & NodeFlag.WILDCARD_CHILD, 0);
  assert.equal(store.zoneMeta(apex)!.serial, 500);
}));

test('removeNames and removeRRsets keep SOA and NS at the apex (RFC 2136 §3.4.2.3)', withStore((store, writer, apex) => {
  writer.commitDiff(apex, { source: 'file:z', remove: [], add: [...base(), a('@', 7)] });
  writer.commitDiff(apex, { source: 'tsig:k', remove: [], add: [], removeNames: [ORIGIN], removeRRsets: [{ owner: ORIGIN, type: RRType.NS }] });
  const apexNode = node(store, '@')!;
  assert.deepEqual(apexNode.rrsets.map((s) => s.type).sort(), [RRType.NS, RRType.SOA]);
}));
