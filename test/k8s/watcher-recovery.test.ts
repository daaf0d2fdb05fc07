// The watcher when things go wrong, black-box: a real kube-apiserver killed and restarted, a
// partition (a proxy between meshdns and the API server that drops every connection) during which
// objects are deleted and re-created and etcd is compacted (the watch resumes from a resourceVersion
// that is gone: 410), meshdns itself SIGKILLed while objects change and started again while the API
// server is down. Each ends in a full reconcile: the zone holds exactly what the objects say.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startMeshdns, type RunningMeshdns } from '../helpers/meshdns.js';
import {
  adminRequest, createPublishedService, explainedByWatcher, HOSTNAME_ANNOTATION, kubernetesYaml, metricTotal, PartitionProxy, publish, recordSources, serviceRef,
  waitForSynced, writeKubeconfig, writeText, zoneContent,
} from '../helpers/k8s-fixtures-fail.js';
import { answers, keepsAnswering, rcode, waitForAnswers, waitUntil } from '../helpers/k8s-wait.js';

const ZONE = 'k8s.site-a.mesh.';
const SOURCES = ['service', 'endpointslice', 'dnsendpoint'];
/** Long enough for a client's reconnect backoff after an outage. */
const RECONNECT_MS = 90_000;

let dir: string;
let dataDir: string;
let config: string;
let kapi: KubeApiServer;
let proxy: PartitionProxy;
let meshdns: RunningMeshdns;

const port = () => meshdns.port;
const at = (label: string) => `${label}.${ZONE}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshdns-k8s-recovery-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  kapi = await startKubeApiServer();
  proxy = await PartitionProxy.start(Number(new URL(kapi.url).port));
  // meshdns reaches the API server through the proxy only: the tests can cut it off
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), proxy.url, kapi);
  config = writeText(dir, 'meshdns.yaml', kubernetesYaml({ kubeconfig, zones: [ZONE], sources: SOURCES }));
  meshdns = await startMeshdns({ dataDir, config });
  await waitForSynced(meshdns);
});

after(async () => {
  await meshdns?.stop();
  await proxy?.stop();
  await kapi?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the zone the watcher created answers SOA and NS', async () => {
  assert.equal(await rcode(port(), ZONE, 'SOA'), 'NOERROR');
  assert.equal((await answers(port(), ZONE, 'SOA')).length, 1);
  assert.ok((await answers(port(), ZONE, 'NS')).length > 0, 'the created zone has its apex NS');
});

test('the API server killed: the last state keeps answering; restarted, the watch comes back and changes are served', async () => {
  await createPublishedService(kapi, 'r1', [at('r1')], ['192.0.2.1']);
  await waitForAnswers(port(), at('r1'), 'A', ['192.0.2.1']);

  await kapi.kill();
  await keepsAnswering(port(), at('r1'), 'A', ['192.0.2.1'], 15);
  assert.equal(meshdns.proc.exitCode, null, 'meshdns is still running');

  await kapi.restart();
  await publish(kapi, 'r1', ['192.0.2.2']);
  await createPublishedService(kapi, 'r2', [at('r2')], ['192.0.2.20']);
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r1'), 'A', ['192.0.2.2'], RECONNECT_MS));
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r2'), 'A', ['192.0.2.20'], RECONNECT_MS));
});

test('410 Gone: changes made while meshdns was cut off and etcd compacted are found by the relist, nothing duplicated', async () => {
  // r1 and r2 exist from the test before; an API-written record must survive the reconcile
  const patch = await adminRequest(meshdns, 'PATCH', `/api/v1/zones/${ZONE}/rrsets`, {
    rrsets: [{ name: at('manual'), type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: '192.0.2.99' }] }],
  });
  assert.equal(patch.status, 200, patch.text);
  await createPublishedService(kapi, 'r3', [at('r3')], ['192.0.2.30']);
  await waitForAnswers(port(), at('r3'), 'A', ['192.0.2.30']);
  const oldR2Uid = await uidOf('r2');
  const goneBefore = await metricTotal(meshdns, 'meshdns_k8s_watch_restarts_total', ['source="service"', 'reason="gone"']);

  proxy.partition();
  await kapi.remove(serviceRef('r1'));
  // same name, new uid, another address and another name
  await kapi.remove(serviceRef('r2'));
  const newR2Uid = await createPublishedService(kapi, 'r2', [at('r2-new')], ['192.0.2.21']);
  assert.notEqual(newR2Uid, oldR2Uid);
  await createPublishedService(kapi, 'r4', [at('r4')], ['192.0.2.40']);
  await publish(kapi, 'r3', ['192.0.2.31']);
  // the watch's resume point is compacted away and the new API server's watch cache starts after it
  await kapi.compactEtcd();
  await kapi.kill();
  await kapi.restart();
  // while cut off, the last state answers
  await keepsAnswering(port(), at('r1'), 'A', ['192.0.2.2'], 3);
  const forwardedBefore = proxy.forwarded;
  proxy.heal();

  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r4'), 'A', ['192.0.2.40'], RECONNECT_MS));
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r1'), 'A', [], RECONNECT_MS));
  await waitForAnswers(port(), at('r2'), 'A', []);
  await waitForAnswers(port(), at('r2-new'), 'A', ['192.0.2.21']);
  await waitForAnswers(port(), at('r3'), 'A', ['192.0.2.31']);
  assert.ok(proxy.forwarded > forwardedBefore, 'meshdns reconnected through the proxy');
  // the scenario did what it is for: the watch was resumed from a compacted version and got 410
  const goneAfter = await metricTotal(meshdns, 'meshdns_k8s_watch_restarts_total', ['source="service"', 'reason="gone"']);
  assert.ok(goneAfter > goneBefore, `meshdns_k8s_watch_restarts_total{reason="gone"} stayed at ${goneAfter}: the relist was not caused by a 410`);
  assert.deepEqual(await recordSources(meshdns, ZONE, at('r2-new'), 'A'), { '192.0.2.21': ['k8s:service/default/r2'] });
  assert.deepEqual(await zoneContent(meshdns, ZONE), [
    `${at('manual')} A 192.0.2.99`,
    `${at('r2-new')} A 192.0.2.21`,
    `${at('r3')} A 192.0.2.31`,
    `${at('r4')} A 192.0.2.40`,
  ], 'exactly what the objects say, plus the API\'s record');
});

test('meshdns SIGKILLed while objects change: restarted with the API server down it answers its last state; then a full reconcile', async () => {
  meshdns.proc.kill('SIGKILL');
  await waitUntil('meshdns to exit', async () => (meshdns.proc.exitCode !== null || meshdns.proc.signalCode !== null ? true : undefined));
  await kapi.remove(serviceRef('r3'));
  await createPublishedService(kapi, 'r5', [at('r5')], ['192.0.2.50']);
  await publish(kapi, 'r4', ['192.0.2.41']);
  await kapi.kill();

  meshdns = await startMeshdns({ dataDir, config });
  // served from LMDB before the API server can be reached: the state at the kill
  assert.deepEqual(await answers(port(), at('r3'), 'A'), ['192.0.2.31']);
  assert.deepEqual(await answers(port(), at('r4'), 'A'), ['192.0.2.40']);
  assert.equal(await rcode(port(), at('r5'), 'A'), 'NXDOMAIN');
  await keepsAnswering(port(), at('r2-new'), 'A', ['192.0.2.21'], 5);

  await kapi.restart();
  await waitForSynced(meshdns, RECONNECT_MS);
  await waitForAnswers(port(), at('r5'), 'A', ['192.0.2.50']);
  await waitForAnswers(port(), at('r3'), 'A', []);
  await waitForAnswers(port(), at('r4'), 'A', ['192.0.2.41']);
  assert.deepEqual(await zoneContent(meshdns, ZONE), [
    `${at('manual')} A 192.0.2.99`,
    `${at('r2-new')} A 192.0.2.21`,
    `${at('r4')} A 192.0.2.41`,
    `${at('r5')} A 192.0.2.50`,
  ]);
});

test('a Service deleted and re-created with the same name (a new uid): the records follow the new object', async () => {
  const oldUid = await uidOf('r5');
  await kapi.remove(serviceRef('r5'));
  const newUid = await createPublishedService(kapi, 'r5', [at('r5-again')], ['192.0.2.51']);
  assert.notEqual(newUid, oldUid);
  await waitForAnswers(port(), at('r5-again'), 'A', ['192.0.2.51']);
  await waitForAnswers(port(), at('r5'), 'A', []);
  assert.deepEqual(await recordSources(meshdns, ZONE, at('r5-again'), 'A'), { '192.0.2.51': ['k8s:service/default/r5'] });

  // and the re-created object going takes its records, not something left of the old one
  await kapi.remove(serviceRef('r5'));
  await waitForAnswers(port(), at('r5-again'), 'A', []);
  assert.deepEqual(await zoneContent(meshdns, ZONE), [
    `${at('manual')} A 192.0.2.99`,
    `${at('r2-new')} A 192.0.2.21`,
    `${at('r4')} A 192.0.2.41`,
  ]);
});

async function uidOf(name: string): Promise<string> {
  const { status, body } = await kapi.request<{ metadata?: { uid?: string } }>('GET', `/api/v1/namespaces/default/services/${name}`);
  assert.equal(status, 200, `GET service ${name}: ${JSON.stringify(body)}`);
  return body.metadata?.uid ?? '';
}

test('a partition without an API server restart: the watch resumes and delivers what happened meanwhile', async () => {
  proxy.partition();
  await publish(kapi, 'r4', ['192.0.2.42']);
  await keepsAnswering(port(), at('r4'), 'A', ['192.0.2.41'], 3);
  proxy.heal();
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r4'), 'A', ['192.0.2.42'], RECONNECT_MS));
});

test('EndpointSlices changed and deleted behind a 410: the headless Service\'s addresses follow', async () => {
  await kapi.create({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'hl', namespace: 'default', annotations: { [HOSTNAME_ANNOTATION]: at('hl') } },
    spec: { clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] },
  });
  await kapi.create(endpointSlice('hl-1', 'hl', ['192.0.2.71']));
  await kapi.create(endpointSlice('hl-2', 'hl', ['192.0.2.72']));
  await waitForAnswers(port(), at('hl'), 'A', ['192.0.2.71', '192.0.2.72']);

  proxy.partition();
  await kapi.remove({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'hl-2', namespace: 'default' } });
  await kapi.patch({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'hl-1', namespace: 'default' } }, {
    endpoints: [
      { addresses: ['192.0.2.71'], conditions: { ready: false, serving: false, terminating: true } },
      { addresses: ['192.0.2.73'], conditions: { ready: true, serving: true, terminating: false } },
    ],
  });
  await kapi.compactEtcd();
  await kapi.kill();
  await kapi.restart();
  proxy.heal();
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('hl'), 'A', ['192.0.2.73'], RECONNECT_MS));
  await kapi.remove(serviceRef('hl'));
  await waitForAnswers(port(), at('hl'), 'A', []);
});

test('a source meshdns may no longer list (RBAC): its records stay as they were, the others are reconciled', async () => {
  await kapi.create({
    apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint',
    metadata: { name: 'declared', namespace: 'default' },
    spec: { endpoints: [{ dnsName: at('declared'), recordType: 'A', targets: ['192.0.2.90'], recordTTL: 60 }] },
  });
  await waitForAnswers(port(), at('declared'), 'A', ['192.0.2.90']);
  await meshdns.stop();

  // a user who may read Services and EndpointSlices and write Events, but not DNSEndpoints
  await kapi.create({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'meshdns-no-dnsendpoints' },
    rules: [
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ],
  });
  await kapi.create({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'meshdns-no-dnsendpoints' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'meshdns-no-dnsendpoints' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'meshdns-limited' }],
  });
  const limited = writeText(dir, 'limited.yaml', kubernetesYaml({ kubeconfig: await kapi.userKubeconfig('meshdns-limited'), zones: [ZONE], sources: SOURCES }));
  await kapi.remove(serviceRef('r4'));
  await kapi.remove({ apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'declared', namespace: 'default' } });

  meshdns = await startMeshdns({ dataDir, config: limited });
  // the first commit waits for every source to list, at most 10 s, then goes on without dnsendpoint
  await meshdns.waitForLog((e) => e['msg'] === 'kubernetes: publishing without these collections (they could not be listed yet); their records stay as they were', RECONNECT_MS)
    .catch(() => undefined);
  await explainedByWatcher(meshdns, waitForAnswers(port(), at('r4'), 'A', [], RECONNECT_MS));
  assert.deepEqual(await answers(port(), at('declared'), 'A'), ['192.0.2.90'], 'a DNSEndpoint that could not be listed keeps its records');
  await keepsAnswering(port(), at('declared'), 'A', ['192.0.2.90'], 5);
  const status = await adminRequest(meshdns, 'GET', '/api/v1/kubernetes');
  assert.equal(status.status, 200, status.text);
  assert.match(status.text, /403|forbidden/i, 'the status shows why dnsendpoint is not listed');
  assert.deepEqual(await zoneContent(meshdns, ZONE), [
    `${at('declared')} A 192.0.2.90`,
    `${at('manual')} A 192.0.2.99`,
    `${at('r2-new')} A 192.0.2.21`,
  ]);
});

function endpointSlice(name: string, service: string, addresses: readonly string[]): object {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true, serving: true, terminating: false } })),
    ports: [{ port: 80, protocol: 'TCP' }],
  };
}
