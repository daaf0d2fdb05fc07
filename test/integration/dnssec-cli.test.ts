// `meshdns keys ...` as an operator runs it, against a running signing server: the server and token
// found from the config and <data>/admin.token, or given with --server/--token; human and --json output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DsJson, KeyJson, StatusJson } from '../../server/commands/keys-format.js';
import { bindKeygen, bindTool, dsRdataText, startSignedServer, tagOf, type SignedServer } from '../helpers/dnssec-server.js';
import { CLI } from '../helpers/meshdns.js';

let s: SignedServer;
let work: string;
let config: string;

/** A free loopback port for the admin listener named in the config (the CLI reads it from there). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

before(async () => {
  const port = await freePort();
  // no token in the config: meshdns makes <data>/admin.token, which the CLI finds through the config's data
  s = await startSignedServer({ configExtra: `admin:\n  listen: 127.0.0.1:${port}\n`, extraArgs: ['--admin-listen', `127.0.0.1:${port}`] });
  config = join(s.dir, 'meshdns.yaml');
  writeFileSync(config, `${readFileSync(config, 'utf8')}\ndata: ${join(s.dir, 'data')}\n`);
  work = mkdtempSync(join(tmpdir(), 'meshdns-keys-cli-'));
});
after(async () => {
  await s?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI without the server's environment token (async: the server answers in this process's event loop too). */
function keys(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { MESHDNS_API_TOKEN: _drop, ...base } = process.env;
  const proc = spawn(process.execPath, [CLI, 'keys', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.once('close', (status) => resolve({ status, stdout, stderr })));
}
const remote = () => ['--server', s.url, `--token=${s.token}`];

test('keys list: found through --config (admin.listen and <data>/admin.token); human output and --json', async () => {
  const human = await keys(['list', 'example.test', '--config', config]);
  assert.equal(human.status, 0, human.stderr);
  const status = (await s.api<StatusJson>('GET', '/api/v1/zones/example.test/keys')).body;
  const csk = status.keys.find((k) => k.role === 'csk')!;
  assert.match(human.stdout, /^example\.test\. {2}policy: default$/m);
  assert.match(human.stdout, new RegExp(`^CSK +${csk.keyTag} +13 ECDSAP256SHA256 +active +\\d{4}-\\d\\d-\\d\\dT`, 'm'));
  assert.match(human.stdout, /earliest RRSIG expiry: \d{4}-/);

  const json = await keys(['list', 'example.test.', '--json', ...remote()]);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as StatusJson;
  assert.equal(parsed.origin, 'example.test.');
  assert.deepEqual(parsed.keys.map((k) => k.keyTag), status.keys.map((k) => k.keyTag));

  // the token from the environment works as well; a wrong one is a one-line error
  assert.equal((await keys(['list', 'example.test', '--server', s.url], { MESHDNS_API_TOKEN: s.token })).status, 0);
  assert.equal((await keys(['list', 'example.test', '--server', s.url, '--token-file', join(s.dir, 'data', 'admin.token')])).status, 0);
  const refused = await keys(['list', 'example.test', '--server', s.url, '--token', 'not-the-token-at-all']);
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr, 'meshdns keys: the token is not valid\n');
});

test('keys ds prints lines for the parent, equal to dnssec-dsfromkey of the exported key', async () => {
  const ds = await keys(['ds', 'example.test', ...remote()]);
  assert.equal(ds.status, 0, ds.stderr);
  const lines = ds.stdout.trim().split('\n');
  assert.ok(lines.length >= 1);
  const tag = Number(/ DS (\d+) /.exec(lines[0]!)![1]);
  const exported = await keys(['export', 'example.test', String(tag), '--out', work, ...remote()]);
  assert.equal(exported.status, 0, exported.stderr);
  const keyFile = exported.stdout.trim();
  assert.match(keyFile, /Kexample\.test\.\+013\+\d{5}\.key$/);
  assert.equal(dsRdataText(lines[0]!), dsRdataText(bindTool('dnssec-dsfromkey', ['-2', keyFile], work)));

  const json = JSON.parse((await keys(['ds', 'example.test', '--json', ...remote()])).stdout) as DsJson;
  assert.equal(json.ds[0]!.record, lines[0]);
});

test('keys ds-seen and generate (a roll of the zone\'s CSK)', async () => {
  const before = JSON.parse((await keys(['list', 'example.test', '--json', ...remote()])).stdout) as StatusJson;
  const waiting = before.keys.find((k: KeyJson) => k.role === 'csk' && k.dsSubmitted !== undefined && k.dsSeen === undefined);
  assert.ok(waiting, JSON.stringify(before));
  const seen = await keys(['ds-seen', 'example.test', String(waiting.keyTag), ...remote()]);
  assert.equal(seen.status, 0, seen.stderr);
  assert.match(seen.stdout, new RegExp(`^DS of key ${waiting.keyTag} recorded as seen`));

  const generated = await keys(['generate', 'example.test', '--json', ...remote()]);
  assert.equal(generated.status, 0, generated.stderr);
  const after = JSON.parse(generated.stdout) as StatusJson;
  assert.equal(after.keys.filter((k) => k.role === 'csk' && !before.keys.some((b) => b.id === k.id)).length, 1, generated.stdout);
});

test('keys import reads a dnssec-keygen pair; export --private --out writes both files back (private file 0600)', async () => {
  const base = bindKeygen(work, false);
  const imported = await keys(['import', 'example.test', join(work, `${base}.private`), ...remote()]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, new RegExp(`^imported ${base.replace(/[.+]/g, '\\$&')} into example\\.test\\.: ZSK tag ${tagOf(base)}`));
  const list = JSON.parse((await keys(['list', 'example.test', '--json', ...remote()])).stdout) as StatusJson;
  const key = list.keys.find((k) => k.keyTag === tagOf(base) && k.imported);
  assert.ok(key, 'the imported key is listed');

  const out = mkdtempSync(join(work, 'out-'));
  const exported = await keys(['export', 'example.test', key.id, '--private', '--out', out, '--json', ...remote()]);
  assert.equal(exported.status, 0, exported.stderr);
  const files = (JSON.parse(exported.stdout) as { files: string[] }).files;
  assert.deepEqual(files, [join(out, `${base}.key`), join(out, `${base}.private`)]);
  const field = (text: string) => /^PrivateKey: (\S+)$/m.exec(text)![1];
  assert.equal(field(readFileSync(files[1]!, 'utf8')), field(readFileSync(join(work, `${base}.private`), 'utf8')));
  assert.equal(statSync(files[1]!).mode & 0o777, 0o600);
  // without --out, the .key goes to stdout and no private part unless asked
  const shown = await keys(['export', 'example.test', key.id, ...remote()]);
  assert.equal(shown.status, 0);
  assert.match(shown.stdout, /IN DNSKEY 256 3 13 /);
  assert.doesNotMatch(shown.stdout, /PrivateKey/);

  // the same pair again is refused with the server's reason
  const again = await keys(['import', 'example.test', join(work, base), ...remote()]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^meshdns keys: .*already has key/);
});

test('mistakes: usage errors exit 2, server refusals and an unreachable server exit 1 with one line', async () => {
  const noZone = await keys(['list']);
  assert.equal(noZone.status, 2);
  assert.match(noZone.stderr, /^meshdns keys: keys list needs a ZONE\n/);
  const badRole = await keys(['roll', 'example.test', 'big', ...remote()]);
  assert.equal(badRole.status, 2);
  assert.match(badRole.stderr, /role "big" is not zsk, ksk or csk/);
  assert.equal((await keys(['frobnicate', 'example.test'])).status, 2);

  const unknown = await keys(['list', 'nowhere.test', ...remote()]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^meshdns keys: origin: "nowhere\.test\." is not a zone served here/);
  const unsigned = await keys(['generate', 'plain.test', ...remote()]);
  assert.equal(unsigned.status, 1);
  assert.match(unsigned.stderr, /plain\.test\. has no keys yet: give it a DNSSEC policy/);
  const missing = await keys(['import', 'example.test', join(work, 'Kexample.test.+013+00000'), ...remote()]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /Kexample\.test\.\+013\+00000\.key" cannot be read: ENOENT/);

  const port = await freePort();
  const down = await keys(['list', 'example.test', '--server', `127.0.0.1:${port}`, '--token', 'x'.repeat(20)]);
  assert.equal(down.status, 1);
  assert.match(down.stderr, /^meshdns keys: cannot reach meshdns at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  assert.equal(down.stderr.trim().split('\n').length, 1);
  const noTokenFile = await keys(['list', 'example.test', '--server', s.url, '--data', join(work, 'none')]);
  assert.equal(noTokenFile.status, 1);
  assert.match(noTokenFile.stderr, /admin\.token" cannot be read: ENOENT/);
});
