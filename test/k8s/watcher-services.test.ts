// The Kubernetes watcher's Service records, black-box: a real kube-apiserver (with etcd), the real
// meshdns process configured with a `kubernetes:` section, and every answer read with dig over UDP
// on 127.0.0.1. Semantics are ExternalDNS's (source/service.go) as k8s/records/service.ts implements
// them: hostname, ttl, target, internal-hostname and access annotations; LoadBalancer, ClusterIP
// (publishInternal), NodePort and ExternalName Services; SRV for named ports (CoreDNS's form).
//
// One API server and one meshdns for the file (the configuration variants — publishInternal,
// namespaces, labelSelector, annotationFilter — get a second meshdns on the same API server); each
// test uses its own namespace and names. A name's absence is only asserted after a later change of
// the same object, or of an object of the same kind and namespace created after it, is served: the
// watch delivers one namespace's events of one kind in order, so the watcher has seen the first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startK8sMeshdns, staticZone, type K8sMeshdns } from '../helpers/k8s-meshdns.js';
import { answers, ask, externalDns, loadBalancerStatus, namespace, node, service, waitForAnswer } from '../helpers/k8s-objects.js';

const ZONE = 'k8s.test.';
const FILTERED_ZONE = 'filtered.test.';
const SECOND_ZONE = 'second.test.';
const EARLY_LB = service({ namespace: 'early', name: 'lb', type: 'LoadBalancer', annotations: externalDns({ hostname: 'early.k8s.test' }) });
let api: KubeApiServer;
let server: K8sMeshdns;
let filtered: K8sMeshdns;

before(async () => {
  api = await startKubeApiServer();
  for (const name of ['early', 'lb', 'names', 'cip', 'np', 'lifecycle', 'shared', 'shared-2', 'burst', 'outside', 'f-in', 'f-also', 'f-other']) await api.create(namespace(name));
  // objects that exist before meshdns starts reach it by the first list, not by watch events
  await api.create(node({ name: 'np-0', addresses: [['ExternalIP', '8.8.8.20'], ['InternalIP', '10.0.0.20']] }));
  await api.create(EARLY_LB);
  await api.patch(EARLY_LB, loadBalancerStatus(['203.0.113.1']), 'status');
  await api.create(service({ namespace: 'early', name: 'np', type: 'NodePort', annotations: externalDns({ hostname: 'early-np.k8s.test' }) }));
  server = await startK8sMeshdns(api.kubeconfig, {
    zones: [ZONE, SECOND_ZONE],
    sources: ['service', 'endpointslice', 'node'],
    defaultTtl: 30,
    publishInternal: false,
    nodes: { names: [`all-nodes.${ZONE}`], perNode: `{name}.nodes.${ZONE}`, addressTypes: ['ExternalIP', 'annotation'] },
  }, { 'static.test.zone': staticZone('static.test.') });
  filtered = await startK8sMeshdns(api.kubeconfig, {
    zones: [FILTERED_ZONE],
    sources: ['service'],
    namespaces: ['f-in', 'f-also'],
    labelSelector: 'dns=public',
    annotationFilter: 'meshdns.io/publish=yes',
    publishInternal: true,
  });
});

after(async () => {
  await filtered?.stop();
  await server?.stop();
  await api?.stop();
});

test('objects that existed before meshdns started are served from the first list', async () => {
  await waitForAnswer(server, 'early.k8s.test', 'A', answers.exactly(['203.0.113.1']));
  await waitForAnswer(server, 'early-np.k8s.test', 'A', answers.exactly(['8.8.8.20']));
  // and they are followed by watch from there on
  await api.patch(EARLY_LB, loadBalancerStatus(['203.0.113.2']), 'status');
  await waitForAnswer(server, 'early.k8s.test', 'A', answers.exactly(['203.0.113.2']));
});

test('LoadBalancer: status.loadBalancer.ingress IPs become A and AAAA, a named port an SRV', async () => {
  const lb = service({ namespace: 'lb', name: 'web', type: 'LoadBalancer', annotations: externalDns({ hostname: 'web.k8s.test' }), ports: [{ name: 'https', port: 443 }] });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.10', '2001:db8::10']), 'status');
  const a = await waitForAnswer(server, 'web.k8s.test', 'A', answers.exactly(['203.0.113.10']));
  // the zone did not exist: the watcher created it, with an SOA and an apex NS
  assert.equal((await ask(server, 'k8s.test', 'SOA')).values().length, 1);
  assert.equal((await ask(server, 'k8s.test', 'NS')).status, 'NOERROR');
  assert.equal(a.authoritative, true);
  assert.deepEqual(a.records.map((r) => r.ttl), [30], 'defaultTtl');
  await waitForAnswer(server, 'web.k8s.test', 'AAAA', answers.exactly(['2001:db8::10']));
  await waitForAnswer(server, '_https._tcp.web.k8s.test', 'SRV', answers.exactly(['0 100 443 web.k8s.test.']));

  // the cloud controller hands out another address: the old one goes
  await api.patch(lb, loadBalancerStatus(['203.0.113.11']), 'status');
  await waitForAnswer(server, 'web.k8s.test', 'A', answers.exactly(['203.0.113.11']));
  await waitForAnswer(server, 'web.k8s.test', 'AAAA', answers.none);
});

test('LoadBalancer: a load-balancer hostname becomes a CNAME', async () => {
  const lb = service({ namespace: 'lb', name: 'elb', type: 'LoadBalancer', annotations: externalDns({ hostname: 'elb.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['abc-123.elb.example.net']), 'status');
  await waitForAnswer(server, 'elb.k8s.test', 'CNAME', answers.exactly(['abc-123.elb.example.net.']));
});

test('hostname annotation with several comma-separated names, and the ttl annotation', async () => {
  const lb = service({
    namespace: 'names', name: 'multi', type: 'LoadBalancer',
    annotations: externalDns({ hostname: 'one.k8s.test, two.k8s.test,Three.K8s.Test.', ttl: '1m30s' }),
  });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.20']), 'status');
  for (const name of ['one.k8s.test', 'two.k8s.test', 'three.k8s.test']) {
    const answer = await waitForAnswer(server, name, 'A', answers.exactly(['203.0.113.20']));
    assert.deepEqual(answer.records.map((r) => r.ttl), [90], `${name}: ttl 1m30s`);
  }
  // whole seconds are read too
  await api.patch(lb, { metadata: { annotations: externalDns({ ttl: '120' }) } });
  await waitForAnswer(server, 'one.k8s.test', 'A', (answer) => answer.records[0]?.ttl === 120, { what: 'served with TTL 120' });
});

test('an unparsable ttl annotation: the default TTL, and the refusal is logged', async () => {
  const lb = service({ namespace: 'names', name: 'bad-ttl', type: 'LoadBalancer', annotations: externalDns({ hostname: 'badttl.k8s.test', ttl: 'soon' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.21']), 'status');
  const answer = await waitForAnswer(server, 'badttl.k8s.test', 'A', answers.exactly(['203.0.113.21']));
  assert.deepEqual(answer.records.map((r) => r.ttl), [30]);
  await server.waitForLog((entry) => entry['msg'] === 'kubernetes: records refused' && entry['object'] === 'k8s:Service/names/bad-ttl' &&
    JSON.stringify(entry).includes('soon'), 10_000);
});

test('target annotation overrides the load-balancer addresses (an IP → A, a hostname → CNAME)', async () => {
  const byIp = service({ namespace: 'names', name: 'target-ip', type: 'LoadBalancer', annotations: externalDns({ hostname: 'tip.k8s.test', target: '198.51.100.7' }) });
  await api.create(byIp);
  await api.patch(byIp, loadBalancerStatus(['203.0.113.30']), 'status');
  await waitForAnswer(server, 'tip.k8s.test', 'A', answers.exactly(['198.51.100.7']));

  const byName = service({ namespace: 'names', name: 'target-name', type: 'LoadBalancer', annotations: externalDns({ hostname: 'tname.k8s.test', target: 'edge.example.net' }) });
  await api.create(byName);
  await api.patch(byName, loadBalancerStatus(['203.0.113.31']), 'status');
  await waitForAnswer(server, 'tname.k8s.test', 'CNAME', answers.exactly(['edge.example.net.']));
  assert.deepEqual((await ask(server, 'tname.k8s.test', 'A')).values('A').filter((a) => a === '203.0.113.31'), [], 'no load-balancer address beside the target');
});

test('spec.externalIPs win over the load-balancer status (ExternalDNS extractLoadBalancerTargets)', async () => {
  const lb = service({ namespace: 'names', name: 'external-ips', type: 'LoadBalancer', externalIPs: ['198.51.100.9'], annotations: externalDns({ hostname: 'extip.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.32']), 'status');
  await waitForAnswer(server, 'extip.k8s.test', 'A', answers.exactly(['198.51.100.9']));
});

test('a wildcard hostname: every name below it is answered', async () => {
  const lb = service({ namespace: 'names', name: 'apps', type: 'LoadBalancer', annotations: externalDns({ hostname: '*.apps.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.33']), 'status');
  const answer = await waitForAnswer(server, 'anything.apps.k8s.test', 'A', answers.exactly(['203.0.113.33']));
  assert.equal(answer.records[0]?.name, 'anything.apps.k8s.test.', 'synthesized from the wildcard (RFC 4592)');
  await waitForAnswer(server, 'other.apps.k8s.test', 'A', answers.exactly(['203.0.113.33']));
});

test('the zone apex: addresses beside SOA and NS; a CNAME there is refused', async () => {
  const apex = service({ namespace: 'names', name: 'apex', type: 'LoadBalancer', annotations: externalDns({ hostname: 'k8s.test' }) });
  await api.create(apex);
  await api.patch(apex, loadBalancerStatus(['203.0.113.34']), 'status');
  await waitForAnswer(server, 'k8s.test', 'A', answers.exactly(['203.0.113.34']));
  assert.equal((await ask(server, 'k8s.test', 'SOA')).values().length, 1);

  await api.patch(apex, loadBalancerStatus(['apex-lb.example.net']), 'status');
  await waitForAnswer(server, 'k8s.test', 'A', answers.none);
  assert.equal((await ask(server, 'k8s.test', 'CNAME')).values().length, 0, 'no CNAME at the apex');
  assert.equal((await ask(server, 'k8s.test', 'SOA')).values().length, 1, 'the SOA stays');
  await server.waitForLog((entry) => entry['object'] === 'k8s:Service/names/apex' && /apex/.test(JSON.stringify(entry['refused'] ?? '')), 10_000);
});

test('ClusterIP: internal-hostname publishes the cluster IP; hostname alone does not without publishInternal', async () => {
  const created = await api.create<{ spec: { clusterIP: string } }>(service({
    namespace: 'cip', name: 'backend', type: 'ClusterIP',
    annotations: externalDns({ hostname: 'public-backend.k8s.test', 'internal-hostname': 'backend.internal.k8s.test' }),
  }));
  assert.match(created.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/, 'the API server allocated a cluster IP');
  await waitForAnswer(server, 'backend.internal.k8s.test', 'A', answers.exactly([created.spec.clusterIP]));
  // same object, same mapping: once the internal name is served, the public one was decided too
  assert.equal((await ask(server, 'public-backend.k8s.test', 'A')).status, 'NXDOMAIN');
});

test('ExternalName → CNAME to spec.externalName', async () => {
  await api.create(service({ namespace: 'cip', name: 'legacy-db', type: 'ExternalName', externalName: 'db.example.org', annotations: externalDns({ hostname: 'db.k8s.test' }) }));
  await waitForAnswer(server, 'db.k8s.test', 'CNAME', answers.exactly(['db.example.org.']));
});

test('NodePort: the nodes\' addresses; access public → ExternalIP, private → InternalIP; SRV to the node port', async () => {
  await api.create(node({ name: 'np-1', addresses: [['ExternalIP', '8.8.8.21'], ['InternalIP', '10.0.0.21']] }));
  await api.create(node({ name: 'np-2', addresses: [['ExternalIP', '8.8.8.22'], ['InternalIP', '10.0.0.22']] }));
  const plain = await api.create<{ spec: { ports: { nodePort: number }[] } }>(service({
    namespace: 'np', name: 'plain', type: 'NodePort', annotations: externalDns({ hostname: 'np.k8s.test' }), ports: [{ name: 'http', port: 80 }],
  }));
  await api.create(service({ namespace: 'np', name: 'private', type: 'NodePort', annotations: externalDns({ hostname: 'np-private.k8s.test', access: 'private' }) }));
  await api.create(service({ namespace: 'np', name: 'public', type: 'NodePort', annotations: externalDns({ hostname: 'np-public.k8s.test', access: 'public' }) }));

  await waitForAnswer(server, 'np.k8s.test', 'A', answers.exactly(['8.8.8.20', '8.8.8.21', '8.8.8.22']));
  await waitForAnswer(server, 'np-private.k8s.test', 'A', answers.exactly(['10.0.0.20', '10.0.0.21', '10.0.0.22']));
  await waitForAnswer(server, 'np-public.k8s.test', 'A', answers.exactly(['8.8.8.20', '8.8.8.21', '8.8.8.22']));
  const nodePort = plain.spec.ports[0]?.nodePort;
  assert.ok(nodePort !== undefined && nodePort >= 30000, 'the API server allocated a node port');
  await waitForAnswer(server, '_http._tcp.np.k8s.test', 'SRV', answers.exactly([`0 100 ${nodePort} np.k8s.test.`]));

  // a node joining changes the Services' answers without any change to the Services
  await api.create(node({ name: 'np-3', addresses: [['ExternalIP', '8.8.8.23'], ['InternalIP', '10.0.0.23']] }));
  await waitForAnswer(server, 'np.k8s.test', 'A', answers.exactly(['8.8.8.20', '8.8.8.21', '8.8.8.22', '8.8.8.23']));
  await waitForAnswer(server, 'np-private.k8s.test', 'A', answers.exactly(['10.0.0.20', '10.0.0.21', '10.0.0.22', '10.0.0.23']));
  await api.remove(node({ name: 'np-3' }));
  await waitForAnswer(server, 'np.k8s.test', 'A', answers.exactly(['8.8.8.20', '8.8.8.21', '8.8.8.22']));
});

test('annotation changed: the old name goes, the new one is served; deleted: gone', async () => {
  const lb = service({ namespace: 'lifecycle', name: 'moving', type: 'LoadBalancer', annotations: externalDns({ hostname: 'before.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.40']), 'status');
  await waitForAnswer(server, 'before.k8s.test', 'A', answers.exactly(['203.0.113.40']));

  await api.patch(lb, { metadata: { annotations: externalDns({ hostname: 'after.k8s.test' }) } });
  await waitForAnswer(server, 'after.k8s.test', 'A', answers.exactly(['203.0.113.40']));
  await waitForAnswer(server, 'before.k8s.test', 'A', answers.nxdomain);

  // the annotation removed: the Service asks for no name any more
  await api.patch(lb, { metadata: { annotations: { 'external-dns.alpha.kubernetes.io/hostname': null } } });
  await waitForAnswer(server, 'after.k8s.test', 'A', answers.nxdomain);
  await api.patch(lb, { metadata: { annotations: externalDns({ hostname: 'again.k8s.test' }) } });
  await waitForAnswer(server, 'again.k8s.test', 'A', answers.exactly(['203.0.113.40']));

  await api.remove(lb);
  await waitForAnswer(server, 'again.k8s.test', 'A', answers.nxdomain);
  await waitForAnswer(server, '_http._tcp.again.k8s.test', 'SRV', answers.nxdomain);
});

test('a name moved from one of kubernetes.zones to another: removed from the first, added to the second', async () => {
  const lb = service({ namespace: 'lifecycle', name: 'zone-mover', type: 'LoadBalancer', annotations: externalDns({ hostname: 'mover.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.41']), 'status');
  await waitForAnswer(server, 'mover.k8s.test', 'A', answers.exactly(['203.0.113.41']));
  await api.patch(lb, { metadata: { annotations: externalDns({ hostname: 'mover.second.test' }) } });
  await waitForAnswer(server, 'mover.second.test', 'A', answers.exactly(['203.0.113.41']));
  await waitForAnswer(server, 'mover.k8s.test', 'A', answers.nxdomain);
  // both names at once, one in each zone, then the Service deleted: both go in one batch
  await api.patch(lb, { metadata: { annotations: externalDns({ hostname: 'mover.second.test,mover.k8s.test' }) } });
  await waitForAnswer(server, 'mover.k8s.test', 'A', answers.exactly(['203.0.113.41']));
  await api.remove(lb);
  await waitForAnswer(server, 'mover.k8s.test', 'A', answers.nxdomain);
  await waitForAnswer(server, 'mover.second.test', 'A', answers.nxdomain);
});

test('two Services behind one name: both addresses served, each removes only its own', async () => {
  const first = service({ namespace: 'shared', name: 'first', type: 'LoadBalancer', annotations: externalDns({ hostname: 'shared.k8s.test' }) });
  const second = service({ namespace: 'shared', name: 'second', type: 'LoadBalancer', annotations: externalDns({ hostname: 'shared.k8s.test' }) });
  for (const [object, ip] of [[first, '203.0.113.44'], [second, '203.0.113.45']] as const) {
    await api.create(object);
    await api.patch(object, loadBalancerStatus([ip]), 'status');
  }
  await waitForAnswer(server, 'shared.k8s.test', 'A', answers.exactly(['203.0.113.44', '203.0.113.45']));
  await api.patch(first, loadBalancerStatus(['203.0.113.46']), 'status');
  await waitForAnswer(server, 'shared.k8s.test', 'A', answers.exactly(['203.0.113.45', '203.0.113.46']));
  await api.remove(second);
  await waitForAnswer(server, 'shared.k8s.test', 'A', answers.exactly(['203.0.113.46']));
});

test('a load balancer changing from an IP to a hostname: the A goes, the CNAME comes, and back', async () => {
  const lb = service({ namespace: 'lifecycle', name: 'flipper', type: 'LoadBalancer', annotations: externalDns({ hostname: 'flipper.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.48']), 'status');
  await waitForAnswer(server, 'flipper.k8s.test', 'A', answers.exactly(['203.0.113.48']));
  await api.patch(lb, loadBalancerStatus(['flipper-lb.example.net']), 'status');
  await waitForAnswer(server, 'flipper.k8s.test', 'CNAME', answers.exactly(['flipper-lb.example.net.']));
  await api.patch(lb, loadBalancerStatus(['203.0.113.49']), 'status');
  await waitForAnswer(server, 'flipper.k8s.test', 'A', answers.exactly(['203.0.113.49']));
  assert.deepEqual((await ask(server, 'flipper.k8s.test', 'CNAME')).values(), []);
});

test('two Services with different ttl annotations behind one name: one RRset, one TTL (RFC 2181 §5.2)', async () => {
  for (const [name, ttl, ip] of [['ttl-a', '60', '203.0.113.51'], ['ttl-b', '120', '203.0.113.52']] as const) {
    const lb = service({ namespace: 'shared', name, type: 'LoadBalancer', annotations: externalDns({ hostname: 'ttls.k8s.test', ttl }) });
    await api.create(lb);
    await api.patch(lb, loadBalancerStatus([ip]), 'status');
  }
  const answer = await waitForAnswer(server, 'ttls.k8s.test', 'A', answers.exactly(['203.0.113.51', '203.0.113.52']));
  assert.equal(new Set(answer.records.map((r) => r.ttl)).size, 1, answer.text);
});

test('Services of the same name in two namespaces are two owners: deleting one leaves the other', async () => {
  const here = service({ namespace: 'shared', name: 'twin', type: 'LoadBalancer', annotations: externalDns({ hostname: 'twin.k8s.test' }) });
  const there = service({ namespace: 'shared-2', name: 'twin', type: 'LoadBalancer', annotations: externalDns({ hostname: 'twin.k8s.test,twin-2.k8s.test' }) });
  await api.create(here);
  await api.patch(here, loadBalancerStatus(['203.0.113.53']), 'status');
  await api.create(there);
  await api.patch(there, loadBalancerStatus(['203.0.113.54']), 'status');
  await waitForAnswer(server, 'twin.k8s.test', 'A', answers.exactly(['203.0.113.53', '203.0.113.54']));
  await api.remove(here);
  await waitForAnswer(server, 'twin.k8s.test', 'A', answers.exactly(['203.0.113.54']));
  await waitForAnswer(server, 'twin-2.k8s.test', 'A', answers.exactly(['203.0.113.54']));
});

test('a burst of Services created, then deleted: every one served, then every one gone', async () => {
  const count = 24;
  const services = Array.from({ length: count }, (_, i) =>
    service({ namespace: 'burst', name: `burst-${i}`, type: 'LoadBalancer', annotations: externalDns({ hostname: `burst-${i}.k8s.test` }) }));
  await Promise.all(services.map(async (object, i) => {
    await api.create(object);
    await api.patch(object, loadBalancerStatus([`198.18.0.${i + 1}`]), 'status');
  }));
  for (let i = 0; i < count; i++) await waitForAnswer(server, `burst-${i}.k8s.test`, 'A', answers.exactly([`198.18.0.${i + 1}`]));
  await Promise.all(services.map((object) => api.remove(object)));
  for (let i = 0; i < count; i++) await waitForAnswer(server, `burst-${i}.k8s.test`, 'A', answers.nxdomain);
});

test('type changed from LoadBalancer to ClusterIP: the addresses are withdrawn (publishInternal is false)', async () => {
  const lb = service({ namespace: 'lifecycle', name: 'demoted', type: 'LoadBalancer', annotations: externalDns({ hostname: 'demoted.k8s.test' }) });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.47']), 'status');
  await waitForAnswer(server, 'demoted.k8s.test', 'A', answers.exactly(['203.0.113.47']));
  // node ports must go with the type (the API server refuses them on a ClusterIP Service)
  await api.patch(lb, { spec: { type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
  await waitForAnswer(server, 'demoted.k8s.test', 'A', answers.nxdomain);
});

test('names outside kubernetes.zones are never written, not even into another zone this server serves', async () => {
  const lb = service({
    namespace: 'outside', name: 'greedy', type: 'LoadBalancer',
    annotations: externalDns({ hostname: 'inside.k8s.test,x.static.test,x.elsewhere.test' }),
  });
  await api.create(lb);
  await api.patch(lb, loadBalancerStatus(['203.0.113.50']), 'status');
  await waitForAnswer(server, 'inside.k8s.test', 'A', answers.exactly(['203.0.113.50']));
  // static.test. is a zone of this server (from a file): authoritative NXDOMAIN, nothing added
  const inFileZone = await ask(server, 'x.static.test', 'A');
  assert.equal(inFileZone.status, 'NXDOMAIN', inFileZone.text);
  assert.equal(inFileZone.authoritative, true);
  // elsewhere.test. is no zone of this server: REFUSED, as for any name outside its zones
  assert.equal((await ask(server, 'x.elsewhere.test', 'A')).status, 'REFUSED');
  // the refusal is reported, naming the object and the name
  const line = await server.waitForLog((entry) =>
    typeof entry['msg'] === 'string' && entry['msg'].startsWith('kubernetes:') &&
    JSON.stringify(entry).includes('x.elsewhere.test') && JSON.stringify(entry).includes('greedy'), 10_000);
  assert.match(JSON.stringify(line), /outside/);
  // and recorded as a Kubernetes Event on the Service, as `kubectl describe` shows it
  const deadline = Date.now() + 10_000;
  let events: { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[] = [];
  while (Date.now() < deadline) {
    events = (await api.request<{ items: typeof events }>('GET', '/api/v1/namespaces/outside/events')).body.items;
    if (events.some((e) => e.involvedObject.name === 'greedy')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const event = events.find((e) => e.involvedObject.kind === 'Service' && e.involvedObject.name === 'greedy');
  assert.ok(event !== undefined, `an Event on Service outside/greedy: ${JSON.stringify(events)}`);
  assert.equal(event.type, 'Warning');
  assert.match(event.message, /x\.elsewhere\.test/);
  assert.match(event.message, /x\.static\.test/);
});

test('publishInternal: true publishes a ClusterIP Service\'s cluster IP under its hostname', async () => {
  const created = await api.create<{ spec: { clusterIP: string } }>(service({
    namespace: 'f-in', name: 'internal', type: 'ClusterIP', labels: { dns: 'public' },
    annotations: { ...externalDns({ hostname: 'internal.filtered.test' }), 'meshdns.io/publish': 'yes' },
  }));
  await waitForAnswer(filtered, 'internal.filtered.test', 'A', answers.exactly([created.spec.clusterIP]));
});

test('namespaces, labelSelector and annotationFilter decide which Services count at all', async () => {
  const good = { labels: { dns: 'public' }, annotations: { 'meshdns.io/publish': 'yes' } };
  const lb = (namespace: string, name: string, labels: Record<string, string>, annotations: Record<string, string>) =>
    service({ namespace, name, type: 'LoadBalancer', labels, annotations: { ...annotations, ...externalDns({ hostname: `${name}.filtered.test` }) } });
  const unlabelled = lb('f-in', 'unlabelled', {}, good.annotations);
  const unannotated = lb('f-in', 'unannotated', good.labels, {});
  const otherNamespace = lb('f-other', 'other-namespace', good.labels, good.annotations);
  const alsoWatched = lb('f-also', 'also-watched', good.labels, good.annotations);
  const barrier = lb('f-in', 'barrier', good.labels, good.annotations);
  for (const object of [unlabelled, unannotated, otherNamespace, alsoWatched, barrier]) {
    await api.create(object);
    await api.patch(object, loadBalancerStatus(['203.0.113.60']), 'status');
  }
  await waitForAnswer(filtered, 'barrier.filtered.test', 'A', answers.exactly(['203.0.113.60']));
  await waitForAnswer(filtered, 'also-watched.filtered.test', 'A', answers.exactly(['203.0.113.60']));
  for (const name of ['unlabelled', 'unannotated', 'other-namespace']) {
    assert.equal((await ask(filtered, `${name}.filtered.test`, 'A')).status, 'NXDOMAIN', `${name} is not considered`);
  }

  // the filters are read on every change: labelled now → served; annotation taken away → gone
  await api.patch(unlabelled, { metadata: { labels: good.labels } });
  await waitForAnswer(filtered, 'unlabelled.filtered.test', 'A', answers.exactly(['203.0.113.60']));
  await api.patch(barrier, { metadata: { annotations: { 'meshdns.io/publish': 'no' } } });
  await waitForAnswer(filtered, 'barrier.filtered.test', 'A', answers.nxdomain);
});
