import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyStore } from '../../zones/store/key-store.js';
import { generateKey } from '../../dnssec/keys.js';
import { CLI } from '../helpers/meshdns.js';
import { MATRIX, axfrToFileAsync, verifyZoneAll, writeSignedSetup, type SigningVariant } from '../helpers/dnssec-signed-zones.js';
import { auth, digAsync, nsupdateAsync, serialAt, startSignedInProcess, type InProcessSigned } from '../helpers/dnssec-signed-server.js';

// Bad input around signing: a policy with an algorithm meshdns does not have is a config error
// naming it; a zone whose keys were lost from LMDB, or whose key record is corrupt, refuses the
// next change with an error saying why, and keeps serving its last good signed version — never
// an unsigned one, never one signed with keys nobody published (which would break the chain of
// trust from the parent's DS).

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-signed-bad-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a policy naming an unknown algorithm: `config check` and `serve` fail naming the key and the value', () => {
  const setup = writeSignedSetup(dir, [MATRIX[0]!]);
  const config = readFileSync(setup.config, 'utf8');
  assert.match(config, /algorithm: ecdsap256sha256/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, config.replace('algorithm: ecdsap256sha256', 'algorithm: ecdsap384sha384'));
  const check = spawnSync(process.execPath, [CLI, 'config', 'check', bad], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(check.status, 0);
  assert.match(check.stderr, /policies\[0\]\.algorithm: "ecdsap384sha384" must be one of ecdsap256sha256, ed25519, rsasha256/, check.stderr);
  const serve = spawnSync(process.execPath, [CLI, 'serve', '--config', bad, '--data', join(dir, 'never'), '--listen', '127.0.0.1:0', '--admin-listen', 'off'], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(serve.status, 0);
  assert.match(`${serve.stdout}${serve.stderr}`, /ecdsap384sha384/);
  assert.doesNotMatch(`${serve.stdout}${serve.stderr}`, /\n\s+at /, 'an error message, not a stack trace');
});

const LOST: SigningVariant = { origin: 'lost.test', algorithm: 'ecdsap256sha256', keys: 'ksk+zsk', denial: 'nsec' };
const CORRUPT: SigningVariant = { origin: 'corrupt.test', algorithm: 'ed25519', keys: 'csk', denial: 'nsec3' };
const SWAPPED: SigningVariant = { origin: 'swapped.test', algorithm: 'ecdsap256sha256', keys: 'csk', denial: 'nsec' };

describe('keys lost or corrupt in LMDB', () => {
  let m: InProcessSigned;
  const good = new Map<string, { serial: number; text: string }>();
  /** Private keys the tests saw, which must appear in no answer and no log line. */
  const secrets: Uint8Array[] = [];
  before(async () => {
    m = await startSignedInProcess([LOST, CORRUPT, SWAPPED]);
    for (const v of [LOST, CORRUPT, SWAPPED]) {
      const file = join(m.dir, `${v.origin}.good`);
      const text = await axfrToFileAsync(m.port, v.origin, file);
      verifyZoneAll(file, v.origin);
      good.set(v.origin, { serial: await serialAt(m.port, v.origin), text });
    }
  });
  after(async () => m?.stop());

  /** The zone still answers as it did before: same serial, same signed data, still verifies. */
  async function stillServesLastGood(v: SigningVariant, step: string): Promise<void> {
    const before = good.get(v.origin)!;
    assert.equal(await serialAt(m.port, v.origin), before.serial, `${step}: the serial did not move`);
    const file = join(m.dir, `${v.origin}.${step.replace(/\W+/g, '-')}`);
    const text = await axfrToFileAsync(m.port, v.origin, file);
    assert.equal(text, before.text, `${step}: the zone is served exactly as it was`);
    verifyZoneAll(file, v.origin);
    const answer = await digAsync(['@127.0.0.1', '-p', String(m.port), '+dnssec', '+norec', `www.${v.origin}.`, 'A']);
    assert.match(answer, /\sRRSIG\s+A\s/, `${step}: answers still carry signatures`);
  }

  async function patchRefused(v: SigningVariant, pattern: RegExp, secrets: Uint8Array[]): Promise<void> {
    const res = await m.server.adminApp!.inject({
      method: 'PATCH', url: `/api/v1/zones/${v.origin}/rrsets`, headers: auth,
      payload: { rrsets: [{ name: `new.${v.origin}.`, type: 'A', ttl: 300, changetype: 'REPLACE', records: [{ content: '192.0.2.222' }] }] },
    });
    assert.ok(res.statusCode >= 400, `the PATCH is refused: ${res.statusCode} ${res.body}`);
    assert.match(res.body, pattern, res.body);
    for (const secret of secrets) {
      for (const text of [Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) assert.ok(!res.body.includes(text), 'no key material in the error');
    }
  }

  test('keys deleted from LMDB: an API PATCH is refused naming the missing keys; the zone keeps its last signed version', async () => {
    const keys = new KeyStore(m.server.store);
    const stored = keys.list(`${LOST.origin}.`);
    assert.equal(stored.length, 2);
    secrets.push(...stored.map((k) => k.pkcs8));
    keys.write(`${LOST.origin}.`, [], stored.map((k) => k.id));
    assert.equal(keys.list(`${LOST.origin}.`).length, 0);
    await patchRefused(LOST, /DNSSEC keys are missing/, stored.map((k) => k.pkcs8));
    await stillServesLastGood(LOST, 'after the PATCH');
  });

  test('keys deleted from LMDB: an RFC 2136 UPDATE is refused too, and the DNSSEC driver does not sign with new keys', async () => {
    const r = await nsupdateAsync(m.port, LOST.origin, [`update add upd.${LOST.origin}. 300 A 192.0.2.223`]);
    assert.notEqual(r.status, 0, `the UPDATE is refused:\n${r.out}`);
    assert.match(r.out, /SERVFAIL|REFUSED/, r.out);
    await m.server.dnssec.runOnce();
    await stillServesLastGood(LOST, 'after UPDATE and a driver pass');
    assert.equal(new KeyStore(m.server.store).list(`${LOST.origin}.`).length, 0, 'no keys were made behind the operator\'s back');
  });

  test('keys deleted from LMDB: a changed zone file is not loaded (the log says why); the zone keeps its last signed version', async () => {
    const file = join(m.dir, 'zones', `${LOST.origin}.zone`);
    writeFileSync(file, `${readFileSync(file, 'utf8')}from-file A 192.0.2.224\n`);
    let line: string | undefined;
    for (let i = 0; i < 150 && line === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      line = m.logs().split('\n').find((l) => l.includes('zone load failed') && l.includes(`"zone":"${LOST.origin}."`));
    }
    assert.ok(line, `the zone folder reports the refused load:\n${m.logs()}`);
    assert.match(line, /DNSSEC keys are missing/);
    await stillServesLastGood(LOST, 'after a zone file change');
  });

  test('a corrupt key record (PKCS#8 that does not parse): the change is refused with an error; the zone keeps its last signed version', async () => {
    const keys = new KeyStore(m.server.store);
    const [csk] = keys.list(`${CORRUPT.origin}.`);
    assert.ok(csk);
    secrets.push(csk.pkcs8);
    const corrupt = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]);
    keys.write(`${CORRUPT.origin}.`, [{ ...csk, pkcs8: corrupt }]);
    await patchRefused(CORRUPT, /corrupt\.test\. cannot be signed: private key is not valid PKCS#8/, [csk.pkcs8, corrupt]);
    const r = await nsupdateAsync(m.port, CORRUPT.origin, [`update add upd.${CORRUPT.origin}. 300 A 192.0.2.223`]);
    assert.notEqual(r.status, 0, `the UPDATE is refused:\n${r.out}`);
    await m.server.dnssec.runOnce();
    await stillServesLastGood(CORRUPT, 'after a corrupt key');
  });

  test('a key record whose private key is another key (valid PKCS#8, other key tag): the change is refused; the zone keeps its last signed version', async () => {
    const keys = new KeyStore(m.server.store);
    const [csk] = keys.list(`${SWAPPED.origin}.`);
    assert.ok(csk);
    const other = generateKey(13, 257);
    assert.notEqual(other.key.keyTag, csk.keyTag);
    secrets.push(csk.pkcs8, other.pkcs8);
    keys.write(`${SWAPPED.origin}.`, [{ ...csk, pkcs8: other.pkcs8 }]);
    // signing with it would publish a DNSKEY the parent's DS does not name and leave every RRset
    // the change does not touch signed by a key no longer published
    await patchRefused(SWAPPED, new RegExp(`key ${csk.keyTag} \\(csk, id [^)]+\\): its private key is that of key tag ${other.key.keyTag}; the key record is corrupt`), [csk.pkcs8, other.pkcs8]);
    await m.server.dnssec.runOnce();
    await stillServesLastGood(SWAPPED, 'after a swapped key');
  });

  test('the logs name the zone and the reason, and hold no key material', () => {
    const logs = m.logs();
    assert.match(logs, /zone lost\.test\. is signed but its DNSSEC keys are missing/);
    assert.match(logs, /zone corrupt\.test\. cannot be signed/);
    assert.equal(secrets.length, 5);
    for (const secret of secrets) {
      for (const text of [Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) assert.ok(!logs.includes(text), 'no key material in the logs');
    }
  });
});
