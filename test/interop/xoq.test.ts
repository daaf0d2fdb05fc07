/**
 * XoQ between two meshdns: a secondary pulls from a primary over QUIC (RFC 9250 §4.2; SOA query,
 * AXFR and IXFR all over DoQ, TSIG-signed: the message ID is 0 on the wire, the MACs still verify),
 * the primary authenticated by its SPKI pin or by a CA and hostname.
 * When the primary's key changes (a certificate rotated to a new key the secondary was not told
 * about), the refresh fails with a log line naming the pin and the old data keeps answering.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spkiPin } from '../../server/tls/pin.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';

const SECRET = Buffer.from('meshdns xoq test transfer secret').toString('base64');
let dir: string;
let primary: RunningMeshdns;
let secondary: RunningMeshdns;
let zoneFile: string;
let caFile: string;

const zone = (serial: number, extra: string) =>
  `$ORIGIN xoq.test.\n$TTL 60\n@ SOA ns hm ${serial} 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n${extra}\n`;

/** A CA and a P-256 certificate for `primary.test` / 127.0.0.1 it signed; returns the key's pin. */
function issue(name: string): string {
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(dir, 'ext'), 'subjectAltName=DNS:primary.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=primary.test']);
  ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '3', '-extfile', 'ext']);
  return spkiPin(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).publicKey.export({ type: 'spki', format: 'der' }));
}

let pin1: string;
let quicPort: number;

before(async () => {
  requireTool('openssl', 'openssl');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-xoq-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=xoq test CA'], { cwd: dir, stdio: 'ignore' });
  caFile = join(dir, 'ca.pem');
  pin1 = issue('one');
  copyFileSync(join(dir, 'one.pem'), join(dir, 'served.pem'));
  copyFileSync(join(dir, 'one.key'), join(dir, 'served.key'));
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  zoneFile = join(zones, 'xoq.test.zone');
  writeFileSync(zoneFile, zone(1, ''));
  writeFileSync(join(dir, 'primary.yaml'), [
    'listen:',
    '  - "127.0.0.1:0"',
    '  - {address: "127.0.0.1:0", transport: quic}',
    `tls: {certFile: "${join(dir, 'served.pem')}", keyFile: "${join(dir, 'served.key')}", reloadOnChange: true}`,
    'keys:',
    `  - {name: xfr-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: over-quic, address: [127.0.0.1], key: [xfr-key.], transport: [quic], action: [transfer]}',
    'defaults:',
    '  acl: [over-quic]',
    '',
  ].join('\n'));
  primary = await startMeshdns({ zoneDir: zones, config: join(dir, 'primary.yaml'), listenFromConfig: true, dataDir: join(dir, 'primary-data') });
  quicPort = (await primary.waitForLog((e) => e['msg'] === 'listening' && e['proto'] === 'quic'))['port'] as number;
  writeFileSync(join(dir, 'secondary.yaml'), [
    'keys:',
    `  - {name: xfr-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: from-primary, address: [127.0.0.1], action: [notify]}',
    'defaults:',
    '  acl: [from-primary]',
    'zones:',
    `  - {origin: xoq.test., primaries: [{address: "127.0.0.1:${quicPort}", key: xfr-key., transport: quic, pin: "${pin1}"}]}`,
    `  - {origin: ca.xoq.test., primaries: [{address: "127.0.0.1:${quicPort}", key: xfr-key., transport: quic, caFile: "${caFile}", hostname: primary.test}]}`,
    `  - {origin: opp.xoq.test., primaries: [{address: "127.0.0.1:${quicPort}", key: xfr-key., transport: quic}]}`,
    `  - {origin: wrong-name.xoq.test., primaries: [{address: "127.0.0.1:${quicPort}", key: xfr-key., transport: quic, caFile: "${caFile}", hostname: other.test}]}`,
    '',
  ].join('\n'));
  writeFileSync(join(zones, 'ca.xoq.test.zone'), '$ORIGIN ca.xoq.test.\n$TTL 60\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.81\n');
  writeFileSync(join(zones, 'opp.xoq.test.zone'), '$ORIGIN opp.xoq.test.\n$TTL 60\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.83\n');
  writeFileSync(join(zones, 'wrong-name.xoq.test.zone'), '$ORIGIN wrong-name.xoq.test.\n$TTL 60\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.82\n');
  await primary.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'wrong-name.xoq.test.').catch(() => undefined);
  secondary = await startMeshdns({ config: join(dir, 'secondary.yaml'), dataDir: join(dir, 'secondary-data') });
});
after(async () => {
  await secondary?.stop();
  await primary?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const fromSecondary = (name: string) => dig(['@127.0.0.1', '-p', String(secondary.port), name, 'A', '+short']).trim();
const notifySecondary = (origin: string) => dig(['@127.0.0.1', '-p', String(secondary.port), origin, 'SOA', '+opcode=notify', '+norec']);

async function primaryServes(serial: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (new RegExp(` ${serial} 3600 `).test(dig(['@127.0.0.1', '-p', String(primary.port), 'xoq.test', 'SOA', '+short']))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the primary never served serial ${serial}`);
}

test('the secondary transfers the zone over QUIC, TSIG-signed, from a primary it authenticates by pin', async () => {
  const done = await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'xoq.test.');
  assert.equal(done['transport'], 'quic');
  assert.equal(fromSecondary('www.xoq.test'), '192.0.2.80');
  // the primary's ACL wants the key: the same AXFR unsigned over QUIC is refused
  const unsigned = spawnSync('kdig', ['@127.0.0.1', '-p', String(quicPort), '+quic', 'xoq.test', 'AXFR'], { encoding: 'utf8' });
  assert.match(`${unsigned.stdout}${unsigned.stderr}`, /REFUSED/);
  const signed = execFileSync('kdig', ['@127.0.0.1', '-p', String(quicPort), '+quic', '-y', `hmac-sha256:xfr-key.:${SECRET}`, 'xoq.test', 'AXFR'], { encoding: 'utf8' });
  assert.match(signed, /www\.xoq\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.80/);
});

test('a CA and the right hostname authenticate the primary too; a CA with another hostname is refused', async () => {
  await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'ca.xoq.test.');
  assert.equal(fromSecondary('www.ca.xoq.test'), '192.0.2.81');
  const failed = await secondary.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept' && e['zone'] === 'wrong-name.xoq.test.');
  assert.match(String(failed['reason']), /^QUIC authentication of quic 127\.0\.0\.1:\d+ \(CA, other\.test\) failed: its certificate is not for other\.test/);
  assert.equal(fromSecondary('www.wrong-name.xoq.test'), '');
});

test('without pin or hostname the transfer is opportunistic: it works, and a warning says the primary is not authenticated', async () => {
  await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'opp.xoq.test.');
  assert.equal(fromSecondary('www.opp.xoq.test'), '192.0.2.83');
  const warned = await secondary.waitForLog((e) => typeof e['msg'] === 'string' && /not authenticated/.test(e['msg']) && e['zone'] === 'opp.xoq.test.');
  assert.match(String(warned['primary']), /^quic .*opportunistic/);
});

test('kdig verifies the primary over QUIC by CA and hostname (+tls-ca, +tls-hostname); another hostname fails', () => {
  const ask = (hostname: string) => spawnSync('kdig', ['@127.0.0.1', '-p', String(quicPort), `+tls-ca=${caFile}`, `+tls-hostname=${hostname}`, '+quic',
    'www.xoq.test', 'A', '+short', '+retry=0', '+timeout=5'], { encoding: 'utf8' });
  const ok = ask('primary.test');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '192.0.2.80');
  const wrong = ask('other.test');
  assert.notEqual(wrong.status, 0);
  assert.doesNotMatch(wrong.stdout, /192\.0\.2\.80/);
});

test('a NOTIFY brings the next version by IXFR over QUIC', async () => {
  writeFileSync(zoneFile, zone(2, 'new A 192.0.2.99'));
  await primaryServes(2);
  assert.match(notifySecondary('xoq.test'), /status: NOERROR/);
  const ixfr = await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === 'xoq.test.' && e['serial'] === 2);
  assert.equal(ixfr['from'], 1);
  assert.equal(fromSecondary('new.xoq.test'), '192.0.2.99');
});

test('after the primary moves to a key with another pin, the refresh is refused and the old data keeps answering', async () => {
  const pin2 = issue('two');
  assert.notEqual(pin2, pin1);
  // the primary picks up the new files (reloadOnChange) for new connections
  copyFileSync(join(dir, 'two.key'), join(dir, 'served.key'));
  copyFileSync(join(dir, 'two.pem'), join(dir, 'served.pem'));
  for (let i = 0; i < 100; i++) {
    const out = execFileSync('kdig', ['-d', '@127.0.0.1', '-p', String(quicPort), '+quic', 'xoq.test', 'SOA', '+retry=0'], { encoding: 'utf8' });
    if (out.includes(pin2)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  writeFileSync(zoneFile, zone(3, 'new A 192.0.2.99\nnewer A 192.0.2.100'));
  await primaryServes(3);
  assert.match(notifySecondary('xoq.test'), /status: NOERROR/);
  const failed = await secondary.waitForLog((e) => e['msg'] === 'refresh from primary failed; old version kept' && e['zone'] === 'xoq.test.');
  assert.ok(String(failed['reason']).includes(`QUIC authentication of quic 127.0.0.1:${quicPort} (pin) failed: its certificate's key has pin ${pin2}, not the configured pin ${pin1}`), String(failed['reason']));
  assert.equal(fromSecondary('new.xoq.test'), '192.0.2.99', 'version 2 still answers');
  assert.equal(fromSecondary('newer.xoq.test'), '', 'version 3 was not taken');
});
