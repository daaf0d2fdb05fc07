import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { staticKubeconfig } from '../../k8s/client/kubeconfig.js';

function withKubeconfig(doc: object, run: (file: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-kubeconfig-'));
  try {
    writeFileSync(join(dir, 'config'), stringify(doc));
    run(join(dir, 'config'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const config = (user: object, cluster: object = { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64') }) => ({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'here',
  contexts: [{ name: 'other', context: { cluster: 'x', user: 'x' } }, { name: 'here', context: { cluster: 'c', user: 'u' } }],
  clusters: [{ name: 'c', cluster }],
  users: [{ name: 'u', user }],
});

test('a kubeconfig with a token, a token file or a client certificate is read without the library; relative paths are the file\'s', () => {
  withKubeconfig(config({ token: 'abc' }), (file) => {
    const creds = staticKubeconfig(file)!;
    assert.equal(creds.server.origin, 'https://127.0.0.1:6443');
    const options = creds.requestOptions();
    assert.equal(String(options.ca), 'CA');
    assert.deepEqual(options.headers, { authorization: 'Bearer abc' });
  });
  withKubeconfig(config({ 'client-certificate': 'cert.pem', 'client-key': 'key.pem', tokenFile: 'token' }, { server: 'https://[::1]:6443', 'certificate-authority': 'ca.pem', 'tls-server-name': 'kubernetes' }), (file, dir) => {
    for (const [name, text] of [['cert.pem', 'CERT'], ['key.pem', 'KEY'], ['ca.pem', 'CAFILE'], ['token', 'rotating-1\n']]) writeFileSync(join(dir, name!), text!);
    const creds = staticKubeconfig(file)!;
    const options = creds.requestOptions();
    assert.deepEqual([String(options.ca), String(options.cert), String(options.key), options.servername], ['CAFILE', 'CERT', 'KEY', 'kubernetes']);
    assert.deepEqual(options.headers, { authorization: 'Bearer rotating-1' });
    writeFileSync(join(dir, 'token'), 'rotating-2\n');
    assert.deepEqual(creds.requestOptions().headers, { authorization: 'Bearer rotating-2' }, 'the token file is read for each connection');
  });
});

test('an exec plugin or an auth provider is left to @kubernetes/client-node; a broken kubeconfig is named', () => {
  withKubeconfig(config({ exec: { command: 'aws', args: ['eks', 'get-token'] } }), (file) => assert.equal(staticKubeconfig(file), undefined));
  withKubeconfig(config({ 'auth-provider': { name: 'oidc' } }), (file) => assert.equal(staticKubeconfig(file), undefined));
  withKubeconfig({ ...config({ token: 'x' }), 'current-context': 'missing' }, (file) => assert.throws(() => staticKubeconfig(file), /no context "missing" under contexts/));
  withKubeconfig(config({ 'client-certificate': 'nope.pem' }), (file) => assert.throws(() => staticKubeconfig(file), /cannot read the client certificate nope\.pem: ENOENT/));
  withKubeconfig(config({ token: 'x' }, { 'certificate-authority-data': 'Q0E=' }), (file) => assert.throws(() => staticKubeconfig(file), /cluster "c" has no server URL/));
  assert.throws(() => staticKubeconfig('/nonexistent/config'), /cannot read kubeconfig \/nonexistent\/config: ENOENT/);
});
