import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';
import { nameToWire, queryUdp } from '../helpers/dns-client.js';
import { Keyring, makeKey } from '../../server/tsig/keys.js';
import { signMessage, verifyMessage } from '../../server/tsig/tsig.js';
import { locateTsig } from '../../server/tsig/record.js';
import { Rcode } from '../../server/message/rcode.js';

// RFC 2136 dynamic update through the real server, driven by nsupdate (bind9-dnsutils) and
// knsupdate (knot-dnsutils); every change checked with dig and by the zone serial.

const SECRET = Buffer.from('meshdns update interop secret 32').toString('base64');
const KEY = `hmac-sha256:update-key:${SECRET}`;
let dir: string;
let server: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-update-'));
  const zones = join(dir, 'zones');
  mkdirSync(zones);
  writeFileSync(join(zones, 'upd.test.zone'), [
    '$TTL 300',
    '@ SOA ns hostmaster 100 3600 600 86400 60',
    '@ NS ns',
    'ns A 192.0.2.1',
    'www A 192.0.2.10',
    'www A 192.0.2.11',
    'www TXT "hello"',
    'alias CNAME www',
    'gone A 192.0.2.20',
    'gone TXT "bye"',
    'set A 192.0.2.30',
    '',
  ].join('\n'));
  writeFileSync(join(zones, 'other.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
  writeFileSync(join(zones, 'child.upd.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
  writeFileSync(join(zones, 'open.test.zone'), '$TTL 300\n@ SOA ns hm 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.1\n');
  writeFileSync(join(dir, 'meshdns.yaml'), [
    'keys:',
    `  - {name: update-key., algorithm: hmac-sha256, secret: "${SECRET}"}`,
    'acls:',
    '  - {name: updaters, address: [127.0.0.0/8], key: [update-key.], action: [update, transfer]}',
    '  - {name: by-address, address: [127.0.0.1], action: [update]}',
    'defaults:',
    '  acl: [updaters]',
    'zones:',
    '  - {origin: open.test., acl: [by-address]}',
    '  - {origin: other.test., journal: {maxDepth: 3}}',
    '',
  ].join('\n'));
  server = await startMeshdns({ zoneDir: zones, config: join(dir, 'meshdns.yaml') });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { status: number | null; out: string }

/** Feeds commands to nsupdate (or knsupdate) on stdin; `send` is appended. */
function nsupdate(lines: string[], opts: { key?: string | undefined; zone?: string; tool?: 'nsupdate' | 'knsupdate'; tcp?: boolean } = {}): Run {
  const tool = opts.tool ?? 'nsupdate';
  requireTool(tool, tool === 'nsupdate' ? 'bind9-dnsutils' : 'knot-dnsutils');
  const key = 'key' in opts ? opts.key : KEY;
  const args = key === undefined ? [] : ['-y', key];
  if (opts.tcp) args.push(tool === 'nsupdate' ? '-v' : '-t');
  const input = [`server 127.0.0.1 ${server.port}`, `zone ${opts.zone ?? 'upd.test.'}`, ...lines, 'send', ...(tool === 'knsupdate' ? ['answer', 'quit'] : []), ''].join('\n');
  const r = spawnSync(tool, args, { input, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function ok(r: Run): void {
  assert.equal(r.status, 0, `update failed:\n${r.out}`);
  assert.doesNotMatch(r.out, /failed|REFUSED|NOTAUTH|FORMERR/i);
}

function fails(r: Run, rcode: string): void {
  assert.notEqual(r.status, 0, `the update should have failed with ${rcode}:\n${r.out}`);
  assert.match(r.out, new RegExp(rcode), r.out);
}

const q = (name: string, type: string): string[] =>
  dig(['@127.0.0.1', '-p', String(server.port), '+short', name, type]).split('\n').filter((l) => l !== '').sort();
const serial = (zone = 'upd.test'): number => Number(q(zone, 'SOA')[0]?.split(' ')[2]);
const ttlOf = (name: string, type: string): number =>
  Number(dig(['@127.0.0.1', '-p', String(server.port), '+noall', '+answer', name, type]).trim().split(/\s+/)[1]);

/** Runs `fn` and checks the serial moved by exactly `by`. */
function bumps<T>(by: number, fn: () => T): T {
  const before = serial();
  const out = fn();
  assert.equal(serial(), (before + by) >>> 0, `serial should move by ${by}`);
  return out;
}

test('adds (class IN): A and TXT, TTL 0 included, several RRs in one update = one serial bump', () => {
  bumps(1, () => ok(nsupdate([
    'update add new.upd.test. 600 A 198.51.100.1',
    'update add new.upd.test. 600 A 198.51.100.2',
    'update add new.upd.test. 600 TXT "heritage=external-dns,external-dns/owner=default"',
    'update add zero.upd.test. 0 A 198.51.100.3',
  ])));
  assert.deepEqual(q('new.upd.test', 'A'), ['198.51.100.1', '198.51.100.2']);
  assert.deepEqual(q('new.upd.test', 'TXT'), ['"heritage=external-dns,external-dns/owner=default"']);
  assert.deepEqual(q('zero.upd.test', 'A'), ['198.51.100.3']);
  assert.equal(ttlOf('zero.upd.test', 'A'), 0);
  assert.equal(ttlOf('new.upd.test', 'A'), 600);
  // a duplicate add changes nothing: no serial bump (over TCP this time)
  bumps(0, () => ok(nsupdate(['update add new.upd.test. 600 A 198.51.100.1'], { tcp: true })));
  bumps(1, () => ok(nsupdate(['update add tcp.upd.test. 60 A 198.51.100.4'], { tcp: true })));
  assert.deepEqual(q('tcp.upd.test', 'A'), ['198.51.100.4']);
});

test('prerequisites that hold: all five forms, then the update is applied', () => {
  bumps(1, () => ok(nsupdate([
    'prereq yxrrset www.upd.test. A', // RRset exists (value independent)
    'prereq yxrrset www.upd.test. IN A 192.0.2.10', // RRset exists (value dependent)...
    'prereq yxrrset www.upd.test. IN A 192.0.2.11', // ...the whole RRset
    'prereq nxrrset www.upd.test. AAAA', // RRset does not exist
    'prereq yxdomain www.upd.test.', // name is in use
    'prereq nxdomain fresh.upd.test.', // name is not in use
    'update add fresh.upd.test. 300 A 198.51.100.9',
  ])));
  assert.deepEqual(q('fresh.upd.test', 'A'), ['198.51.100.9']);
});

test('prerequisites that fail: each rcode of RFC 2136 §3.2.5, and nothing changes', () => {
  const before = serial();
  const attempt = (prereq: string, rcode: string) => {
    fails(nsupdate([prereq, 'update add never.upd.test. 300 A 198.51.100.99']), rcode);
  };
  attempt('prereq nxdomain www.upd.test.', 'YXDOMAIN');
  attempt('prereq yxdomain nothing.upd.test.', 'NXDOMAIN');
  attempt('prereq nxrrset www.upd.test. A', 'YXRRSET');
  attempt('prereq yxrrset www.upd.test. AAAA', 'NXRRSET');
  attempt('prereq yxrrset www.upd.test. IN A 192.0.2.10', 'NXRRSET'); // only part of the RRset
  attempt('prereq yxrrset www.upd.test. IN A 192.0.2.99', 'NXRRSET');
  // an empty non-terminal is a name with no RRs: not in use
  ok(nsupdate(['update add a.b.upd.test. 300 A 198.51.100.7']));
  fails(nsupdate(['prereq yxdomain b.upd.test.', 'update add never.upd.test. 300 A 198.51.100.99']), 'NXDOMAIN');
  assert.deepEqual(q('never.upd.test', 'A'), []);
  assert.equal(serial(), before + 1, 'only the a.b add moved the serial');
});

test('delete an RR (class NONE) whatever its source, delete an RRset (ANY T), delete a name (ANY ANY)', () => {
  // www's records come from the zone file; an update may still delete them (RFC 2136 §2.5.4)
  bumps(1, () => ok(nsupdate(['update delete www.upd.test. IN A 192.0.2.10'])));
  assert.deepEqual(q('www.upd.test', 'A'), ['192.0.2.11']);
  assert.deepEqual(q('www.upd.test', 'TXT'), ['"hello"']);
  bumps(1, () => ok(nsupdate(['update delete www.upd.test. A'])));
  assert.deepEqual(q('www.upd.test', 'A'), []);
  assert.deepEqual(q('www.upd.test', 'TXT'), ['"hello"'], 'other RRsets stay');
  bumps(1, () => ok(nsupdate(['update delete gone.upd.test.'])));
  assert.deepEqual(q('gone.upd.test', 'A'), []);
  assert.deepEqual(q('gone.upd.test', 'TXT'), []);
  assert.match(dig(['@127.0.0.1', '-p', String(server.port), 'gone.upd.test', 'A']), /status: NXDOMAIN/);
  // deleting what is not there is no change
  bumps(0, () => ok(nsupdate(['update delete gone.upd.test. A', 'update delete nope.upd.test. IN A 192.0.2.1'])));
});

test('updates apply in order within one message: delete then add the same RRset (ExternalDNS style)', () => {
  bumps(1, () => ok(nsupdate([
    'update delete set.upd.test. IN A 192.0.2.30',
    'update add set.upd.test. 0 A 192.0.2.31',
    'update add set.upd.test. 0 TXT "owner=meshdns"',
  ])));
  assert.deepEqual(q('set.upd.test', 'A'), ['192.0.2.31']);
  assert.equal(ttlOf('set.upd.test', 'A'), 0);
  // add then delete in one message leaves nothing
  bumps(0, () => ok(nsupdate(['update add tmp.upd.test. 300 A 192.0.2.40', 'update delete tmp.upd.test. IN A 192.0.2.40'])));
  assert.deepEqual(q('tmp.upd.test', 'A'), []);
});

test('CNAME and other data do not mix: the conflicting add is ignored (RFC 2136 §3.4.2.2)', () => {
  bumps(0, () => ok(nsupdate(['update add alias.upd.test. 300 A 192.0.2.50'])));
  assert.deepEqual(q('alias.upd.test', 'CNAME'), ['www.upd.test.']);
  bumps(0, () => ok(nsupdate(['update add ns.upd.test. 300 CNAME www.upd.test.'])));
  assert.deepEqual(q('ns.upd.test', 'A'), ['192.0.2.1']);
  // a CNAME replaces the CNAME
  bumps(1, () => ok(nsupdate(['update add alias.upd.test. 300 CNAME new.upd.test.'])));
  assert.deepEqual(q('alias.upd.test', 'CNAME'), ['new.upd.test.']);
});

test('the apex keeps its SOA and NS; the SOA is replaced only by a newer serial', () => {
  bumps(0, () => ok(nsupdate(['update delete upd.test. NS', 'update delete upd.test. SOA'])));
  bumps(0, () => ok(nsupdate(['update delete upd.test. IN NS ns.upd.test.']))); // the last NS stays
  assert.deepEqual(q('upd.test', 'NS'), ['ns.upd.test.']);
  bumps(1, () => ok(nsupdate(['update add upd.test. 300 TXT "apex"'])));
  assert.deepEqual(q('upd.test', 'TXT'), ['"apex"']);
  bumps(1, () => ok(nsupdate(['update delete upd.test.'])));
  assert.deepEqual(q('upd.test', 'NS'), ['ns.upd.test.']);
  assert.deepEqual(q('upd.test', 'TXT'), []);
  // NS adds at the apex are ordinary adds; then one NS may go
  bumps(1, () => ok(nsupdate(['update add upd.test. 300 NS ns2.upd.test.'])));
  assert.deepEqual(q('upd.test', 'NS'), ['ns.upd.test.', 'ns2.upd.test.']);
  bumps(1, () => ok(nsupdate(['update delete upd.test. IN NS ns.upd.test.'])));
  assert.deepEqual(q('upd.test', 'NS'), ['ns2.upd.test.']);
  const now = serial();
  bumps(0, () => ok(nsupdate([`update add upd.test. 300 SOA ns hostmaster.upd.test. ${now - 5} 3600 600 86400 60`])));
  ok(nsupdate([`update add upd.test. 300 SOA ns.upd.test. admin.upd.test. ${now + 1000} 7200 600 86400 60`]));
  const soa = q('upd.test', 'SOA')[0]!.split(' ');
  assert.equal(soa[1], 'admin.upd.test.');
  assert.equal(Number(soa[2]), now + 1000, 'the newer serial is taken as it is');
  assert.equal(soa[3], '7200');
});

test('unsigned and wrongly signed updates are refused and change nothing', async () => {
  const before = serial();
  fails(nsupdate(['update add evil.upd.test. 300 A 203.0.113.1'], { key: undefined }), 'REFUSED');
  const wrong = Buffer.from('not the update secret at all!!!!').toString('base64');
  const bad = nsupdate(['update add evil.upd.test. 300 A 203.0.113.1'], { key: `hmac-sha256:update-key:${wrong}` });
  assert.notEqual(bad.status, 0, bad.out);
  assert.match(bad.out, /NOTAUTH|BADSIG|tsig/i);
  const unknown = nsupdate(['update add evil.upd.test. 300 A 203.0.113.1'], { key: `hmac-sha256:other-key:${SECRET}` });
  assert.notEqual(unknown.status, 0, unknown.out);
  assert.deepEqual(q('evil.upd.test', 'A'), []);
  assert.equal(serial(), before);
  const refused = await server.waitForLog((e) => e['msg'] === 'update: REFUSED');
  assert.equal(refused['client'], '127.0.0.1');
});

test('outside the zone: NOTZONE; a zone not served: NOTAUTH; zone class not IN: FORMERR', () => {
  const before = serial();
  fails(nsupdate(['update add www.other.test. 300 A 203.0.113.2']), 'NOTZONE');
  fails(nsupdate(['prereq yxdomain www.other.test.', 'update add x.upd.test. 300 A 203.0.113.2']), 'NOTZONE');
  fails(nsupdate(['update add www.elsewhere.test. 300 A 203.0.113.2'], { zone: 'elsewhere.test.' }), 'NOTAUTH');
  // a name below upd.test. that belongs to a zone cut we also serve is not in upd.test.
  fails(nsupdate(['update add www.child.upd.test. 300 A 203.0.113.2']), 'NOTZONE');
  assert.deepEqual(q('www.child.upd.test', 'A'), []);
  fails(nsupdate(['class CH', 'update add www.upd.test. 300 TXT "chaos"']), 'FORMERR');
  assert.equal(serial(), before);
  assert.equal(serial('other.test'), 1);
});

test('knsupdate adds and deletes with TSIG', () => {
  bumps(1, () => ok(nsupdate(['update add knot.upd.test. 300 A 198.51.100.77', 'update add knot.upd.test. 300 TXT "from knsupdate"'], { tool: 'knsupdate' })));
  assert.deepEqual(q('knot.upd.test', 'A'), ['198.51.100.77']);
  bumps(1, () => ok(nsupdate(['update delete knot.upd.test. TXT'], { tool: 'knsupdate' })));
  assert.deepEqual(q('knot.upd.test', 'TXT'), []);
});

test('AXFR with the same key lists what updates wrote, at the current serial', () => {
  const out = dig(['@127.0.0.1', '-p', String(server.port), '-y', KEY, 'upd.test', 'AXFR']);
  const lines = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sTSIG\s/.test(l)).map((l) => l.split(/\s+/).join(' '));
  assert.ok(lines.includes('new.upd.test. 600 IN TXT "heritage=external-dns,external-dns/owner=default"'), out);
  assert.ok(lines.includes('set.upd.test. 0 IN A 192.0.2.31'), out);
  assert.ok(lines.includes('zero.upd.test. 0 IN A 198.51.100.3'), out);
  assert.ok(!lines.some((l) => l.startsWith('gone.upd.test.')), out);
  assert.match(lines[0]!, new RegExp(`^upd\\.test\\. 300 IN SOA .* ${serial()} `));
  assert.doesNotMatch(out, /failed|could not be validated/i);
});

test('an ACL by address alone allows an unsigned update (and only for its zone)', async () => {
  const before = serial('open.test');
  ok(nsupdate(['update add host.open.test. 300 A 198.51.100.60'], { key: undefined, zone: 'open.test.' }));
  assert.deepEqual(q('host.open.test', 'A'), ['198.51.100.60']);
  assert.equal(serial('open.test'), before + 1);
  const logged = await server.waitForLog((e) => e['msg'] === 'update: NOERROR' && e['zone'] === 'open.test.');
  assert.equal(logged['key'], null);
  assert.equal(logged['rcode'], 'NOERROR');
  // the same unsigned update to upd.test (whose ACL wants the key) is refused
  fails(nsupdate(['update add host.upd.test. 300 A 198.51.100.60'], { key: undefined }), 'REFUSED');
});

/** A signed UPDATE built by hand: what nsupdate refuses to send. Returns the answer's rcode. */
async function rawUpdate(prereqs: Buffer[], updates: Buffer[]): Promise<number> {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x4242, 0);
  header.writeUInt16BE(5 << 11, 2); // opcode UPDATE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(prereqs.length, 6);
  header.writeUInt16BE(updates.length, 8);
  const zone = Buffer.concat([nameToWire('upd.test.'), Buffer.from([0, 6, 0, 1])]);
  const key = makeKey('update-key.', 'hmac-sha256', SECRET);
  const { message, mac } = signMessage(Buffer.concat([header, zone, ...prereqs, ...updates]), key);
  const answer = await queryUdp(server.port, message, 3000);
  assert.ok(answer, 'no answer');
  assert.equal(answer.readUInt16BE(0), 0x4242);
  assert.equal((answer[2]! >> 3) & 0x0f, 5, 'opcode UPDATE');
  assert.equal(answer.readUInt16BE(4), 1, 'the zone section is echoed');
  assert.equal(verifyMessage(answer, new Keyring([key]), { priorMac: mac }).status, 'ok', 'the answer is signed');
  return answer[3]! & 0x0f;
}
function rr(name: string, type: number, cls: number, ttl: number, rdata: Buffer = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(cls, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([nameToWire(name), fixed, rdata]);
}

test('FORMERR for malformed prerequisites and updates (RFC 2136 §3.2.5, §3.4.1.3); nothing changes', async () => {
  const before = serial();
  const a = Buffer.from([192, 0, 2, 77]);
  assert.equal(await rawUpdate([rr('www.upd.test.', 1, 255, 60)], []), 1, 'prerequisite TTL not 0');
  assert.equal(await rawUpdate([rr('www.upd.test.', 1, 255, 0, a)], []), 1, 'class ANY prerequisite with rdata');
  assert.equal(await rawUpdate([rr('www.upd.test.', 1, 3, 0, a)], []), 1, 'prerequisite class CH');
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 255, 0, a)]), 1, 'class ANY update with rdata');
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 254, 300, a)]), 1, 'class NONE update with TTL');
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 252, 1, 300)]), 1, 'add of type AXFR');
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 3, 300, a)]), 1, 'update class CH');
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 1, 300, Buffer.from([1, 2, 3]))]), 1, 'A rdata of 3 octets');
  // a good one among bad ones: the whole message fails
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 1, 300, a), rr('raw.upd.test.', 1, 254, 300, a)]), 1);
  assert.deepEqual(q('raw.upd.test', 'A'), []);
  assert.equal(serial(), before);
  assert.equal(await rawUpdate([], [rr('raw.upd.test.', 1, 1, 300, a)]), 0, 'and a good one works');
  assert.deepEqual(q('raw.upd.test', 'A'), ['192.0.2.77']);
});

test('the metrics count applied and refused dynamic updates', async () => {
  const admin = server.admin!;
  const text = await (await fetch(`${admin.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{source="rfc2136"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 'NaN');
  assert.ok(value('meshdns_updates_applied_total') > 0, text.split('\n').filter((l) => l.includes('updates')).join('\n'));
  assert.ok(value('meshdns_updates_refused_total') > 0);
});

test('the journal holds exactly the update: IXFR from the previous serial shows it', () => {
  const soa = () => Number(dig(['@127.0.0.1', '-p', String(server.port), 'upd.test', 'SOA', '+short']).trim().split(/\s+/)[2]);
  ok(nsupdate(['update add jc-old.upd.test. 120 A 192.0.2.76']));
  const before = soa();
  ok(nsupdate(['update add journal-check.upd.test. 120 A 192.0.2.77', 'update delete jc-old.upd.test. A']));
  assert.equal(soa(), before + 1);
  const ixfr = dig(['@127.0.0.1', '-p', String(server.port), '-y', KEY, 'upd.test', `IXFR=${before}`])
    .split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sTSIG\s/.test(l)).map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(ixfr.filter((l) => !/ SOA /.test(l)), ['jc-old.upd.test. 120 IN A 192.0.2.76', 'journal-check.upd.test. 120 IN A 192.0.2.77']);
  assert.equal(ixfr.filter((l) => / SOA /.test(l)).length, 4, 'new, old, new, new SOA');
});

test('the journal limit from the config: IXFR within the last 3 commits, AXFR from further back', () => {
  const soa = () => Number(dig(['@127.0.0.1', '-p', String(server.port), 'other.test', 'SOA', '+short']).trim().split(/\s+/)[2]);
  const first = soa();
  for (let i = 1; i <= 5; i++) ok(nsupdate([`update add j${i}.other.test. 60 A 192.0.2.${i}`], { zone: 'other.test.' }));
  assert.equal(soa(), first + 5);
  const ixfr = (from: number) => dig(['@127.0.0.1', '-p', String(server.port), '-y', KEY, 'other.test', `IXFR=${from}`])
    .split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sTSIG\s/.test(l)).map((l) => l.trim().split(/\s+/).join(' '));
  const recent = ixfr(first + 2);
  assert.deepEqual(recent.filter((l) => !/ SOA /.test(l)), ['j3.other.test. 60 IN A 192.0.2.3', 'j4.other.test. 60 IN A 192.0.2.4', 'j5.other.test. 60 IN A 192.0.2.5']);
  const old = ixfr(first + 1);
  assert.equal(old.filter((l) => / SOA /.test(l)).length, 2, `the whole zone (AXFR form): ${old.join(' | ')}`);
  assert.equal(old.filter((l) => / A 192\.0\.2\.\d$/.test(l) && l.startsWith('j')).length, 5);
});

/** A signed UPDATE of upd.test. with the given update records, built by hand. */
function signedUpdate(updates: Buffer[], id: number, sign: { now?: number; fudge?: number } = {}): { message: Buffer; mac: Buffer } {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(5 << 11, 2); // opcode UPDATE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(updates.length, 8);
  const zone = Buffer.concat([nameToWire('upd.test.'), Buffer.from([0, 6, 0, 1])]);
  return signMessage(Buffer.concat([header, zone, ...updates]), makeKey('update-key.', 'hmac-sha256', SECRET), sign);
}

/** The answer's rcode and its TSIG error field. */
async function sendSigned(message: Buffer): Promise<{ rcode: number; tsigError: number | undefined }> {
  const answer = await queryUdp(server.port, message, 3000);
  assert.ok(answer, 'no answer');
  const found = locateTsig(answer);
  return { rcode: answer[3]! & 0x0f, tsigError: found.kind === 'found' ? found.tsig.error : undefined };
}

test('a signed UPDATE sent again within its time window is refused (BADTIME) and not applied again', async () => {
  const add = signedUpdate([rr('replay.upd.test.', 1, 1, 300, Buffer.from([192, 0, 2, 90]))], 0x5151);
  const before = serial();
  assert.deepEqual(await sendSigned(add.message), { rcode: 0, tsigError: 0 });
  assert.deepEqual(q('replay.upd.test', 'A'), ['192.0.2.90']);
  ok(nsupdate(['update delete replay.upd.test. A']));
  assert.equal(serial(), before + 2);
  // the captured add, sent again: a replay would bring the deleted record back
  assert.deepEqual(await sendSigned(add.message), { rcode: Rcode.NOTAUTH, tsigError: Rcode.BADTIME });
  assert.deepEqual(q('replay.upd.test', 'A'), []);
  assert.equal(serial(), before + 2);
  await server.waitForLog((e) => e['msg'] === 'TSIG verification failed: NOTAUTH' && /replayed/.test(String(e['reason'])));
});

test('a fudge of 65535 s does not stretch the time window: signed 1000 s ago is BADTIME', async () => {
  const before = serial();
  const old = signedUpdate([rr('fudge.upd.test.', 1, 1, 300, Buffer.from([192, 0, 2, 91]))], 0x5252,
    { now: Math.floor(Date.now() / 1000) - 1000, fudge: 65535 });
  assert.deepEqual(await sendSigned(old.message), { rcode: Rcode.NOTAUTH, tsigError: Rcode.BADTIME });
  assert.deepEqual(q('fudge.upd.test', 'A'), []);
  assert.equal(serial(), before);
  // the same fudge with a time within 300 s is fine
  const recent = signedUpdate([rr('fudge.upd.test.', 1, 1, 300, Buffer.from([192, 0, 2, 91]))], 0x5353,
    { now: Math.floor(Date.now() / 1000) - 100, fudge: 65535 });
  assert.deepEqual(await sendSigned(recent.message), { rcode: 0, tsigError: 0 });
  assert.deepEqual(q('fudge.upd.test', 'A'), ['192.0.2.91']);
});
