import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, validateConfig } from '../../server/config.js';

const v = (raw: unknown, overrides = {}, env: NodeJS.ProcessEnv = {}) => validateConfig(raw, overrides, 'meshdns.yaml', env);
const fails = (raw: unknown, message: RegExp, env: NodeJS.ProcessEnv = {}) =>
  assert.throws(() => v(raw, {}, env), (err: unknown) => err instanceof ConfigError && message.test(err.message));

test('admin: on by default at 127.0.0.1:8053 with a generated token; off with admin: false or --admin-listen off', () => {
  const c = v({});
  assert.equal(c.admin!.listen.text, '127.0.0.1:8053');
  assert.equal(c.admin!.token, undefined);
  assert.equal(c.admin!.tokenSource, 'generated');
  assert.equal(v({ admin: false }).admin, undefined);
  assert.equal(v({}, { adminListen: 'off' }).admin, undefined);
  assert.equal(v({ admin: { listen: '[::1]:9000' } }).admin!.listen.family, 6);
  assert.equal(v({}, { adminListen: '127.0.0.1:0' }).admin!.listen.port, 0);
});

test('admin token from admin.token, admin.tokenFile or MESHDNS_API_TOKEN', () => {
  assert.equal(v({ admin: { token: 'abc-0123456789abcdef' } }).admin!.token, 'abc-0123456789abcdef');
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-cfg-'));
  writeFileSync(join(dir, 'token'), 'from-file-0123456789abcdef\n');
  const f = v({ admin: { tokenFile: join(dir, 'token') } });
  assert.equal(f.admin!.token, 'from-file-0123456789abcdef');
  assert.equal(f.admin!.tokenSource, 'admin.tokenFile');
  const e = v({}, {}, { MESHDNS_API_TOKEN: 'from-env-0123456789abcdef' });
  assert.equal(e.admin!.token, 'from-env-0123456789abcdef');
  assert.equal(e.admin!.tokenSource, 'MESHDNS_API_TOKEN');
  fails({ admin: { tokenFile: join(dir, 'missing') } }, /admin\.tokenFile: ".*missing" cannot be read: ENOENT/);
  fails({ admin: { token: 'a', tokenFile: join(dir, 'token') } }, /set only one of them/);
});

test('a non-loopback admin address needs a token; messages never show the token', () => {
  fails({ admin: { listen: '0.0.0.0:8053' } }, /^meshdns\.yaml: admin\.listen: "0\.0\.0\.0:8053" is not a loopback address and no API token is set/);
  fails({ admin: { listen: '[::]:8053' } }, /not a loopback address/);
  assert.equal(v({ admin: { listen: '0.0.0.0:8053', token: 'x-0123456789abcdef' } }).admin!.listen.host, '0.0.0.0');
  assert.equal(v({ admin: { listen: '0.0.0.0:8053' } }, {}, { MESHDNS_API_TOKEN: 'y-0123456789abcdef' }).admin!.token, 'y-0123456789abcdef');
  assert.equal(v({ admin: { listen: '127.5.5.5:8053' } }).admin!.token, undefined);
  assert.throws(() => v({ admin: { token: 'has a space' } }), (err: Error) => /admin\.token: "\(hidden\)" holds a token with whitespace/.test(err.message) && !err.message.includes('has a space'));
  assert.throws(() => v({ admin: { token: 1234567 } }), (err: Error) => !err.message.includes('1234567'));
  fails({ admin: { lisen: 'x' } }, /admin\.lisen: "x" is not a known key \(listen, token, tokenFile, allowedHosts\)/);
});

test('a token shorter than 16 characters is refused from every source, naming the key, never the token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-cfg-'));
  writeFileSync(join(dir, 'short'), 'k\n');
  for (const [raw, env, key] of [
    [{ admin: { listen: '0.0.0.0:8053', token: 'k' } }, {}, 'admin.token'],
    [{ admin: { listen: '127.0.0.1:8053', token: 'fifteen-chars-x' } }, {}, 'admin.token'],
    [{ admin: { tokenFile: join(dir, 'short') } }, {}, 'admin.tokenFile'],
    [{ admin: { listen: '0.0.0.0:8053' } }, { MESHDNS_API_TOKEN: 'k' }, 'MESHDNS_API_TOKEN'],
  ] as const) {
    assert.throws(() => v(raw, {}, env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, new RegExp(`${key.replace('.', '\\.')}: .* holds a token of \\d+ characters; at least 16 are needed`));
      assert.doesNotMatch(err.message, /"k"|fifteen-chars-x/, 'the token is never shown');
      return true;
    });
  }
  assert.equal(v({ admin: { token: 'sixteen-chars-xx' } }).admin!.token, 'sixteen-chars-xx');
});

test('metrics.listen and queryLog are checked like the rest', () => {
  assert.equal(v({ metrics: { listen: '127.0.0.1:9153' } }).metrics.listen!.port, 9153);
  assert.equal(v({}).metrics.listen, undefined);
  fails({ metrics: { listen: 'localhost:9153' } }, /metrics\.listen: "localhost:9153" has "localhost", which is not an IP address/);
  assert.deepEqual(v({ queryLog: { sample: 0.01 } }).queryLog, { sample: 0.01 });
  assert.equal(v({}).queryLog, undefined);
  fails({ queryLog: { sample: 2 } }, /queryLog\.sample: 2 must be a fraction above 0 and at most 1/);
  fails({ queryLog: { rate: 1 } }, /queryLog\.rate: 1 is not a known key \(sample\)/);
});

test('udp.batching: on unless turned off, and only true or false', () => {
  assert.deepEqual(v({}).udp, { batching: true });
  assert.deepEqual(v({ udp: { batching: false } }).udp, { batching: false });
  fails({ udp: { batching: 'no' } }, /udp\.batching: "no" must be true or false/);
  fails({ udp: { batch: true } }, /udp\.batch: true is not a known key \(batching\)/);
  fails({ udp: ['batching'] }, /udp: .* must be a mapping \{batching\}/);
});
