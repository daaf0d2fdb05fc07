// `meshdns zone ...` as an operator runs it (the built binary) against a running meshdns primary and
// a meshdns secondary of it: the server found through ./meshdns.yaml or given with --server/--token,
// knotc's transaction held by the server, answers checked with dig, exports with kzonecheck.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDLE_TIMEOUT_MS, ZoneTransactions } from '../../server/admin/transactions.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { findFreePort } from '../helpers/knotd.js';
import { CLI, startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import { dig, requireTool } from '../helpers/tools.js';

let dir: string;
let primary: RunningMeshdns;
let secondary: RunningMeshdns;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-cli-zone-'));
  mkdirSync(join(dir, 'zones'));
  writeFileSync(join(dir, 'zones', 'example.test.zone'),
    '$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\nwww A 192.0.2.1\nold TXT "going"\n');
  const [adminPort, secondaryPort] = [await findFreePort(), await findFreePort()];
  // no token in the config: the server makes <data>/admin.token, which the CLI finds through ./meshdns.yaml
  writeFileSync(join(dir, 'meshdns.yaml'), [
    `admin: {listen: "127.0.0.1:${adminPort}"}`,
    `data: ${join(dir, 'data')}`,
    `zoneDir: ${join(dir, 'zones')}`,
    'acls: [{name: local, address: [127.0.0.1], action: [transfer]}]',
    `defaults: {acl: [local], notify: [{address: "127.0.0.1:${secondaryPort}"}]}`,
    '',
  ].join('\n'));
  primary = await startMeshdns({ config: join(dir, 'meshdns.yaml'), dataDir: join(dir, 'data'), ephemeralAdmin: false });
  writeFileSync(join(dir, 'secondary.yaml'), [
    `listen: ["127.0.0.1:${secondaryPort}"]`,
    'acls: [{name: primary, address: [127.0.0.1], action: [notify]}]',
    'defaults: {acl: [primary]}',
    `zones: [{origin: example.test., primaries: [{address: "127.0.0.1:${primary.port}"}]}]`,
    '',
  ].join('\n'));
  secondary = await startMeshdns({ config: join(dir, 'secondary.yaml'), listenFromConfig: true });
});
after(async () => {
  await secondary?.stop();
  await primary?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { status: number | null; stdout: string; stderr: string }

/** The CLI in the folder of the primary's meshdns.yaml, without a token in its environment. */
function zone(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const { MESHDNS_API_TOKEN: _, ...base } = process.env;
  const proc = spawn(process.execPath, [CLI, 'zone', ...args], { cwd: opts.cwd ?? dir, env: { ...base, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.once('close', (status) => resolve({ status, stdout, stderr })));
}

async function ok(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await zone(args, opts);
  assert.equal(r.status, 0, `meshdns zone ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const ask = (server: RunningMeshdns, name: string, type = 'A') => dig(['@127.0.0.1', '-p', String(server.port), name, type, '+short', '+norec']).trim();
const serial = (server = primary) => Number(ask(server, 'example.test', 'SOA').split(/\s+/)[2]);

test('zone list and status find the server through ./meshdns.yaml and <data>/admin.token; --json for scripts', async () => {
  const list = await ok(['list']);
  assert.match(list, /^ZONE +KIND +SERIAL +RECORDS +STATE +LAST CHANGE +SOURCE$/m);
  assert.match(list, /^example\.test\. +primary +\d+ +\d+ +loaded +\d{4}-\d\d-\d\dT\S+ +file:.*example\.test\.zone$/m);
  const zones = JSON.parse(await ok(['list', '--json'])) as { name: string; kind: string; serial: number }[];
  assert.deepEqual(zones.map((z) => [z.name, z.kind]), [['example.test.', 'primary']]);

  const status = await ok(['status', 'example.test']);
  assert.match(status, /^state: +loaded$/m);
  assert.match(status, new RegExp(`^serial: +${serial()}$`, 'm'));
  assert.match(status, /^transaction: +none$/m);
  assert.equal(await ok(['list', '--names']), 'example.test.\n');
  const json = JSON.parse(await ok(['status', 'EXAMPLE.test.', '--json'])) as { name: string; transaction: unknown };
  assert.equal(json.name, 'example.test.');
  assert.equal(json.transaction, null);
});

test('zone read prints zone-file lines (all, one owner, one RRset); export is a zone file kzonecheck accepts', async () => {
  const all = await ok(['read', 'example.test']);
  assert.match(all, /^www\.example\.test\.\t300\tIN\tA\t192\.0\.2\.1$/m);
  assert.match(all, /^example\.test\.\t300\tIN\tSOA\tns\.example\.test\. hostmaster\.example\.test\. /m);
  assert.equal(await ok(['read', 'example.test', 'www']), 'www.example.test.\t300\tIN\tA\t192.0.2.1\n');
  assert.equal(await ok(['read', 'example.test', '@', 'NS']), 'example.test.\t300\tIN\tNS\tns.example.test.\n');
  assert.equal(await ok(['read', 'example.test', 'www.example.test.', 'a']), 'www.example.test.\t300\tIN\tA\t192.0.2.1\n');
  const rrsets = JSON.parse(await ok(['read', 'example.test', 'www', '--json'])) as { rrsets: { name: string; records: { content: string; sources: string[] }[] }[] };
  assert.deepEqual(rrsets.rrsets[0]!.records.map((r) => r.content), ['192.0.2.1']);
  const none = await zone(['read', 'example.test', 'nothing-here']);
  assert.equal(none.status, 1);
  assert.equal(none.stderr, 'meshdns zone: nothing-here.example.test. has no records in example.test.\n');

  requireTool('kzonecheck', 'knot');
  const exported = await ok(['export', 'example.test']);
  assert.match(exported, /^\$ORIGIN example\.test\.$/m);
  const file = join(dir, 'exported.zone');
  writeFileSync(file, exported);
  const check = spawnSync('kzonecheck', ['-o', 'example.test.', file], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const asJson = JSON.parse(await ok(['export', 'example.test', '--json'])) as { zone: string; text: string };
  assert.equal(asJson.zone, 'example.test.');
  assert.match(asJson.text, /^www\.example\.test\.\t300\tIN\tA\t192\.0\.2\.1$/m);
});

test('a transaction: begin, set, unset, diff, commit; DNS answers change only at the commit, as one serial step', async () => {
  const before = serial();
  assert.match(await ok(['begin', 'example.test']), /^transaction opened on example\.test\./);
  await ok(['set', 'example.test', 'www', '600', 'A', '192.0.2.2']);
  await ok(['set', 'example.test', 'mail', 'MX', '10', 'mx']);
  await ok(['set', 'example.test', 'mx.example.test.', '1h', 'IN', 'AAAA', '2001:db8::25']);
  await ok(['set', 'example.test', 'note', 'TXT', '"two words"', 'more']);
  await ok(['unset', 'example.test', 'www', 'A', '192.0.2.1']);
  assert.match(await ok(['unset', 'example.test', 'old']), /\(6 changes; zone diff shows them/);

  const diff = await ok(['diff', 'example.test']);
  assert.deepEqual(diff.split('\n').slice(1).filter((l) => l !== '').sort(), [
    '+ mail.example.test.\t3600\tIN\tMX\t10 mx.example.test.',
    '+ mx.example.test.\t3600\tIN\tAAAA\t2001:db8::25',
    '+ note.example.test.\t3600\tIN\tTXT\t"two words" "more"',
    '+ www.example.test.\t600\tIN\tA\t192.0.2.2',
    '- old.example.test.\t300\tIN\tTXT\t"going"',
    '- www.example.test.\t300\tIN\tA\t192.0.2.1',
  ]);
  const json = JSON.parse(await ok(['diff', 'example.test', '--json'])) as { changes: unknown[]; diff: { name: string; add: unknown[]; remove: unknown[] }[] };
  assert.equal(json.changes.length, 6);
  assert.match(await ok(['status', 'example.test']), /^transaction: +open since \S+, 6 changes/m);

  // nothing of it is served before the commit
  assert.equal(ask(primary, 'www.example.test'), '192.0.2.1');
  assert.equal(ask(primary, 'mail.example.test', 'MX'), '');
  assert.equal(serial(), before);

  assert.match(await ok(['commit', 'example.test']), new RegExp(`^example\\.test\\. committed: serial ${before + 1}, 4 records added, 2 removed$`, 'm'));
  assert.equal(serial(), before + 1, 'one commit: one serial step');
  assert.equal(ask(primary, 'www.example.test'), '192.0.2.2');
  assert.equal(ask(primary, 'mail.example.test', 'MX'), '10 mx.example.test.');
  assert.equal(ask(primary, 'mx.example.test', 'AAAA'), '2001:db8::25');
  assert.equal(ask(primary, 'note.example.test', 'TXT'), '"two words" "more"');
  assert.equal(ask(primary, 'old.example.test', 'TXT'), '');
  assert.match(await ok(['status', 'example.test']), /^transaction: +none$/m);
  const gone = await zone(['diff', 'example.test']);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /^meshdns zone: transaction: example\.test\. has no open transaction/);
});

test('zone abort drops the transaction: nothing of it is ever served', async () => {
  const before = serial();
  await ok(['begin', 'example.test']);
  await ok(['set', 'example.test', 'aborted', 'A', '192.0.2.99']);
  await ok(['unset', 'example.test', 'www']);
  const twice = await zone(['begin', 'example.test']);
  assert.equal(twice.status, 1, 'one transaction per zone');
  assert.match(twice.stderr, /has a transaction open since .*; commit or abort it first/);
  assert.equal(await ok(['abort', 'example.test']), 'transaction on example.test. aborted\n');
  assert.equal(ask(primary, 'aborted.example.test'), '');
  assert.equal(ask(primary, 'www.example.test'), '192.0.2.2');
  assert.equal(serial(), before);
  assert.equal((await zone(['abort', 'example.test'])).status, 1, 'nothing left to abort');
});

test('a commit the zone checks refuse applies nothing, says why, and leaves the transaction open', async () => {
  const before = serial();
  await ok(['begin', 'example.test']);
  await ok(['set', 'example.test', 'fine', 'A', '192.0.2.7']);
  await ok(['set', 'example.test', 'www', 'CNAME', 'elsewhere.test.']);
  const refused = await zone(['commit', 'example.test']);
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /^meshdns zone: transaction: "www\.example\.test\. CNAME" .*CNAME and other data.*nothing was applied and the transaction stays open/);
  assert.equal(ask(primary, 'fine.example.test'), '');
  assert.equal(serial(), before);
  assert.match(await ok(['diff', 'example.test']), /^\+ fine\.example\.test\./m);
  // fixed inside the transaction, it commits
  await ok(['unset', 'example.test', 'www', 'CNAME']);
  assert.match(await ok(['commit', 'example.test']), /committed: serial/);
  assert.equal(ask(primary, 'fine.example.test'), '192.0.2.7');
  assert.equal(ask(primary, 'www.example.test'), '192.0.2.2');
});

test('outside a transaction, set and unset apply at once, one commit each', async () => {
  const before = serial();
  assert.match(await ok(['set', 'example.test', 'now', '120', 'A', '192.0.2.8']), new RegExp(`committed: serial ${before + 1}, 1 record added, 0 removed`));
  assert.equal(ask(primary, 'now.example.test'), '192.0.2.8');
  const again = JSON.parse(await ok(['set', 'example.test', 'now', 'A', '192.0.2.8', '--json'])) as { changed: boolean; serial: number };
  assert.deepEqual([again.changed, again.serial], [false, before + 1], 'a record already there changes nothing');
  await ok(['unset', 'example.test', 'now', 'A']);
  assert.equal(ask(primary, 'now.example.test'), '');
  assert.equal(serial(), before + 2);
});

test('notify reaches the secondary; retransfer makes it transfer; reload re-reads the config and zone folder', async () => {
  const wanted = serial();
  const sent = await ok(['notify', 'example.test']);
  assert.equal(sent, 'NOTIFY for example.test. sent to 1 secondary\n');
  for (let i = 0; i < 100 && serial(secondary) !== wanted; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(serial(secondary), wanted);

  const remote = ['--server', secondary.admin!.url, '--token', secondary.admin!.token!];
  const list = await ok(['list', ...remote], { cwd: tmpdir() });
  assert.match(list, /^example\.test\. +secondary +/m);
  const asked = new Date().toISOString();
  assert.equal(await ok(['retransfer', 'example.test', ...remote], { cwd: tmpdir() }), 'transfer of example.test. started\n');
  // (a retransfer is an AXFR: meshdns logs it when done)
  await secondary.waitForLog((e) => e['msg'] === 'incoming transfer (AXFR) done' && e['zone'] === 'example.test.' && String(e['time']) >= asked);
  const onPrimary = await zone(['retransfer', 'example.test']);
  assert.equal(onPrimary.status, 1);
  assert.match(onPrimary.stderr, /is a primary zone here; only secondary zones are transferred/);

  assert.match(await ok(['reload']), /^reloaded/);
  const r = JSON.parse(await ok(['reload', 'example.test', '--json'])) as { applied: string[]; restartNeeded: string[] };
  assert.ok(Array.isArray(r.applied) && Array.isArray(r.restartNeeded));
});

test('mistakes: one line each; usage errors exit 2, refusals and unreachable servers exit 1, nothing changes', async () => {
  const before = serial();
  const unknown = await zone(['set', 'nowhere.test', 'www', 'A', '192.0.2.1']);
  assert.equal(unknown.status, 1);
  assert.equal(unknown.stderr, 'meshdns zone: origin: "nowhere.test." is not a zone served here (GET /api/v1/zones lists them)\n');
  const badRdata = await zone(['set', 'example.test', 'www', 'A', '192.0.2.300']);
  assert.equal(badRdata.status, 1);
  assert.equal(badRdata.stderr, 'meshdns zone: A RDATA "192.0.2.300" is not valid: A address "192.0.2.300" is not an IPv4 address\n');
  const badType = await zone(['set', 'example.test', 'www', 'BOGUS', 'x']);
  assert.equal(badType.status, 2);
  assert.match(badType.stderr, /^meshdns zone: TYPE "BOGUS" is not an RR type/);
  const missing = await zone(['read']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^meshdns zone: zone read needs a ZONE\n/);
  const noRdata = await zone(['set', 'example.test', 'www', '300', 'A']);
  assert.equal(noRdata.status, 2);
  assert.match(noRdata.stderr, /^meshdns zone: zone set needs the RDATA of the A record/);
  const notThere = await zone(['unset', 'example.test', 'www', 'A', '192.0.2.77']);
  assert.equal(notThere.status, 1);
  assert.match(notThere.stderr, /the record is not in the zone/);
  const outside = await zone(['set', 'example.test', 'www.other.test.', 'A', '192.0.2.1']);
  assert.equal(outside.status, 1);
  assert.match(outside.stderr, /"www\.other\.test\." is outside the zone example\.test\./);

  // no token anywhere: no ./meshdns.yaml in this folder, so the default data folder has none
  const empty = mkdtempSync(join(tmpdir(), 'meshdns-cli-empty-'));
  try {
    const noToken = await zone(['list', '--server', primary.admin!.url], { cwd: empty });
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /^meshdns zone: the generated token file ".*admin\.token" cannot be read: ENOENT \(give --token, --token-file, MESHDNS_API_TOKEN/);
    const wrong = await zone(['list', '--server', primary.admin!.url, '--token', 'not-the-token-at-all'], { cwd: empty });
    assert.equal(wrong.status, 1);
    assert.equal(wrong.stderr, 'meshdns zone: the token is not valid\n');
    const fromEnv = await zone(['list', '--server', primary.admin!.url], { cwd: empty, env: { MESHDNS_API_TOKEN: primary.admin!.token! } });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    const fromFile = await zone(['list', '--server', primary.admin!.url, '--token-file', join(dir, 'data', 'admin.token')], { cwd: empty });
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const down = await zone(['list', '--server', `127.0.0.1:${await findFreePort()}`, '--token', 'x'.repeat(20)], { cwd: empty });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /^meshdns zone: cannot reach meshdns at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  assert.equal(serial(), before, 'no mistake changed the zone');
});

test('an open transaction nobody uses is dropped after the idle timeout; one in use is kept', () => {
  let now = 1_000_000;
  const dropped: string[] = [];
  const table = new ZoneTransactions((origin) => dropped.push(origin), IDLE_TIMEOUT_MS, () => now);
  try {
    const a = nameToKey(parseName('a.test.'));
    const b = nameToKey(parseName('b.test.'));
    table.begin(a, 'a.test.');
    table.begin(b, 'b.test.');
    now += IDLE_TIMEOUT_MS - 1;
    table.get(b, 'b.test.'); // used: its idle time starts again
    now += 2;
    table.expireIdle();
    assert.deepEqual(dropped, ['a.test.']);
    assert.equal(table.find(a), undefined);
    assert.notEqual(table.find(b), undefined);
    assert.throws(() => table.get(a, 'a.test.'), /a\.test\. has no open transaction/);
    table.begin(a, 'a.test.'); // the zone can have a new one
  } finally {
    table.close();
  }
});

test('the transaction API: a request with one bad change adds none; immediate changes wait for an open transaction', async () => {
  const api = `${primary.admin!.url}/api/v1/zones/example.test`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method, headers: { 'x-api-key': primary.admin!.token!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as Record<string, unknown> };
  };
  assert.equal((await call('POST', '/transaction')).status, 201);
  try {
    const bad = await call('PATCH', '/transaction', { changes: [
      { action: 'set', name: 'ok.example.test.', type: 'A', content: '192.0.2.10' },
      { action: 'set', name: 'bad.example.test.', type: 'A', content: 'not-an-address' },
    ] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body['field'], 'changes[1].content');
    assert.deepEqual((await call('GET', '/transaction')).body['changes'], [], 'the good change of a refused request is not kept');
    const shape = await call('POST', '/transaction/changes', { changes: [{ action: 'replace', name: 'x.example.test.' }] });
    assert.equal(shape.status, 400);
    assert.match(String(shape.body['error']), /^changes\[0\]\.action: "replace" must be one of set, unset/);
    const added = await call('POST', '/transaction/changes', { changes: [{ action: 'set', name: 'ok.example.test', type: 'a', ttl: 60, content: '192.0.2.10' }] });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body['diff'], [{ name: 'ok.example.test.', type: 'A', remove: [], add: [{ ttl: 60, content: '192.0.2.10' }] }]);
    const meanwhile = await call('POST', '/changes', { changes: [{ action: 'set', name: 'other.example.test.', type: 'A', content: '192.0.2.11' }] });
    assert.equal(meanwhile.status, 409);
    assert.match(String(meanwhile.body['error']), /has an open transaction/);
  } finally {
    assert.equal((await call('DELETE', '/transaction')).status, 204);
  }
  assert.equal(ask(primary, 'ok.example.test'), '');
  assert.equal(ask(primary, 'other.example.test'), '');
});

test('bash completion offers the served zones for a ZONE, asking the server the command line names', async () => {
  requireTool('bash', 'bash');
  const script = join(dir, 'meshdns.bash');
  writeFileSync(script, spawnSync(process.execPath, [CLI, 'completion', 'bash'], { encoding: 'utf8' }).stdout);
  const complete = (words: string[], cwd: string) => {
    // `meshdns` as the operator's shell would find it: the built CLI under the pinned Node
    const r = spawnSync('bash', ['-c', `meshdns() { '${process.execPath}' '${CLI}' "$@"; }; source '${script}'; ` +
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _meshdns; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8', cwd, env: { PATH: process.env['PATH'] ?? '' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '');
  };
  assert.deepEqual(complete(['meshdns', 'zone', 'status', 'ex'], dir), ['example.test.'], 'found through ./meshdns.yaml');
  assert.deepEqual(complete(['meshdns', 'keys', 'list', ''], dir), ['example.test.']);
  const second = complete(['meshdns', 'zone', 'read', 'example.test.', ''], dir);
  assert.ok(!second.includes('example.test.') && second.includes('--json'), `only the first argument is a zone: ${second.join(' ')}`);
  const elsewhere = mkdtempSync(join(tmpdir(), 'meshdns-cli-complete-'));
  try {
    assert.deepEqual(complete(['meshdns', 'zone', 'diff', ''], elsewhere), [], 'no server found: nothing offered, nothing printed');
    const remote = ['--server', secondary.admin!.url, '--token', secondary.admin!.token!];
    assert.deepEqual(complete(['meshdns', 'zone', 'retransfer', ...remote, ''], elsewhere), ['example.test.'], 'the options typed before are passed on');
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
