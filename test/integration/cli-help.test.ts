// The meshdns command line itself: --help on every command, --version, usage mistakes, shell
// completion scripts (checked by bash itself), and `config check` finding cross-reference mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram, runCli } from '../../server/commands/cli-program.js';
import { CLI } from '../helpers/meshdns.js';
import { requireTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'meshdns-cli-help-'));
const run = (args: string[], cwd = dir) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, cwd });

function commandPaths(cmd: Command, path: string[] = []): string[][] {
  const below = cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => commandPaths(c, [...path, c.name()]));
  return [path, ...below];
}

async function capture(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), env: {} });
  return { status, out, err };
}

test('--help on every command prints its usage on stdout and exits 0', async () => {
  const paths = commandPaths(buildProgram());
  assert.ok(paths.length > 30, `the command tree: ${paths.map((p) => p.join(' ')).join(', ')}`);
  for (const path of paths) {
    const r = await capture([...path, '--help']);
    assert.equal(r.status, 0, `${path.join(' ')} --help: ${r.err}`);
    assert.match(r.out, new RegExp(`^Usage: meshdns${path.map((p) => ` ${p}`).join('')} `), path.join(' '));
  }
  // through the binary too, in both forms
  const zoneSet = run(['zone', 'set', '--help']);
  assert.equal(zoneSet.status, 0, zoneSet.stderr);
  assert.match(zoneSet.stdout, /^Usage: meshdns zone set \[options\] ZONE OWNER \[TTL\] TYPE RDATA\.\.\.$/m);
  assert.match(zoneSet.stdout, /--token-file FILE/);
  const helpZone = run(['help', 'zone']);
  assert.equal(helpZone.status, 0, helpZone.stderr);
  for (const sub of ['list', 'status', 'read', 'diff', 'set', 'unset', 'begin', 'commit', 'abort', 'notify', 'retransfer', 'reload', 'export']) {
    assert.match(helpZone.stdout, new RegExp(`^  ${sub} `, 'm'), `zone ${sub} is listed`);
  }
});

test('usage mistakes exit 2 with one line and a hint; no command prints the usage', () => {
  const none = run([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^Usage: meshdns \[options\] \[command\]/);
  const typo = run(['zome', 'list']);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /^meshdns: unknown command 'zome'\n\(Did you mean zone\?\)\n/);
  const option = run(['zone', 'list', '--jsn']);
  assert.equal(option.status, 2);
  assert.match(option.stderr, /^meshdns zone: unknown option '--jsn'\n\(Did you mean --json\?\)/);
  const extra = run(['zone', 'status', 'a.test', 'b.test']);
  assert.equal(extra.status, 2);
  assert.match(extra.stderr, /^meshdns zone: too many arguments for 'status'/);
  const shell = run(['completion', 'fish']);
  assert.equal(shell.status, 2);
  assert.equal(shell.stderr.split('\n')[0], 'meshdns completion: SHELL "fish" is not bash or zsh');
  assert.equal(run(['-V']).stdout, run(['--version']).stdout);
});

/** Completes the words as bash would: the script sourced, COMP_WORDS set, the completion function called. */
function complete(script: string, words: string[]): string[] {
  const file = join(dir, 'meshdns.bash');
  writeFileSync(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _meshdns; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('completion bash: bash -n accepts it, and it completes commands, options and file names', () => {
  requireTool('bash', 'bash');
  const r = run(['completion', 'bash']);
  assert.equal(r.status, 0, r.stderr);
  const syntax = spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const registered = spawnSync('bash', ['-c', `${r.stdout}\ncomplete -p meshdns`], { encoding: 'utf8' });
  assert.match(registered.stdout, /complete .*-F _meshdns meshdns/);

  assert.deepEqual(complete(r.stdout, ['meshdns', '']).filter((w) => !w.startsWith('-')), ['serve', 'zone', 'keys', 'config', 'check', 'tls', 'agent', 'completion']);
  assert.deepEqual(complete(r.stdout, ['meshdns', 'zone', 'a']), ['abort']);
  assert.deepEqual(complete(r.stdout, ['meshdns', 'zone', 're']), ['read', 'retransfer', 'reload']);
  assert.deepEqual(complete(r.stdout, ['meshdns', 'zone', 'set', '--tok']), ['--token', '--token-file']);
  // a value of an option is not taken for a command: after --server URL the options of `keys roll` still come
  assert.deepEqual(complete(r.stdout, ['meshdns', 'keys', 'roll', '--server', 'http://x', '--js']), ['--json']);
  assert.deepEqual(complete(r.stdout, ['meshdns', 'zone', 'list', '--server', '']), [], 'no words are offered for a URL');
  writeFileSync(join(dir, 'site-one.yaml'), 'listen: []\n');
  assert.deepEqual(complete(r.stdout, ['meshdns', 'zone', 'list', '--config', 'site-']), ['site-one.yaml']);
  assert.deepEqual(complete(r.stdout, ['meshdns', 'serve', '--zone']), ['--zone-dir']);
});

test('completion zsh: a compdef function that knows every command', () => {
  const r = run(['completion', 'zsh']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^#compdef meshdns\n/);
  assert.match(r.stdout, /compdef _meshdns meshdns/);
  for (const path of commandPaths(buildProgram()).filter((p) => p.length > 0)) {
    assert.ok(r.stdout.includes(`'${path.join(' ')}') reply=(`), `zsh completion knows "${path.join(' ')}"`);
  }
});

test('config check reports cross-references (ACL names, TSIG keys, DNSSEC policies) in one line each; ./meshdns.yaml by default', () => {
  const check = (yaml: string) => {
    const file = join(dir, 'check.yaml');
    writeFileSync(file, yaml);
    return run(['config', 'check', file]);
  };
  const cases: [string, RegExp][] = [
    ['acls: [{name: a, address: 127.0.0.1, key: missing-key, action: transfer}]\n', /acls\[0\]\.key: "missing-key\." is not a key defined under keys/],
    ['acls: [{name: a, address: 127.0.0.1, action: transfer}]\nzones: [{origin: x.test., acl: [b]}]\n', /zones\[0\]\.acl\[0\]: "b" is not an ACL defined under acls/],
    ['acls: [{name: a, address: 127.0.0.1, action: transfer}]\ndefaults: {acl: nope}\n', /defaults\.acl: "nope" is not an ACL defined under acls/],
    ['policies: [{name: p1}]\nzones: [{origin: x.test., dnssec: p2}]\n', /zones\[0\]\.dnssec: "p2" is not a policy defined under policies \(p1\)/],
    ['zones: [{origin: x.test., primaries: [{address: "127.0.0.1:53", key: nokey}]}]\n', /zones\[0\]\.primaries\[0\]\.key: "nokey" is not a key defined under keys/],
  ];
  for (const [yaml, message] of cases) {
    const r = check(yaml);
    assert.equal(r.status, 1, yaml);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^meshdns config: .*check\.yaml: /);
    assert.match(r.stderr, message);
  }
  const good = check('keys: [{name: k1, secret: "c2VjcmV0c2VjcmV0c2VjcmV0"}]\nacls: [{name: a, address: 127.0.0.1, key: k1, action: transfer}]\n' +
    'policies: [{name: p1}]\nzones: [{origin: x.test., acl: [a], dnssec: p1}]\n');
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /ok \(1 listen address, 1 zone entry\)\n {2}1 ACL, 1 DNSSEC policy; admin API on 127\.0\.0\.1:8053/);

  const cwd = mkdtempSync(join(tmpdir(), 'meshdns-cli-cwd-'));
  const none = run(['config', 'check'], cwd);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^meshdns config: config check needs a FILE \(there is no \.\/meshdns\.yaml here\)/);
  writeFileSync(join(cwd, 'meshdns.yaml'), 'zones: [{origin: a.test.}, {origin: b.test.}]\n');
  const json = run(['config', 'check', '--json'], cwd);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { file: string; ok: boolean; zones: string[] };
  assert.deepEqual([parsed.file, parsed.ok, parsed.zones], ['meshdns.yaml', true, ['a.test.', 'b.test.']]);
});

test('check --json: the outcome and every problem for scripts, the same exit status', () => {
  const file = join(dir, 'j.test.zone');
  writeFileSync(file, '$TTL 60\n@ SOA ns hm 7 1 1 1 1\n@ NS ns\nns A 192.0.2.1\nbad A 192.0.2.256\n');
  const r = run(['check', file, '--json']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '');
  const parsed = JSON.parse(r.stdout) as { zone: string; loaded: boolean; errors: number; problems: { line: number; severity: string }[] };
  assert.deepEqual([parsed.zone, parsed.loaded, parsed.errors], ['j.test.', false, 1]);
  assert.deepEqual(parsed.problems.map((p) => [p.line, p.severity]), [[5, 'error']]);
  writeFileSync(file, '$TTL 60\n@ SOA ns hm 7 1 1 1 1\n@ NS ns\nns A 192.0.2.1\n');
  const good = JSON.parse(run(['check', file, '--json']).stdout) as { loaded: boolean; serial: number; records: number };
  assert.deepEqual([good.loaded, good.serial, good.records], [true, 7, 3]);
});
