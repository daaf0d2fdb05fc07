import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CLI } from '../helpers/meshdns.js';

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
const dir = mkdtempSync(join(tmpdir(), 'meshdns-config-cli-'));

test('meshdns config schema prints a JSON Schema that checks meshdns.yaml', () => {
  const r = run(['config', 'schema']);
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
  // valid against the draft-07 meta-schema (what an editor's validator also loads); our annotation
  // keywords are allowed there, as JSON Schema ignores keywords it does not know
  const ajv = new Ajv({ strict: false });
  assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  const validate = ajv.compile(schema);
  assert.equal(validate(parseYaml('listen: ["127.0.0.1:53", {address: "[::1]:53", transport: tcp}]\nzones: [{origin: example.test.}]\n')), true, JSON.stringify(validate.errors));
  assert.equal(validate(parseYaml('listen: [{address: "127.0.0.1:853", transport: tls}]\n')), true, 'tls listeners are in the schema');
  assert.equal(validate(parseYaml('listen: [{address: "127.0.0.1:853", transport: sctp}]\n')), false, 'sctp is not a transport');
  assert.equal(validate({ tcp: { idleTimeout: 0 } }), false);
  const listen = (schema['properties'] as Record<string, Record<string, unknown>>)['listen']!;
  assert.match(String(listen['description']), /ADDR:PORT/, 'descriptions are what an editor shows');
  assert.deepEqual(listen['default'], ['127.0.0.1:5300']);
});

test('meshdns config check: ok, or the first problem in one line', () => {
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'listen: ["127.0.0.1:5300", {address: "127.0.0.1:5301", transport: udp}]\nzones: [{origin: example.test.}]\n');
  const ok = run(['config', 'check', good]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok \(2 listen addresses, 1 zone entry\)/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'listen: [{address: "127.0.0.1:853", transport: sctp}]\n');
  const r = run(['config', 'check', bad]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `meshdns config: ${bad}: listen[0].transport: "sctp" must be one of udp, tcp, tls, quic\n`);
  assert.equal(run(['config']).status, 2);
});

test('serve refuses a listen entry twice before it binds anything', () => {
  const cfg = join(dir, 'twice.yaml');
  writeFileSync(cfg, 'listen: ["127.0.0.1:5399", {address: "127.0.0.1:5399", transport: udp}]\n');
  const r = spawnSync(process.execPath, [CLI, 'serve', '--config', cfg, '--data', join(dir, 'd'), '--admin-listen', 'off'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `meshdns: ${cfg}: listen[1]: {"address":"127.0.0.1:5399","transport":"udp"} listens on udp 127.0.0.1:5399, as listen[0] already does\n`);
});
