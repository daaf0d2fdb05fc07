// Interop of dnssec/ with BIND and ldns: key files, key tags, DNSKEY and DS against dnssec-keygen and
// dnssec-dsfromkey; zones signed with signRRset checked by dnssec-verify and ldns-verify-zone; zones
// signed by dnssec-signzone and ldns-signzone checked with verifyRRsig and nsec3Hash.
// A missing tool fails the test with the Debian package to install; it never skips.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DnssecAlgorithm } from '../../dnssec/algorithm.js';
import { formatBindKeyFiles, importedToKey, parseBindKeyFiles, type ImportedKey } from '../../dnssec/bind-key-file.js';
import { dsRdata } from '../../dnssec/ds.js';
import { generateKey, type DnssecKey } from '../../dnssec/keys.js';
import { base32hex, nsec3Hash } from '../../dnssec/nsec3-hash.js';
import { nsec3Fields } from '../../dnssec/records.js';
import { rrsigFields, signRRset, verifyRRsig } from '../../dnssec/rrsig.js';
import { isInZone, nameEquals, nameToKey, nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';
import { APEX, groupRRsets, signTestZone, unsignedRRsets, unsignedZoneText, ZONE, zoneFileText, type TestRRset } from '../helpers/dnssec-zone.js';
import { requireTool } from '../helpers/tools.js';

const ALGORITHMS = [
  { name: 'ECDSAP256SHA256', number: DnssecAlgorithm.ECDSAP256SHA256 },
  { name: 'ED25519', number: DnssecAlgorithm.ED25519 },
  { name: 'RSASHA256', number: DnssecAlgorithm.RSASHA256 },
] as const;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function tool(cmd: string, args: string[], cwd: string, pkg: string): Run {
  requireTool(cmd, pkg);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** "example.test. IN DS 7795 13 2 44C8..." → "7795 13 2 44c8..." (whitespace and case normalised). */
function dsText(line: string): string {
  const m = /\sDS\s+(.*)$/.exec(line.trim());
  assert.ok(m, `no DS in "${line}"`);
  return m[1]!.replace(/\s+/g, '').toLowerCase();
}

function ourDsText(owner: Uint8Array, dnskey: Uint8Array, digest: 2 | 4): string {
  return rdataToText(RRType.DS, dsRdata(owner, dnskey, digest)).replace(/\s+/g, '').toLowerCase();
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-dnssec-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function keygen(cwd: string, algorithm: string, ksk: boolean): string {
  const args = ['-K', cwd, '-a', algorithm, ...(algorithm === 'RSASHA256' ? ['-b', '2048'] : []), ...(ksk ? ['-f', 'KSK'] : []), '-n', 'ZONE', 'example.test'];
  return ok(tool('dnssec-keygen', args, cwd, 'bind9-utils'), 'dnssec-keygen').trim();
}

function readKey(cwd: string, base: string): ImportedKey {
  return parseBindKeyFiles(readFileSync(join(cwd, `${base}.key`), 'utf8'), readFileSync(join(cwd, `${base}.private`), 'utf8'));
}

describe('BIND key files (dnssec-keygen, dnssec-dsfromkey)', () => {
  for (const alg of ALGORITHMS) {
    for (const ksk of [false, true]) {
      it(`${alg.name} ${ksk ? 'KSK' : 'ZSK'}: key tag, DNSKEY and DS equal BIND's; our files read back in BIND`, () => {
        const cwd = mkdtempSync(join(dir, 'keygen-'));
        const base = keygen(cwd, alg.name, ksk);
        const imported = readKey(cwd, base);
        const m = /^Kexample\.test\.\+(\d{3})\+(\d{5})$/.exec(base);
        assert.ok(m, `unexpected key file name ${base}`);
        assert.equal(imported.algorithm, alg.number);
        assert.equal(imported.flags, ksk ? 257 : 256);
        assert.equal(imported.keyTag, Number(m[2]));
        assert.ok(nameEquals(imported.zone, APEX));
        assert.ok(imported.timing.created !== undefined && imported.timing.activate !== undefined);

        const parsed = parseZoneText(readFileSync(join(cwd, `${base}.key`), 'utf8'), { origin: APEX, file: `${base}.key`, defaultTtl: 3600 });
        assert.deepEqual(parsed.problems, []);
        assert.equal(parsed.records.length, 1);
        assert.deepEqual(Buffer.from(imported.dnskey), Buffer.from(parsed.records[0]!.rdata));

        const keyFile = join(cwd, `${base}.key`);
        const bind256 = ok(tool('dnssec-dsfromkey', ['-2', keyFile], cwd, 'bind9-utils'), 'dnssec-dsfromkey -2');
        const bind384 = ok(tool('dnssec-dsfromkey', ['-a', 'SHA-384', keyFile], cwd, 'bind9-utils'), 'dnssec-dsfromkey -a SHA-384');
        assert.equal(ourDsText(imported.zone, imported.dnskey, 2), dsText(bind256));
        assert.equal(ourDsText(imported.zone, imported.dnskey, 4), dsText(bind384));

        // export → BIND reads our .key and gives the same DS; import again → the same key signs
        const key = importedToKey(imported);
        const files = formatBindKeyFiles(imported.zone, key, imported.pkcs8, imported.timing);
        assert.equal(files.baseName, base);
        const out = mkdtempSync(join(dir, 'export-'));
        writeFileSync(join(out, `${files.baseName}.key`), files.key);
        writeFileSync(join(out, `${files.baseName}.private`), files.private);
        const again = ok(tool('dnssec-dsfromkey', ['-2', join(out, `${files.baseName}.key`)], out, 'bind9-utils'), 'dnssec-dsfromkey on our file');
        assert.equal(dsText(again), dsText(bind256));
        const reimported = readKey(out, files.baseName);
        assert.deepEqual(reimported.timing, imported.timing);
        assert.deepEqual(Buffer.from(reimported.dnskey), Buffer.from(imported.dnskey));
        const set = { owner: parseName('www.example.test.'), type: RRType.A, ttl: 300, rdatas: [Uint8Array.of(192, 0, 2, 1)] };
        const now = 1_796_600_000;
        for (const signer of [key, importedToKey(reimported)]) {
          const sig = signRRset(set, APEX, signer, now, now + 86400);
          assert.ok(verifyRRsig(set, sig, imported.dnskey));
          assert.ok(verifyRRsig(set, sig, reimported.dnskey));
        }
      });
    }
  }
});

describe('Knot keymgr reads our key files', () => {
  for (const alg of ALGORITHMS) {
    it(`${alg.name}: keymgr import-bind takes our files; its DNSKEY, DS (SHA-256, SHA-384) and timing equal ours`, () => {
      const cwd = mkdtempSync(join(dir, 'keymgr-'));
      const { key, pkcs8 } = generateKey(alg.number, 257);
      const timing = { created: 1_796_000_000, publish: 1_796_000_100, activate: 1_796_000_200 };
      const files = formatBindKeyFiles(APEX, key, pkcs8, timing);
      writeFileSync(join(cwd, `${files.baseName}.key`), files.key);
      writeFileSync(join(cwd, `${files.baseName}.private`), files.private);
      const kasp = ['-D', join(cwd, 'kasp'), 'example.test.'];
      ok(tool('keymgr', [...kasp, 'import-bind', join(cwd, files.baseName)], cwd, 'knot'), 'keymgr import-bind');
      const list = ok(tool('keymgr', [...kasp, 'list'], cwd, 'knot'), 'keymgr list');
      assert.match(list, new RegExp(` ${key.keyTag} KSK ${alg.name}(/2048)? publish=${timing.publish} active=${timing.activate}`));
      const dnskey = ok(tool('keymgr', [...kasp, 'dnskey', String(key.keyTag)], cwd, 'knot'), 'keymgr dnskey');
      assert.equal(dnskey.trim(), `example.test. DNSKEY ${rdataToText(RRType.DNSKEY, key.dnskey)}`);
      const ds = ok(tool('keymgr', [...kasp, 'ds', String(key.keyTag)], cwd, 'knot'), 'keymgr ds').trim().split('\n');
      assert.deepEqual(ds.map(dsText), [ourDsText(APEX, key.dnskey, 2), ourDsText(APEX, key.dnskey, 4)]);
    });
  }
});

function writeZone(name: string, sets: readonly TestRRset[]): string {
  const file = join(dir, name);
  writeFileSync(file, zoneFileText(sets));
  return file;
}

describe('zones signed with signRRset pass dnssec-verify and ldns-verify-zone', () => {
  for (const alg of ALGORITHMS) {
    const csk = generateKey(alg.number, 257).key;
    const ksk = generateKey(alg.number, 257).key;
    const zsk = generateKey(alg.number, 256).key;
    const setups: [string, { ksk: DnssecKey; zsk: DnssecKey }][] = [
      ['CSK', { ksk: csk, zsk: csk }],
      ['KSK+ZSK', { ksk, zsk }],
    ];
    for (const [setup, keys] of setups) {
      for (const denial of ['nsec', 'nsec3'] as const) {
        it(`${alg.name}, ${setup}, ${denial.toUpperCase()}`, () => {
          const file = writeZone(`signed-${alg.name}-${setup}-${denial}.zone`, signTestZone(keys, { denial }));
          // -z: a CSK has the SEP bit but signs everything, which dnssec-verify accepts only with -z
          const bindArgs = [...(setup === 'CSK' ? ['-z'] : []), '-o', 'example.test', file];
          const bind = tool('dnssec-verify', bindArgs, dir, 'bind9-utils');
          ok(bind, 'dnssec-verify');
          assert.match(bind.stdout + bind.stderr, /Zone fully signed/);
          const ldns = ok(tool('ldns-verify-zone', [file], dir, 'ldnsutils'), 'ldns-verify-zone');
          assert.match(ldns, /Zone is verified and complete/);
        });
      }
    }
  }

  it('a tampered record fails dnssec-verify (the check can fail)', () => {
    const key = generateKey(DnssecAlgorithm.ECDSAP256SHA256, 257).key;
    const sets = signTestZone({ ksk: key, zsk: key }, { denial: 'nsec' });
    const www = sets.find((s) => s.type === RRType.A && nameToText(s.owner) === 'www.example.test.');
    assert.ok(www);
    www.rdatas[0] = Uint8Array.of(198, 51, 100, 1);
    const file = writeZone('tampered.zone', sets);
    assert.notEqual(tool('dnssec-verify', ['-z', '-o', 'example.test', file], dir, 'bind9-utils').status, 0);
    assert.notEqual(tool('ldns-verify-zone', [file], dir, 'ldnsutils').status, 0);
  });
});

/** Every RRSIG of a signed zone, verified against the zone's DNSKEYs. */
function checkAllSignatures(text: string): number {
  const parsed = parseZoneText(text, { origin: APEX, file: 'signed.zone' });
  assert.deepEqual(parsed.problems.filter((p) => p.severity === 'error'), []);
  const sets = groupRRsets(parsed.records);
  const dnskeys = sets.find((s) => s.type === RRType.DNSKEY && nameEquals(s.owner, APEX));
  assert.ok(dnskeys, 'no DNSKEY RRset at the apex');
  const covered = new Map<string, TestRRset>();
  for (const s of sets) covered.set(`${nameToKey(s.owner).toString('hex')}/${s.type}`, s);
  let checked = 0;
  for (const sigs of sets.filter((s) => s.type === RRType.RRSIG)) {
    for (const sig of sigs.rdatas) {
      const f = rrsigFields(sig);
      assert.ok(nameEquals(f.signer, APEX));
      const set = covered.get(`${nameToKey(sigs.owner).toString('hex')}/${f.typeCovered}`);
      assert.ok(set, `RRSIG of ${nameToText(sigs.owner)} covers a type not there`);
      const dnskey = dnskeys.rdatas.find((k) => verifyRRsig(set, sig, k));
      assert.ok(dnskey, `RRSIG ${rdataToText(RRType.RRSIG, sig).slice(0, 60)} at ${nameToText(sigs.owner)} does not verify`);
      assert.equal(set.ttl, f.originalTtl);
      checked++;
    }
  }
  return checked;
}

/** All names that NSEC3 must cover: authoritative names, delegations and empty non-terminals. */
function nsec3Names(): Uint8Array[] {
  const sets = unsignedRRsets();
  const cuts = sets.filter((s) => s.type === RRType.NS && !nameEquals(s.owner, APEX)).map((s) => s.owner);
  const names = new Map<string, Uint8Array>();
  for (const s of sets) {
    if (cuts.some((c) => !nameEquals(s.owner, c) && isInZone(s.owner, c))) continue;
    for (let n: Uint8Array = s.owner; isInZone(n, APEX); n = n.subarray(n[0]! + 1)) {
      names.set(nameToKey(n).toString('hex'), n);
      if (nameEquals(n, APEX)) break;
    }
  }
  return [...names.values()];
}

describe('zones signed by dnssec-signzone and ldns-signzone verify with verifyRRsig', () => {
  for (const alg of ALGORITHMS) {
    it(`dnssec-signzone with our exported ${alg.name} KSK+ZSK, NSEC and NSEC3 (nsec3Hash gives its owner labels)`, () => {
      const cwd = mkdtempSync(join(dir, 'signzone-'));
      for (const flags of [257, 256]) {
        const { key, pkcs8 } = generateKey(alg.number, flags);
        const now = Math.floor(Date.now() / 1000) - 60;
        const files = formatBindKeyFiles(APEX, key, pkcs8, { created: now, publish: now, activate: now });
        writeFileSync(join(cwd, `${files.baseName}.key`), files.key);
        writeFileSync(join(cwd, `${files.baseName}.private`), files.private);
      }
      writeFileSync(join(cwd, 'zone'), unsignedZoneText());
      ok(tool('dnssec-signzone', ['-S', '-K', cwd, '-o', 'example.test', '-f', 'nsec.signed', 'zone'], cwd, 'bind9-utils'), 'dnssec-signzone');
      assert.ok(checkAllSignatures(readFileSync(join(cwd, 'nsec.signed'), 'utf8')) > 10);
      ok(tool('dnssec-signzone', ['-S', '-K', cwd, '-3', '-', '-H', '0', '-o', 'example.test', '-f', 'nsec3.signed', 'zone'], cwd, 'bind9-utils'), 'dnssec-signzone -3 -');
      const text = readFileSync(join(cwd, 'nsec3.signed'), 'utf8');
      assert.ok(checkAllSignatures(text) > 10);
      const parsed = parseZoneText(text, { origin: APEX, file: 'nsec3.signed' });
      const nsec3 = parsed.records.filter((r) => r.type === RRType.NSEC3);
      const owners = nsec3.map((r) => Buffer.from(r.owner.subarray(1, 1 + r.owner[0]!)).toString('latin1').toLowerCase()).sort();
      const ours = nsec3Names().map((n) => base32hex(nsec3Hash(n, new Uint8Array(0), 0))).sort();
      assert.deepEqual(owners, ours);
      for (const r of nsec3) {
        const f = nsec3Fields(r.rdata);
        assert.equal(f.iterations, 0);
        assert.equal(f.salt.length, 0);
      }
    });
  }

  it('ldns-signzone with BIND-generated keys (ECDSAP256SHA256 and ED25519)', () => {
    for (const alg of ['ECDSAP256SHA256', 'ED25519']) {
      const cwd = mkdtempSync(join(dir, 'ldns-'));
      const ksk = keygen(cwd, alg, true);
      const zsk = keygen(cwd, alg, false);
      writeFileSync(join(cwd, 'zone'), unsignedZoneText());
      ok(tool('ldns-signzone', ['-f', 'zone.signed', 'zone', ksk, zsk], cwd, 'ldnsutils'), 'ldns-signzone');
      assert.ok(checkAllSignatures(readFileSync(join(cwd, 'zone.signed'), 'utf8')) > 10, alg);
      assert.ok(readdirSync(cwd).includes('zone.signed'));
    }
  });
});

it('the test zone has what the brief promises (wildcard, empty non-terminal, delegation with DS and glue, mixed case)', () => {
  const text = unsignedZoneText();
  for (const needle of ['*.wild', 'a.b.ent', 'sub      DS', 'ns.sub   A', 'WWW      A', 'Mail.EXAMPLE.test.']) assert.ok(text.includes(needle), needle);
  assert.equal(ZONE, 'example.test.');
});
