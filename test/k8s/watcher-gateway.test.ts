import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startK8sMeshdns, type K8sMeshdns } from '../helpers/k8s-meshdns.js';
import { waitForAnswer } from '../helpers/k8s-objects.js';

// The gateway-httproute source: HTTPRoutes published at their Gateways' addresses, through the real
// API server (the Gateway API CRDs as stand-ins, test/fixtures/k8s/gateway-api-crds.yaml).
const ZONE = 'gw.k8s.test.';
const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const GROUP = '/apis/gateway.networking.k8s.io/v1';

let api: KubeApiServer;
let server: K8sMeshdns;

async function ok<T>(what: string, call: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await call;
  assert.ok(status >= 200 && status < 300, `${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

async function createGateway(name: string, listeners: object[], addresses: string[], annotations: Record<string, string> = {}): Promise<void> {
  await ok('create gateway', api.request('POST', `${GROUP}/namespaces/infra/gateways`, {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: 'infra', annotations },
    spec: { gatewayClassName: 'test', listeners },
  }));
  await setGatewayAddresses(name, addresses);
}

async function setGatewayAddresses(name: string, addresses: string[]): Promise<void> {
  await ok('gateway status', api.request('PATCH', `${GROUP}/namespaces/infra/gateways/${name}/status`,
    { status: { addresses: addresses.map((value) => ({ type: 'IPAddress', value })) } }, 'application/merge-patch+json'));
}

async function createRoute(name: string, hostnames: string[], gateway: string, acceptedStatus: 'True' | 'False'): Promise<void> {
  const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: gateway };
  await ok('create route', api.request('POST', `${GROUP}/namespaces/app/httproutes`, {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'app' }, spec: { hostnames, parentRefs: [parentRef] },
  }));
  await setAccepted(name, gateway, acceptedStatus);
}

async function setAccepted(route: string, gateway: string, accepted: 'True' | 'False'): Promise<void> {
  const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: gateway };
  await ok('route status', api.request('PATCH', `${GROUP}/namespaces/app/httproutes/${route}/status`, {
    status: { parents: [{ parentRef, controllerName: 'example.test/gateway', conditions: [{ type: 'Accepted', status: accepted, reason: 'Test', message: '', lastTransitionTime: new Date().toISOString() }] }] },
  }, 'application/merge-patch+json'));
}

before(async () => {
  api = await startKubeApiServer();
  const crds = parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'k8s', 'gateway-api-crds.yaml'), 'utf8')).map((d) => d.toJSON() as object);
  for (const crd of crds) await ok('create CRD', api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd));
  for (const ns of ['infra', 'app']) await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; ; i++) {
    const [gateways, routes] = await Promise.all([api.request('GET', `${GROUP}/gateways`), api.request('GET', `${GROUP}/httproutes`)]);
    if (gateways.status === 200 && routes.status === 200) break;
    assert.ok(i < 300, 'the Gateway API CRDs were never served');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server = await startK8sMeshdns(api.kubeconfig, { zones: [ZONE], sources: ['gateway-httproute'] as never });
});
after(async () => {
  await server?.stop();
  await api?.stop();
});

const hasA = (address: string) => (answer: { records: { type: string; rdata: string }[] }) => answer.records.some((r) => r.type === 'A' && r.rdata === address);

test('an accepted HTTPRoute is served at its Gateway\'s addresses, narrowed by the listener hostname; a Gateway address change follows', async () => {
  await createGateway('public', [{ name: 'http', protocol: 'HTTP', port: 80, hostname: `*.${ZONE.slice(0, -1)}`, allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.50']);
  await createRoute('shop', [`shop.${ZONE.slice(0, -1)}`, 'shop.elsewhere.test'], 'public', 'True');
  await waitForAnswer(server, `shop.${ZONE}`, 'A', hasA('192.0.2.50'));
  await setGatewayAddresses('public', ['192.0.2.51']);
  await waitForAnswer(server, `shop.${ZONE}`, 'A', (a) => hasA('192.0.2.51')(a) && !hasA('192.0.2.50')(a));
  const { body } = await server.adminGet<{ sources: { source: string; objects: number; synced: boolean }[] }>('/api/v1/kubernetes');
  assert.deepEqual(body.sources.map((s) => [s.source, s.synced, s.objects]), [['gateway-httproute', true, 1], ['gateway', true, 1]]);
});

test('a route the Gateway has not accepted is not published; accepted later, it is; deleted, it goes', async () => {
  await createRoute('pending', [`pending.${ZONE.slice(0, -1)}`], 'public', 'False');
  // a later route that is served shows the watcher has seen the pending one (events of one kind arrive in order)
  await createRoute('marker', [`marker.${ZONE.slice(0, -1)}`], 'public', 'True');
  await waitForAnswer(server, `marker.${ZONE}`, 'A', hasA('192.0.2.51'));
  await waitForAnswer(server, `pending.${ZONE}`, 'A', (a) => a.status === 'NXDOMAIN');
  await setAccepted('pending', 'public', 'True');
  await waitForAnswer(server, `pending.${ZONE}`, 'A', hasA('192.0.2.51'));
  await ok('delete route', api.request('DELETE', `${GROUP}/namespaces/app/httproutes/pending`));
  await waitForAnswer(server, `pending.${ZONE}`, 'A', (a) => a.status === 'NXDOMAIN');
});
