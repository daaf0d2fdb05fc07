// The DNSSEC routes of the admin API through a real signing server: keys, DS against BIND's
// dnssec-dsfromkey, BIND key import and export round-trips, ds-seen and roll, errors naming the
// field, metrics, and no key material in the log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DsJson, KeyJson, StatusJson } from '../../server/commands/keys-format.js';
import { bindKeygen, bindTool, dsRdataText, startSignedServer, tagOf, type SignedServer } from '../helpers/dnssec-server.js';

const TOKEN = 'dnssec-api-token-0123456789';
let s: SignedServer;
let work: string;
/** Every private key (base64 fields of .private files) that went through the API: never in the log. */
const secrets: string[] = [];

interface ErrorJson { error: string; field?: string; value?: unknown; reason: string }
interface ExportJson { baseName: string; key: string; private?: string }

before(async () => {
  s = await startSignedServer({ token: TOKEN });
  work = mkdtempSync(join(tmpdir(), 'meshdns-dnssec-api-'));
});
after(async () => {
  await s?.stop();
  rmSync(work, { recursive: true, force: true });
});

const privateFields = (text: string) => [...text.matchAll(/^(?:PrivateKey|PrivateExponent|Prime1|Prime2):\s*(\S+)/gm)].map((m) => m[1]!);

test('GET keys: the zone\'s CSK with role, algorithm, tag, state, timestamps and its DS; an unsigned zone has none', async () => {
  const r = await s.api<StatusJson>('GET', '/api/v1/zones/Example.Test/keys');
  assert.equal(r.status, 200);
  assert.equal(r.body.origin, 'example.test.');
  assert.equal(r.body.policy, 'default');
  const csk = r.body.keys.filter((k) => k.role === 'csk');
  assert.equal(csk.length, 1, JSON.stringify(r.body));
  const key = csk[0]!;
  assert.equal(key.algorithm, 13);
  assert.equal(key.flags, 257);
  assert.equal(key.state, 'active');
  assert.equal(key.imported, false);
  assert.ok(Number.isInteger(key.keyTag) && key.keyTag >= 0 && key.keyTag <= 65535);
  assert.ok(key.active! <= Date.now() / 1000 + 1, 'active from the first signing');
  assert.ok((key.ds ?? []).length > 0, 'a SEP key carries its DS');
  assert.ok(r.body.earliestExpiry === null || r.body.earliestExpiry > Date.now() / 1000);
  assert.ok(!JSON.stringify(r.body).includes('pkcs8'), 'no private key in the listing');

  const plain = await s.api<StatusJson>('GET', '/api/v1/zones/plain.test./keys');
  assert.equal(plain.status, 200);
  assert.deepEqual(plain.body.keys, []);
  assert.equal(plain.body.policy, null);

  const all = await s.api<StatusJson[]>('GET', '/api/v1/dnssec');
  assert.equal(all.status, 200);
  assert.ok(all.body.some((z) => z.origin === 'example.test.'));
});

test('ds-seen records the parent\'s DS; roll starts a new key of the role', async () => {
  const status = (await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body;
  const csk = status.keys.find((k) => k.role === 'csk' && !k.imported)!;
  const seen = await s.api<StatusJson>('POST', '/api/v1/zones/example.test/keys/ds-seen', { keyTag: csk.keyTag });
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  assert.ok(seen.body.keys.find((k) => k.id === csk.id)!.dsSeen !== undefined, 'dsSeen set');

  const roll = await s.api<StatusJson>('POST', '/api/v1/zones/example.test/keys/roll', { role: 'csk' });
  assert.equal(roll.status, 200, JSON.stringify(roll.body));
  const fresh = roll.body.keys.filter((k) => k.role === 'csk' && !status.keys.some((o) => o.id === k.id));
  assert.equal(fresh.length, 1, JSON.stringify(roll.body));
  assert.ok(roll.body.nextEvent !== null, 'a roll has a next step');
});

test('GET ds equals dnssec-dsfromkey of the exported public key', async () => {
  const status = (await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body;
  const csk = status.keys.find((k) => k.role === 'csk')!;
  const exported = await s.api<ExportJson>('GET', `/api/v1/zones/example.test/keys/${csk.id}/export`);
  assert.equal(exported.status, 200);
  assert.equal(exported.body.private, undefined, 'no private file unless asked for');
  assert.equal(exported.body.baseName, `Kexample.test.+013+${String(csk.keyTag).padStart(5, '0')}`);
  writeFileSync(join(work, `${exported.body.baseName}.key`), exported.body.key);
  const bind = bindTool('dnssec-dsfromkey', ['-2', `${exported.body.baseName}.key`], work).trim();

  const ds = await s.api<DsJson>('GET', '/api/v1/zones/example.test/ds');
  assert.equal(ds.status, 200);
  const mine = ds.body.ds.filter((d) => d.keyTag === csk.keyTag);
  assert.equal(mine.length, 1, JSON.stringify(ds.body));
  assert.equal(dsRdataText(mine[0]!.record), dsRdataText(bind));
  assert.equal(mine[0]!.digestType, 2);
  assert.match(mine[0]!.record, /^example\.test\. IN DS \d+ 13 2 [0-9A-F]{64}$/);
  assert.ok(ds.body.text.split('\n').includes(mine[0]!.record));
  // the key tag works in place of the id
  const byTag = await s.api<ExportJson>('GET', `/api/v1/zones/example.test/keys/${csk.keyTag}/export`);
  assert.equal(byTag.body.key, exported.body.key);
});

test('POST keys imports a dnssec-keygen key pair: listed with its tag; export round-trips the files\' key material', async () => {
  const base = bindKeygen(work, true);
  const keyText = readFileSync(join(work, `${base}.key`), 'utf8');
  const privateText = readFileSync(join(work, `${base}.private`), 'utf8');
  secrets.push(...privateFields(privateText));
  const r = await s.api<KeyJson>('POST', '/api/v1/zones/example.test/keys', { key: keyText, private: privateText });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.keyTag, tagOf(base));
  assert.equal(r.body.imported, true);
  assert.equal(r.body.algorithm, 13);

  const listed = (await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body.keys.find((k) => k.id === r.body.id);
  assert.ok(listed, 'the imported key is listed');
  assert.equal(listed.keyTag, tagOf(base));

  const out = await s.api<ExportJson>('GET', `/api/v1/zones/example.test/keys/${r.body.id}/export?private=true`);
  assert.equal(out.status, 200);
  assert.equal(out.body.baseName, base);
  assert.ok(out.body.private !== undefined);
  secrets.push(...privateFields(out.body.private));
  assert.deepEqual(privateFields(out.body.private), privateFields(privateText), 'the same private key comes back');
  const dnskey = (text: string) => /DNSKEY\s+(.*)$/m.exec(text)![1]!.replace(/\s+/g, '');
  assert.equal(dnskey(out.body.key), dnskey(keyText));
  // the migration promise: the DS meshdns offers for the imported KSK is the one BIND computes from its own file
  const ds = (await s.api<DsJson>('GET', '/api/v1/zones/example.test/ds')).body.ds.filter((d) => d.keyTag === tagOf(base));
  assert.equal(ds.length, 1, 'the imported SEP key has its DS');
  assert.equal(dsRdataText(ds[0]!.record), dsRdataText(bindTool('dnssec-dsfromkey', ['-2', `${base}.key`], work)));
  // BIND reads what meshdns exports: the DS of both files is the same
  const exportDir = mkdtempSync(join(work, 'export-'));
  writeFileSync(join(exportDir, `${base}.key`), out.body.key);
  assert.equal(dsRdataText(bindTool('dnssec-dsfromkey', ['-2', `${base}.key`], exportDir)), dsRdataText(bindTool('dnssec-dsfromkey', ['-2', `${base}.key`], work)));
});

test('bad bodies and names get errors naming the field; nothing is imported', async () => {
  const before = (await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body.keys.length;
  const a = bindKeygen(work, false);
  const b = bindKeygen(work, false);
  const read = (base: string, ext: string) => readFileSync(join(work, `${base}.${ext}`), 'utf8');
  secrets.push(...privateFields(read(a, 'private')), ...privateFields(read(b, 'private')));
  const importing = (body: unknown) => s.api<ErrorJson>('POST', '/api/v1/zones/example.test/keys', body);

  const cases: { body: unknown; status: number; field: string; reason: RegExp }[] = [
    { body: { key: read(a, 'key') }, status: 400, field: 'private', reason: /is required/ },
    { body: { key: read(a, 'key'), private: read(a, 'private'), extra: 1 }, status: 400, field: 'extra', reason: /not a known field/ },
    { body: { key: 42, private: read(a, 'private') }, status: 400, field: 'key', reason: /must be of type string/ },
    { body: { key: read(a, 'key'), private: read(b, 'private') }, status: 422, field: 'private', reason: /does not match/ },
    { body: { key: 'example.test. IN A 192.0.2.1\n', private: read(a, 'private') }, status: 422, field: 'key', reason: /DNSKEY/ },
    { body: { key: read(a, 'key'), private: read(a, 'private').replace(/^PrivateKey:.*$/m, 'PrivateKey: !!notbase64!!') }, status: 422, field: 'private', reason: /PrivateKey/ },
    // a mangled line is quoted back to the caller only (the log never sees it)
    { body: { key: read(a, 'key'), private: read(a, 'private').replace(/^PrivateKey: /m, '') }, status: 422, field: 'private', reason: /.private/ },
  ];
  for (const c of cases) {
    const r = await importing(c.body);
    assert.equal(r.status, c.status, `${JSON.stringify(r.body)} for ${JSON.stringify(c.body).slice(0, 80)}`);
    assert.equal(r.body.field, c.field, JSON.stringify(r.body));
    assert.match(r.body.reason, c.reason);
    assert.ok(r.body.error.length > 0);
  }
  const empty = await s.api<ErrorJson>('POST', '/api/v1/zones/example.test/keys', '{"key": "x", "private": "y"');
  assert.equal(empty.status, 400);

  const roll = await s.api<ErrorJson>('POST', '/api/v1/zones/example.test/keys/roll', { role: 'big' });
  assert.equal(roll.status, 400);
  assert.equal(roll.body.field, 'role');
  assert.match(roll.body.reason, /zsk, ksk, csk/);
  const seen = await s.api<ErrorJson>('POST', '/api/v1/zones/example.test/keys/ds-seen', { keyTag: 'x' });
  assert.equal(seen.status, 400);
  assert.equal(seen.body.field, 'keyTag');
  // no body at all is fine for ds-seen; an unsigned zone has nothing waiting and no policy to roll with
  const unsignedSeen = await s.api<ErrorJson>('POST', '/api/v1/zones/plain.test/keys/ds-seen');
  assert.equal(unsignedSeen.status, 409, JSON.stringify(unsignedSeen.body));
  assert.match(unsignedSeen.body.reason, /whose DS is waiting/);
  const unsignedRoll = await s.api<ErrorJson>('POST', '/api/v1/zones/plain.test/keys/roll', { role: 'zsk' });
  assert.equal(unsignedRoll.status, 409, JSON.stringify(unsignedRoll.body));
  assert.equal(unsignedRoll.body.field, 'role');
  assert.match(unsignedRoll.body.reason, /not signed by a policy/);
  const noZone = await s.api<ErrorJson>('GET', '/api/v1/zones/nowhere.test/keys');
  assert.equal(noZone.status, 404);
  assert.equal(noZone.body.field, 'origin');
  const noKey = await s.api<ErrorJson>('GET', '/api/v1/zones/example.test/keys/no-such-key/export');
  assert.equal(noKey.status, 404);
  assert.equal(noKey.body.field, 'id');
  const badQuery = await s.api<ErrorJson>('GET', '/api/v1/zones/example.test/keys/1/export?private=yes');
  assert.equal(badQuery.status, 400);
  assert.equal(badQuery.body.field, 'private');
  const importNoZone = await s.api<ErrorJson>('POST', '/api/v1/zones/nowhere.test/keys', { key: read(a, 'key'), private: read(a, 'private') });
  assert.equal(importNoZone.status, 404);
  assert.equal(importNoZone.body.field, 'origin');
  const otherZone = await s.api<ErrorJson>('POST', '/api/v1/zones/plain.test/keys', { key: read(a, 'key'), private: read(a, 'private') });
  assert.equal(otherZone.status, 422);
  assert.equal(otherZone.body.field, 'key');
  assert.match(otherZone.body.reason, /is for zone example\.test\., not plain\.test\./);
  const noToken = await fetch(`${s.url}/api/v1/zones/example.test/keys`);
  assert.equal(noToken.status, 401);

  assert.equal((await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body.keys.length, before, 'nothing was imported');
});

test('metrics: signatures, key events, keys by zone/role/state, earliest RRSIG expiry', async () => {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const value = (re: RegExp) => {
    const m = re.exec(text);
    assert.ok(m, `${re} not in /metrics:\n${text.split('\n').filter((l) => l.includes('dnssec')).join('\n')}`);
    return Number(m[1]);
  };
  assert.ok(value(/^meshdns_dnssec_signatures_total (\d+)$/m) > 0, 'the roll re-signed the zone in this process');
  // the earlier tests rolled, confirmed a DS and imported a key
  assert.ok(value(/^meshdns_dnssec_key_events_total\{event="generated"\} (\d+)$/m) >= 1);
  assert.ok(value(/^meshdns_dnssec_key_events_total\{event="dsSeen"\} (\d+)$/m) >= 1);
  assert.ok(value(/^meshdns_dnssec_key_events_total\{event="imported"\} (\d+)$/m) >= 1);
  assert.ok(value(/^meshdns_dnssec_keys\{zone="example\.test\.",role="csk",state="active"\} (\d+)$/m) >= 1);
  const expiry = value(/^meshdns_dnssec_rrsig_expiry_seconds\{zone="example\.test\."\} (\d+)$/m);
  assert.ok(expiry > Date.now() / 1000, 'the earliest RRSIG expires in the future');
  assert.doesNotMatch(text, /meshdns_dnssec_keys\{zone="plain\.test\."/);
});

test('the log never holds a private key', async () => {
  assert.ok(secrets.length >= 4);
  const log = s.server.logs();
  // (24 characters: an error message quoting a part of a line would be caught too)
  for (const secret of secrets) assert.ok(!log.includes(secret.slice(0, 24)), 'a private key is in the server log');
  assert.match(log, /key imported through the API/);
  assert.match(log, /private key exported through the API/);
});
