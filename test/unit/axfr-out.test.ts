import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaRdata } from '../helpers/soa.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import type { DiffRR } from '../../zones/diff.js';
import { ZoneTable } from '../../server/zone-table.js';
import { axfrMessages, packMessages } from '../../server/xfr/axfr-out.js';
import { readName, skipName } from '../../server/message/names.js';

const ORIGIN = parseName('Xfr.Test.');
const n = (s: string): WireName => parseName(s, ORIGIN);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const lower = (name: Uint8Array) => hex(nameToKey(name));

/** Every answer record of every message, names decompressed; checks pointers only go backwards. */
function decode(messages: Buffer[]): string[] {
  const out: string[] = [];
  for (const msg of messages) {
    assert.ok(msg.length <= 65535);
    let p = 12;
    for (let i = 0; i < msg.readUInt16BE(4); i++) p = skipName(msg, p) + 4;
    for (let i = 0; i < msg.readUInt16BE(6); i++) {
      const owner = readName(msg, p)!;
      p = skipName(msg, p);
      const type = msg.readUInt16BE(p);
      const ttl = msg.readUInt32BE(p + 4);
      const len = msg.readUInt16BE(p + 8);
      let rdata: Uint8Array = msg.subarray(p + 10, p + 10 + len);
      if (type === RRType.NS || type === RRType.CNAME) rdata = nameToKey(readName(msg, p + 10)!);
      if (type === RRType.MX) rdata = Buffer.concat([rdata.subarray(0, 2), nameToKey(readName(msg, p + 12)!)]);
      if (type === RRType.SOA) rdata = Buffer.from(String(msg.readUInt32BE(skipName(msg, skipName(msg, p + 10)))));
      out.push(`${lower(owner)} ${type} ${ttl} ${hex(rdata)}`);
      p += 10 + len;
    }
  }
  return out;
}

test('AXFR messages carry every record once, SOA first and last, names compressed within reach', async () => {
  await withEmptyZone('Xfr.Test.', (writer, store) => {
    const records: DiffRR[] = [
      { owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soaRdata(ORIGIN, 7) },
      { owner: ORIGIN, type: RRType.NS, ttl: 300, rdata: n('NS1') },
      { owner: ORIGIN, type: RRType.MX, ttl: 300, rdata: Buffer.concat([Buffer.from([0, 10]), n('mail.other.example.')]) },
      // labels holding 0x00, 0x01, dots and capitals: the key escapes must come back exactly
      { owner: Buffer.concat([Buffer.from([3, 0, 1, 0x2e]), ORIGIN]), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) },
      { owner: n('a.b.c.deep'), type: RRType.CNAME, ttl: 60, rdata: n('NS1') },
    ];
    // one node bigger than a whole message: its records are split over messages
    for (let i = 0; i < 800; i++) {
      records.push({ owner: n('big'), type: RRType.TXT, ttl: 60, rdata: Buffer.concat([Buffer.from([99]), Buffer.alloc(95, 97 + (i % 26)), Buffer.from(String(i).padStart(4, '0'))]) });
    }
    // enough names for several 64 KiB messages, beyond the 16 KiB a pointer can reach
    for (let i = 0; i < 6000; i++) {
      records.push({ owner: n(`host${i}.sub${i % 7}`), type: RRType.A, ttl: 120, rdata: Uint8Array.of(10, 0, i >> 8, i & 255) });
      records.push({ owner: n(`host${i}.sub${i % 7}`), type: RRType.TXT, ttl: 120, rdata: Buffer.from(`\x0crecord ${String(i).padStart(5, '0')}`) });
    }
    writer.commitDiff(nameToKey(ORIGIN), { source: 'test', remove: [], add: records });
    const table = new ZoneTable(store);
    const zone = table.find(nameToKey(ORIGIN))!;
    const query = Buffer.concat([Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ORIGIN, Buffer.from([0, 252, 0, 1])]);
    const messages = [...axfrMessages(store, zone, query, query.length, undefined)];
    assert.ok(messages.length >= 3, `${messages.length} messages`);
    assert.equal(messages[0]!.readUInt16BE(0), 0x1234);
    assert.equal(messages[0]!.readUInt16BE(4), 1, 'the question in the first message');
    assert.equal(messages[1]!.readUInt16BE(4), 0, 'and only there');
    const got = decode(messages);
    const soa = `${lower(ORIGIN)} 6 300 ${hex(Buffer.from('7'))}`;
    assert.equal(got[0], soa);
    assert.equal(got.at(-1), soa);
    const expected = records.slice(1).map((r) => {
      let rdata = r.rdata;
      if (r.type === RRType.NS || r.type === RRType.CNAME) rdata = nameToKey(r.rdata);
      if (r.type === RRType.MX) rdata = Buffer.concat([r.rdata.subarray(0, 2), nameToKey(r.rdata.subarray(2))]);
      return `${lower(r.owner)} ${r.type} ${r.ttl} ${hex(rdata)}`;
    });
    assert.deepEqual(got.slice(1, -1).sort(), expected.sort());
    const bytes = messages.reduce((sum, m) => sum + m.length, 0);
    assert.ok(bytes < 12_000 * 40 + 800 * 120, `compressed: ${bytes} bytes for 12,800 records`);
  });
});

test('packMessages: a record list (IXFR) round-trips, owners in any order', () => {
  const records = [
    [ORIGIN, RRType.SOA, 300, soaRdata(ORIGIN, 9)],
    [n('z.y'), RRType.A, 1, Uint8Array.of(1, 2, 3, 4)],
    [n('a'), RRType.NS, 2, n('ns.z.y')],
    [parseName('other.example.'), RRType.A, 3, Uint8Array.of(5, 6, 7, 8)],
    [n('a'), RRType.NS, 2, n('ns2.z.y')],
  ] as const;
  const query = Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ORIGIN, Buffer.from([0, 251, 0, 1])]);
  const got = decode([...packMessages(query, query.length, undefined, records)]);
  assert.deepEqual(got.slice(1), [
    `${lower(n('z.y'))} 1 1 01020304`,
    `${lower(n('a'))} 2 2 ${hex(nameToKey(n('ns.z.y')))}`,
    `${lower(parseName('other.example.'))} 1 3 05060708`,
    `${lower(n('a'))} 2 2 ${hex(nameToKey(n('ns2.z.y')))}`,
  ]);
});

test('XfrPacker property: any owners in canonical order, empty ones skipped, small messages: names decode exactly', async () => {
  const fc = (await import('fast-check')).default;
  const { XfrPacker } = await import('../../server/xfr/xfr-packer.js');
  const label = fc.oneof(
    fc.constantFrom('a', 'b', 'ab', '*', 'x-1', 'Mx'),
    fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const relative = fc.array(label, { minLength: 0, maxLength: 4 });
  fc.assert(fc.property(
    fc.uniqueArray(relative, { minLength: 1, maxLength: 40, selector: (ls) => ls.join('\u0100') }),
    fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    fc.integer({ min: 300, max: 2000 }),
    (names, empty, limit) => {
      const wire = (labels: string[]) => Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), ORIGIN]);
      const owners = names.map(wire).sort((x, y) => Buffer.compare(nameToKey(x), nameToKey(y)));
      const packer = new XfrPacker();
      const question = Buffer.concat([ORIGIN, Buffer.from([0, 252, 0, 1])]);
      packer.begin(limit, question, nameToKey(ORIGIN));
      const messages: Buffer[] = [];
      const expected: string[] = [];
      owners.forEach((owner, i) => {
        const key = nameToKey(owner);
        packer.setOwner(key, 0, key.length);
        if (empty[i]) return; // an empty non-terminal: an owner with no records
        const target = owners[(i * 7) % owners.length]!;
        for (const [type, rdata] of [[RRType.A, Uint8Array.of(1, 2, 3, i & 255)], [RRType.NS, target]] as const) {
          let same = type === RRType.NS;
          if (!packer.fits(rdata.length)) {
            messages.push(packer.finish(1, 0x8400));
            packer.begin(limit);
            same = false;
          }
          packer.record(same, type, 60, rdata);
          expected.push(`${lower(owner)} ${type} 60 ${hex(type === RRType.NS ? nameToKey(rdata) : rdata)}`);
        }
      });
      messages.push(packer.finish(1, 0x8400));
      assert.deepEqual(decode(messages), expected);
    },
  ), { numRuns: 300 });
});
