import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startMeshdns } from '../helpers/meshdns.js';
import { EXAMPLE_ZONE, writeSettled } from '../admin/fixture.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-startup-'));
  chmodSync(dir, 0o755); // the unprivileged run below must reach the folders under it
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `meshdns serve` that is expected to refuse to start: its exit code, stderr and stdout (JSON log lines). */
function serveFails(args: string[], runAs?: string[]): { status: number | null; stderr: string; stdout: string } {
  const argv = [process.execPath, CLI, 'serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'debug', ...args];
  const r = runAs ? spawnSync(runAs[0]!, [...runAs.slice(1), ...argv], { encoding: 'utf8', timeout: 30_000 })
    : spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** One line on stderr, exit 1, and not one socket bound (no "listening" line in the log). */
function assertOneLineBeforeSockets(r: { status: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr + r.stdout);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got:\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stdout, /"msg":"(listening|admin listening|metrics listening)"/, 'no socket was bound before the error');
}

test('a data folder that is a file is one line before any socket is bound', () => {
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, 'x');
  assertOneLineBeforeSockets(serveFails(['--data', file]), /^meshdns: data: ".*not-a-folder" is a file, not a folder/);
  // and a path through a file cannot be created
  assertOneLineBeforeSockets(serveFails(['--data', join(file, 'data')]), /^meshdns: data directory ".*not-a-folder\/data" cannot be created: a part of its path is a file, not a folder/);
});

test('a data folder this process cannot write is one line before any socket is bound', () => {
  const data = join(dir, 'read-only-data');
  mkdirSync(data, { mode: 0o755 });
  // root writes anywhere: the check runs as nobody (setpriv, util-linux) on a root-owned 0755 folder
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;
  if (asNobody && spawnSync('setpriv', ['--version']).status !== 0) throw new Error('setpriv is not installed: apt-get install -y util-linux');
  if (!asNobody) chmodSync(data, 0o555);
  assertOneLineBeforeSockets(serveFails(['--data', data], asNobody), /^meshdns: data: ".*read-only-data" is not writable by this process \(EACCES\)/);
});

test('a data.mdb that is not an LMDB file is one line, not a crash inside LMDB', () => {
  const data = join(dir, 'garbage-data');
  mkdirSync(data);
  writeFileSync(join(data, 'data.mdb'), Buffer.alloc(64 * 1024, 0x5a));
  assertOneLineBeforeSockets(serveFails(['--data', data]), /^meshdns: data: ".*garbage-data" holds a data\.mdb that is not an LMDB file/);
});

test('a missing zone folder is one line before any socket is bound', () => {
  assertOneLineBeforeSockets(serveFails(['--data', join(dir, 'd1'), '--zone-dir', join(dir, 'no-such-folder')]),
    /^meshdns: zoneDir: ".*no-such-folder" does not exist/);
});

test('a config error is one line before any socket is bound', () => {
  const cfg = join(dir, 'bad.yaml');
  writeFileSync(cfg, 'listen: ["127.0.0.1:0"]\nzoneDirectory: ./zones\n');
  assertOneLineBeforeSockets(serveFails(['--data', join(dir, 'd2'), '--config', cfg]), /^meshdns: .*bad\.yaml: zoneDirectory: "\.\/zones" is not a known key/);
});

test('a data folder another meshdns serves is refused in one line; a stale lock from a dead process is taken over', async () => {
  const data = join(dir, 'shared-data');
  const first = await startMeshdns({ dataDir: data });
  try {
    const r = serveFails(['--data', data]);
    assertOneLineBeforeSockets(r, new RegExp(`^meshdns: data: ".*shared-data" is in use by another meshdns \\(pid ${first.proc.pid}, lock file .*meshdns\\.pid\\)`));
    assert.equal(first.proc.exitCode, null, 'the first one keeps running');
  } finally {
    await first.stop();
  }
  // a crash (kill -9) leaves the lock file behind with a pid that no longer runs
  const gone = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => gone.once('exit', resolve));
  writeFileSync(join(data, 'meshdns.pid'), `${JSON.stringify({ pid: gone.pid, started: '1' })}\n`);
  const second = await startMeshdns({ dataDir: data });
  try {
    assert.equal(JSON.parse(readFileSync(join(data, 'meshdns.pid'), 'utf8')).pid, second.proc.pid);
  } finally {
    await second.stop();
  }
  assert.throws(() => readFileSync(join(data, 'meshdns.pid')), /ENOENT/, 'a clean stop removes the lock file');

  // a killed meshdns not yet reaped by its parent (a zombie) does not hold the folder either: the
  // backgrounded `sleep 0` exits under a parent (`exec sleep 30`) that never reaps it
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()))));
    let stat = '';
    for (let i = 0; i < 50 && !/^\d+ \(sleep\) Z /.test(stat); i++) {
      await new Promise((r) => setTimeout(r, 20));
      stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
    }
    assert.match(stat, /^\d+ \(sleep\) Z /, 'the child is a zombie');
    writeFileSync(join(data, 'meshdns.pid'), `${JSON.stringify({ pid: zombie, started: stat.split(' ')[21] })}\n`);
    const third = await startMeshdns({ dataDir: data });
    await third.stop();
  } finally {
    parent.kill('SIGKILL');
  }
});

test('"ready" is logged when /readyz turns 200, with the real zone count; a never-loaded zone is "not ready", never "previous version"', async () => {
  const zones = join(dir, 'ready-zones');
  mkdirSync(zones);
  writeSettled(join(zones, 'example.test.zone'), EXAMPLE_ZONE.replace('ns2   A   192.0.2.2', 'ns2   A   192.0.2.300'));
  const server = await startMeshdns({ zoneDir: zones });
  try {
    const notReady = await server.waitForLog((e) => typeof e['msg'] === 'string' && (e['msg'] as string).startsWith('not ready'));
    assert.equal(notReady['waitingCount'], 1);
    assert.equal(notReady['zones'], 0);
    assert.equal((notReady['waiting'] as { zone: string }[])[0]!.zone, 'example.test.');
    assert.doesNotMatch(server.logs(), /"msg":"ready"/);
    assert.doesNotMatch(server.logs(), /previous version keeps answering|previous data kept/);
    assert.match(server.logs(), /zone file has errors; not loaded, and the zone has no data yet/);
    assert.equal((await fetch(`${server.admin!.url}/readyz`)).status, 503);

    writeSettled(join(zones, 'example.test.zone'), EXAMPLE_ZONE);
    const ready = await server.waitForLog((e) => e['msg'] === 'ready');
    assert.equal(ready['zones'], 1);
    assert.match(ready['try'] as string, new RegExp(`^dig @127\\.0\\.0\\.1 -p ${server.port} example\\.test\\. SOA$`));
    assert.equal((await fetch(`${server.admin!.url}/readyz`)).status, 200);

    // a new zone file that does not load turns /readyz to 503 again, and the log says so
    writeSettled(join(zones, 'other.test.zone'), '$TTL 60\n@ SOA ns1 hm 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.999\n');
    const again = await server.waitForLog((e) => typeof e['msg'] === 'string' && (e['msg'] as string).startsWith('not ready') &&
      (e['waiting'] as { zone: string }[])[0]?.zone === 'other.test.');
    assert.equal(again['zones'], 1, 'example.test. keeps answering');
    assert.equal((await fetch(`${server.admin!.url}/readyz`)).status, 503);
  } finally {
    await server.stop();
  }
});

test('a server with no zones says "ready" with 0 zones and how to add one; the log says which file holds the generated token, never the token', async () => {
  const server = await startMeshdns({});
  try {
    const ready = await server.waitForLog((e) => e['msg'] === 'ready');
    assert.equal(ready['zones'], 0);
    assert.match(ready['try'] as string, /^no zones yet: add <origin>\.zone files to zoneDir/);
    const admin = await server.waitForLog((e) => e['msg'] === 'admin listening');
    assert.equal(admin['statusPage'], `${server.admin!.url}/`);
    assert.equal(admin['statusPageWithToken'], `${server.admin!.url}/#token=$(cat ${admin['tokenFile'] as string})`);
    assert.ok(!server.logs().includes(server.admin!.token!), 'the generated token is not in the log');
  } finally {
    await server.stop();
  }
  // a configured token is the operator's: never in the log, not even in the link
  const secret = 'configured-token-9f86d081884c7d659a2feaa0c55ad015';
  const configured = await startMeshdns({ env: { ...process.env, MESHDNS_API_TOKEN: secret } });
  try {
    const admin = await configured.waitForLog((e) => e['msg'] === 'admin listening');
    assert.equal(admin['statusPage'], `${configured.admin!.url}/`);
    assert.doesNotMatch(configured.logs(), new RegExp(secret));
  } finally {
    await configured.stop();
  }
});
