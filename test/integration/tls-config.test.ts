import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acl } from '../../server/acl.js';
import { ConfigError, validateConfig } from '../../server/config.js';
import { authenticationOf, describePrimary } from '../../server/xfr/primary-stream.js';
import { CLI } from '../helpers/meshdns.js';

/** The encrypted-transport keys of meshdns.yaml: what is accepted, and the one-line reasons for what is not. */

const PIN = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

const message = (raw: unknown): string => {
  try {
    validateConfig(raw, {}, 'meshdns.yaml', {});
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail(`accepted: ${JSON.stringify(raw)}`);
};
const primaries = (...list: Record<string, unknown>[]) => ({ zones: [{ origin: 'other.test.', primaries: list }] });

test('tls: files are both set or both absent; absent means a self-signed certificate; defaults', () => {
  const c = validateConfig({}, {}, 'meshdns.yaml', {});
  assert.deepEqual(c.tls, { certFile: undefined, keyFile: undefined, reloadOnChange: true, handshakeTimeoutMs: 5000 });
  assert.equal(message({ tls: { certFile: '/x.crt' } }), 'meshdns.yaml: tls.certFile: "/x.crt" is set without tls.keyFile; set both, or neither for a self-signed certificate');
  assert.equal(message({ tls: { keyFile: '/x.key' } }), 'meshdns.yaml: tls.keyFile: "/x.key" is set without tls.certFile; set both, or neither for a self-signed certificate');
  assert.equal(message({ tls: { handshakeTimeout: 0 } }), 'meshdns.yaml: tls.handshakeTimeout: 0 must be a number of seconds from 0.1 to 60');
  assert.equal(validateConfig({ tls: { handshakeTimeout: 0.5, reloadOnChange: false } }, {}, 'x', {}).tls.handshakeTimeoutMs, 500);
});

test('primaries: transport, pin, caFile and hostname, checked together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-tls-config-'));
  try {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'not checked here\n');
    const c = validateConfig(primaries(
      { address: '192.0.2.9:853', transport: 'tls', pin: PIN },
      { address: '192.0.2.10:853', transport: 'tls', caFile: ca, hostname: 'dns.test' },
      { address: '192.0.2.11:853', transport: 'tls' },
      { address: '192.0.2.12:53' },
      { address: '192.0.2.13:53', transport: 'tcp' },
    ), {}, 'meshdns.yaml', {});
    const list = c.replication.secondaries.get('other.test.')!;
    assert.deepEqual(list.map((p) => [authenticationOf(p), describePrimary(p)]), [
      ['pin', 'tls 192.0.2.9:853 (pin)'],
      ['ca', 'tls 192.0.2.10:853 (CA, dns.test)'],
      ['none', 'tls 192.0.2.11:853 (opportunistic, not authenticated)'],
      ['none', '192.0.2.12:53'],
      ['none', '192.0.2.13:53'],
    ]);
    assert.equal(list[1]!.caFile, ca);
    assert.equal(list[4]!.transport, undefined, 'tcp is the default and is not kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(message(primaries({ address: '192.0.2.9:53', pin: PIN })), `meshdns.yaml: zones[0].primaries[0].pin: "${PIN}" needs transport: tls or quic`);
  assert.equal(message(primaries({ address: '192.0.2.9:853', transport: 'tls', pin: 'abc' })), 'meshdns.yaml: zones[0].primaries[0].pin: "abc" must be base64 of a SHA-256 digest (44 characters ending in "=")');
  assert.equal(message(primaries({ address: '192.0.2.9:853', transport: 'tls', pin: PIN, hostname: 'x.test' })),
    `meshdns.yaml: zones[0].primaries[0].pin: "${PIN}" is set beside caFile/hostname; authenticate the primary one way (pin, or caFile with hostname)`);
  assert.equal(message(primaries({ address: '192.0.2.9:853', transport: 'tls', caFile: '/nonexistent/ca.pem' })),
    'meshdns.yaml: zones[0].primaries[0].caFile: "/nonexistent/ca.pem" needs hostname: the name the primary\'s certificate is checked against');
  assert.equal(message(primaries({ address: '192.0.2.9:853', transport: 'tls', caFile: '/nonexistent/ca.pem', hostname: 'x.test' })),
    'meshdns.yaml: zones[0].primaries[0].caFile: "/nonexistent/ca.pem" cannot be read (ENOENT)');
  assert.equal(message(primaries({ address: '192.0.2.9:853', transport: 'https' })), 'meshdns.yaml: zones[0].primaries[0].transport: "https" must be one of tcp, tls, quic');
  assert.equal(message({ defaults: { notify: [{ address: '192.0.2.9:53', transport: 'tls' }] } }),
    'meshdns.yaml: defaults.notify[0].transport: "tls" is not a known key (address, key)', 'NOTIFY targets stay on UDP');
});

test('acls: transport is one of the listen transports, alone or as a list', () => {
  const c = validateConfig({ acls: [{ name: 'x', action: 'transfer', transport: ['tls', 'quic'] }, { name: 'y', action: 'transfer', transport: 'tcp' }, { name: 'z', action: 'notify' }] }, {}, 'x', {});
  assert.deepEqual([...c.replication.rules.values()].map((r) => r.transports), [['tls', 'quic'], ['tcp'], []]);
  assert.equal(message({ acls: [{ name: 'x', action: 'transfer', transport: 'doh' }] }), 'meshdns.yaml: acls[0].transport: "doh" must be one of udp, tcp, tls, quic');
  assert.equal(message({ acls: [{ name: 'x', action: 'transfer', transport: [] }] }), 'meshdns.yaml: acls[0].transport: [] must list at least one transport (or be left out: any)');
  const acl = new Acl([c.replication.rules.get('x')!]);
  assert.deepEqual(acl.check('transfer', '127.0.0.1', undefined, 'tls'), { allowed: true, rule: 'x' });
  assert.deepEqual(acl.check('transfer', '127.0.0.1', undefined, 'tcp'), { allowed: false, rule: undefined }, 'over TCP the rule does not match: denied');
  assert.deepEqual(acl.check('transfer', '127.0.0.1', undefined), { allowed: false, rule: undefined }, 'an unknown transport does not match a rule that names some');
  assert.equal(new Acl([c.replication.rules.get('z')!]).check('notify', '127.0.0.1', undefined, 'udp').allowed, true, 'a rule without transport matches any');
});

test('serve with certificate files it cannot use stops with one line, before it answers anything', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-tls-config-'));
  try {
    const run = (tls: string) => {
      writeFileSync(join(dir, 'm.yaml'), `listen: [{address: "127.0.0.1:0", transport: tls}]\ntls: ${tls}\nadmin: false\n`);
      return spawnSync(process.execPath, [CLI, 'serve', '--config', join(dir, 'm.yaml'), '--data', join(dir, 'data')], { encoding: 'utf8', timeout: 20_000 });
    };
    const missing = run(`{certFile: ${join(dir, 'none.crt')}, keyFile: ${join(dir, 'none.key')}}`);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `meshdns: tls.certFile "${join(dir, 'none.crt')}" cannot be read: ENOENT\n`);
    writeFileSync(join(dir, 'bad.crt'), 'not a certificate\n');
    writeFileSync(join(dir, 'bad.key'), 'not a key\n');
    const garbage = run(`{certFile: ${join(dir, 'bad.crt')}, keyFile: ${join(dir, 'bad.key')}}`);
    assert.equal(garbage.status, 1);
    assert.match(garbage.stderr, /^meshdns: tls\.certFile ".*bad\.crt" with tls\.keyFile ".*bad\.key": .+\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
