import { DEFAULT_LIMITS } from '../../zones/limits.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyToName, nameToKey, nameToText, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { DiffRR } from '../../zones/diff.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { applyZoneFile } from '../../zones/import/zone-file-apply.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';

/**
 * One store battery (hickory `basic_battery!` habit) run against every write path: a zone file's
 * first load, a zone file reloaded over a smaller version (reconcile + incremental commit), API
 * creation with its first content, an AXFR-in replacing other content, and a series of diffs. Each
 * must leave the same nodes, flags, empty non-terminals, provenance and index by source; a
 * follow-up change must then journal the same difference on every one of them.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ZONE_FILE = join(here, '../../../test/differential/zones/example.test.zone');
const ORIGIN_TEXT = 'example.test.';
const ORIGIN = parseName(ORIGIN_TEXT);
const APEX = nameToKey(ORIGIN);
const SOURCE = 'file:example.test.zone';

const full = loadZoneFile(ZONE_FILE, ORIGIN);
assert.ok(full.ok, 'the differential zone loads');
const records: DiffRR[] = full.records;
const head = records.filter((rr) => nameToKey(rr.owner).equals(APEX) && (rr.type === RRType.SOA || rr.type === RRType.NS));

type Path = (writer: ZoneWriter, store: LmdbStore, dir: string) => void;

const newZone = { originText: ORIGIN_TEXT, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' } as const;

function loadFile(store: LmdbStore, writer: ZoneWriter, file: string): void {
  const stat = statSync(file);
  const outcome = applyZoneFile(store, writer, {
    origin: ORIGIN_TEXT, file, includeRoot: dirname(file), serialPolicy: 'increment', limits: DEFAULT_LIMITS,
    source: { file, mtimeMs: stat.mtimeMs, size: stat.size, sha256: 'x' },
  }, () => undefined);
  assert.ok(outcome.ok, JSON.stringify(outcome));
}

const paths: Record<string, Path> = {
  'zone file, first load (bulk)': (writer, store, dir) => {
    const file = join(dir, 'example.test.zone');
    copyFileSync(ZONE_FILE, file);
    loadFile(store, writer, file);
  },
  'zone file reloaded over a smaller version (reconcile, incremental)': (writer, store, dir) => {
    const file = join(dir, 'example.test.zone');
    const text = readFileSync(ZONE_FILE, 'utf8');
    // the first version: every line up to the first A record (SOA, NS, MX, TXT, CAA), plus one record that goes
    const cut = text.indexOf('\nns1 ');
    writeFileSync(file, `${text.slice(0, cut)}\ngone-later IN A 192.0.2.254\n`);
    loadFile(store, writer, file);
    writeFileSync(file, text);
    loadFile(store, writer, file);
  },
  'API create with first content': (writer) => {
    const update = writer.create(ORIGIN, newZone, SOURCE);
    for (const rr of records) update.add(rr);
    update.commit();
  },
  'AXFR-in replacing other content': (writer) => {
    const other = [...head, { owner: parseName('old.example.test.'), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 9) }];
    writer.create(ORIGIN, { ...newZone, kind: 'secondary' }, SOURCE).content(RecordTable.fromRecords(other)).commit();
    writer.begin(ORIGIN, SOURCE, 'secondary').replace(RecordTable.fromRecords(records)).commit();
  },
  'a series of diffs (incremental)': (writer) => {
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords(head)).commit();
    const rest = records.filter((rr) => !head.includes(rr));
    for (let i = 0; i < rest.length; i += 17) writer.commitDiff(APEX, { source: SOURCE, remove: [], add: rest.slice(i, i + 17) });
  },
};

/** Every node as "flags | type/ttl: rdata@owner names", the apex SOA's serial blanked. */
function dump(store: LmdbStore): Map<string, string> {
  const meta = store.zoneMeta(APEX)!;
  const out = new Map<string, string>();
  for (const { nameKey, node } of store.zoneNodes(meta.id)) {
    const sets = node.rrsets.map((s) => `${s.type}/${s.ttl}: ` + s.rrs.map((r) =>
      `${s.type === RRType.SOA ? 'soa' : Buffer.from(r.rdata).toString('hex')}@${r.owners.map((o) => store.sourceName(o)).join(',')}`).join(' '));
    out.set(nameToText(keyToName(nameKey)), `${node.flags} | ${sets.join(' | ')}`);
  }
  return out;
}

/** What the index by source says the source owns, as sorted text. */
function owned(store: LmdbStore): string[] {
  const meta = store.zoneMeta(APEX)!;
  return [...store.ownedBy(meta.id, SOURCE)]
    .map((rr) => `${nameToText(rr.owner)} ${rr.type} ${rr.ttl} ${rr.type === RRType.SOA ? 'soa' : Buffer.from(rr.rdata).toString('hex')}`)
    .sort();
}

const followUp = {
  source: SOURCE,
  remove: [records.find((rr) => rr.type === RRType.AAAA)!],
  add: [{ owner: parseName('new.deep.example.test.'), type: RRType.TXT, ttl: 300, rdata: Uint8Array.of(2, 104, 105) }],
};

interface Outcome {
  nodes: Map<string, string>;
  owned: string[];
  records: number;
  journal: string[];
}

async function run(path: Path): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-battery-'));
  const store = LmdbStore.open(join(dir, 'data'));
  try {
    const writer = new ZoneWriter(store);
    path(writer, store, dir);
    const nodes = dump(store);
    const before = owned(store);
    const recordCount = store.zoneMeta(APEX)!.records;
    const result = writer.commitDiff(APEX, followUp);
    assert.equal(result.changed, true);
    const entries = [...store.journal(store.zoneMeta(APEX)!.id)];
    const last = entries[entries.length - 1]!;
    // the SOA records (first of each list) carry path-dependent serials
    const rr = ([o, t, ttl, r]: [Uint8Array, number, number, Uint8Array]) => `${nameToText(o)} ${t} ${ttl} ${Buffer.from(r).toString('hex')}`;
    const journal = [...last.removed.slice(1).map((x) => `- ${rr(x)}`), ...last.added.slice(1).map((x) => `+ ${rr(x)}`)];
    return { nodes, owned: before, records: recordCount, journal };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every write path stores the same nodes, flags, ENTs, provenance, index and journal', async (t) => {
  const outcomes = new Map<string, Outcome>();
  for (const [name, path] of Object.entries(paths)) outcomes.set(name, await run(path));
  const [referenceName, reference] = [...outcomes.entries()][0]!;
  // the reference itself: every record of the file is stored and indexed, ENTs are there
  assert.equal(reference.records, records.length);
  assert.equal(reference.owned.length, records.length);
  assert.ok([...reference.nodes.values()].some((v) => v.endsWith('| ')), 'the zone has empty non-terminals');
  assert.deepEqual(reference.journal, [
    `- ${nameToText(followUp.remove[0]!.owner)} ${RRType.AAAA} ${followUp.remove[0]!.ttl} ${Buffer.from(followUp.remove[0]!.rdata).toString('hex')}`,
    `+ new.deep.example.test. ${RRType.TXT} 300 026869`,
  ]);
  for (const [name, outcome] of outcomes) {
    if (name === referenceName) continue;
    await t.test(name, () => {
      assert.deepEqual(outcome.nodes, reference.nodes);
      assert.deepEqual(outcome.owned, reference.owned);
      assert.equal(outcome.records, reference.records);
      assert.deepEqual(outcome.journal, reference.journal);
    });
  }
});

test('a failed commit leaves nothing: no zone, no provenance id, no index entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-battery-'));
  const store = LmdbStore.open(join(dir, 'data'));
  try {
    const writer = new ZoneWriter(store);
    const update = writer.create(ORIGIN, newZone, 'api:new-source');
    // no SOA: the checks stage refuses it inside the transaction that created the zone
    update.add({ owner: parseName('www.example.test.'), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) });
    assert.throws(() => update.commit(), { code: 'MESHDNS_ERR_NO_SOA' });
    assert.equal(store.zoneMeta(APEX), undefined);
    assert.equal(store.sourceId('api:new-source'), undefined);
    assert.equal(store.allZones().length, 0);
    // and an existence check happens inside the transaction: a second create of the same zone fails there
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords(head)).commit();
    assert.throws(() => writer.create(ORIGIN, newZone, SOURCE).commit(), { code: 'MESHDNS_ERR_ZONE_EXISTS' });
    assert.equal(store.allZones().length, 1);
    // whole content for a zone that has some already goes in as a diff, and is checked the same way
    const outside = { owner: parseName('www.elsewhere.test.'), type: RRType.A, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 1) };
    assert.throws(() => writer.begin(ORIGIN, SOURCE).content(RecordTable.fromRecords([outside])).commit(), { code: 'MESHDNS_ERR_OUT_OF_ZONE' });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('deleting a zone removes its nodes, journal and index entries in one commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-battery-'));
  const store = LmdbStore.open(join(dir, 'data'));
  try {
    const writer = new ZoneWriter(store);
    writer.create(ORIGIN, newZone, SOURCE).content(RecordTable.fromRecords(records)).commit();
    const id = store.zoneMeta(APEX)!.id;
    writer.commitDiff(APEX, followUp);
    const result = writer.begin(ORIGIN, 'api').deleteZone().commit();
    assert.equal(result.deleted, true);
    assert.equal(store.zoneMeta(APEX), undefined);
    assert.equal([...store.zoneNodes(id)].length, 0);
    assert.equal([...store.journal(id)].length, 0);
    assert.equal([...store.ownedBy(id, SOURCE)].length, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
