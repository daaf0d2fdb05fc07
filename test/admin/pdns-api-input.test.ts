import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../server/admin/errors.js';
import { pdnsZoneId, pdnsZoneName } from '../../server/admin/pdns-id.js';
import { inRequestTerms, pdnsCreate, pdnsPatch } from '../../server/admin/pdns-input.js';

// PowerDNS's own rules, as tables: zone ids (pdns/ws-api.cc apiZoneNameToId / apiZoneIdToName) and
// what a PATCH or a zone creation becomes before it reaches the meshdns write path.

test('zone ids: letters, digits, "." and "-" stay, every other byte is =XX, the trailing dot is added', () => {
  const table: [string, string][] = [
    ['example.org.', 'example.org.'],
    ['example.org', 'example.org.'],
    ['0/26.2.0.192.in-addr.arpa.', '0=2F26.2.0.192.in-addr.arpa.'],
    ['_acme.example.org.', '=5Facme.example.org.'],
    ['a=b.example.', 'a=3Db.example.'],
    ['bücher.example.', 'b=C3=BCcher.example.'],
  ];
  for (const [name, id] of table) {
    assert.equal(pdnsZoneId(name), id, name);
    assert.equal(pdnsZoneName(id), name.endsWith('.') ? name : `${name}.`, id);
  }
  assert.equal(pdnsZoneName('0=2f26.example.'), '0/26.example.', 'lower-case hex is read too');
  for (const bad of ['a=2.example.', 'a=ZZ.example.', 'a=']) {
    assert.throws(() => pdnsZoneName(bad), (e: unknown) => e instanceof ApiError && e.status === 400 && e.field === 'origin', bad);
  }
});

test('PATCH: DELETE drops ttl and records; REPLACE without records is comments only; records [] or null', () => {
  const { input, from } = pdnsPatch([
    { name: 'a.example.', type: 'A', ttl: 300, changetype: 'delete', records: [{ content: '192.0.2.1' }] },
    { name: 'b.example.', type: 'A', changetype: 'REPLACE', comments: [{ content: 'note' }] },
    { name: 'c.example.', type: 'A', ttl: 60, changetype: 'Replace', records: [] },
    { name: 'd.example.', type: 'TXT', changetype: 'DELETE', records: null },
    { name: 'e.example.', type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.5', disabled: false, 'set-ptr': false }] },
  ]);
  assert.deepEqual(input, [
    { name: 'a.example.', type: 'A', changetype: 'DELETE' },
    { name: 'c.example.', type: 'A', changetype: 'DELETE' },
    { name: 'd.example.', type: 'TXT', changetype: 'DELETE' },
    { name: 'e.example.', type: 'A', changetype: 'REPLACE', records: [{ content: '192.0.2.5', disabled: false }], ttl: 60 },
  ]);
  assert.deepEqual(from, [0, 2, 3, 4]);
});

test('PATCH: one RRset twice — same changetype refused, otherwise the later wins (name case and dot do not matter)', () => {
  const later = pdnsPatch([
    { name: 'x.example.', type: 'A', changetype: 'REPLACE', ttl: 1, records: [{ content: '192.0.2.1' }] },
    { name: 'y.example.', type: 'A', changetype: 'DELETE' },
    { name: 'X.Example', type: 'a', changetype: 'DELETE' },
  ]);
  assert.deepEqual(later.input.map((r) => `${r.name} ${r.changetype}`), ['y.example. DELETE', 'X.Example DELETE']);
  assert.deepEqual(later.from, [1, 2]);
  const commentsAfter = pdnsPatch([
    { name: 'x.example.', type: 'A', changetype: 'DELETE' },
    { name: 'x.example.', type: 'A', changetype: 'REPLACE', comments: [{ content: 'gone' }] },
  ]);
  assert.deepEqual(commentsAfter.input, [{ name: 'x.example.', type: 'A', changetype: 'DELETE' }], 'a comments-only REPLACE keeps the DELETE');
  assert.throws(() => pdnsPatch([
    { name: 'x.example.', type: 'A', changetype: 'DELETE' },
    { name: 'x.example.', type: 'A', changetype: 'REPLACE', ttl: 1, records: [{ content: '192.0.2.1' }] },
    { name: 'x.example.', type: 'A', changetype: 'delete' },
  ]), (e: unknown) => e instanceof ApiError && e.status === 422 && e.field === 'rrsets[2]');
  assert.throws(() => pdnsPatch([{ name: 'x.example.', type: 'A', changetype: 'PRUNE' }]),
    (e: unknown) => e instanceof ApiError && e.field === 'rrsets[0].changetype' && e.value === 'PRUNE');
  assert.throws(() => pdnsPatch([{ name: 'x.example.', type: 'A', changetype: 'REPLACE', ttl: 1, records: [{ content: '192.0.2.1', 'set-ptr': true }] }]),
    (e: unknown) => e instanceof ApiError && e.field === 'rrsets[0].records[0].set-ptr');
});

test('errors about the translated request name the rrset the client sent', () => {
  const err = new ApiError(422, 'rrsets[1].records[0].content', 'nope', 'is not an address', [{ field: 'rrsets[0]', reason: 'also' }]);
  const mapped = inRequestTerms(err, [2, 5]) as ApiError;
  assert.equal(mapped.field, 'rrsets[5].records[0].content');
  assert.equal(mapped.message, 'rrsets[5].records[0].content: "nope" is not an address');
  assert.deepEqual(mapped.problems, [{ field: 'rrsets[2]', reason: 'also' }]);
  const made = inRequestTerms(new ApiError(422, 'rrsets[2].ttl', 1, 'x'), [0, 1]) as ApiError;
  assert.equal(made.field, 'rrsets', 'an rrset the server made (the SOA) is no index of the request');
  const other = new Error('disk');
  assert.equal(inRequestTerms(other, []), other);
});

test('create: an SOA as PowerDNS makes one; nameservers or an apex NS RRset, not both, not neither; only primary kinds', () => {
  const made = pdnsCreate({ name: 'new.example.', kind: 'Native', nameservers: ['ns1.other.', 'ns2.other.'], serial: 7 });
  assert.deepEqual(made.input.rrsets, [{ name: 'new.example.', type: 'SOA', ttl: 3600, changetype: 'REPLACE',
    records: [{ content: 'ns1.other. hostmaster.new.example. 7 10800 3600 604800 3600' }] }]);
  assert.deepEqual(made.input.nameservers, ['ns1.other.', 'ns2.other.']);
  const fromNS = pdnsCreate({ name: 'new.example', kind: 'master', rrsets: [{ name: 'new.example.', type: 'NS', ttl: 60, records: [{ content: 'ns.other.' }] }] });
  assert.match(fromNS.input.rrsets!.at(-1)!.records![0]!.content, /^ns\.other\. hostmaster\.new\.example\. 1 /);
  const own = pdnsCreate({ name: 'new.example.', nameservers: ['ns.other.'], rrsets: [{ name: 'new.example.', type: 'soa', ttl: 60, records: [{ content: 'a. b. 1 2 3 4 5' }] }] });
  assert.equal(own.input.rrsets!.length, 1, 'the client\'s SOA, none made');
  const refused: [Parameters<typeof pdnsCreate>[0], string][] = [
    [{ name: 'n.example.', nameservers: ['ns.other.'], rrsets: [{ name: 'n.example.', type: 'NS', ttl: 1, records: [{ content: 'ns.other.' }] }] }, 'nameservers'],
    [{ name: 'n.example.', nameservers: [] }, 'nameservers'],
    [{ name: 'n.example.', kind: 'Slave', nameservers: ['ns.other.'] }, 'kind'],
    [{ name: 'n.example.', dnssec: true, nameservers: ['ns.other.'] }, 'dnssec'],
    [{ name: 'n.example.', nameservers: ['ns..other.'] }, 'nameservers[0]'],
    [{ name: 'n.example.', nameservers: ['ns.other.'], rrsets: [{ name: 'n.example.', type: 'A', changetype: 'DELETE' }] }, 'rrsets[0].changetype'],
  ];
  for (const [body, field] of refused) {
    assert.throws(() => pdnsCreate(body), (e: unknown) => e instanceof ApiError && e.status === 422 && e.field === field, JSON.stringify(body));
  }
});
