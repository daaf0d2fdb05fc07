import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaRdata } from '../helpers/soa.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import { diffIsEmpty, type DiffRR } from '../../zones/diff.js';
import { readJournal } from '../../zones/store/journal.js';

const ORIGIN = parseName('u.test.');
const n = (s: string): WireName => parseName(s, ORIGIN);

const soa = (serial: number): Uint8Array => soaRdata(ORIGIN, serial);
const a = (owner: string, ip: number, ttl = 300): DiffRR => ({ owner: n(owner), type: RRType.A, ttl, rdata: Uint8Array.of(192, 0, 2, ip) });

test('removeAny removes an RR whatever its owners, in one journalled commit', async () => {
  await withEmptyZone('u.test.', (writer, store, apex) => {
    writer.commitDiff(apex, {
      source: 'file:u', remove: [],
      add: [{ owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soa(5) }, { owner: ORIGIN, type: RRType.NS, ttl: 300, rdata: n('ns') }, a('ns', 1), a('www', 2), a('www', 3)],
    });
    writer.commitDiff(apex, { source: 'api', remove: [], add: [a('www', 2)] }); // two owners now
    const id = store.zoneMeta(apex)!.id;
    // a plain remove by a third source changes nothing
    const none = writer.commitDiff(apex, { source: 'tsig:k.', remove: [a('www', 2)], add: [] });
    assert.equal(none.changed, false);
    const r = writer.commitDiff(apex, { source: 'tsig:k.', remove: [], add: [], removeAny: [a('www', 2), a('www', 99)] });
    assert.equal(r.changed, true);
    assert.equal(r.removed, 1);
    assert.equal(r.serial, 6, 'one bump (adding an owner changed no data)');
    const www = store.getNode(id, nameToKey(n('www')))!;
    assert.deepEqual(www.rrsets[0]!.rrs.map((x) => [...x.rdata]), [[192, 0, 2, 3]]);
    const last = [...readJournal(store, id)].at(-1)!;
    assert.deepEqual([last.from, last.to], [5, 6]);
    assert.equal(last.removed.length, 2, 'old SOA + the A record');
    // removing the last RR of a name removes the node
    writer.commitDiff(apex, { source: 'tsig:k.', remove: [], add: [], removeAny: [a('www', 3)] });
    assert.equal(store.getNode(id, nameToKey(n('www'))), undefined);
    // an SOA in removeAny is ignored
    const s = writer.commitDiff(apex, { source: 'tsig:k.', remove: [], add: [], removeAny: [{ owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soa(8) }] });
    assert.equal(s.changed, false);
    assert.equal(diffIsEmpty({ source: 'x', remove: [], add: [], removeAny: [a('www', 1)] }), false);
  });
});

test('RFC 2136 update logic: in-order simulation, TTL of the last add, apex NS kept, prerequisites', async () => {
  const { buildDiff } = await import('../../server/update/apply.js');
  const { checkPrerequisites, UpdateRcode } = await import('../../server/update/prerequisites.js');
  const apex = nameToKey(ORIGIN);
  const nodes = new Map<string, import('../../zones/store/node.js').ZoneNode>([
    [nameToKey(ORIGIN).toString('latin1'), { flags: 0, rrsets: [
      { type: RRType.SOA, ttl: 300, rrs: [{ rdata: soa(5), owners: [1] }] },
      { type: RRType.NS, ttl: 300, rrs: [{ rdata: n('ns'), owners: [1] }] },
    ] }],
    [nameToKey(n('www')).toString('latin1'), { flags: 0, rrsets: [{ type: RRType.A, ttl: 300, rrs: [{ rdata: Uint8Array.of(192, 0, 2, 1), owners: [1] }] }] }],
  ]);
  const read = (key: Buffer) => nodes.get(key.toString('latin1'));
  const u = (name: string, type: number, cls: number, ttl: number, rdata: Uint8Array = new Uint8Array(0)) => {
    const wire = name === '@' ? ORIGIN : n(name);
    return { name: wire, key: nameToKey(wire), type, cls, ttl, rdata };
  };
  const ip = (x: number) => Uint8Array.of(192, 0, 2, x);
  // delete the RRset, add one back with a new TTL, add and remove another: net -1 +1
  const d = buildDiff([
    u('www', RRType.A, 255, 0), u('www', RRType.A, 1, 60, ip(2)), u('www', RRType.A, 1, 60, ip(3)), u('www', RRType.A, 254, 0, ip(3)),
    u('@', RRType.NS, 254, 0, n('ns')), // the apex's last NS stays
  ], apex, 'tsig:k.', read);
  assert.deepEqual(d.removeAny!.map((r) => [...r.rdata]), [[192, 0, 2, 1]]);
  assert.deepEqual(d.add.map((r) => [[...r.rdata], r.ttl]), [[[192, 0, 2, 2], 60]]);
  assert.equal(d.source, 'tsig:k.');
  const inZone = () => true;
  assert.equal(checkPrerequisites([u('www', RRType.A, 1, 0, ip(1))], apex, inZone, read), UpdateRcode.NOERROR);
  assert.equal(checkPrerequisites([u('www', RRType.A, 1, 0, ip(1)), u('www', RRType.A, 1, 0, ip(2))], apex, inZone, read), UpdateRcode.NXRRSET);
  assert.equal(checkPrerequisites([u('www', RRType.ANY, 254, 0)], apex, inZone, read), UpdateRcode.YXDOMAIN);
  assert.equal(checkPrerequisites([u('no', RRType.ANY, 255, 0)], apex, inZone, read), UpdateRcode.NXDOMAIN);
  assert.equal(checkPrerequisites([u('www', RRType.A, 254, 0)], apex, inZone, read), UpdateRcode.YXRRSET);
  assert.equal(checkPrerequisites([u('www', RRType.TXT, 255, 0)], apex, inZone, read), UpdateRcode.NXRRSET);
  assert.equal(checkPrerequisites([u('www', RRType.A, 255, 5)], apex, inZone, read), UpdateRcode.FORMERR);
  assert.equal(checkPrerequisites([{ ...u('www', RRType.A, 255, 0), key: nameToKey(parseName('x.other.')) }], apex, inZone, read), UpdateRcode.NOTZONE);
});
