import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameToKey, parseName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { loadZoneFile } from '../../zones/import/zone-source.js';
import { KeyStore } from '../../zones/store/key-store.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { exportZone } from '../../server/admin/export.js';
import { createSignStage, type ZonePolicy } from '../../dnssec/sign-stage.js';
import { requireTool } from '../helpers/tools.js';
import { rdataFromText } from '../../zones/rdata/index.js';

/**
 * The sign stage inside real commits: a zone's first load is signed whole, then each incremental
 * commit (names added and removed, an RRset changed, a delegation added and removed, a wildcard)
 * leaves a zone that BIND's dnssec-verify and ldns-verify-zone accept — signatures and the
 * NSEC/NSEC3 chain patched at the neighbours only.
 */
const here = dirname(fileURLToPath(import.meta.url));
const ZONE_FILE = join(here, '../../../test/differential/zones/example.test.zone');
const ORIGIN_TEXT = 'example.test.';
const ORIGIN = parseName(ORIGIN_TEXT);
const NOW = Math.floor(Date.now() / 1000);

function policy(overrides: Partial<ZonePolicy> = {}): ZonePolicy {
  return {
    algorithm: 'ecdsap256sha256', keys: 'csk', cds: true, rrsigValidity: 14 * 86400, rrsigRefresh: 7 * 86400, dnskeyTtl: 3600,
    denial: 'nsec', nsec3: { iterations: 0, saltLength: 0, optOut: false }, ...overrides,
  };
}

function verify(store: LmdbStore, dir: string, step: string): string {
  const meta = store.zoneMeta(nameToKey(ORIGIN))!;
  const file = join(dir, `${step.replace(/\W+/g, '-')}.zone`);
  const text = exportZone(store, meta);
  writeFileSync(file, text);
  const at = new Date(NOW * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  try {
    execFileSync('dnssec-verify', ['-q', '-o', ORIGIN_TEXT, '-x', file], { encoding: 'utf8', stdio: 'pipe' });
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

const rr = (owner: string, type: number, text: string, ttl = 3600) => ({
  owner: parseName(owner), type, ttl,
  rdata: rdataFromText(type, text.split(' ').map((value) => ({ value, quoted: false })), { origin: ORIGIN }),
});

for (const variant of [
  { name: 'NSEC, CSK, P-256', p: policy() },
  { name: 'NSEC3, KSK+ZSK, Ed25519', p: policy({ denial: 'nsec3', keys: 'ksk+zsk', algorithm: 'ed25519' }) },
  { name: 'NSEC3 opt-out, CSK, RSA', p: policy({ denial: 'nsec3', algorithm: 'rsasha256', keySize: 2048, nsec3: { iterations: 0, saltLength: 8, optOut: true } }) },
]) {
  test(`sign stage: ${variant.name}: first load and every incremental commit verify`, async () => {
    requireTool('dnssec-verify', 'bind9-utils');
    requireTool('ldns-verify-zone', 'ldnsutils');
    const dir = mkdtempSync(join(tmpdir(), 'meshdns-sign-'));
    const store = LmdbStore.open(join(dir, 'data'));
    try {
      const writer = new ZoneWriter(store);
      const keys = new KeyStore(store);
      let signed = 0;
      writer.registerStage('sign', createSignStage({ policyFor: () => variant.p, keys, now: () => NOW, onSigned: (e) => { signed += e.signatures; } }));
      const loaded = loadZoneFile(ZONE_FILE, ORIGIN);
      assert.ok(loaded.ok);
      writer.create(ORIGIN, { originText: ORIGIN_TEXT, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'file')
        .content(RecordTable.fromRecords(loaded.records)).commit();
      assert.ok(signed > 50, `first load signed (${signed} signatures)`);
      assert.equal(keys.list(ORIGIN_TEXT).length, variant.p.keys === 'csk' ? 1 : 2);
      let text = verify(store, dir, 'first load');
      assert.match(text, variant.p.denial === 'nsec' ? /\tNSEC\t/ : /\tNSEC3PARAM\t/);

      const apexKey = nameToKey(ORIGIN);
      const steps: [string, () => void][] = [
        ['add a name', () => writer.begin(ORIGIN, 'api').add(rr('new.example.test.', RRType.A, '192.0.2.200')).commit()],
        ['add a deep name (new empty non-terminals)', () => writer.begin(ORIGIN, 'api').add(rr('a.b.c.example.test.', RRType.TXT, 'deep')).commit()],
        ['change an RRset', () => writer.begin(ORIGIN, 'api').add(rr('new.example.test.', RRType.A, '192.0.2.201')).add(rr('new.example.test.', RRType.AAAA, '2001:db8::201')).commit()],
        ['remove a name', () => writer.begin(ORIGIN, 'api').removeName(parseName('new.example.test.')).commit()],
        ['remove the deep name (its ENTs go)', () => writer.begin(ORIGIN, 'api').removeName(parseName('a.b.c.example.test.')).commit()],
        ['add an insecure delegation with glue', () => writer.begin(ORIGIN, 'api')
          .add(rr('deleg.example.test.', RRType.NS, 'ns.deleg.example.test.')).add(rr('ns.deleg.example.test.', RRType.A, '192.0.2.53')).commit()],
        ['secure it with a DS', () => writer.begin(ORIGIN, 'api').add(rr('deleg.example.test.', RRType.DS, '12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF')).commit()],
        ['remove the delegation', () => writer.begin(ORIGIN, 'api').removeName(parseName('deleg.example.test.')).removeName(parseName('ns.deleg.example.test.')).commit()],
        ['add a wildcard', () => writer.begin(ORIGIN, 'api').add(rr('*.wild.example.test.', RRType.A, '192.0.2.42')).commit()],
        ['an RRSIG from a source is dropped', () => writer.begin(ORIGIN, 'api')
          .add(rr('www.example.test.', RRType.RRSIG, 'A 13 3 3600 20300101000000 20200101000000 1 example.test. AAAA')).commit()],
        ['re-sign everything', () => writer.begin(ORIGIN, 'dnssec').resign('all').commit()],
      ];
      for (const [step, change] of steps) {
        const before = store.zoneMeta(apexKey)!.serial;
        change();
        assert.ok(store.zoneMeta(apexKey)!.serial !== before, `${step}: a new serial`);
        text = verify(store, dir, step);
      }
      assert.doesNotMatch(text, /20300101000000/, 'the RRSIG a source added is not served');
      // IXFR: the journal carries the signature changes of each step
      const journal = [...store.journal(store.zoneMeta(apexKey)!.id)];
      assert.ok(journal.some((entry) => entry.added.some((x) => x[1] === RRType.RRSIG)), 'journal holds RRSIG additions');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
