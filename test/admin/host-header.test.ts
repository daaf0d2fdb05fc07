import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { HostCheck, hostName } from '../../server/admin/host-check.js';
import { auth, startFixture, type Fixture } from './fixture.js';

// DNS rebinding: a page on rebind.attacker.example resolved to our listener sends that name as
// Host. Only IP literals, localhost (on loopback) and admin.allowedHosts are served.

let fx: Fixture;
before(async () => {
  fx = await startFixture({
    admin: { listen: '127.0.0.1:0', token: 'test-token-0123456789abcdef', allowedHosts: ['MeshDNS.Example.Internal.'] },
    metrics: { listen: '127.0.0.1:0' },
  });
});
after(async () => {
  await fx?.stop();
});

/** A GET over a real socket with the Host header we choose (fetch will not let us set it). */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...auth } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header allow-list', () => {
  test('a foreign Host gets 403 naming the host, on every route, token or not', async () => {
    const app = fx.server.adminApp!;
    for (const url of ['/api/v1/zones', '/metrics', '/', '/status.js', '/healthz', '/readyz', '/api/v1/zones/example.test/export']) {
      const res = await app.inject({ url, headers: { ...auth, host: 'rebind.attacker.example' } });
      assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
      assert.equal(res.json().field, 'host');
      assert.equal(res.json().value, 'rebind.attacker.example');
      assert.match(res.json().reason, /DNS rebinding/);
      assert.doesNotMatch(res.body, /example\.test/, 'no zone data leaks');
    }
    assert.equal((await app.inject({ url: '/api/v1/zones', headers: { ...auth, host: 'rebind.attacker.example:8053' } })).statusCode, 403);
    assert.equal((await app.inject({ url: '/api/v1/zones', headers: { ...auth, host: 'meshdns.example.internal.evil' } })).statusCode, 403);
  });

  test('the listen address with and without port, localhost, and allowedHosts are served', async () => {
    const app = fx.server.adminApp!;
    const port = fx.server.admin!.address.port;
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', 'localhost', `localhost:${port}`, 'meshdns.example.internal', `MESHDNS.example.internal:${port}`, '[::1]:8053']) {
      const res = await app.inject({ url: '/api/v1/zones', headers: { ...auth, host } });
      assert.equal(res.statusCode, 200, `${host}: ${res.body}`);
    }
    // over a real socket too
    assert.equal((await get(port, '/api/v1/zones', `127.0.0.1:${port}`)).status, 200);
    assert.equal((await get(port, '/api/v1/zones', 'rebind.attacker.example')).status, 403);
  });

  test('the separate metrics listener checks the Host header too', async () => {
    const port = fx.server.metricsAddress!.port;
    const ok = await get(port, '/metrics', `127.0.0.1:${port}`);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /meshdns_/);
    const refused = await get(port, '/metrics', 'rebind.attacker.example');
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.body, /meshdns_/);
    assert.equal((await get(port, '/metrics', 'meshdns.example.internal')).status, 200);
  });

  test('localhost only where loopback reaches the listener; Host parsing', () => {
    assert.equal(new HostCheck('192.0.2.7').refusal('localhost:8053') !== undefined, true);
    assert.equal(new HostCheck('0.0.0.0').refusal('localhost:8053'), undefined);
    assert.equal(new HostCheck('::').refusal('[::1]:8053'), undefined);
    assert.equal(new HostCheck('192.0.2.7').refusal('192.0.2.7:8053'), undefined);
    assert.equal(new HostCheck('192.0.2.7').refusal(undefined), undefined, 'HTTP/1.0 without Host');
    assert.match(new HostCheck('::1').refusal('[::1') ?? '', /not a host\[:port\]/);
    assert.equal(hostName('[2001:db8::1]:80'), '2001:db8::1');
    assert.equal(hostName('Name.Example.:80'), 'name.example');
    assert.equal(hostName('a:b:c'), undefined);
  });
});
