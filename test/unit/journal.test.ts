import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { soaRdata } from '../helpers/soa.js';
import { withEmptyZone } from '../helpers/temp-store.js';
import type { DiffRR } from '../../zones/diff.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { readJournal } from '../../zones/store/journal.js';
import { validateConfig } from '../../server/config.js';
import { journalLimitsFor } from '../../server/config-replication.js';

const ORIGIN = parseName('j.test.');
const n = (s: string): WireName => parseName(s, ORIGIN);
const a = (owner: string, ip: number): DiffRR => ({ owner: n(owner), type: RRType.A, ttl: 300, rdata: Uint8Array.of(192, 0, 2, ip) });

async function withZone(run: (writer: ZoneWriter, store: LmdbStore, apex: Buffer) => void): Promise<void> {
  await withEmptyZone('j.test.', (writer, store, apex) => {
    writer.commitDiff(apex, { source: 'file', remove: [], add: [{ owner: ORIGIN, type: RRType.SOA, ttl: 300, rdata: soaRdata(ORIGIN, 1) }, { owner: ORIGIN, type: RRType.NS, ttl: 300, rdata: n('ns') }, a('ns', 1)] });
    run(writer, store, apex);
  });
}

const serials = (store: LmdbStore, apex: Buffer) => [...readJournal(store, store.zoneMeta(apex)!.id)].map((e) => `${e.from}-${e.to}`);

test('the journal keeps at most maxDepth entries, oldest pruned, the chain unbroken', () => withZone((writer, store, apex) => {
  writer.journalLimits = () => ({ maxDepth: 3, maxBytes: 1 << 20 });
  for (let i = 2; i <= 7; i++) writer.commitDiff(apex, { source: 'api', remove: [], add: [a(`h${i}`, i)] });
  assert.deepEqual(serials(store, apex), ['4-5', '5-6', '6-7']);
  assert.equal(store.zoneMeta(apex)!.journalUsage!.entries, 3);
}));

test('the journal stays under maxBytes; an entry bigger than the limit alone drops the whole history', () => withZone((writer, store, apex) => {
  writer.journalLimits = () => ({ maxDepth: 1000, maxBytes: 600 });
  for (let i = 2; i <= 20; i++) writer.commitDiff(apex, { source: 'api', remove: [], add: [a(`h${i}`, i)] });
  const usage = store.zoneMeta(apex)!.journalUsage!;
  assert.ok(usage.bytes <= 600 && usage.entries >= 2 && usage.entries < 19, JSON.stringify(usage));
  const kept = serials(store, apex);
  assert.equal(kept.length, usage.entries);
  assert.equal(kept.at(-1), '19-20', 'the newest entry is always the last');
  for (let i = 1; i < kept.length; i++) assert.equal(kept[i - 1]!.split('-')[1], kept[i]!.split('-')[0], 'no gap');
  // one commit of 100 records is bigger than 600 bytes: nothing older is useful without it
  writer.commitDiff(apex, { source: 'api', remove: [], add: Array.from({ length: 100 }, (_, i) => a(`big${i}`, i)) });
  assert.deepEqual(serials(store, apex), []);
  assert.deepEqual(store.zoneMeta(apex)!.journalUsage, { entries: 0, bytes: 0 });
  writer.commitDiff(apex, { source: 'api', remove: [], add: [a('after', 1)] });
  assert.deepEqual(serials(store, apex), ['21-22'], 'journalling resumes with the next small commit');
}));

test('journal limits and serialPolicy in the config: defaults, per zone, errors naming the key', () => {
  const parse = (raw: unknown) => validateConfig(raw, {}, 'test.yaml', {});
  const c = parse({ defaults: { serialPolicy: 'unixtime', journal: { maxDepth: 50, maxSize: '2M' } }, zones: [{ origin: 'small.test.', journal: { maxSize: '64K' } }] });
  assert.equal(c.serialPolicy, 'unixtime');
  assert.deepEqual(journalLimitsFor(c.replication, 'other.test.'), { maxDepth: 50, maxBytes: 2 * 1024 * 1024 });
  assert.deepEqual(journalLimitsFor(c.replication, 'SMALL.test'), { maxDepth: 50, maxBytes: 64 * 1024 });
  assert.deepEqual(journalLimitsFor(parse({}).replication, 'x.test.'), { maxDepth: 1000, maxBytes: 100 * 1024 * 1024 });
  assert.throws(() => parse({ defaults: { journal: { maxDepth: 0 } } }), /defaults\.journal\.maxDepth: 0 must be a whole number from 1 to 1000000/);
  assert.throws(() => parse({ zones: [{ origin: 'a.test.', journal: { maxSize: '12 parsecs' } }] }), /zones\[0\]\.journal\.maxSize: "12 parsecs" must be a size/);
  assert.throws(() => parse({ defaults: { journal: { depth: 3 } } }), /defaults\.journal\.depth: 3 is not a known key/);
  assert.throws(() => parse({ defaults: { serialPolicy: 'random' } }), /defaults\.serialPolicy: "random"/);
  assert.throws(() => parse({ serialPolicy: 'increment', defaults: { serialPolicy: 'unixtime' } }), /serialPolicy: "increment" is also given as defaults\.serialPolicy/);
});
