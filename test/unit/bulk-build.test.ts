import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { nameToKey, parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { DiffRR } from '../../zones/diff.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { soaRdata } from '../helpers/soa.js';
import { withEmptyZone } from '../helpers/temp-store.js';

const ORIGIN = parseName('z.test.');
const n = (s: string): WireName => parseName(s, ORIGIN);

/** Owner names drawn from a small tree, so ENTs, wildcards, cuts and names below cuts all occur. */
const ownerArb = fc
  .array(fc.constantFrom('a', 'b', '*', 'sub', 'x', 'A', 'long-label-0123456789'), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'));

/** One RR: the TTL follows (owner, type), so both paths agree on it without a TTL policy in play. */
const rrArb = fc.tuple(ownerArb, fc.constantFrom('A', 'AAAA', 'TXT', 'MX', 'NS'), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 200 })).map(
  ([owner, kind, pick, size]): DiffRR => {
    const ttl = 60 + owner.length + kind.length;
    switch (kind) {
      case 'A':
        return { owner: n(owner), type: RRType.A, ttl, rdata: Uint8Array.of(192, 0, 2, pick) };
      case 'AAAA':
        return { owner: n(owner), type: RRType.AAAA, ttl, rdata: Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? pick : 0x20)) };
      case 'TXT': {
        const text = Uint8Array.from({ length: Math.min(size, 255) }, (_, i) => 97 + ((i + pick) % 26));
        return { owner: n(owner), type: RRType.TXT, ttl, rdata: Uint8Array.from([text.length, ...text]) };
      }
      case 'MX':
        return { owner: n(owner), type: RRType.MX, ttl, rdata: Uint8Array.from([0, pick, ...n(`mx${pick}`)]) };
      default:
        return { owner: n(owner), type: RRType.NS, ttl, rdata: n(`ns${pick}.elsewhere.test.`) };
    }
  },
);

/** Every node of the zone as "key → value" hex, the apex SOA's serial blanked (the two paths bump it differently). */
function dump(store: LmdbStore): Map<string, string> {
  const meta = store.zoneMeta(nameToKey(ORIGIN))!;
  const out = new Map<string, string>();
  for (const { nameKey, node } of store.zoneNodes(meta.id)) {
    const sets = node.rrsets.map((s) => `${s.type}/${s.ttl}:` + s.rrs.map((r) => (s.type === RRType.SOA ? 'soa' : Buffer.from(r.rdata).toString('hex')) + '@' + r.owners.join(',')).join(' '));
    out.set(nameKey.toString('latin1'), `${node.flags} ${sets.join(' | ')}`);
  }
  return out;
}

function build(records: DiffRR[], bulk: boolean): Promise<Map<string, string>> {
  return withEmptyZone('z.test.', (writer, store, apex) => {
    const head: DiffRR[] = [
      { owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soaRdata(ORIGIN, 10) },
      { owner: ORIGIN, type: RRType.NS, ttl: 300, rdata: n('ns') },
    ];
    if (bulk) {
      writer.commitDiff(apex, { source: 'file:z', remove: [], add: [...head, ...records] });
    } else {
      writer.commitDiff(apex, { source: 'file:z', remove: [], add: head });
      writer.commitDiff(apex, { source: 'file:z', remove: [], add: records });
    }
    return dump(store);
  });
}

test('property: the bulk first commit stores exactly what committing the same records into a zone one diff later does', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rrArb, { maxLength: 40 }), async (records) => {
      const bulk = await build(records, true);
      const incremental = await build(records, false);
      assert.deepEqual([...bulk.entries()].sort(), [...incremental.entries()].sort());
    }),
    { numRuns: 60 },
  );
});

test('bulk first commit: a node larger than the encoder\'s first buffer (30 TXT records of 200 octets) is stored whole', async () => {
  const txt = (i: number): DiffRR => {
    const text = Uint8Array.from({ length: 200 }, (_, j) => (j === 0 ? 48 + i : 97 + ((i + j) % 26)));
    return { owner: n('big'), type: RRType.TXT, ttl: 300, rdata: Uint8Array.from([text.length, ...text]) };
  };
  const records = [...Array.from({ length: 30 }, (_, i) => txt(i)), { owner: n('after'), type: RRType.A, ttl: 300, rdata: Uint8Array.of(192, 0, 2, 9) }];
  const bulk = await build(records, true);
  assert.deepEqual([...bulk.entries()].sort(), [...(await build(records, false)).entries()].sort());
  assert.equal(bulk.get('test\0z\0big\0')!.match(/@/g)?.length, 30, 'every record, each with its owner');
});
