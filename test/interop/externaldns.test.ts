// ExternalDNS's rfc2136 provider managing a meshdns zone. The ExternalDNS binary is not packaged for
// Debian, so test/interop/externaldns/main.go stands in for its provider: the same library
// (miekg/dns), the same messages (AXFR listing with TSIG, Insert/Remove updates, TTL 0, batches).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'interop', 'externaldns');
const MIEKG = '/usr/share/gocode/src/github.com/miekg/dns';
const SECRET = Buffer.from('externaldns rfc2136 provider key').toString('base64');
const OWNER = '"heritage=external-dns,external-dns/owner=site-a,external-dns/resource=service/default/web"';
let dir: string;
let zones: string;
let binary: string;
let server: RunningMeshdns;

const zoneFile = (serial: number, extra = '') =>
  `$TTL 300\n@ SOA ns hostmaster ${serial} 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\nstatic A 192.0.2.2\n${extra}`;

before(async () => {
  requireTool('go', 'golang-go');
  if (!existsSync(MIEKG)) throw new Error(`miekg/dns sources missing at ${MIEKG}: apt-get install -y golang-github-miekg-dns-dev (.ci/run installs it)`);
  dir = mkdtempSync(join(tmpdir(), 'meshdns-externaldns-'));
  binary = join(dir, 'externaldns-rfc2136');
  // GOPATH mode over Debian's packaged Go sources: no module download, nothing off the machine
  execFileSync('go', ['build', '-o', binary, 'main.go'], {
    cwd: SOURCE, timeout: 180_000, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(tmpdir(), 'meshdns-go-cache'), GOFLAGS: '' },
  });
  zones = join(dir, 'zones');
  mkdirSync(zones);
  writeFileSync(join(zones, 'ext.test.zone'), zoneFile(1));
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'keys:',
    `  - {name: externaldns., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: externaldns, address: [127.0.0.1], key: [externaldns.], action: [update, transfer]}',
    'defaults:',
    '  acl: [externaldns]',
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml') });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function provider(command: 'records' | 'apply', plan?: unknown, flags: string[] = []): string[] {
  const r = spawnSync(binary, [
    '-server', `127.0.0.1:${server.port}`, '-zone', 'ext.test', '-key', 'externaldns', '-secret', SECRET, ...flags, command,
  ], { input: plan === undefined ? '' : JSON.stringify(plan), encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `provider ${command} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

const ask = (name: string, type: string) => dig(['@127.0.0.1', '-p', String(server.port), name, type, '+short']).trim().split('\n').filter((l) => l !== '').sort();
const web = (targets: string[], ttl = 0) => ({ dnsName: 'web.ext.test', recordType: 'A', ttl, targets });
const registry = (name: string) => ({ dnsName: name, recordType: 'TXT', ttl: 0, targets: [OWNER] });

test('the provider lists the zone by TSIG-signed AXFR (A, AAAA, CNAME, TXT only)', () => {
  assert.deepEqual(provider('records'), ['ns.ext.test 300 A 192.0.2.1', 'static.ext.test 300 A 192.0.2.2']);
});

test('creates: records with TTL 0 and their TXT registry records, in one batch', () => {
  provider('apply', {
    create: [
      web(['192.0.2.10', '192.0.2.11']),
      registry('web.ext.test'), registry('a-web.ext.test'),
      { dnsName: 'web.ext.test', recordType: 'AAAA', ttl: 0, targets: ['2001:db8::10'] },
      { dnsName: 'alias.ext.test', recordType: 'CNAME', ttl: 120, targets: ['web.ext.test'] },
    ],
  });
  assert.deepEqual(ask('web.ext.test', 'A'), ['192.0.2.10', '192.0.2.11']);
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'web.ext.test', 'A', '+noall', '+answer']), /^web\.ext\.test\.\s+0\s+IN\s+A/m, 'TTL 0 kept');
  assert.deepEqual(ask('alias.ext.test', 'A'), ['192.0.2.10', '192.0.2.11', 'web.ext.test.']);
  const listed = provider('records');
  assert.ok(listed.includes(`a-web.ext.test 0 TXT ${OWNER.slice(1, -1)}`), listed.join('\n'));
  assert.ok(listed.includes('web.ext.test 0 AAAA 2001:db8::10'));
});

test('an update removes the old targets (class NONE) and inserts the new ones; batches of one work too', () => {
  provider('apply', { updateOld: [web(['192.0.2.10', '192.0.2.11'])], updateNew: [web(['192.0.2.12'])] });
  assert.deepEqual(ask('web.ext.test', 'A'), ['192.0.2.12']);
  provider('apply', { updateOld: [web(['192.0.2.12'])], updateNew: [web(['192.0.2.13', '192.0.2.14'], 60)] }, ['-batch', '1', '-tcp']);
  assert.deepEqual(ask('web.ext.test', 'A'), ['192.0.2.13', '192.0.2.14']);
});

test('records from UPDATE survive an edit of the zone file (only the file difference is applied)', async () => {
  const reloaded = server.waitForLog((e) => e['msg'] === 'zone loaded' && e['zone'] === 'ext.test.' && e['serial'] === 100);
  writeFileSync(join(zones, 'ext.test.zone.tmp'), zoneFile(100, 'static2 A 192.0.2.3\n'));
  execFileSync('mv', [join(zones, 'ext.test.zone.tmp'), join(zones, 'ext.test.zone')]);
  await reloaded;
  assert.deepEqual(ask('static2.ext.test', 'A'), ['192.0.2.3']);
  assert.deepEqual(ask('web.ext.test', 'A'), ['192.0.2.13', '192.0.2.14']);
  assert.ok(provider('records').includes(`web.ext.test 0 TXT ${OWNER.slice(1, -1)}`));
});

test('deletes: per-RR removes take the records and the registry away; the file records stay', () => {
  provider('apply', {
    delete: [
      web(['192.0.2.13', '192.0.2.14'], 60), registry('web.ext.test'), registry('a-web.ext.test'),
      { dnsName: 'web.ext.test', recordType: 'AAAA', ttl: 0, targets: ['2001:db8::10'] },
      { dnsName: 'alias.ext.test', recordType: 'CNAME', ttl: 120, targets: ['web.ext.test'] },
    ],
  });
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'web.ext.test', 'A']), /status: NXDOMAIN/);
  assert.deepEqual(provider('records'), ['ns.ext.test 300 A 192.0.2.1', 'static.ext.test 300 A 192.0.2.2', 'static2.ext.test 300 A 192.0.2.3']);
});

test('a provider with the wrong secret is refused and changes nothing', () => {
  const wrong = Buffer.from('not the externaldns key at all!!').toString('base64');
  const r = spawnSync(binary, ['-server', `127.0.0.1:${server.port}`, '-zone', 'ext.test', '-key', 'externaldns', '-secret', wrong, 'apply'],
    { input: JSON.stringify({ create: [web(['192.0.2.99'])] }), encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NOTAUTH|bad authentication/i);
  assert.deepEqual(ask('web.ext.test', 'A'), []);
});
