import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startNamed, type Named } from '../helpers/named.js';
import { dig, requireTool } from '../helpers/tools.js';

// Zone replication with BIND 9 in both directions, TSIG (hmac-sha256) on every transfer and NOTIFY:
//  - bind.test.: named is the primary (a dynamic zone, so nsupdate changes it and named serves IXFR
//    from its journal), meshdns the secondary;
//  - mesh.test.: meshdns is the primary (a file in its zone folder), named the secondary.
// One named and one meshdns serve both zones. Each copy is compared record by record with the
// original through `dig AXFR` at both servers.

const SECRET = Buffer.from('meshdns <-> named interop secret!').toString('base64');
const KEY = ['-y', `hmac-sha256:transfer-key:${SECRET}`];

let dir: string;
let zoneDir: string;
let named: Named;
let server: RunningMeshdns;

const bindZone = [
  '$ORIGIN bind.test.',
  '$TTL 300',
  '@ SOA ns1 hostmaster 1 60 30 600 60',
  '@ NS ns1',
  '@ NS ns2.example.net.',
  '@ MX 10 mail',
  '@ MX 20 mail2.example.net.',
  '@ TXT "v=spf1 ip4:192.0.2.0/24 -all"',
  '@ CAA 0 issue "letsencrypt.org"',
  '@ CAA 128 iodef "mailto:security@bind.test"',
  'ns1 A 192.0.2.1',
  'mail A 192.0.2.25',
  'mail AAAA 2001:db8::25',
  'www 600 A 192.0.2.80',
  'www AAAA 2001:db8::80',
  'alias CNAME www',
  'txt TXT "hello world" "with spaces and a \\"quote\\""',
  '_sip._tcp SRV 10 60 5060 sip',
  '_sip._tcp SRV 20 0 5060 sip-backup.example.net.',
  'sip A 192.0.2.50',
  '*.wild A 192.0.2.99',
  '*.wild TXT "any name below wild"',
  'sub NS ns.sub',
  'sub NS ns.elsewhere.example.',
  'ns.sub A 192.0.2.53',
  'ns.sub AAAA 2001:db8::53',
  '',
].join('\n');

const meshZone = (serial: number, changed: boolean) => [
  '$TTL 300',
  `@ SOA ns1 hostmaster ${serial} 3600 600 86400 60`,
  '@ NS ns1',
  '@ NS ns2',
  '@ MX 10 mail',
  '@ TXT "meshdns primary" "second string with  two  spaces"',
  '@ CAA 0 issue "ca.example.net"',
  'ns1 A 192.0.2.1',
  'ns2 AAAA 2001:db8::2',
  'mail A 192.0.2.25',
  changed ? 'www A 192.0.2.81' : 'www A 192.0.2.80',
  'www AAAA 2001:db8::80',
  changed ? 'www AAAA 2001:db8::81' : '',
  '_ldap._tcp SRV 0 100 389 ldap',
  changed ? '_kerberos._udp SRV 0 100 88 kdc' : '',
  'ldap A 192.0.2.38',
  '*.apps A 192.0.2.100',
  changed ? '' : '*.apps TXT "wildcard text"',
  'child NS ns.child',
  'ns.child A 192.0.2.153',
  changed ? 'ns.child AAAA 2001:db8::153' : '',
  '',
].join('\n');

function meshdnsConfig(namedPort: number | undefined): string {
  const lines = [
    'keys:',
    `  - {name: transfer-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: peers, address: [127.0.0.1], key: [transfer-key.], action: [notify, transfer]}',
    'defaults:',
    '  acl: [peers]',
  ];
  if (namedPort !== undefined) {
    lines.push(
      'zones:',
      `  - {origin: bind.test., primaries: [{address: "127.0.0.1:${namedPort}", key: transfer-key.}]}`,
      `  - {origin: mesh.test., notify: [{address: "127.0.0.1:${namedPort}", key: transfer-key.}]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

before(async () => {
  requireTool('dig', 'bind9-dnsutils');
  requireTool('nsupdate', 'bind9-dnsutils');
  requireTool('named', 'bind9');
  requireTool('rndc', 'bind9-utils');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-named-interop-'));
  zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  writeFileSync(join(zoneDir, 'mesh.test.zone'), meshZone(1, false));
  // meshdns first (its port goes into named.conf), without the zones that need named's port
  writeFileSync(join(dir, 'meshdns.yaml'), meshdnsConfig(undefined));
  server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data'), zoneDir });
  const bindFile = join(dir, 'bind.test.zone');
  writeFileSync(bindFile, bindZone);
  named = await startNamed({
    keys: [{ name: 'transfer-key.', algorithm: 'hmac-sha256', secret: SECRET }],
    rndc: true,
    zones: [
      {
        origin: 'bind.test.', type: 'primary', file: bindFile,
        conf: [
          'allow-update { key "transfer-key."; };',
          'allow-transfer { key "transfer-key."; };',
          `also-notify { 127.0.0.1 port ${server.port} key "transfer-key."; };`,
        ].join('\n'),
      },
      {
        origin: 'mesh.test.', type: 'secondary', file: 'mesh.test.db',
        conf: [
          `primaries { 127.0.0.1 port ${server.port} key "transfer-key."; };`,
          'allow-transfer { key "transfer-key."; };',
          'allow-notify { key "transfer-key."; };',
        ].join('\n'),
      },
    ],
  });
  // now that named's port is known: bind.test. becomes a secondary zone, mesh.test. gets its NOTIFY target
  writeFileSync(join(dir, 'meshdns.yaml'), meshdnsConfig(named.port));
  server.proc.kill('SIGHUP');
  await server.waitForLog((e) => e['msg'] === 'config reloaded' && JSON.stringify(e['applied']).includes('zones'));
});

after(async () => {
  await server?.stop();
  await named?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function norm(line: string): string {
  return line.trim().split(/\s+/).join(' ').toLowerCase();
}

/** The zone through a signed `dig AXFR`: its records (both SOAs, no TSIG), normalized and sorted. */
function axfr(port: number, zone: string): string[] {
  const out = dig(['@127.0.0.1', '-p', String(port), ...KEY, zone, 'AXFR']);
  assert.doesNotMatch(out, /Transfer failed|could not be validated|failure|BADSIG|BADKEY|BADTIME/i, out);
  return out.split('\n').filter((l) => !l.startsWith(';') && /\sIN\s/.test(l)).map(norm).sort();
}

function serialAt(port: number, zone: string): number | undefined {
  const soa = dig(['@127.0.0.1', '-p', String(port), zone, 'SOA', '+short', '+norec']).trim().split(/\s+/);
  return soa.length >= 7 ? Number(soa[2]) : undefined;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function nsupdate(commands: string[]): void {
  const script = [`server 127.0.0.1 ${named.port}`, 'zone bind.test.', ...commands, 'send', ''].join('\n');
  execFileSync('nsupdate', [...KEY], { input: script, encoding: 'utf8', timeout: 10_000 });
}

const isIxfrIn = (serial: number) => (e: Record<string, unknown>) =>
  e['msg'] === 'incoming transfer (IXFR) done' && e['zone'] === 'bind.test.' && e['serial'] === serial;

test('named primary → meshdns secondary: the first AXFR copies the zone record by record', async () => {
  const done = await server.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'bind.test.');
  assert.equal(done['serial'], 1);
  const theirs = axfr(named.port, 'bind.test');
  const ours = axfr(server.port, 'bind.test');
  assert.equal(theirs.length, 25, `named's zone:\n${theirs.join('\n')}`);
  assert.deepEqual(ours, theirs);
  // served authoritatively, wildcard and referral included
  const wild = dig(['@127.0.0.1', '-p', String(server.port), 'any.thing.wild.bind.test', 'TXT']);
  assert.match(wild, /flags: qr aa/);
  assert.match(wild, /^any\.thing\.wild\.bind\.test\.\s+300\s+IN\s+TXT\s+"any name below wild"$/m);
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'host.sub.bind.test', 'A', '+norec']), /AUTHORITY: 2, ADDITIONAL: 3[\s\S]*ns\.sub\.bind\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.53/);
});

test('named primary: a dynamic update, NOTIFY, and meshdns follows by IXFR', async () => {
  nsupdate([
    'update delete www.bind.test. A',
    'update add www.bind.test. 600 A 192.0.2.81',
    'update add new.bind.test. 300 A 192.0.2.200',
    'update add new.bind.test. 300 TXT "added by nsupdate, with spaces"',
    'update delete *.wild.bind.test. TXT',
    'update add _xmpp._tcp.bind.test. 300 SRV 5 0 5269 xmpp.example.net.',
  ]);
  assert.equal(serialAt(named.port, 'bind.test'), 2, 'named applied the update');
  await named.waitForLog(/zone bind\.test\/IN: sending notifies \(serial 2\)/);
  await server.waitForLog((e) => e['msg'] === 'NOTIFY received; refreshing' && e['zone'] === 'bind.test.');
  const ixfr = await server.waitForLog(isIxfrIn(2));
  assert.equal(ixfr['from'], 1);
  await named.waitForLog(/transfer of 'bind\.test\/IN': IXFR started: TSIG transfer-key \(serial 1 -> 2\)/);
  assert.equal(serialAt(server.port, 'bind.test'), 2);
  assert.equal(dig(['@127.0.0.1', '-p', String(server.port), 'new.bind.test', 'TXT', '+short']).trim(), '"added by nsupdate, with spaces"');
  assert.deepEqual(axfr(server.port, 'bind.test'), axfr(named.port, 'bind.test'));
});

test('named primary: two updates in a row (two journal entries) reach meshdns by IXFR', async () => {
  nsupdate(['update delete new.bind.test.', 'update add later.bind.test. 300 AAAA 2001:db8::200']);
  nsupdate(['update delete sub.bind.test. NS ns.elsewhere.example.', 'update add bind.test. 300 CAA 0 issuewild ";"']);
  assert.equal(serialAt(named.port, 'bind.test'), 4);
  await server.waitForLog(isIxfrIn(4));
  assert.doesNotMatch(server.logs(), /IXFR does not start at our serial|refresh from primary failed/);
  await until('meshdns to answer with serial 4', () => serialAt(server.port, 'bind.test') === 4);
  assert.deepEqual(axfr(server.port, 'bind.test'), axfr(named.port, 'bind.test'));
  assert.equal(dig(['@127.0.0.1', '-p', String(server.port), 'new.bind.test', 'A', '+short']).trim(), '');
});

test('meshdns primary → named secondary: the first AXFR copies the zone record by record', async () => {
  await until('named to load mesh.test.', () => serialAt(named.port, 'mesh.test') === 1, 15_000);
  await named.waitForLog(/transfer of 'mesh\.test\/IN' from 127\.0\.0\.1#\d+: Transfer completed/);
  const ours = axfr(server.port, 'mesh.test');
  assert.equal(ours.length, 18, `meshdns's zone:\n${ours.join('\n')}`);
  assert.deepEqual(axfr(named.port, 'mesh.test'), ours);
});

test('meshdns primary: a zone file edit, NOTIFY, and named follows by IXFR', async () => {
  const file = join(zoneDir, 'mesh.test.zone');
  writeFileSync(`${file}.tmp`, meshZone(2, true));
  renameSync(`${file}.tmp`, file);
  const out = await server.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['zone'] === 'mesh.test.' && e['type'] === 'IXFR');
  assert.equal(out['from'], 1);
  assert.equal(out['serial'], 2);
  await named.waitForLog(/received notify for zone 'mesh\.test': TSIG 'transfer-key'/);
  await named.waitForLog(/zone mesh\.test\/IN: notify from 127\.0\.0\.1#\d+: serial 2/);
  await server.waitForLog((e) => e['msg'] === 'NOTIFY acknowledged' && e['zone'] === 'mesh.test.');
  const completed = await named.waitForLog(/transfer of 'mesh\.test\/IN' from 127\.0\.0\.1#\d+: Transfer completed: .*\(serial 2\)/);
  await until('named to serve serial 2', () => serialAt(named.port, 'mesh.test') === 2);
  const ours = axfr(server.port, 'mesh.test');
  assert.deepEqual(axfr(named.port, 'mesh.test'), ours);
  // named does not name the transfer type on this side; the record count does: a difference, not the zone
  const transferred = Number(/ (\d+) records,/.exec(completed)?.[1]);
  assert.ok(transferred > 0 && transferred < ours.length, `named received ${transferred} records for a zone of ${ours.length}: ${completed}`);
  const status = named.rndc(['zonestatus', 'mesh.test']);
  assert.match(status, /type: secondary/);
  assert.match(status, /serial: 2/);
  assert.doesNotMatch(named.logs(), /failed while receiving|IXFR failed|transfer of 'mesh\.test\/IN'.*(failed|error)/i);
});
