import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { startNsd, type Nsd } from '../helpers/nsd.js';
import { dig, requireTool } from '../helpers/tools.js';

// NSD as a secondary of meshdns, TSIG (hmac-sha256) on the transfers and the NOTIFY: the first
// transfer, then a zone-file edit at meshdns, its NOTIFY, and NSD's incremental transfer. NSD's copy
// is compared record by record with meshdns's through `dig AXFR` at both.

const SECRET = Buffer.from('meshdns -> nsd interop secret!!!').toString('base64');
const KEY = ['-y', `hmac-sha256:transfer-key:${SECRET}`];

let dir: string;
let zoneDir: string;
let nsd: Nsd;
let server: RunningMeshdns;

const zone = (serial: number, changed: boolean) => [
  '$ORIGIN nsd.test.',
  '$TTL 300',
  `@ SOA ns1 hostmaster ${serial} 3600 600 86400 60`,
  '@ NS ns1',
  '@ NS ns2.example.net.',
  '@ MX 10 mail',
  '@ MX 20 backup-mx.example.net.',
  '@ TXT "v=spf1 mx -all"',
  '@ CAA 0 issue "ca.example.net"',
  changed ? '@ CAA 0 iodef "mailto:ops@nsd.test"' : '',
  'ns1 A 192.0.2.1',
  'ns1 AAAA 2001:db8::1',
  'mail A 192.0.2.25',
  changed ? 'www 120 A 192.0.2.81' : 'www 120 A 192.0.2.80',
  'www AAAA 2001:db8::80',
  'txt TXT "a string with spaces" "and \\"escaped quotes\\"" ";semicolon"',
  changed ? 'txt TXT "a second TXT record"' : '',
  '_imaps._tcp SRV 0 1 993 mail',
  '_submission._tcp SRV 0 1 587 mail',
  changed ? '' : 'old CNAME www',
  '*.dyn A 192.0.2.200',
  '*.dyn AAAA 2001:db8::200',
  'branch NS ns.branch',
  'branch NS ns.branch.example.net.',
  'ns.branch A 192.0.2.153',
  changed ? 'ns.branch AAAA 2001:db8::153' : '',
  '',
].join('\n');

function meshdnsConfig(nsdPort: number | undefined): string {
  const lines = [
    'keys:',
    `  - {name: transfer-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: secondaries, address: [127.0.0.1], key: [transfer-key.], action: [transfer]}',
    'defaults:',
    '  acl: [secondaries]',
  ];
  if (nsdPort !== undefined) {
    lines.push('zones:', `  - {origin: nsd.test., notify: [{address: "127.0.0.1:${nsdPort}", key: transfer-key.}]}`);
  }
  return `${lines.join('\n')}\n`;
}

before(async () => {
  requireTool('dig', 'bind9-dnsutils');
  requireTool('nsd', 'nsd');
  dir = mkdtempSync(join(tmpdir(), 'meshdns-nsd-interop-'));
  zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  writeFileSync(join(zoneDir, 'nsd.test.zone'), zone(1, false));
  // meshdns first: its port goes into nsd.conf; the NOTIFY target (NSD's port) follows by reload
  writeFileSync(join(dir, 'meshdns.yaml'), meshdnsConfig(undefined));
  server = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data'), zoneDir });
  nsd = await startNsd({
    keys: [{ name: 'transfer-key.', algorithm: 'hmac-sha256', secret: SECRET }],
    zones: [{
      origin: 'nsd.test.',
      wait: false,
      conf: [
        `request-xfr: 127.0.0.1@${server.port} transfer-key.`,
        'allow-notify: 127.0.0.1 transfer-key.',
        'provide-xfr: 127.0.0.1 transfer-key.',
      ].join('\n'),
    }],
  });
  writeFileSync(join(dir, 'meshdns.yaml'), meshdnsConfig(nsd.port));
  server.proc.kill('SIGHUP');
  await server.waitForLog((e) => e['msg'] === 'config reloaded' && JSON.stringify(e['applied']).includes('zones'));
});

after(async () => {
  await server?.stop();
  await nsd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function norm(line: string): string {
  return line.trim().split(/\s+/).join(' ').toLowerCase();
}

/** The zone through a signed `dig AXFR`: its records (both SOAs, no TSIG), normalized and sorted. */
function axfr(port: number): string[] {
  const out = dig(['@127.0.0.1', '-p', String(port), ...KEY, 'nsd.test', 'AXFR']);
  assert.doesNotMatch(out, /Transfer failed|could not be validated|failure|BADSIG|BADKEY|BADTIME/i, out);
  return out.split('\n').filter((l) => !l.startsWith(';') && /\sIN\s/.test(l)).map(norm).sort();
}

function serialAt(port: number): number | undefined {
  const soa = dig(['@127.0.0.1', '-p', String(port), 'nsd.test', 'SOA', '+short', '+norec']).trim().split(/\s+/);
  return soa.length >= 7 ? Number(soa[2]) : undefined;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; NSD's log:\n${nsd.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bytes NSD reports for the transfer that brought the serial. */
async function transferBytes(serial: number): Promise<number> {
  const line = await nsd.waitForLog(new RegExp(`zone nsd\\.test\\. received update to serial ${serial} .* of (\\d+) bytes`));
  return Number(/ of (\d+) bytes/.exec(line)?.[1]);
}

let firstBytes = 0;

test('NSD secondary: the first transfer copies the zone record by record', async () => {
  await until('NSD to serve serial 1', () => serialAt(nsd.port) === 1, 15_000);
  await nsd.waitForLog(/zone nsd\.test\. committed "received update to serial 1 .* from 127\.0\.0\.1@\d+ TSIG verified with key transfer-key\./);
  firstBytes = await transferBytes(1);
  const ours = axfr(server.port);
  assert.equal(ours.length, 22, `meshdns's zone:\n${ours.join('\n')}`);
  assert.deepEqual(axfr(nsd.port), ours);
  assert.match(dig(['@127.0.0.1', '-p', String(nsd.port), 'x.y.dyn.nsd.test', 'AAAA', '+short']), /^2001:db8::200$/m);
});

test('NSD secondary: a zone file edit, a signed NOTIFY, and NSD follows by IXFR', async () => {
  const file = join(zoneDir, 'nsd.test.zone');
  writeFileSync(`${file}.tmp`, zone(2, true));
  renameSync(`${file}.tmp`, file);
  await server.waitForLog((e) => e['msg'] === 'NOTIFY acknowledged' && e['zone'] === 'nsd.test.');
  const out = await server.waitForLog((e) => e['msg'] === 'outgoing transfer' && e['zone'] === 'nsd.test.' && e['type'] === 'IXFR' && e['serial'] === 2);
  assert.equal(out['from'], 1);
  assert.equal(out['key'], 'transfer-key.');
  await nsd.waitForLog(/zone nsd\.test\. committed "received update to serial 2 .* from 127\.0\.0\.1@\d+ TSIG verified with key transfer-key\./);
  // NSD does not name the transfer type; the size does: a difference, much smaller than the zone
  const bytes = await transferBytes(2);
  assert.ok(bytes > 0 && bytes < firstBytes * 0.75, `the update to serial 2 took ${bytes} bytes, the whole zone ${firstBytes}`);
  await until('NSD to serve serial 2', () => serialAt(nsd.port) === 2);
  const ours = axfr(server.port);
  assert.deepEqual(axfr(nsd.port), ours);
  assert.equal(dig(['@127.0.0.1', '-p', String(nsd.port), 'old.nsd.test', 'CNAME', '+short']).trim(), '', 'the removed record went');
  assert.doesNotMatch(nsd.logs(), /bad xfr|xfr failed|error:|TSIG .*(failed|bad)/i);
});
