import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startMeshdns } from '../helpers/meshdns.js';
import { unsupportedNode } from '../../server/node-version.js';

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
const dir = mkdtempSync(join(tmpdir(), 'meshdns-cli-'));

test('check: a good zone exits 0 with a summary', () => {
  const file = join(dir, 'good.test.zone');
  writeFileSync(file, '$TTL 60\n@ SOA ns hm 7 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n');
  const r = run(['check', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /good\.test\./);
});

test('check: problems are printed as file:line and exit 1', () => {
  const file = join(dir, 'bad.test.zone');
  writeFileSync(file, '$TTL 60\n@ SOA ns hm 7 1 1 1 1\n@ NS ns\nns A 192.0.2.300\n');
  const r = run(['check', file, '--origin', 'bad.test.']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.test\.zone:4: error: .*192\.0\.2\.300/);
});

test('config errors name the key, the value and why, in one line', () => {
  const cfg = join(dir, 'bad.yaml');
  writeFileSync(cfg, 'listen: ["127.0.0.1:99999"]\n');
  const r = run(['serve', '--config', cfg]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /listen\[0\]: "127\.0\.0\.1:99999" has port 99999, above 65535/);
  writeFileSync(cfg, 'zoneDirr: ./x\n');
  assert.match(run(['serve', '--config', cfg]).stderr, /zoneDirr: .* is not a known key/);
  assert.match(run(['serve', '--log-level', 'loud', '--data', join(dir, 'd')]).stderr, /logLevel: "loud" must be one of/);
});

test('a port in use is a one-line error, not a stack trace', async () => {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  try {
    const r = run(['serve', '--listen', `127.0.0.1:${port}`, '--data', join(dir, 'data-inuse')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^meshdns: cannot listen on udp 127\\.0\\.0\\.1:${port}: the port is already in use\\n$`));
  } finally {
    sock.close();
  }
});

test('a data directory that cannot be created is a one-line error', () => {
  const blocker = join(dir, 'file-not-dir');
  writeFileSync(blocker, 'x');
  const r = run(['serve', '--listen', '127.0.0.1:0', '--data', join(blocker, 'sub')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^meshdns: data directory ".*sub" cannot be created/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('serve caps the young generation in the same process, unless the operator chose a size', async () => {
  const nodeFlags = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.startsWith('--max-semi-space-size'));
  const capped = await startMeshdns({});
  try {
    // the PID the test spawned is the serving process: execve replaced it, nothing was forked
    assert.deepEqual(nodeFlags(capped.proc.pid!), ['--max-semi-space-size=16']);
  } finally {
    await capped.stop();
  }
  const own = await startMeshdns({ env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=8' } });
  try {
    assert.deepEqual(nodeFlags(own.proc.pid!), [], 'NODE_OPTIONS chose the size: the command line is left as it was');
  } finally {
    await own.stop();
  }
});

test('--version prints the package version; serve --help prints the options and exits 0', () => {
  const version = run(['--version']);
  assert.equal(version.status, 0, version.stderr);
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), `meshdns ${pkg.version}`);
  const help = run(['serve', '--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /--zone-dir DIR/);
  assert.match(help.stdout, /--admin-listen/);
});

test('an older Node gets one line naming the version needed, not a SyntaxError', () => {
  assert.equal(unsupportedNode('24.21.0'), undefined);
  assert.equal(unsupportedNode('22.19.0'), undefined);
  assert.match(unsupportedNode('22.18.1')!, /needs Node >= 22\.19; this is Node 22\.18\.1/);
  assert.match(unsupportedNode('v20.20.2')!, /this is Node 20\.20\.2/);
  // Debian's own Node (18 in bookworm, 20 from NodeSource): run the command with it as a shebang would
  const system = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
  assert.equal(system.error, undefined, 'needs /usr/bin/node (Debian package nodejs) to run the command the way a shebang does');
  const r = spawnSync('/usr/bin/node', [CLI, '--version'], { encoding: 'utf8', timeout: 20_000 });
  if (unsupportedNode(system.stdout.trim()) === undefined) {
    assert.equal(r.status, 0, r.stderr);
  } else {
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^meshdns needs Node >= 22\.19; this is Node /);
  }
});

test('a zone folder that does not exist at start is one line before any socket is bound', () => {
  const cfg = join(dir, 'missing-folder.yaml');
  writeFileSync(cfg, `listen: ["127.0.0.1:5397"]\nzoneDir: ${join(dir, 'no-such-folder')}\ndata: ${join(dir, 'data-missing')}\nadmin: false\n`);
  const r = run(['serve', '--config', cfg]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /zoneDir: ".*no-such-folder" does not exist/);
  assert.doesNotMatch(r.stdout, /"listening"/, 'no listener was started');
});
