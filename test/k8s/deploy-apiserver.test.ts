// k8s/deploy/ against the real API server of the tests (Kubernetes 1.20, test/helpers/kube-apiserver.ts):
// every object of every overlay through a server-side dry-run, with exactly what 1.20 cannot serve
// refused; the kit's RBAC as the API server enforces it; and meshdns run with the prod overlay's
// config under the server's service-account identity, publishing from the cluster.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { findFreePort } from '../helpers/knotd.js';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { pollUntil } from '../helpers/kube-process.js';
import { startMeshdns } from '../helpers/meshdns.js';
import { dig } from '../helpers/tools.js';
import { find, objectsOf, OVERLAY_NAMES, requireKubectl, ROOT, serverConfig, type Overlay } from './deploy-manifests.js';

describe('k8s/deploy on the API server of the tests (Kubernetes 1.20): server-side dry-run and RBAC', () => {
  let api: KubeApiServer;
  let kubectl: (args: string[], input?: string, kubeconfig?: string) => { ok: boolean; out: string };
  before(async () => {
    api = await startKubeApiServer();
    const cacheDir = mkdtempSync(join(tmpdir(), 'meshdns-kubectl-cache-'));
    kubectl = (args, input, kubeconfig = api.kubeconfig) => {
      const run = spawnSync(requireKubectl(), ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { encoding: 'utf8', input, timeout: 60_000 });
      return { ok: run.status === 0, out: `${run.stdout}${run.stderr}`.trim() };
    };
    // for real first: a dry-run of a custom resource needs its CRD served, of a namespaced object its namespace
    const base = objectsOf('base');
    const real = [find(base, 'Namespace', 'meshdns'), ...base.filter((o) => o.kind === 'CustomResourceDefinition'),
      ...parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'k8s', 'monitoring-crds.yaml'), 'utf8')).map((d) => d.toJS())];
    for (const o of real) {
      const applied = kubectl(['apply', '--server-side', '--field-manager', 'meshdns-deploy-test', '-f', '-'], JSON.stringify(o));
      assert.ok(applied.ok, `${o.kind}/${o.metadata.name}: ${applied.out}`);
    }
    const crds = real.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `crd/${o.metadata.name}`);
    const established = kubectl(['wait', '--for', 'condition=established', '--timeout', '60s', ...crds]);
    assert.ok(established.ok, established.out);
    // the kit's roles and bindings for real: a client certificate named like a service account is
    // that account to RBAC (a ServiceAccount subject matches the user system:serviceaccount:NS:NAME)
    for (const o of base.filter((x) => x.kind === 'ClusterRole' || x.kind === 'ClusterRoleBinding')) {
      const applied = kubectl(['apply', '--server-side', '--field-manager', 'meshdns-deploy-test', '-f', '-'], JSON.stringify(o));
      assert.ok(applied.ok, applied.out);
    }
  });
  after(async () => { await api?.stop(); });

  // What Kubernetes 1.20 cannot serve of manifests written for current clusters, and why
  const REFUSED_BY_1_20: Record<Overlay, Record<string, RegExp>> = {
    base: { 'PodDisruptionBudget/meshdns': /policy\/v1\b/ },
    dev: { 'PodDisruptionBudget/meshdns': /policy\/v1\b/ },
    prod: { 'PodDisruptionBudget/meshdns': /policy\/v1\b/, 'Service/meshdns': /more than 1 protocol when type is 'LoadBalancer'/ },
  };

  /**
   * Server-side apply checks the object against the API's own schema (a field it does not declare
   * is an error) and runs validation and admission, without storing anything. kubectl's own
   * validation is off: it only repeats the schema check, from a 1 MB OpenAPI document per call.
   */
  const dryRun = (o: object) => kubectl(['apply', '--server-side', '--dry-run=server', '--validate=false', '--field-manager', 'meshdns-deploy-test', '-f', '-'], JSON.stringify(o));

  for (const overlay of OVERLAY_NAMES) {
    test(`${overlay}: every object passes \`kubectl apply --server-side --dry-run=server\` but what 1.20 cannot serve`, () => {
      const refused: Record<string, string> = {};
      for (const o of objectsOf(overlay)) {
        const run = dryRun(o);
        if (!run.ok) refused[`${o.kind}/${o.metadata.name}`] = run.out;
      }
      assert.deepEqual(Object.keys(refused).sort(), Object.keys(REFUSED_BY_1_20[overlay]).sort(), JSON.stringify(refused, null, 1));
      for (const [id, why] of Object.entries(REFUSED_BY_1_20[overlay])) assert.match(refused[id]!, why, id);
    });
  }

  test('the PodDisruptionBudget is refused for its version alone: as policy/v1beta1 1.20 takes it', () => {
    const pdb = { ...find(objectsOf('prod'), 'PodDisruptionBudget', 'meshdns'), apiVersion: 'policy/v1beta1' };
    const run = dryRun(pdb);
    assert.ok(run.ok, run.out);
  });

  test('the prod Service is refused for its mixed protocols alone: one protocol per LoadBalancer passes', () => {
    const service = find(objectsOf('prod'), 'Service', 'meshdns');
    for (const port of service['spec'].ports) {
      const single = { ...service, metadata: { ...service.metadata, name: `meshdns-${port.protocol.toLowerCase()}` }, spec: { ...service['spec'], ports: [port] } };
      const run = dryRun(single);
      assert.ok(run.ok, run.out);
    }
  });

  test('RBAC as the API server enforces it: the server reads its sources and writes Events, only the agent patches a Node', async () => {
    const server = serviceAccount('meshdns');
    const agent = serviceAccount('meshdns-agent');
    const allowed = async (who: { user: string; groups: string[] }, verb: string, group: string, resource: string) => {
      const review = await api.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: who.user, groups: who.groups, resourceAttributes: { verb, group, resource, namespace: 'default' } },
      });
      assert.equal(review.status, 201, JSON.stringify(review.body));
      return review.body.status.allowed === true;
    };
    const matrix: [verb: string, group: string, resource: string, server: boolean, agent: boolean][] = [
      ['list', '', 'services', true, false], ['watch', '', 'services', true, false], ['watch', '', 'nodes', true, false],
      ['watch', 'discovery.k8s.io', 'endpointslices', true, false], ['watch', 'networking.k8s.io', 'ingresses', true, false],
      ['watch', 'externaldns.k8s.io', 'dnsendpoints', true, false],
      ['create', '', 'events', true, false], ['patch', 'events.k8s.io', 'events', false, false], ['patch', '', 'events', false, false],
      ['get', '', 'nodes', false, true], ['get', '', 'services', false, false], ['patch', '', 'nodes', false, true], ['list', '', 'nodes', true, false],
      ['update', '', 'nodes', false, false], ['delete', '', 'nodes', false, false],
      ['get', '', 'secrets', false, false], ['list', '', 'configmaps', false, false], ['list', '', 'pods', false, false],
      ['patch', '', 'services', false, false], ['create', 'externaldns.k8s.io', 'dnsendpoints', false, false],
      ['update', '', 'services/status', false, false], ['delete', '', 'events', false, false],
    ];
    const wrong: string[] = [];
    for (const [verb, group, resource, mayServer, mayAgent] of matrix) {
      if (await allowed(server, verb, group, resource) !== mayServer) wrong.push(`server ${verb} ${group}/${resource}: ${!mayServer}`);
      if (await allowed(agent, verb, group, resource) !== mayAgent) wrong.push(`agent ${verb} ${group}/${resource}: ${!mayAgent}`);
    }
    assert.deepEqual(wrong, []);

    // and for real, through kubectl: the agent's merge patch of its annotation goes through, the server's does not
    await api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'deploy-test-node' } });
    const patch = JSON.stringify({ metadata: { annotations: { 'meshdns.io/addresses': '192.0.2.1' } } });
    const byAgent = kubectl(['patch', 'node', 'deploy-test-node', '--type', 'merge', '-p', patch], undefined, await api.userKubeconfig(agent.user, agent.groups));
    assert.ok(byAgent.ok, byAgent.out);
    const byServer = kubectl(['patch', 'node', 'deploy-test-node', '--type', 'merge', '-p', patch], undefined, await api.userKubeconfig(server.user, server.groups));
    assert.ok(!byServer.ok && /forbidden/i.test(byServer.out), byServer.out);
  });

  test('prod: meshdns with the overlay\'s config and the server\'s identity publishes from the cluster, posts Events, answers its probes without a token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshdns-deploy-live-'));
    const account = serviceAccount('meshdns');
    const config = structuredClone(serverConfig(objectsOf('prod')));
    // the pod's mounts and in-cluster credentials, here: a token file, and a kubeconfig for the same identity
    config.admin.tokenFile = join(dir, 'admin.token');
    writeFileSync(config.admin.tokenFile, 'f'.repeat(48));
    config.kubernetes.kubeconfig = await api.userKubeconfig(account.user, account.groups);
    const file = join(dir, 'meshdns.yaml');
    writeFileSync(file, stringifyYaml(config));

    const loadBalancer = (name: string, hostname: string, ip: string) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', annotations: { 'external-dns.alpha.kubernetes.io/hostname': hostname } },
      spec: { type: 'LoadBalancer', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip }] } },
    });
    for (const service of [loadBalancer('web', 'web.k8s.site-a.mesh.', '203.0.113.80'), loadBalancer('stray', 'stray.example.org.', '203.0.113.81')]) {
      await api.create(service);
      await api.patch(service, { status: service.status }, 'status');
    }
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-1', labels: { 'serve-public': 'true' } } };
    await api.create(node);
    await api.patch(node, { status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'ExternalIP', address: '185.1.2.3' }] } }, 'status');

    const metricsPort = await findFreePort();
    const meshdns = await startMeshdns({ config: file, extraArgs: ['--metrics-listen', `127.0.0.1:${metricsPort}`] });
    try {
      await meshdns.waitForLog((e) => e['msg'] === 'kubernetes: synced', 30_000);
      const answer = (name: string, type: string) => dig(['@127.0.0.1', '-p', String(meshdns.port), name, type, '+short']).trim();
      assert.equal(answer('web.k8s.site-a.mesh.', 'A'), '203.0.113.80');
      assert.equal(answer('www.k8s.site-a.mesh.', 'A'), '185.1.2.3', 'nodes.names: the labelled Ready node');
      assert.equal(answer('edge-1.nodes.k8s.site-a.mesh.', 'A'), '185.1.2.3', 'nodes.perNode');
      assert.equal(answer('k8s.site-a.mesh.', 'NS'), 'ns.k8s.site-a.mesh.', 'the zone created with the configured name server');
      assert.equal(answer('stray.example.org.', 'A'), '', 'nothing outside kubernetes.zones');
      // the Event on the object whose name was refused, posted with the server's identity
      const refusedEvent = async () => {
        const events = await api.request('GET', '/api/v1/namespaces/default/events');
        return (events.body.items as any[]).some((e) => e.reason === 'DNSRecordRefused' && e.involvedObject.name === 'stray');
      };
      await pollUntil(refusedEvent, 20_000, () => `no DNSRecordRefused Event on Service default/stray; meshdns log:\n${meshdns.logs()}`);
      assert.doesNotMatch(meshdns.logs(), /could not record an Event|forbidden/i);
      // the probes' paths on the probes' listener, without a token, as the kubelet asks
      for (const path of ['/healthz', '/readyz']) {
        const response = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
        assert.equal(response.status, 200, `${path}: ${await response.text()}`);
      }
    } finally {
      await meshdns.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The user and groups a pod of that service account has in namespace meshdns. */
function serviceAccount(name: string): { user: string; groups: string[] } {
  return { user: `system:serviceaccount:meshdns:${name}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:meshdns', 'system:authenticated'] };
}
