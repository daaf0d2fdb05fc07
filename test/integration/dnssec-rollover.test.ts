import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { nameToKey, parseName } from '../../zones/name.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { KeyStore } from '../../zones/store/key-store.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { exportZone } from '../../server/admin/export.js';
import { attachSigning } from '../../dnssec/sign-stage.js';
import type { DnssecPolicy } from '../../dnssec/policy.js';
import { DnssecDriver } from '../../server/dnssec/driver.js';
import { ControlCounters } from '../../server/metrics/counters.js';
import { requireTool } from '../helpers/tools.js';

/**
 * Rollovers driven by a clock the test moves, through the real key store, sign stage and driver:
 * at every step the zone as it would be transferred passes dnssec-verify and ldns-verify-zone;
 * the rolls end with the new key signing and the old one gone, and a driver made again from the
 * store in the middle of a roll (a restart) carries it on.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ZONE_FILE = join(here, '../../../test/differential/zones/example.test.zone');
const ORIGIN_TEXT = 'example.test.';
const ORIGIN = parseName(ORIGIN_TEXT);
const DAY = 86400;
// the clock starts in the past so every signature made during the test is valid now, when
// dnssec-verify (which has no clock of its own to set) looks at it
const START = Math.floor(Date.now() / 1000) - 40 * DAY;

function basePolicy(overrides: Partial<DnssecPolicy>): DnssecPolicy {
  return {
    name: 'test', algorithm: 'ecdsap256sha256', keys: 'ksk+zsk', zskLifetime: 5 * DAY, kskLifetime: 0,
    rrsigValidity: 60 * DAY, rrsigRefresh: 20 * DAY, denial: 'nsec', nsec3: { iterations: 0, saltLength: 0, optOut: false },
    dnskeyTtl: 3600, cds: true, propagationDelay: 600, parentDsTtl: 3600, ...overrides,
  };
}

interface World {
  store: LmdbStore;
  writer: ZoneWriter;
  keys: KeyStore;
  driver: DnssecDriver;
  clock: { now: number };
  dir: string;
}

async function withWorld(policy: () => DnssecPolicy | undefined, run: (w: World) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-roll-'));
  const store = LmdbStore.open(join(dir, 'data'));
  const clock = { now: START };
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' }, pino.destination({ fd: 2, sync: true }));
  const writer = new ZoneWriter(store);
  const keys = new KeyStore(store);
  const makeDriver = () => new DnssecDriver({ store, writer, keys, configuredPolicy: () => policy(), log, counters: new ControlCounters(), now: () => clock.now });
  const world: World = { store, writer, keys, driver: makeDriver(), clock, dir };
  attachSigning(writer, (origin) => world.driver.policyFor(origin), { now: () => clock.now });
  try {
    const loaded = loadZoneFile(ZONE_FILE, ORIGIN);
    assert.ok(loaded.ok);
    writer.create(ORIGIN, { originText: ORIGIN_TEXT, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file')
      .content(RecordTable.fromRecords(loaded.records)).commit();
    await run(world);
  } finally {
    await world.driver.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let checked = 0;
/** `csk`: dnssec-verify -z (the SEP flag says nothing about what a CSK signs; validators ignore it, RFC 4034 §2.1.1). */
function verify(w: World, step: string, csk = false): string {
  const meta = w.store.zoneMeta(nameToKey(ORIGIN))!;
  const file = join(w.dir, `step-${++checked}.zone`);
  const text = exportZone(w.store, meta);
  writeFileSync(file, text);
  const at = new Date(w.clock.now * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  try {
    execFileSync('dnssec-verify', ['-q', ...(csk ? ['-z'] : []), '-o', ORIGIN_TEXT, file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`${step}: dnssec-verify refused the zone:\n${String((e as { stderr?: string }).stderr)}\n${text}`);
  }
  try {
    execFileSync('ldns-verify-zone', ['-t', at, file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`${step}: ldns-verify-zone refused the zone:\n${String((e as { stdout?: string }).stdout)}${String((e as { stderr?: string }).stderr)}`);
  }
  return text;
}

/** Key tags of the RRSIGs over the SOA (the keys signing the zone data). */
function soaSigners(text: string): number[] {
  return [...text.matchAll(/\tRRSIG\tSOA \d+ \d+ \d+ \d+ \d+ (\d+) /g)].map((m) => Number(m[1])).sort();
}

async function advance(w: World, seconds: number, step = 1800): Promise<void> {
  for (let t = 0; t < seconds; t += step) {
    w.clock.now += step;
    await w.driver.runOnce();
  }
}

test('ZSK roll by pre-publication: every step verifies, the new ZSK signs, the old one goes', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  requireTool('ldns-verify-zone', 'ldnsutils');
  await withWorld(() => basePolicy({}), async (w) => {
    await w.driver.runOnce();
    const first = soaSigners(verify(w, 'start'));
    assert.equal(first.length, 1);
    const seen = new Set<string>();
    for (let day = 0; day < 16; day++) {
      await advance(w, DAY / 2, 3 * 3600);
      const text = verify(w, `day ${day / 2}`);
      seen.add(soaSigners(text).join(','));
    }
    const last = soaSigners(verify(w, 'end'));
    assert.notDeepEqual(last, first, `a new ZSK signs after the roll (${[...seen].join(' → ')})`);
    const zsks = w.keys.list(ORIGIN_TEXT).filter((k) => k.role === 'zsk');
    assert.ok(!zsks.some((k) => k.keyTag === first[0] && (k.remove === undefined || k.remove > w.clock.now)), 'the old ZSK is out of the DNSKEY RRset');
  });
});

test('KSK roll waits for the DS at the parent (ds-seen), a restart mid-roll carries on, and each step verifies', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  await withWorld(() => basePolicy({ zskLifetime: 0, kskLifetime: 0 }), async (w) => {
    await w.driver.runOnce();
    const ksk = w.keys.list(ORIGIN_TEXT).find((k) => k.role === 'ksk')!;
    await w.driver.dsSeen(ORIGIN_TEXT); // the first DS went to the parent
    await advance(w, 3600, 3600);
    await w.driver.roll(ORIGIN_TEXT, 'ksk');
    await advance(w, DAY, 3600);
    verify(w, 'new KSK published');
    const status = w.driver.status(ORIGIN_TEXT)!;
    assert.ok(status.waitingFor.some((x) => /DS/i.test(x)), `waits for the DS: ${JSON.stringify(status)}`);
    assert.ok(w.keys.list(ORIGIN_TEXT).some((k) => k.keyTag === ksk.keyTag && k.remove === undefined), 'the old KSK stays while the DS is not seen');
    // a restart: a new driver from what LMDB holds
    await w.driver.close();
    w.driver = new DnssecDriver({ store: w.store, writer: w.writer, keys: w.keys, configuredPolicy: () => basePolicy({ zskLifetime: 0, kskLifetime: 0 }), log: pino({ level: 'silent' }), counters: new ControlCounters(), now: () => w.clock.now });
    await w.driver.dsSeen(ORIGIN_TEXT);
    await advance(w, 3 * DAY, 3600);
    const text = verify(w, 'after the roll');
    assert.ok(!w.keys.list(ORIGIN_TEXT).some((k) => k.keyTag === ksk.keyTag), 'the old KSK is gone');
    assert.doesNotMatch(text, new RegExp(`\\tDNSKEY\\t257 .*\\n[^\\n]*\\tRRSIG\\tDNSKEY \\d+ \\d+ \\d+ \\d+ \\d+ ${ksk.keyTag} `));
  });
});

test('signing turned off goes insecure: CDS/CDNSKEY DELETE first, then no DNSSEC records', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  let policy: DnssecPolicy | undefined = basePolicy({ zskLifetime: 0 });
  await withWorld(() => policy, async (w) => {
    await w.driver.runOnce();
    await w.driver.dsSeen(ORIGIN_TEXT);
    policy = undefined;
    await advance(w, 3600, 1800);
    const deleting = verify(w, 'going insecure');
    assert.match(deleting, /\tCDS\t0 0 0 00/);
    assert.match(deleting, /\tCDNSKEY\t0 3 0 AA==/);
    // the parent removed the DS: the operator says so (keys ds-seen); the plan then waits out the TTLs
    await w.driver.dsSeen(ORIGIN_TEXT);
    await advance(w, 4 * DAY, 3 * 3600);
    const meta = w.store.zoneMeta(nameToKey(ORIGIN))!;
    const text = exportZone(w.store, meta);
    assert.doesNotMatch(text, /\t(RRSIG|NSEC|DNSKEY|CDS|CDNSKEY)\t/, 'every DNSSEC record is gone');
    assert.equal(w.keys.list(ORIGIN_TEXT).length, 0);
  });
});

test('algorithm rollover (P-256 to Ed25519, RFC 6781 §4.1.4 order) and a CSK roll: every step verifies', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  requireTool('ldns-verify-zone', 'ldnsutils');
  let policy = basePolicy({ keys: 'csk', zskLifetime: 0 });
  await withWorld(() => policy, async (w) => {
    await w.driver.runOnce();
    await w.driver.dsSeen(ORIGIN_TEXT);
    await advance(w, 3600, 3600);
    const before = w.keys.list(ORIGIN_TEXT);
    assert.deepEqual(before.map((k) => k.algorithm), [13]);
    // a CSK roll first
    await w.driver.roll(ORIGIN_TEXT, 'csk');
    for (let i = 0; i < 12; i++) {
      await advance(w, 4 * 3600, 3600);
      verify(w, `CSK roll step ${i}`, true);
      if (w.driver.status(ORIGIN_TEXT)!.waitingFor.some((x) => /DS/.test(x))) await w.driver.dsSeen(ORIGIN_TEXT);
    }
    const afterCsk = w.keys.list(ORIGIN_TEXT);
    assert.ok(!afterCsk.some((k) => k.id === before[0]!.id), 'the old CSK is gone after its roll');
    // then the policy changes algorithm
    policy = basePolicy({ keys: 'csk', zskLifetime: 0, algorithm: 'ed25519' });
    const algorithmsSeen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      await advance(w, 4 * 3600, 3600);
      const text = verify(w, `algorithm roll step ${i}`, true);
      algorithmsSeen.add([...new Set([...text.matchAll(/\tRRSIG\tSOA (\d+) /g)].map((m) => m[1]))].sort().join('+'));
      if (w.driver.status(ORIGIN_TEXT)!.waitingFor.some((x) => /DS/.test(x))) await w.driver.dsSeen(ORIGIN_TEXT);
    }
    const after = w.keys.list(ORIGIN_TEXT);
    assert.deepEqual([...new Set(after.map((k) => k.algorithm))], [15], `only Ed25519 keys remain (${[...algorithmsSeen].join(' → ')})`);
    assert.ok(algorithmsSeen.has('13+15'), `both algorithms signed the zone during the roll (${[...algorithmsSeen].join(' → ')})`);
  });
});

test('keys lost from LMDB: the next change is refused and the last signed version keeps answering', async () => {
  await withWorld(() => basePolicy({ zskLifetime: 0 }), async (w) => {
    await w.driver.runOnce();
    const apexKey = nameToKey(ORIGIN);
    const serial = w.store.zoneMeta(apexKey)!.serial;
    w.keys.write(ORIGIN_TEXT, [], w.keys.list(ORIGIN_TEXT).map((k) => k.id));
    assert.throws(() => w.writer.begin(ORIGIN, 'api').add({ owner: parseName('new.example.test.'), type: 1, ttl: 60, rdata: Uint8Array.of(192, 0, 2, 9) }).commit(),
      /keys are missing from the key store/);
    assert.equal(w.store.zoneMeta(apexKey)!.serial, serial, 'nothing was committed');
    assert.match(exportZone(w.store, w.store.zoneMeta(apexKey)!), /\tDNSKEY\t/, 'the signed version is still there');
  });
});

test('KSK roll with parentDsCheck: the plan moves on when the parent serves the new DS, not before', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  const policy = basePolicy({ zskLifetime: 0, parentDsCheck: { addresses: ['127.0.0.1:53'], interval: 600 } });
  const parent = { tags: [] as number[] };
  await withWorld(() => policy, async (w) => {
    await w.driver.close();
    w.driver = new DnssecDriver({
      store: w.store, writer: w.writer, keys: w.keys, configuredPolicy: () => policy, log: pino({ level: 'silent' }),
      counters: new ControlCounters(), now: () => w.clock.now, parentDs: async () => parent.tags,
    });
    await w.driver.runOnce();
    const first = w.keys.list(ORIGIN_TEXT).find((k) => k.role === 'ksk')!;
    parent.tags = [first.keyTag]; // the registrar published the first DS
    await advance(w, 3600, 1200);
    assert.ok(w.keys.get(ORIGIN_TEXT, first.id)!.dsSeen !== undefined, 'the first DS is seen by the parent check');
    await w.driver.roll(ORIGIN_TEXT, 'ksk');
    await advance(w, 2 * DAY, 1800);
    const next = w.keys.list(ORIGIN_TEXT).find((k) => k.role === 'ksk' && k.id !== first.id)!;
    assert.equal(next.dsSeen, undefined, 'the new DS is not at the parent yet');
    assert.ok(w.keys.get(ORIGIN_TEXT, first.id) !== undefined, 'so the old KSK stays');
    parent.tags = [first.keyTag, next.keyTag];
    await advance(w, 3 * DAY, 1800);
    parent.tags = [next.keyTag];
    await advance(w, 3 * DAY, 1800);
    verify(w, 'after the parent-checked roll');
    assert.equal(w.keys.get(ORIGIN_TEXT, first.id), undefined, 'the old KSK is gone once the parent serves only the new DS');
  });
});
