import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameToKey, nameToText, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { KeyStore } from '../../zones/store/key-store.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { exportZone } from '../../server/admin/export.js';
import { signTable } from '../../dnssec/bulk-sign.js';
import { initialKeys } from '../../dnssec/initial-keys.js';
import { keyFromPkcs8 } from '../../dnssec/keys.js';
import { rrsigFields, verifyRRsig } from '../../dnssec/rrsig.js';
import { createSignStage, type ZonePolicy } from '../../dnssec/sign-stage.js';
import { closeSignPool, signPoolFor, useSignPool } from '../../dnssec/sign-pool.js';
import { ZoneSigner } from '../../dnssec/zone-signer.js';
import { requireTool } from '../helpers/tools.js';

/**
 * Whole-zone signing on a pool of threads gives the zone one thread gives: the same records, the
 * same RRsets signed by the same keys in the same order, the same chain — and signatures that
 * verify (ECDSA signatures differ from run to run, and so do the jittered expiries). The zone is
 * big enough for many batches, with records larger than most (long TXT), a delegation with glue
 * and a DS, empty non-terminals and a wildcard.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ZONE_FILE = join(here, '../../../test/differential/zones/example.test.zone');
const ORIGIN_TEXT = 'example.test.';
const ORIGIN = parseName(ORIGIN_TEXT);
const NOW = Math.floor(Date.now() / 1000);
const NAMES = 3000;

after(() => closeSignPool());

function policy(overrides: Partial<ZonePolicy> = {}): ZonePolicy {
  return {
    algorithm: 'ecdsap256sha256', keys: 'csk', cds: true, rrsigValidity: 14 * 86400, rrsigRefresh: 7 * 86400, dnskeyTtl: 3600,
    denial: 'nsec', nsec3: { iterations: 0, saltLength: 0, optOut: false }, ...overrides,
  };
}

/** The example zone plus NAMES generated names: A, AAAA, TXT of up to 2,000 octets, one label deeper under ENTs. */
function bigTable(): RecordTable {
  const loaded = loadZoneFile(ZONE_FILE, ORIGIN);
  assert.ok(loaded.ok);
  const table = RecordTable.fromRecords(loaded.records);
  for (let i = 0; i < NAMES; i++) {
    const owner = parseName(i % 4 === 3 ? `h${i}.ent${i % 50}.${ORIGIN_TEXT}` : `h${i}.${ORIGIN_TEXT}`);
    table.add(owner, RRType.A, 3600, Uint8Array.of(198, 18, i >> 8, i & 255), 'gen', i);
    if (i % 3 === 0) table.add(owner, RRType.A, 3600, Uint8Array.of(198, 19, i >> 8, i & 255), 'gen', i);
    if (i % 5 === 0) table.add(owner, RRType.AAAA, 300, new Uint8Array(16).fill(i & 255), 'gen', i);
    if (i % 97 === 0) {
      const text = new Uint8Array(8 * 251);
      for (let s = 0; s < 8; s++) text[s * 251] = 250; // eight 250-octet strings
      table.add(owner, RRType.TXT, 60, text, 'gen', i);
    }
  }
  return table;
}

interface Rec { owner: string; type: number; ttl: number; rdata: Uint8Array }

function live(table: RecordTable): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < table.count; i++) {
    if (table.dropped[i] === 0) out.push({ owner: nameToText(table.owner(i)).toLowerCase(), type: table.type[i]!, ttl: table.ttl[i]!, rdata: table.rdata(i) });
  }
  return out;
}

/** An RRSIG without its signature and expiry (both differ between two signings of the same data). */
function rrsigShape(r: Rec): string {
  const f = rrsigFields(r.rdata);
  return `${r.owner} ${r.ttl} ${f.typeCovered} ${f.algorithm} ${f.labels} ${f.originalTtl} ${f.inception} ${f.keyTag} ${nameToText(f.signer)} ${f.signature.length}`;
}

function signCopy(p: ZonePolicy, keys: ReturnType<typeof initialKeys>): { records: Rec[]; signatures: number } {
  const table = bigTable();
  const soa = live(table).find((r) => r.type === RRType.SOA)!.rdata;
  const signer = new ZoneSigner(ORIGIN, keys, p, NOW);
  const { signatures } = signTable(table, nameToKey(ORIGIN), signer, soa);
  return { records: live(table), signatures };
}

for (const variant of [
  { name: 'NSEC, CSK, P-256', p: policy() },
  { name: 'NSEC3, KSK+ZSK, Ed25519', p: policy({ denial: 'nsec3', keys: 'ksk+zsk', algorithm: 'ed25519' }) },
]) {
  test(`sign pool: ${variant.name}: the same zone as one thread, every signature valid`, async () => {
    const keys = initialKeys(variant.p, NOW);
    await closeSignPool();
    const alone = signCopy(variant.p, keys);
    useSignPool(2, 0);
    const pooled = signCopy(variant.p, keys);
    await closeSignPool();

    assert.equal(pooled.signatures, alone.signatures);
    assert.equal(pooled.records.length, alone.records.length);
    const dnskeys = new Map(keys.map((k) => { const key = keyFromPkcs8(k.pkcs8, k.algorithm, k.flags); return [key.keyTag, key.dnskey]; }));
    const sets = new Map<string, Uint8Array[]>();
    for (const r of pooled.records) {
      if (r.type === RRType.RRSIG) continue;
      const id = `${r.owner}/${r.type}`;
      sets.set(id, [...(sets.get(id) ?? []), r.rdata]);
    }
    let verified = 0;
    for (let i = 0; i < alone.records.length; i++) {
      const a = alone.records[i]!;
      const b = pooled.records[i]!;
      assert.equal(b.type, a.type, `record ${i}: type`);
      if (a.type !== RRType.RRSIG) {
        assert.deepEqual([b.owner, b.ttl, Buffer.from(b.rdata).toString('hex')], [a.owner, a.ttl, Buffer.from(a.rdata).toString('hex')], `record ${i}`);
        continue;
      }
      assert.equal(rrsigShape(b), rrsigShape(a), `record ${i}: the same RRset signed by the same key`);
      const f = rrsigFields(b.rdata);
      const rdatas = sets.get(`${b.owner}/${f.typeCovered}`);
      assert.ok(rdatas, `${b.owner}: an RRSIG over a type it does not have`);
      assert.ok(verifyRRsig({ owner: parseName(b.owner), type: f.typeCovered, ttl: f.originalTtl, rdatas }, b.rdata, dnskeys.get(f.keyTag)!), `${b.owner} ${f.typeCovered}: signature verifies`);
      verified++;
    }
    assert.ok(verified > 2 * 2048, `signatures over several batches (${verified})`);
  });
}

test('sign pool: a commit signed on the pool passes dnssec-verify and ldns-verify-zone (NSEC3, P-256)', async () => {
  requireTool('dnssec-verify', 'bind9-utils');
  requireTool('ldns-verify-zone', 'ldnsutils');
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-sign-pool-'));
  const store = LmdbStore.open(join(dir, 'data'));
  useSignPool(2, 0);
  try {
    const p = policy({ denial: 'nsec3', nsec3: { iterations: 0, saltLength: 8, optOut: false } });
    const writer = new ZoneWriter(store);
    writer.registerStage('sign', createSignStage({ policyFor: () => p, keys: new KeyStore(store), now: () => NOW }));
    writer.create(ORIGIN, { originText: ORIGIN_TEXT, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file').content(bigTable()).commit();
    const text = exportZone(store, store.zoneMeta(nameToKey(ORIGIN))!);
    const file = join(dir, 'signed.zone');
    writeFileSync(file, text);
    assert.match(text, /\tNSEC3PARAM\t/);
    try {
      execFileSync('dnssec-verify', ['-q', '-o', ORIGIN_TEXT, '-x', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`dnssec-verify refused the zone:\n${String((e as { stderr?: string }).stderr)}`);
    }
    const at = new Date(NOW * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    try {
      execFileSync('ldns-verify-zone', ['-t', at, file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`ldns-verify-zone refused the zone:\n${String((e as { stdout?: string }).stdout)}${String((e as { stderr?: string }).stderr)}`);
    }
  } finally {
    await closeSignPool();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sign pool: only where the process asked for one, and only for zones big enough', async () => {
  await closeSignPool();
  assert.equal(signPoolFor(1_000_000), undefined, 'no pool unless the process asked (the server thread signs alone)');
  useSignPool(1);
  assert.equal(signPoolFor(1_000_000), undefined, 'one thread: no pool');
  useSignPool(2, 5000);
  assert.equal(signPoolFor(4999), undefined, 'a small zone is signed by the calling thread');
  assert.equal(signPoolFor(5000)?.threads, 2);
  assert.throws(() => useSignPool(0), /positive integer/);
  await closeSignPool();
});
