// The Kubernetes test harness itself (test/helpers/kube-apiserver.ts): a real kube-apiserver over
// etcd serves the kinds meshdns watches (EndpointSlice v1 and DNSEndpoint as CRDs), watches see
// changes, compacted resourceVersions get 410 Gone, objects survive an API server restart, RBAC
// applies to userKubeconfig users, and the harness's children die with the test process.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { requireTool } from '../helpers/tools.js';

type WatchEvent = { type: string; object: any };

/**
 * Opens a watch as the admin and resolves with the first event `wanted` accepts, or with the HTTP
 * status when the API server refuses the watch outright. A 410 comes either way: as the status (the
 * watch cache refuses) or as an ERROR event (etcd refuses).
 */
function watchFor(server: KubeApiServer, path: string, wanted: (event: WatchEvent) => boolean, timeoutMs = 30_000): Promise<{ status: number; event?: WatchEvent }> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const request = https.get(`${server.url}${path}`, { ca: readFileSync(server.caFile), headers: { authorization: `Bearer ${server.token}` } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        finish(() => resolve({ status: response.statusCode ?? 0 }));
        return;
      }
      let buffered = '';
      response.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim() === '') continue;
          seen.push(line);
          const event = JSON.parse(line) as WatchEvent;
          if (wanted(event)) finish(() => resolve({ status: 200, event }));
        }
      });
    });
    const timer = setTimeout(() => finish(() => reject(new Error(`watch ${path}: no wanted event within ${timeoutMs} ms; seen: ${seen.join('\n')}`))), timeoutMs);
    let done = false;
    function finish(settle: () => void): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      settle();
    }
    request.on('error', (error) => finish(() => reject(error)));
  });
}

const gone = (result: { status: number; event?: WatchEvent }) =>
  result.status === 410 || (result.event?.type === 'ERROR' && result.event.object?.code === 410);

const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
});

describe('kube-apiserver harness', () => {
  let server: KubeApiServer;
  before(async () => {
    server = await startKubeApiServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('serves Services, v1 EndpointSlices (a CRD, with its schema and defaults) and DNSEndpoints', async () => {
    const created = await server.create(service('web'));
    assert.equal(created.metadata.name, 'web');
    assert.match(created.spec.clusterIP, /^10\.96\./);

    const slice = await server.create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.1.0.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', nodeName: 'node-a', zone: 'z1', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default' } },
      ],
      ports: [{ name: 'dns', port: 53 }],
    });
    assert.equal(slice.endpoints[0].conditions.ready, true);
    assert.equal(slice.ports[0].protocol, 'TCP', 'the schema defaults protocol as the built-in API does');
    const listed = await server.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items.map((item: any) => item.metadata.name), ['web-abc']);
    const invalid = await server.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'bad' }, addressType: 'IPv5', endpoints: [],
    });
    assert.equal(invalid.status, 422, JSON.stringify(invalid.body));
    const builtIn = await server.request('GET', '/apis/discovery.k8s.io/v1beta1/endpointslices');
    assert.equal(builtIn.status, 404, 'the built-in v1beta1 is off');

    const dnsEndpoint = await server.create({
      apiVersion: 'externaldns.k8s.io/v1alpha1',
      kind: 'DNSEndpoint',
      metadata: { name: 'records', namespace: 'default' },
      spec: { endpoints: [{ dnsName: 'a.k8s.example.', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 60, labels: { owner: 'x' }, providerSpecific: [{ name: 'k', value: 'v' }] }] },
    });
    assert.equal(dnsEndpoint.spec.endpoints[0].recordTTL, 60);
    const withStatus = await server.patch(dnsEndpoint, { status: { observedGeneration: 1 } }, 'status');
    assert.equal(withStatus.status.observedGeneration, 1);
    const patched = await server.patch(dnsEndpoint, { spec: { endpoints: [] } });
    assert.equal(patched.metadata.generation, 2);
    await server.remove(dnsEndpoint);
    await server.remove(dnsEndpoint, true);
    await assert.rejects(server.remove(dnsEndpoint), /HTTP 404/);
  });

  it('a watch from a resourceVersion sees a change made after it', async () => {
    const list = await server.request('GET', '/api/v1/namespaces/default/services');
    const from = list.body.metadata.resourceVersion as string;
    const watching = watchFor(server, `/api/v1/namespaces/default/services?watch=1&resourceVersion=${from}`, (e) => e.object?.metadata?.name === 'watched');
    await server.create(service('watched'));
    const { event } = await watching;
    assert.equal(event?.type, 'ADDED');
  });

  it('compactEtcd then restart: a watch from an old resourceVersion gets 410 Gone', async () => {
    const old = (await server.create(service('old-1'))).metadata.resourceVersion as string;
    await server.create(service('old-2'));
    await server.create(service('old-3'));
    await server.compactEtcd();
    const fromCache = await watchFor(server, `/api/v1/namespaces/default/services?watch=1&resourceVersion=${old}`, () => true);
    assert.equal(fromCache.event?.type, 'ADDED', 'the watch cache still holds the compacted versions');
    await server.restart();
    const result = await watchFor(server, `/api/v1/namespaces/default/services?watch=1&resourceVersion=${old}`, () => true);
    assert.ok(gone(result), `expected 410 Gone, got ${JSON.stringify(result)}`);
    // a fresh list and watch still work
    const list = await server.request('GET', '/api/v1/namespaces/default/services');
    assert.equal(list.status, 200);
  });

  it('objects survive killing and restarting the API server', async () => {
    const before = await server.create(service('durable'));
    await server.kill();
    await assert.rejects(server.request('GET', '/readyz'));
    await server.restart();
    const after = await server.request('GET', '/api/v1/namespaces/default/services/durable');
    assert.equal(after.status, 200);
    assert.equal(after.body.metadata.uid, before.metadata.uid);
    const slices = await server.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-abc');
    assert.equal(slices.status, 200, 'the CRD-served EndpointSlice is back too');
  });

  it('a userKubeconfig user gets 403 without RBAC and 200 once bound (kubectl and @kubernetes/client-node)', async () => {
    requireTool('kubectl', 'kubernetes-client');
    const kubeconfig = await server.userKubeconfig('alice', ['testers']);
    const kubectl = (args: string[]) => promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
    await assert.rejects(kubectl(['get', 'services', '-n', 'default', '-o', 'name']), /forbidden/i);
    const k8s = await import('@kubernetes/client-node');
    const config = new k8s.KubeConfig();
    config.loadFromFile(kubeconfig);
    const core = config.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(core.listNamespacedService({ namespace: 'default' }), (error: any) => error.code === 403);

    await server.create({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
      metadata: { name: 'read-services', namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] }],
    });
    await server.create({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
      metadata: { name: 'testers-read-services', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-services' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'testers' }],
    });
    // The RBAC authorizer reads its informers' cache: the binding takes effect a moment after the write.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const services = await core.listNamespacedService({ namespace: 'default' });
        assert.ok(services.items.some((s) => s.metadata?.name === 'web'));
        break;
      } catch (error) {
        if ((error as { code?: number }).code !== 403 || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const { stdout } = await kubectl(['get', 'services', '-n', 'default', '-o', 'name']);
    assert.match(stdout, /service\/web/);
    await assert.rejects(kubectl(['get', 'nodes']), /forbidden/i, 'the role is namespaced: nodes stay forbidden');
  });

  it('the admin kubeconfig works with kubectl, which sees both CRDs, and with the typed v1 EndpointSlice client', async () => {
    requireTool('kubectl', 'kubernetes-client');
    const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', server.kubeconfig, 'api-resources', '-o', 'name'], { timeout: 30_000 });
    assert.match(stdout, /^endpointslices\.discovery\.k8s\.io$/m);
    assert.match(stdout, /^dnsendpoints\.externaldns\.k8s\.io$/m);
    const config = parse(readFileSync(server.kubeconfig, 'utf8'));
    assert.equal(config.users[0].user.token, server.token);

    const k8s = await import('@kubernetes/client-node');
    const kubeconfig = new k8s.KubeConfig();
    kubeconfig.loadFromFile(server.kubeconfig);
    const slices = await kubeconfig.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default' });
    const web = slices.items.find((slice) => slice.metadata?.name === 'web-abc');
    assert.equal(web?.endpoints?.[0]?.conditions?.ready, true);
    assert.equal(web?.ports?.[0]?.protocol, 'TCP');
  });
});

describe('kube-apiserver harness without the watch cache', () => {
  it('compactEtcd alone makes a watch from an old resourceVersion get 410 Gone', async () => {
    const server = await startKubeApiServer({ extraArgs: ['--watch-cache=false'] });
    try {
      const old = (await server.create(service('a'))).metadata.resourceVersion as string;
      await server.create(service('b'));
      await server.create(service('c'));
      const beforeCompaction = await watchFor(server, `/api/v1/namespaces/default/services?watch=1&resourceVersion=${old}`, () => true);
      assert.equal(beforeCompaction.event?.type, 'ADDED', 'before compaction the old version is still watchable');
      await server.compactEtcd();
      const result = await watchFor(server, `/api/v1/namespaces/default/services?watch=1&resourceVersion=${old}`, () => true);
      assert.ok(gone(result), `expected 410 Gone, got ${JSON.stringify(result)}`);
    } finally {
      await server.stop();
    }
  });
});

describe('kube-apiserver harness: missing binaries', () => {
  async function withEnv(name: string, value: string, run: () => Promise<void>): Promise<void> {
    const saved = process.env[name];
    process.env[name] = value;
    try {
      await run();
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  }

  it('without kube-apiserver, fails naming .ci/kube-apiserver.sh and the Debian packages', async () => {
    await withEnv('MESHDNS_KUBE_APISERVER', '/nonexistent/kube-apiserver', () =>
      assert.rejects(startKubeApiServer(), /\.ci\/kube-apiserver\.sh.*golang-1\.19-go golang-github-modern-go-reflect2-dev/s));
  });

  it('without etcd, fails naming etcd-server', async () => {
    await withEnv('MESHDNS_ETCD', '/nonexistent/etcd', () => assert.rejects(startKubeApiServer(), /apt-get install -y etcd-server/));
  });
});

describe('kube-apiserver harness: children die with the test process', () => {
  const script = fileURLToPath(new URL('../helpers/kube-child-crash.js', import.meta.url));

  async function childOf(mode: 'throw' | 'wait', end: (parent: ReturnType<typeof spawn>) => void): Promise<number> {
    const parent = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'ignore'] });
    const line = await new Promise<string>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      parent.once('error', reject);
    });
    const [pid, dir] = line.trim().split(' ');
    end(parent);
    await new Promise((resolve) => parent.once('exit', resolve));
    rmSync(dir!, { recursive: true, force: true });
    return Number(pid);
  }

  /** Gone, or a zombie nobody reaps (a container's PID 1 may not). */
  async function exited(pid: number): Promise<boolean> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        return true;
      }
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  it('on an uncaught exception', async () => {
    const pid = await childOf('throw', () => undefined);
    assert.ok(await exited(pid), `child ${pid} outlived its crashed parent`);
  });

  it('when the test process is SIGKILLed', async () => {
    const pid = await childOf('wait', (parent) => parent.kill('SIGKILL'));
    assert.ok(await exited(pid), `child ${pid} outlived its killed parent`);
  });
});
