import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, pinOf, tlsPortOf, type TestPki } from '../helpers/dot.js';
import { findFreePort } from '../helpers/knotd.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startNamed, type Named } from '../helpers/named.js';
import { dig } from '../helpers/tools.js';

/**
 * Zone transfers over TLS (XoT, RFC 9103) with real peers: BIND 9.18 as a secondary of meshdns and
 * as a primary meshdns pulls from, and meshdns from meshdns with the primary's pin: the right pin
 * transfers, a wrong one fails the transfer with a clear line and the old data keeps serving.
 */

let dir: string;
let pki: TestPki;
let primary: RunningMeshdns;
let primaryTls: number;
let primaryPin: string;
const stops: (() => Promise<void>)[] = [];

const zone = (serial: number, extra = '') =>
  `$ORIGIN xot.test.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.${serial}\n${extra}\n`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-xot-'));
  pki = makePki(dir);
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'xot.test.zone'), zone(1));
  writeFileSync(join(dir, 'primary.yaml'), [
    'listen: ["127.0.0.1:0", {address: "127.0.0.1:0", transport: tls}]',
    `zoneDir: ${join(dir, 'zones')}`,
    `tls: {certFile: ${pki.cert}, keyFile: ${pki.key}}`,
    'acls: [{name: xot, action: transfer, transport: tls}]',
    'defaults: {acl: [xot]}',
    '',
  ].join('\n'));
  primary = await startMeshdns({ config: join(dir, 'primary.yaml'), listenFromConfig: true });
  stops.push(() => primary.stop());
  primaryTls = await tlsPortOf(primary);
  primaryPin = await pinOf(primary);
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

const answer = (port: number, name: string) => dig(['@127.0.0.1', '-p', String(port), '+short', name, 'A']).trim();

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('named (BIND 9.18) is a secondary of meshdns over TLS, verifying it with a CA file and the hostname', async () => {
  const named = await startNamed({
    zones: [{ origin: 'xot.test.', type: 'secondary', file: 'xot.test.db', conf: `primaries { 127.0.0.1 port ${primaryTls} tls to-meshdns; };` }],
    extraConf: `tls to-meshdns { ca-file "${pki.caCert}"; remote-hostname "dns.test"; };`,
  });
  stops.push(() => named.stop());
  await until('named has the zone', () => answer(named.port, 'www.xot.test') === '192.0.2.1');
  // it came over TLS: a plain TCP transfer would have been refused by the primary's ACL
  assert.match(dig(['@127.0.0.1', '-p', String(primary.port), '+tcp', 'xot.test', 'AXFR']), /Transfer failed|REFUSED/);
});

test('meshdns pulls a zone from named over TLS (named listening with tls, meshdns checking CA and hostname)', async () => {
  const named2 = await startNamedPrimary();
  writeFileSync(join(dir, 'from-named.yaml'), [
    'zones:',
    `  - {origin: bind.test., primaries: [{address: "127.0.0.1:${named2.tlsPort}", transport: tls, caFile: ${pki.caCert}, hostname: dns.test}]}`,
    '',
  ].join('\n'));
  const secondary = await startMeshdns({ config: join(dir, 'from-named.yaml') });
  stops.push(() => secondary.stop());
  const done = await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'bind.test.');
  assert.equal(done['transport'], 'tls');
  assert.equal(answer(secondary.port, 'www.bind.test'), '192.0.2.53');
});

async function startNamedPrimary(): Promise<{ tlsPort: number }> {
  const tlsPort = await findFreePort();
  const file = join(dir, 'bind.test.db');
  writeFileSync(file, '$ORIGIN bind.test.\n$TTL 300\n@ SOA ns1 hostmaster 5 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.53\n');
  const named = await startNamed({
    zones: [{ origin: 'bind.test.', type: 'primary', file, conf: 'allow-transfer transport tls { any; };' }],
    optionsConf: `listen-on port ${tlsPort} tls served { 127.0.0.1; };`,
    extraConf: `tls served { cert-file "${pki.cert}"; key-file "${pki.key}"; };`,
  });
  stops.push(() => named.stop());
  return { tlsPort };
}

test('a meshdns secondary of a meshdns primary over TLS: the right pin transfers; a wrong pin fails clearly and the old data keeps serving', async () => {
  const config = (pin: string) => [
    'admin: {listen: "127.0.0.1:0"}',
    'acls: [{name: from-primary, address: 127.0.0.1, action: notify}]',
    'defaults: {acl: [from-primary]}',
    'zones:',
    `  - {origin: xot.test., primaries: [{address: "127.0.0.1:${primaryTls}", transport: tls, pin: "${pin}"}]}`,
    '',
  ].join('\n');
  const file = join(dir, 'secondary.yaml');
  writeFileSync(file, config(primaryPin));
  const secondary = await startMeshdns({ config: file });
  stops.push(() => secondary.stop());
  const done = await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'xot.test.');
  assert.match(String(done['via']), /^tls 127\.0\.0\.1:\d+ \(pin\)$/);
  assert.equal(answer(secondary.port, 'www.xot.test'), '192.0.2.1');

  // a NOTIFY (over UDP): the SOA check and the IXFR go over TLS to the primary's TLS port
  writeFileSync(join(dir, 'zones', 'xot.test.zone'), zone(2));
  await until('the primary serves serial 2', () => answer(primary.port, 'www.xot.test') === '192.0.2.2');
  assert.match(dig(['@127.0.0.1', '-p', String(secondary.port), '+opcode=notify', '+norec', 'xot.test', 'SOA']), /status: NOERROR/);
  const ixfr = await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === 'xot.test.');
  assert.equal(ixfr['transport'], 'tls');
  assert.equal(answer(secondary.port, 'www.xot.test'), '192.0.2.2');

  // the primary moves on; the secondary is now told a pin that is not the primary's
  writeFileSync(join(dir, 'zones', 'xot.test.zone'), zone(3));
  await until('the primary serves serial 3', () => answer(primary.port, 'www.xot.test') === '192.0.2.3');
  const wrongPin = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
  writeFileSync(file, config(wrongPin));
  secondary.proc.kill('SIGHUP');
  await secondary.waitForLog((e) => e['msg'] === 'config reloaded');
  const admin = secondary.admin!;
  const r = await fetch(`${admin.url}/api/v1/zones/xot.test./retransfer`, { method: 'PUT', headers: { 'X-API-Key': admin.token! } });
  assert.ok(r.status < 300, `retransfer: ${r.status}`);
  const failed = await secondary.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept' && String(e['reason']).includes('TLS authentication'));
  assert.match(String(failed['reason']), new RegExp(`pin ${primaryPin.replace(/[+/]/g, '\\$&')}, not the configured pin ${wrongPin.replace(/[+/]/g, '\\$&')}`));
  assert.equal(answer(secondary.port, 'www.xot.test'), '192.0.2.2', 'the old data keeps serving');
});
