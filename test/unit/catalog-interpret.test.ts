import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberId, siphash24 } from '../../catalog/member-id.js';
import { interpretCatalog, type CatalogRecord } from '../../catalog/interpret.js';
import { catalogApexRecords, memberRecords, txtRdata } from '../../catalog/records.js';
import { parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';

const CAT = parseName('catalog.test.');
const n = (s: string) => parseName(s, CAT);

test('SipHash-2-4 gives the reference vectors of the SipHash paper (key 00..0f)', () => {
  const k0 = 0x0706050403020100n;
  const k1 = 0x0f0e0d0c0b0a0908n;
  assert.equal(siphash24(new Uint8Array(0), k0, k1), 0x726fdb47dd0e0e31n);
  assert.equal(siphash24(Uint8Array.from({ length: 15 }, (_, i) => i), k0, k1), 0xa129ca6149be45e5n);
  assert.equal(siphash24(Uint8Array.from({ length: 8 }, (_, i) => i), k0, k1), 0x93f5f5799a932462n);
});

test('member ids: 16 hex digits, from the name alone (case-insensitive), different for different names', () => {
  const id = memberId(parseName('app.site-a.mesh.'));
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(memberId(parseName('APP.Site-A.mesh.')), id);
  assert.notEqual(memberId(parseName('app.site-b.mesh.')), id);
});

const version2 = (): CatalogRecord[] => catalogApexRecords(CAT, 7);
const member = (name: string, props: { group?: string; coo?: string } = {}) =>
  memberRecords(CAT, { name: parseName(name), id: memberId(parseName(name)), ...(props.group ? { group: props.group } : {}), ...(props.coo ? { coo: parseName(props.coo) } : {}) });

test('a generated catalog reads back: members with their group and coo properties, other records ignored', () => {
  const records = [
    ...version2(), ...member('a.test.', { group: 'internal' }), ...member('b.test.', { coo: 'other-catalog.test.' }),
    // RFC 9432 §3: what a consumer does not know is ignored
    { owner: n('ext'), type: RRType.TXT, rdata: txtRdata('hello') },
    { owner: n('x.y.ext'), type: RRType.A, rdata: Uint8Array.of(192, 0, 2, 1) },
  ];
  const read = interpretCatalog(CAT, records);
  assert.ok(read.ok);
  const byName = new Map(read.members.map((m) => [m.origin, m]));
  assert.deepEqual([...byName.keys()].sort(), ['a.test.', 'b.test.']);
  assert.equal(byName.get('a.test.')!.group, 'internal');
  assert.equal(byName.get('a.test.')!.id, memberId(parseName('a.test.')));
  assert.equal(byName.get('b.test.')!.coo, 'other-catalog.test.');
});

test('a catalog without version "2" is broken (RFC 9432 §4.2.1): no member list at all', () => {
  const noVersion = interpretCatalog(CAT, [...member('a.test.')]);
  assert.equal(noVersion.ok, false);
  assert.match(!noVersion.ok ? noVersion.reason : '', /no version property/);
  const v1 = interpretCatalog(CAT, [{ owner: n('version'), type: RRType.TXT, rdata: txtRdata('1') }, ...member('a.test.')]);
  assert.equal(v1.ok, false);
  assert.match(!v1.ok ? v1.reason : '', /version property is "1"; only "2"/);
  const two = interpretCatalog(CAT, [...version2(), { owner: n('version'), type: RRType.TXT, rdata: txtRdata('3') }, ...member('a.test.')]);
  assert.equal(two.ok, false);
});

test('several PTRs in one member node, or one zone under two ids, break the catalog (RFC 9432 §4.1)', () => {
  const twoPtrs = interpretCatalog(CAT, [...version2(), { owner: n('m1.zones'), type: RRType.PTR, rdata: parseName('a.test.') }, { owner: n('m1.zones'), type: RRType.PTR, rdata: parseName('b.test.') }]);
  assert.equal(twoPtrs.ok, false);
  assert.match(!twoPtrs.ok ? twoPtrs.reason : '', /m1\.zones has 2 PTR records/);
  const twice = interpretCatalog(CAT, [...version2(), { owner: n('m1.zones'), type: RRType.PTR, rdata: parseName('a.test.') }, { owner: n('m2.zones'), type: RRType.PTR, rdata: parseName('A.test.') }]);
  assert.equal(twice.ok, false);
  assert.match(!twice.ok ? twice.reason : '', /a\.test\. is listed twice \(member ids m1 and m2\)/);
});

test('properties without a member PTR, and labels in any case, are read as RFC 9432 says', () => {
  const read = interpretCatalog(CAT, [
    ...version2(),
    { owner: n('group.orphan.zones'), type: RRType.TXT, rdata: txtRdata('g') },
    { owner: n('M1.ZONES'), type: RRType.PTR, rdata: parseName('a.test.') },
    { owner: n('GROUP.m1.zones'), type: RRType.TXT, rdata: txtRdata('blue') },
  ]);
  assert.ok(read.ok);
  assert.deepEqual(read.members.map((m) => [m.origin, m.id, m.group]), [['a.test.', 'm1', 'blue']]);
});
