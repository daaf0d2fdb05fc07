import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startKnotd, type Knotd } from '../helpers/knotd.js';
import { dig, requireTool } from '../helpers/tools.js';

const SECRET = Buffer.from('meshdns axfr interop secret 32by').toString('base64');
const NAMES = 6000; // several 64 KiB messages
let dir: string;
let server: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-axfr-'));
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  const lines = ['$TTL 300', '@ SOA ns hostmaster 42 3600 600 86400 60', '@ NS ns', 'ns A 192.0.2.1', '*.wild TXT "wildcard"', 'sub NS ns.sub', 'ns.sub A 192.0.2.53'];
  for (let i = 0; i < NAMES; i++) lines.push(`host${i} A 198.51.${(i >> 8) & 255}.${i & 255}`, `host${i} TXT "record number ${i}"`);
  writeFileSync(join(zones, 'xfr.test.zone'), `${lines.join('\n')}\n`);
  writeFileSync(join(zones, 'closed.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
  writeFileSync(join(dir, 'meshdns.yaml'), `${config()}\n`);
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml') });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const at = () => ['@127.0.0.1', '-p', String(server.port)];

function config(): string {
  return [
    'keys:',
    `  - {name: transfer-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: secondaries, address: [127.0.0.0/8, "::1"], key: [transfer-key.], action: [transfer]}',
    'defaults:',
    '  acl: [secondaries]',
    'zones:',
    '  - {origin: closed.test., acl: []}',
  ].join('\n');
}
/** Zone records of dig's output (each message's TSIG RR, which dig prints too, left out). */
const records = (out: string) => out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sTSIG\s/.test(l));

test('dig AXFR with the key: the whole zone, SOA first and last, every message signed', () => {
  const out = dig([...at(), '-y', `hmac-sha256:transfer-key:${SECRET}`, 'xfr.test', 'AXFR']);
  const rrs = records(out);
  assert.equal(rrs.length, 2 * NAMES + 6 + 1, 'all records plus the closing SOA');
  assert.match(rrs[0]!, /^xfr\.test\.\s+300\s+IN\s+SOA\s/);
  assert.match(rrs[rrs.length - 1]!, /^xfr\.test\.\s+300\s+IN\s+SOA\s/);
  assert.doesNotMatch(out, /failed|could not be validated|BADSIG|BADKEY|BADTIME/i);
  const messages = Number(/XFR size: \d+ records \(messages (\d+)/.exec(out)?.[1]);
  assert.ok(messages >= 3, `${messages} messages`);
});

test('unsigned, wrongly signed, or not allowed by the zone ACL: refused', async () => {
  assert.match(dig([...at(), 'xfr.test', 'AXFR']), /Transfer failed/);
  const wrong = Buffer.from('not the transfer secret at all!!').toString('base64');
  assert.match(dig([...at(), '-y', `hmac-sha256:transfer-key:${wrong}`, 'xfr.test', 'AXFR']), /Transfer failed|tsig|NOTAUTH/i);
  assert.match(dig([...at(), '-y', `hmac-sha256:transfer-key:${SECRET}`, 'closed.test', 'AXFR']), /Transfer failed/);
  const refused = await server.waitForLog((e) => e['msg'] === 'transfer refused by ACL' && e['zone'] === 'closed.test.');
  assert.equal(refused['client'], '127.0.0.1');
  assert.ok(await server.waitForLog((e) => e['msg'] === 'TSIG verification failed: NOTAUTH'));
});

test('a signed ordinary query gets a signed answer', () => {
  const out = dig([...at(), '-y', `hmac-sha256:transfer-key:${SECRET}`, 'host7.xfr.test', 'A']);
  assert.match(out, /status: NOERROR/);
  assert.match(out, /TSIG PSEUDOSECTION/);
  assert.doesNotMatch(out, /could not be validated|failure/i);
});

test('knotd as a secondary transfers the zone with TSIG and serves the same records', async () => {
  requireTool('knotd', 'knot');
  const knotDir = mkdtempSync(join(tmpdir(), 'meshdns-knot-sec-'));
  let knot: Knotd | undefined;
  try {
    knot = await startKnotd({
      zones: [{ origin: 'xfr.test.', file: join(knotDir, 'xfr.test.zone'), conf: 'master: meshdns\nacl: [from-meshdns, local-transfer]\nzonefile-load: none\njournal-content: changes', wait: false }],
      extraConf: [
        'key:',
        `  - id: transfer-key.\n    algorithm: hmac-sha256\n    secret: ${SECRET}`,
        'remote:',
        `  - id: meshdns\n    address: 127.0.0.1@${server.port}\n    key: transfer-key.`,
        'acl:',
        '  - id: from-meshdns\n    address: 127.0.0.1\n    key: transfer-key.\n    action: notify',
        '  - id: local-transfer\n    address: 127.0.0.1\n    action: transfer',
      ].join('\n'),
    });
    let soa = '';
    for (let i = 0; i < 100 && !/ 42 /.test(soa); i++) {
      await new Promise((r) => setTimeout(r, 100));
      soa = dig(['@127.0.0.1', '-p', String(knot.port), 'xfr.test', 'SOA', '+short']);
    }
    assert.match(soa, /hostmaster\.xfr\.test\. 42 /, `knotd did not get the zone:\n${knot.logs()}`);
    const fromKnot = records(dig(['@127.0.0.1', '-p', String(knot.port), 'xfr.test', 'AXFR'])).map(norm).sort();
    const fromUs = records(dig([...at(), '-y', `hmac-sha256:transfer-key:${SECRET}`, 'xfr.test', 'AXFR'])).map(norm).sort();
    assert.equal(fromKnot.length, fromUs.length);
    assert.deepEqual(fromKnot, fromUs);

    // a change at meshdns: NOTIFY reaches knotd, which asks for IXFR and gets only the difference
    writeFileSync(join(dir, 'meshdns.yaml'), `${config()}\n  - {origin: xfr.test., notify: [{address: "127.0.0.1:${knot.port}", key: transfer-key.}]}\n`);
    server.proc.kill('SIGHUP');
    await server.waitForLog((e) => e['msg'] === 'config reloaded' && JSON.stringify(e['applied']).includes('acls'));
    const zoneFile = join(dir, 'zones', 'xfr.test.zone');
    const { readFileSync } = await import('node:fs');
    writeFileSync(zoneFile, readFileSync(zoneFile, 'utf8').replace('host7 A ', 'host7-old A ') + 'added-later A 203.0.113.7\n');
    await server.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['type'] === 'IXFR' && e['from'] === 42, 15_000);
    let answer = '';
    for (let i = 0; i < 50 && !answer.includes('203.0.113.7'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = dig(['@127.0.0.1', '-p', String(knot.port), 'added-later.xfr.test', 'A', '+short']);
    }
    assert.equal(answer.trim(), '203.0.113.7');
    assert.equal(dig(['@127.0.0.1', '-p', String(knot.port), 'host7.xfr.test', 'A', '+short']).trim(), '', 'the renamed record went');
    const afterKnot = records(dig(['@127.0.0.1', '-p', String(knot.port), 'xfr.test', 'AXFR'])).map(norm).sort();
    const afterUs = records(dig([...at(), '-y', `hmac-sha256:transfer-key:${SECRET}`, 'xfr.test', 'AXFR'])).map(norm).sort();
    assert.deepEqual(afterKnot, afterUs);
  } finally {
    await knot?.stop();
    rmSync(knotDir, { recursive: true, force: true });
  }
});

function norm(line: string): string {
  return line.trim().split(/\s+/).join(' ').toLowerCase();
}


test('dig IXFR: the condensed difference from a journal serial, the SOA alone when current, AXFR when unknown', () => {
  const key = ['-y', `hmac-sha256:transfer-key:${SECRET}`];
  const diff = records(dig([...at(), ...key, 'xfr.test', 'IXFR=42'])).map(norm);
  const serials = diff.filter((l) => / soa /.test(l)).map((l) => Number(l.split(' ')[6]));
  assert.deepEqual(serials, [43, 42, 43, 43], 'new SOA, old SOA, new SOA, new SOA');
  assert.deepEqual(diff.filter((l) => !/ soa /.test(l)), [
    'host7.xfr.test. 300 in a 198.51.0.7',
    'added-later.xfr.test. 300 in a 203.0.113.7',
    'host7-old.xfr.test. 300 in a 198.51.0.7',
  ].sort((a, b) => diff.indexOf(a) - diff.indexOf(b)));
  assert.equal(records(dig([...at(), ...key, 'xfr.test', 'IXFR=43'])).length, 1, 'up to date: the SOA alone');
  assert.equal(records(dig([...at(), ...key, 'xfr.test', 'IXFR=7'])).length, 2 * NAMES + 6 + 1 + 1, 'unknown serial: the whole zone');
});
