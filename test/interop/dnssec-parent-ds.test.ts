// The parent DS check against a real parent: knotd serving "test." with delegations that carry
// DS records (two, none, forty: the last one truncated over UDP and asked again over TCP).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { checkParentDs, parseServerAddress } from '../../dnssec/parent-ds-check.js';
import { findFreePort, startKnotd, type Knotd } from '../helpers/knotd.js';

const hex = (byte: number, octets: number): string => byte.toString(16).padStart(2, '0').repeat(octets);

function parentZone(childTags: number[]): string {
  const lines = [
    '$ORIGIN test.',
    '$TTL 3600',
    '@ SOA ns.test. hostmaster.test. 1 3600 600 86400 300',
    '@ NS ns.test.',
    'ns A 127.0.0.1',
    'child NS ns.child.test.',
    'ns.child A 127.0.0.1',
    ...childTags.map((tag, i) => `child DS ${tag} 13 2 ${hex(i + 1, 32)}`),
    'nods NS ns.nods.test.',
    'ns.nods A 127.0.0.1',
    'big NS ns.big.test.',
    'ns.big A 127.0.0.1',
  ];
  // Forty SHA-384 DS records: far over 512 octets without EDNS.
  for (let tag = 1000; tag < 1040; tag++) lines.push(`big DS ${tag} 13 4 ${hex(tag % 256, 48)}`);
  return `${lines.join('\n')}\n`;
}

let dir = '';
let parent: Knotd | undefined;
let lagging: Knotd | undefined;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'meshdns-parent-ds-'));
  await writeFile(path.join(dir, 'test.zone'), parentZone([12345, 54321, 12345]));
  await writeFile(path.join(dir, 'lagging.zone'), parentZone([12345]));
  parent = await startKnotd({ zones: [{ origin: 'test', file: path.join(dir, 'test.zone') }] });
  lagging = await startKnotd({ zones: [{ origin: 'test', file: path.join(dir, 'lagging.zone') }] });
});

after(async () => {
  await Promise.all([parent?.stop(), lagging?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

test('the key tags of the DS RRset, once each, in any letter case', async () => {
  assert.deepEqual(await checkParentDs('child.test.', [`127.0.0.1:${parent!.port}`]), { ok: true, keyTags: [12345, 54321] });
  assert.deepEqual(await checkParentDs('CHILD.Test', [`127.0.0.1:${parent!.port}`, `127.0.0.1:${parent!.port}`]), { ok: true, keyTags: [12345, 54321] });
});

test('a delegation without DS: an empty set', async () => {
  assert.deepEqual(await checkParentDs('nods.test.', [`127.0.0.1:${parent!.port}`]), { ok: true, keyTags: [] });
});

test('a DS RRset too big for UDP is read over TCP', async () => {
  const result = await checkParentDs('big.test.', [`127.0.0.1:${parent!.port}`]);
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.keyTags, Array.from({ length: 40 }, (_, i) => 1000 + i));
});

test('servers that disagree are still propagating: an error, not a guess', async () => {
  const result = await checkParentDs('child.test.', [`127.0.0.1:${parent!.port}`, `127.0.0.1:${lagging!.port}`]);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /disagree on the DS of child\.test\. \(still propagating\): .*\[12345 54321\].*\[12345\]/);
});

test('a server that is not authoritative, silent, or a bad address: an error naming it', async () => {
  const refused = await checkParentDs('child.example.', [`127.0.0.1:${parent!.port}`]);
  assert.deepEqual(refused, { ok: false, error: `127.0.0.1:${parent!.port}: answered REFUSED for the DS of child.example.` });
  const port = await findFreePort();
  const silent = await checkParentDs('child.test.', [`127.0.0.1:${port}`], { timeoutMs: 300 });
  assert.equal(silent.ok, false);
  assert.match(!silent.ok ? silent.error : '', new RegExp(`^127\\.0\\.0\\.1:${port}: (no answer over UDP within 300 ms|UDP: .*)$`));
  assert.deepEqual(await checkParentDs('child.test.', ['localhost:53']), { ok: false, error: 'parent DS check address "localhost:53" is not "ip:port" (IPv6 as "[addr]:port")' });
  assert.deepEqual(await checkParentDs('child.test.', []), { ok: false, error: 'no parent-side server to ask for the DS' });
});

test('server addresses: ip:port, [ipv6]:port, bare addresses default to 53', () => {
  assert.deepEqual(parseServerAddress('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353 });
  assert.deepEqual(parseServerAddress('192.0.2.1'), { host: '192.0.2.1', port: 53 });
  assert.deepEqual(parseServerAddress('[::1]:5300'), { host: '::1', port: 5300 });
  assert.deepEqual(parseServerAddress('2001:db8::1'), { host: '2001:db8::1', port: 53 });
  for (const bad of ['192.0.2.1:0', '192.0.2.1:70000', 'ns.example:53', '[::1]:x', '']) assert.throws(() => parseServerAddress(bad), RangeError, bad);
});
