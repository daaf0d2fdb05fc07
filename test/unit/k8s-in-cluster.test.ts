import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect, KubeConfigError } from '../../k8s/client/connection.js';
import { inClusterCredentials, InClusterError } from '../../k8s/client/in-cluster.js';

test('in-cluster credentials: the API server from the environment, the CA and bearer token from the mounted files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-sa-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'token'), 'token-one\n');
    const creds = inClusterCredentials({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.equal(creds.server.origin, 'https://10.96.0.1');
    const options = creds.requestOptions();
    assert.match(String(options.ca), /BEGIN CERTIFICATE/);
    assert.deepEqual(options.headers, { authorization: 'Bearer token-one' });
    assert.equal(inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, dir).server.origin, 'https://[fd00::1]:6443');
    assert.throws(() => inClusterCredentials({}, dir), (err: Error) => err instanceof InClusterError && /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/.test(err.message));
    rmSync(join(dir, 'token'));
    assert.throws(() => inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, dir), /cannot read the service account's token in .*: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connect without a kubeconfig outside a pod says so; a kubeconfig that cannot be read is named', async () => {
  await assert.rejects(connect(undefined, {}), (err: Error) => err instanceof KubeConfigError && /not inside a cluster/.test(err.message));
  await assert.rejects(connect('/nonexistent/kubeconfig'), (err: Error) => err instanceof KubeConfigError && /cannot read kubeconfig \/nonexistent\/kubeconfig/.test(err.message));
});
