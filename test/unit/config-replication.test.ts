import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../server/config.js';
import { aclFor } from '../../server/config-replication.js';

const SECRET = Buffer.from('sixteen octets at least, here').toString('base64');
const base = {
  keys: [{ name: 'transfer-key', algorithm: 'hmac-sha256', secret: SECRET }],
  acls: [
    { name: 'deny-bad', address: ['127.0.0.66'], action: ['transfer'], deny: true },
    { name: 'secondaries', address: ['127.0.0.0/8', '::1'], key: ['transfer-key.'], action: ['transfer', 'notify'] },
  ],
  defaults: { acl: ['deny-bad', 'secondaries'] },
  zones: [{ origin: 'open.test.', acl: [] }],
};
const parse = (raw: unknown) => validateConfig(raw, {}, 'test.yaml', {});

test('keys and ACLs: first matching rule wins, nothing matched is denied', () => {
  const c = parse(base);
  const acl = aclFor(c.replication, 'example.test.');
  assert.deepEqual(acl.check('transfer', '127.0.0.1', 'transfer-key.'), { allowed: true, rule: 'secondaries' });
  assert.deepEqual(acl.check('transfer', '127.0.0.1', undefined), { allowed: false, rule: undefined }, 'the key is required');
  assert.deepEqual(acl.check('transfer', '127.0.0.66', 'transfer-key.'), { allowed: false, rule: 'deny-bad' });
  assert.deepEqual(acl.check('update', '127.0.0.1', 'transfer-key.'), { allowed: false, rule: undefined }, 'action not granted');
  assert.equal(acl.check('transfer', '::ffff:127.0.0.1', 'transfer-key.').allowed, true, 'IPv4-mapped clients match IPv4 prefixes');
  assert.equal(aclFor(c.replication, 'open.test.').check('transfer', '127.0.0.1', 'transfer-key.').allowed, false, 'a zone with acl: [] allows nothing');
  assert.equal(aclFor(parse({}).replication, 'x.test.').check('transfer', '127.0.0.1', undefined).allowed, false, 'no config: nothing allowed');
});

test('replication config errors name the key, the value and why; secrets never appear', () => {
  const bad = (patch: Record<string, unknown>, message: RegExp) => assert.throws(() => parse({ ...base, ...patch }), message);
  bad({ keys: [{ name: 'k', algorithm: 'hmac-sha3', secret: SECRET }] }, /keys\[0\]\.algorithm: "hmac-sha3" must be one of hmac-md5/);
  bad({ keys: [{ name: 'k', secret: 'c2hvcnQ=' }] }, /keys\[0\]\.secret: "\(hidden\)" must be base64 of at least 16 octets/);
  bad({ keys: [{ name: 'k', secretFile: '/nonexistent/tsig' }] }, /keys\[0\]\.secretFile: "\/nonexistent\/tsig" cannot be read \(ENOENT\)/);
  bad({ acls: [{ name: 'a', address: ['192.0.2.0/33'], action: 'transfer' }] }, /acls\[0\]\.address\[0\]: "192\.0\.2\.0\/33" has prefix length "33"/);
  bad({ acls: [{ name: 'a', key: ['nokey.'], action: 'transfer' }] }, /acls\[0\]\.key\[0\]: "nokey\." is not a key defined under keys/);
  bad({ acls: [{ name: 'a', action: ['axfr'] }] }, /acls\[0\]\.action\[0\]: "axfr" must be one of transfer, notify, update/);
  bad({ defaults: { acl: ['nope'] } }, /defaults\.acl\[0\]: "nope" is not an ACL defined under acls/);
  const leaked = (() => {
    try {
      parse({ ...base, keys: [{ name: 'k', secret: `${SECRET}!` }] });
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  })();
  assert.ok(leaked.length > 0 && !leaked.includes(SECRET));
});
