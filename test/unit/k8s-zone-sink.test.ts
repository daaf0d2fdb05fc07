import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyToText, nameToKey, nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import type { K8sRecord } from '../../k8s/records/index.js';
import type { OwnerChange, WatchBatch } from '../../k8s/watch/types.js';
import { ZoneSink, ZONE_SOURCE, type OwnerOutcome } from '../../server/kubernetes/zone-sink.js';
import { DEFAULT_LIMITS } from '../../zones/limits.js';

const ZONE = 'k8s.test.';

/** A store with the watcher's zone, a sink on it, and what the sink reported. */
async function withSink(run: (ctx: { sink: ZoneSink; store: LmdbStore; writer: ZoneWriter; outcomes: OwnerOutcome[][]; rrs: () => string[]; zoneId: number }) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-k8s-sink-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const outcomes: OwnerOutcome[][] = [];
    const sink = new ZoneSink(store, writer, {
      zones: [ZONE], serialPolicy: 'increment', nameservers: () => ['ns1.example.'],
      onOutcomes: (o) => outcomes.push(o), onZoneError: () => undefined,
    });
    assert.deepEqual(sink.ensureZones(), [ZONE]);
    assert.deepEqual(sink.ensureZones(), [], 'an existing zone is not created again');
    const zoneId = store.zoneMeta(nameToKey(parseName(ZONE)))!.id;
    const rrs = () => {
      const out: string[] = [];
      for (const { nameKey, node } of store.zoneNodes(zoneId)) {
        for (const set of node.rrsets) {
          for (const rr of set.rrs) out.push(`${keyToText(nameKey)} ${typeToText(set.type)} ${rdataToText(set.type, rr.rdata)} ${rr.owners.map((o) => store.sourceName(o)).sort().join(',')}`);
        }
      }
      return out.filter((l) => !l.includes(' SOA ')).sort();
    };
    await run({ sink, store, writer, outcomes, rrs, zoneId });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}


const ref = (kind: string, name: string, namespace = 'default') => ({ apiVersion: 'v1', kind, name, namespace, uid: `uid-${name}` });
const a = (name: string, address: string): K8sRecord => ({ name, type: 'A', ttl: 30, rdata: address });
const change = (owner: string, records: K8sRecord[], gone = false): OwnerChange => {
  const [, kind, namespace, name] = /^k8s:([^/]+)\/([^/]*)\/(.+)$/.exec(owner)!;
  return { owner, object: gone ? undefined : ref(kind!, name!, namespace!), records, refused: [] };
};
const batch = (changes: OwnerChange[], relisted: [string, string[]][] = []): WatchBatch => ({
  changes: changes.map((c) => ({ owner: c.owner, resolve: () => c })), relisted: new Map(relisted.map(([kind, live]) => [kind, new Set(live)])),
});

test('a batch of several objects is one new version of the zone, each object owning its records', async () => {
  await withSink(async ({ sink, store, rrs, zoneId }) => {
    const before = store.zoneMeta(nameToKey(parseName(ZONE)))!.serial;
    await sink.apply(batch([
      change('k8s:Service/default/web', [a('web.k8s.test.', '192.0.2.1')]),
      change('k8s:Service/other/web', [a('web.k8s.test.', '192.0.2.2')]),
      change('k8s:Node//n1', [a('n1.nodes.k8s.test.', '198.51.100.1')]),
    ]));
    const after = store.zoneMeta(nameToKey(parseName(ZONE)))!.serial;
    assert.equal(after, before + 1, 'one serial step for the whole batch');
    const journal = [...store.journal(zoneId)];
    assert.equal(journal.length, 1, 'one journal entry (one IXFR step)');
    assert.equal(journal[0]!.added.filter((rr) => nameToText(rr[0]).startsWith('web')).length, 2);
    assert.deepEqual(rrs(), [
      `k8s.test. NS ns1.example. ${ZONE_SOURCE}`,
      'n1.nodes.k8s.test. A 198.51.100.1 k8s:Node//n1',
      'web.k8s.test. A 192.0.2.1 k8s:Service/default/web',
      'web.k8s.test. A 192.0.2.2 k8s:Service/other/web',
    ]);
  });
});

test('an object removes only its own records; one RR claimed by two objects stays until both let go', async () => {
  await withSink(async ({ sink, rrs }) => {
    await sink.apply(batch([
      change('k8s:Service/default/a', [a('shared.k8s.test.', '192.0.2.9'), a('a.k8s.test.', '192.0.2.10')]),
      change('k8s:Service/default/b', [a('shared.k8s.test.', '192.0.2.9')]),
    ]));
    assert.ok(rrs().includes('shared.k8s.test. A 192.0.2.9 k8s:Service/default/a,k8s:Service/default/b'));
    await sink.apply(batch([change('k8s:Service/default/a', [], true)]));
    assert.deepEqual(rrs().filter((l) => !l.includes(' NS ')), ['shared.k8s.test. A 192.0.2.9 k8s:Service/default/b']);
    await sink.apply(batch([change('k8s:Service/default/b', [], true)]));
    assert.deepEqual(rrs().filter((l) => !l.includes(' NS ')), []);
  });
});

test('a CNAME of another source refuses the name to the object, which keeps its other names; it is retried when the CNAME goes', async () => {
  await withSink(async ({ sink, writer, rrs, outcomes }) => {
    const alias = parseName('alias.k8s.test.');
    writer.begin(parseName(ZONE), 'zone-file').add({ owner: alias, type: 5, ttl: 60, rdata: parseName('target.example.') }).commit();
    await sink.apply(batch([change('k8s:Service/default/web', [a('alias.k8s.test.', '192.0.2.1'), a('web.k8s.test.', '192.0.2.1')])]));
    const outcome = outcomes.at(-1)!.find((o) => o.change.owner === 'k8s:Service/default/web')!;
    assert.equal(outcome.conflicts.length, 1);
    assert.match(outcome.conflicts[0]!, /alias\.k8s\.test\. has a CNAME written by zone-file/);
    assert.ok(rrs().includes('alias.k8s.test. CNAME target.example. zone-file'), 'the CNAME keeps answering');
    assert.ok(rrs().includes('web.k8s.test. A 192.0.2.1 k8s:Service/default/web'), 'the object\'s other name is published');
    assert.ok(!rrs().some((l) => l.startsWith('alias.k8s.test. A')));
    assert.equal(sink.conflicted, 1);
    // the zone file drops its CNAME: the next batch (any) publishes the waiting name
    writer.begin(parseName(ZONE), 'zone-file').remove({ owner: alias, type: 5, ttl: 60, rdata: parseName('target.example.') }).commit();
    await sink.apply(batch([]));
    assert.ok(rrs().includes('alias.k8s.test. A 192.0.2.1 k8s:Service/default/web'));
    assert.equal(sink.conflicted, 0);
  });
});

test('two objects: the second one\'s CNAME beside the first one\'s address is refused, in one batch or across batches', async () => {
  await withSink(async ({ sink, rrs, outcomes }) => {
    const cname: K8sRecord = { name: 'x.k8s.test.', type: 'CNAME', ttl: 30, rdata: 'lb.example.' };
    await sink.apply(batch([change('k8s:Service/default/a', [a('x.k8s.test.', '192.0.2.1')]), change('k8s:Ingress/default/b', [cname])]));
    // (refused against the batch's own claims, then once more against the committed zone)
    assert.match(outcomes.at(-1)!.find((o) => o.change.owner === 'k8s:Ingress/default/b')!.conflicts[0]!, /A data (of|written by) k8s:Service\/default\/a/);
    assert.deepEqual(rrs().filter((l) => l.startsWith('x.')), ['x.k8s.test. A 192.0.2.1 k8s:Service/default/a']);
    await sink.apply(batch([change('k8s:Ingress/default/c', [cname])]));
    assert.match(outcomes.at(-1)!.find((o) => o.change.owner === 'k8s:Ingress/default/c')!.conflicts[0]!, /A data written by k8s:Service\/default\/a/);
  });
});

test('a complete list removes the records of objects that no longer exist (deleted while nobody watched), and only of that kind', async () => {
  await withSink(async ({ sink, writer, rrs }) => {
    writer.begin(parseName(ZONE), 'api').add({ owner: parseName('api.k8s.test.'), type: 1, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 99) }).commit();
    await sink.apply(batch([
      change('k8s:Service/default/kept', [a('kept.k8s.test.', '192.0.2.1')]),
      change('k8s:Service/default/gone', [a('gone.k8s.test.', '192.0.2.2')]),
      change('k8s:Node//n1', [a('n1.k8s.test.', '198.51.100.1')]),
    ]));
    await sink.apply(batch([], [['Service', ['k8s:Service/default/kept']]]));
    assert.deepEqual(rrs().filter((l) => !l.includes(' NS ')), [
      'api.k8s.test. A 192.0.2.99 api',
      'kept.k8s.test. A 192.0.2.1 k8s:Service/default/kept',
      'n1.k8s.test. A 198.51.100.1 k8s:Node//n1',
    ]);
  });
});

test('a record that cannot be written is refused with the reason; the object\'s other records go in', async () => {
  await withSink(async ({ sink, rrs, outcomes }) => {
    await sink.apply(batch([change('k8s:DNSEndpoint/default/d', [a('ok.k8s.test.', '192.0.2.1'), { name: 'bad.k8s.test.', type: 'A', ttl: 30, rdata: 'not-an-address' }])]));
    assert.equal(outcomes.at(-1)![0]!.refused.length, 1);
    assert.match(outcomes.at(-1)![0]!.refused[0]!, /bad\.k8s\.test\. A "not-an-address"/);
    assert.ok(rrs().includes('ok.k8s.test. A 192.0.2.1 k8s:DNSEndpoint/default/d'));
  });
});

test('an object refused for another one\'s CNAME is published in the batch that deletes that object', async () => {
  await withSink(async ({ sink, rrs }) => {
    const cname: K8sRecord = { name: 'disputed.k8s.test.', type: 'CNAME', ttl: 30, rdata: 'lb.example.' };
    await sink.apply(batch([change('k8s:Service/default/first', [cname])]));
    await sink.apply(batch([change('k8s:Service/default/second', [a('disputed.k8s.test.', '192.0.2.39')])]));
    assert.equal(sink.conflicted, 1);
    await sink.apply(batch([change('k8s:Service/default/first', [], true)]));
    assert.deepEqual(rrs().filter((l) => l.startsWith('disputed.')), ['disputed.k8s.test. A 192.0.2.39 k8s:Service/default/second']);
    assert.equal(sink.conflicted, 0);
  });
});

test('an object whose records break a limit is isolated by halving the batch: the others go in, it is reported and tried again later', async () => {
  await withSink(async ({ sink, writer, rrs, outcomes, store, zoneId }) => {
    writer.limits = () => ({ ...DEFAULT_LIMITS, recordsPerRRset: 3 });
    const serialBefore = store.zoneMeta(nameToKey(parseName(ZONE)))!.serial;
    const nodes = [1, 2, 3, 4, 5].map((i) => change(`k8s:Node//n${i}`, [a('www.k8s.test.', `198.51.100.${i}`), a(`n${i}.k8s.test.`, `198.51.100.${i}`)]));
    await sink.apply(batch(nodes));
    const failed = [...new Set(outcomes.flat().filter((o) => o.failed.length > 0).map((o) => o.change.owner))].sort();
    assert.deepEqual(failed, ['k8s:Node//n4', 'k8s:Node//n5'].sort());
    assert.match(outcomes.flat().find((o) => o.failed.length > 0)!.failed[0]!, /k8s\.test\.: .*3/);
    assert.equal(rrs().filter((l) => l.startsWith('www.')).length, 3);
    assert.ok(rrs().includes('n3.k8s.test. A 198.51.100.3 k8s:Node//n3'));
    assert.ok(!rrs().some((l) => l.startsWith('n4.')), 'an isolated object\'s records go in together or not at all');
    assert.ok(store.zoneMeta(nameToKey(parseName(ZONE)))!.serial - serialBefore <= 3, 'a few commits, not one per object');
    assert.equal(sink.conflicted, 2);
    // one node leaves: the next batch lets a waiting one in
    await sink.apply(batch([change('k8s:Node//n1', [], true)]));
    assert.equal(rrs().filter((l) => l.startsWith('www.')).length, 3);
    assert.equal(sink.conflicted, 1);
    assert.equal([...store.journal(zoneId)].length > 0, true);
  });
});
