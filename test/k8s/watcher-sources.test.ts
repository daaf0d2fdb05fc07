// The Kubernetes watcher's other sources, black-box: Ingress (networking.k8s.io/v1), Node (as
// kube-node-dns: globally reachable addresses of ready, schedulable, selected nodes), DNSEndpoint
// (ExternalDNS's CRD) and EndpointSlices (discovery.k8s.io/v1) behind headless Services. A real
// kube-apiserver, the real meshdns process with a `kubernetes:` section, answers read with dig over
// UDP on 127.0.0.1.
//
// Node addresses here are real global ones (8.8.8.x, 1.1.1.x, 2001:4860::/32): the records are only
// DNS data, no packet is sent to them. A name's absence is asserted only after an object of the same
// kind (and namespace) changed later is served: one watch delivers its events in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.js';
import { startK8sMeshdns, staticZone, type K8sMeshdns } from '../helpers/k8s-meshdns.js';
import {
  answers, ask, dnsEndpoint, endpoints, endpointSlice, externalDns, ingress, loadBalancerStatus, namespace, node, nodeConditions, service, waitForAnswer,
} from '../helpers/k8s-objects.js';

const ZONE = 'src.test.';
const PUBLIC = { 'serve-public': 'true' };
let api: KubeApiServer;
let server: K8sMeshdns;

before(async () => {
  api = await startKubeApiServer();
  for (const name of ['ing', 'dnsep', 'headless']) await api.create(namespace(name));
  // present before meshdns starts: reached by the first list, not by watch events
  await api.create(node({ name: 'edge-0', labels: PUBLIC, addresses: [['ExternalIP', '8.8.8.30']] }));
  await api.create(dnsEndpoint({ namespace: 'dnsep', name: 'early', endpoints: [{ dnsName: 'early.src.test', recordType: 'TXT', targets: ['listed'] }] }));
  await api.create(service({ namespace: 'headless', name: 'early', type: 'ClusterIP', clusterIP: 'None', annotations: externalDns({ hostname: 'early.headless.src.test' }) }));
  await api.create(endpointSlice({ namespace: 'headless', name: 'early-1', service: 'early', endpoints: [{ addresses: ['10.9.0.1'] }] }));
  server = await startK8sMeshdns(api.kubeconfig, {
    zones: [ZONE],
    sources: ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint'],
    defaultTtl: 30,
    nodes: { labelSelector: 'serve-public=true', names: [`www.${ZONE}`], perNode: `{name}.nodes.${ZONE}`, addressTypes: ['ExternalIP', 'annotation'] },
  }, { 'files.test.zone': staticZone('files.test.') });
});

after(async () => {
  await server?.stop();
  await api?.stop();
});

test('objects that existed before meshdns started are served from the first list', async () => {
  await waitForAnswer(server, 'edge-0.nodes.src.test', 'A', answers.exactly(['8.8.8.30']));
  await waitForAnswer(server, 'early.src.test', 'TXT', answers.exactly(['"listed"']));
  await waitForAnswer(server, 'early.headless.src.test', 'A', answers.exactly(['10.9.0.1']));
});

// ---- Ingress ----

test('Ingress: rules[].host and tls hosts get the load-balancer addresses (A and AAAA)', async () => {
  const shop = ingress({ namespace: 'ing', name: 'shop', hosts: ['shop.src.test', 'api.src.test'], tlsHosts: ['secure.src.test'] });
  await api.create(shop);
  await api.patch(shop, loadBalancerStatus(['203.0.113.70', '2001:db8::70']), 'status');
  for (const name of ['shop.src.test', 'api.src.test', 'secure.src.test']) {
    await waitForAnswer(server, name, 'A', answers.exactly(['203.0.113.70']));
    await waitForAnswer(server, name, 'AAAA', answers.exactly(['2001:db8::70']));
  }
});

test('Ingress: the hostname annotation adds names; a load-balancer hostname becomes a CNAME; ttl annotation', async () => {
  const annotated = ingress({ namespace: 'ing', name: 'annotated', hosts: ['rule.src.test'], annotations: externalDns({ hostname: 'from-annotation.src.test', ttl: '45s' }) });
  await api.create(annotated);
  await api.patch(annotated, loadBalancerStatus(['ingress-lb.example.net']), 'status');
  for (const name of ['rule.src.test', 'from-annotation.src.test']) {
    const answer = await waitForAnswer(server, name, 'CNAME', answers.exactly(['ingress-lb.example.net.']));
    assert.deepEqual(answer.records.map((r) => r.ttl), [45]);
  }
});

test('Ingress: a host changed → the old name goes; deleted → gone', async () => {
  const moving = ingress({ namespace: 'ing', name: 'moving', hosts: ['old-host.src.test'] });
  await api.create(moving);
  await api.patch(moving, loadBalancerStatus(['203.0.113.71']), 'status');
  await waitForAnswer(server, 'old-host.src.test', 'A', answers.exactly(['203.0.113.71']));
  await api.patch(moving, { spec: ingress({ namespace: 'ing', name: 'moving', hosts: ['new-host.src.test'] })['spec'] as object });
  await waitForAnswer(server, 'new-host.src.test', 'A', answers.exactly(['203.0.113.71']));
  await waitForAnswer(server, 'old-host.src.test', 'A', answers.nxdomain);
  await api.remove(moving);
  await waitForAnswer(server, 'new-host.src.test', 'A', answers.nxdomain);
});

test('Ingress: the target annotation overrides the load-balancer address', async () => {
  const targeted = ingress({ namespace: 'ing', name: 'targeted', hosts: ['targeted.src.test'], annotations: externalDns({ target: '198.51.100.70' }) });
  await api.create(targeted);
  await api.patch(targeted, loadBalancerStatus(['203.0.113.73']), 'status');
  await waitForAnswer(server, 'targeted.src.test', 'A', answers.exactly(['198.51.100.70']));
});

// ---- Node ----

const EDGE_1 = {
  name: 'edge-1',
  labels: PUBLIC,
  annotations: { 'meshdns.io/addresses': '1.1.1.31, 10.1.1.31, 2001:db8::31' },
  addresses: [
    ['ExternalIP', '8.8.8.31'], ['ExternalIP', '192.168.1.31'], ['ExternalIP', '100.64.0.31'], ['ExternalIP', '192.0.2.31'],
    ['ExternalIP', '2001:4860:4860::8831'], ['ExternalIP', 'fd00::31'], ['InternalIP', '9.9.9.31'], ['Hostname', 'edge-1'],
  ] as [string, string][],
};

test('Node: only globally reachable addresses of the configured types, under nodes.names and perNode', async () => {
  await api.create(node(EDGE_1));
  // private, CGNAT, documentation and ULA addresses stay out, and so does a (global) InternalIP:
  // addressTypes is [ExternalIP, annotation]
  await waitForAnswer(server, 'edge-1.nodes.src.test', 'A', answers.exactly(['1.1.1.31', '8.8.8.31']));
  await waitForAnswer(server, 'edge-1.nodes.src.test', 'AAAA', answers.exactly(['2001:4860:4860::8831']));
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['1.1.1.31', '8.8.8.31'], ['192.168.1.31', '100.64.0.31', '192.0.2.31', '9.9.9.31', '10.1.1.31']));
  await waitForAnswer(server, 'www.src.test', 'AAAA', answers.including(['2001:4860:4860::8831'], ['fd00::31', '2001:db8::31']));
});

test('Node: the meshdns.io/addresses annotation is followed', async () => {
  await api.patch(node(EDGE_1), { metadata: { annotations: { 'meshdns.io/addresses': '1.1.1.32' } } });
  await waitForAnswer(server, 'edge-1.nodes.src.test', 'A', answers.exactly(['1.1.1.32', '8.8.8.31']));
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['1.1.1.32', '8.8.8.31'], ['1.1.1.31']));
});

test('Node: NotReady → removed from every name; Ready again → back', async () => {
  await api.create(node({ name: 'edge-2', labels: PUBLIC, addresses: [['ExternalIP', '8.8.8.41']] }));
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.41', '8.8.8.31']));
  await api.patch(node({ name: 'edge-2' }), { status: { conditions: nodeConditions(false) } }, 'status');
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.31'], ['8.8.8.41']));
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.nxdomain);
  await api.patch(node({ name: 'edge-2' }), { status: { conditions: nodeConditions(true) } }, 'status');
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.exactly(['8.8.8.41']));
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.41', '8.8.8.31']));
});

test('Node: cordoned (spec.unschedulable) → removed; uncordoned → back', async () => {
  await api.patch(node({ name: 'edge-2' }), { spec: { unschedulable: true } });
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.nxdomain);
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.31'], ['8.8.8.41']));
  await api.patch(node({ name: 'edge-2' }), { spec: { unschedulable: null } });
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.exactly(['8.8.8.41']));
});

test('Node: nodes.labelSelector decides which nodes count; no global address → nothing', async () => {
  await api.create(node({ name: 'edge-unlabelled', addresses: [['ExternalIP', '8.8.8.51']] }));
  await api.create(node({ name: 'edge-private', labels: PUBLIC, addresses: [['ExternalIP', '192.168.7.1'], ['ExternalIP', '100.64.7.1']] }));
  await api.create(node({ name: 'edge-3', labels: PUBLIC, addresses: [['ExternalIP', '8.8.8.61']] }));
  await waitForAnswer(server, 'edge-3.nodes.src.test', 'A', answers.exactly(['8.8.8.61'])); // created after the two others
  assert.equal((await ask(server, 'edge-unlabelled.nodes.src.test', 'A')).status, 'NXDOMAIN');
  assert.equal((await ask(server, 'edge-private.nodes.src.test', 'A')).status, 'NXDOMAIN');
  assert.ok(!(await ask(server, 'www.src.test', 'A')).values().includes('8.8.8.51'));

  await api.patch(node({ name: 'edge-unlabelled' }), { metadata: { labels: PUBLIC } });
  await waitForAnswer(server, 'edge-unlabelled.nodes.src.test', 'A', answers.exactly(['8.8.8.51']));
  await api.patch(node({ name: 'edge-unlabelled' }), { metadata: { labels: { 'serve-public': 'false' } } });
  await waitForAnswer(server, 'edge-unlabelled.nodes.src.test', 'A', answers.nxdomain);
});

test('Node: left without a globally reachable address → removed; a global one again → back', async () => {
  await api.patch(node({ name: 'edge-2' }), { status: { addresses: [{ type: 'ExternalIP', address: '192.168.9.41' }] } }, 'status');
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.nxdomain);
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.31'], ['8.8.8.41', '192.168.9.41']));
  await api.patch(node({ name: 'edge-2' }), { status: { addresses: [{ type: 'ExternalIP', address: '8.8.8.42' }] } }, 'status');
  await waitForAnswer(server, 'edge-2.nodes.src.test', 'A', answers.exactly(['8.8.8.42']));
});

test('Node: a node name with dots gives a per-node name of several labels', async () => {
  await api.create(node({ name: 'edge-5.rack-2', labels: PUBLIC, addresses: [['ExternalIP', '8.8.8.71']] }));
  await waitForAnswer(server, 'edge-5.rack-2.nodes.src.test', 'A', answers.exactly(['8.8.8.71']));
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.71']));
});

test('Node: deleted → its addresses leave the shared names', async () => {
  await api.remove(node({ name: 'edge-3' }));
  await waitForAnswer(server, 'edge-3.nodes.src.test', 'A', answers.nxdomain);
  await waitForAnswer(server, 'www.src.test', 'A', answers.including(['8.8.8.31'], ['8.8.8.61']));
});

// ---- DNSEndpoint ----

const RECORDS = dnsEndpoint({
  namespace: 'dnsep', name: 'records',
  endpoints: [
    { dnsName: 'a.src.test', recordType: 'A', targets: ['192.0.2.80', '192.0.2.81'], recordTTL: 60 },
    { dnsName: 'a.src.test', recordType: 'AAAA', targets: ['2001:db8::80'], recordTTL: 60 },
    { dnsName: 'alias.src.test', recordType: 'CNAME', targets: ['a.src.test'], recordTTL: 120 },
    { dnsName: 'txt.src.test', recordType: 'TXT', targets: ['v=spf1 -all', 'say "hi"'] },
    { dnsName: '_sip._udp.src.test', recordType: 'SRV', targets: ['10 60 5060 a.src.test', '20 0 5060 b.example.net'], recordTTL: 300 },
    { dnsName: 'mail.src.test', recordType: 'MX', targets: ['10 mx1.example.net', '20 mx2.example.net'], recordTTL: 3600 },
  ],
});

test('DNSEndpoint: A, AAAA, CNAME, TXT, SRV and MX records with their recordTTL', async () => {
  await api.create(RECORDS);
  const expected: [string, string, string[], number][] = [
    ['a.src.test', 'A', ['192.0.2.80', '192.0.2.81'], 60],
    ['a.src.test', 'AAAA', ['2001:db8::80'], 60],
    ['alias.src.test', 'CNAME', ['a.src.test.'], 120],
    ['txt.src.test', 'TXT', ['"say \\"hi\\""', '"v=spf1 -all"'], 30],
    ['_sip._udp.src.test', 'SRV', ['10 60 5060 a.src.test.', '20 0 5060 b.example.net.'], 300],
    ['mail.src.test', 'MX', ['10 mx1.example.net.', '20 mx2.example.net.'], 3600],
  ];
  for (const [name, type, values, ttl] of expected) {
    const answer = await waitForAnswer(server, name, type, answers.exactly(values));
    assert.ok(answer.records.filter((r) => r.type === type).every((r) => r.ttl === ttl), `${name} ${type} TTL ${ttl}:\n${answer.text}`);
  }
});

test('DNSEndpoint: a TXT target over 255 octets is split into character-strings (RFC 1035 §3.3.14)', async () => {
  const long = 'k='.padEnd(300, 'x');
  await api.create(dnsEndpoint({ namespace: 'dnsep', name: 'long-txt', endpoints: [{ dnsName: 'long.src.test', recordType: 'TXT', targets: [long] }] }));
  const answer = await waitForAnswer(server, 'long.src.test', 'TXT', (a) => a.status === 'NOERROR' && a.values().length === 1, { what: 'answered one TXT record' });
  const strings = [...(answer.values()[0] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
  assert.deepEqual(strings.map((part) => part.length), [255, 45]);
  assert.equal(strings.join(''), long);
});

test('DNSEndpoint: a CNAME beside other data and a malformed target are refused; the rest is published', async () => {
  await api.create(dnsEndpoint({
    namespace: 'dnsep', name: 'mixed',
    endpoints: [
      { dnsName: 'mixed.src.test', recordType: 'A', targets: ['192.0.2.91', 'not-an-address'] },
      { dnsName: 'mixed.src.test', recordType: 'CNAME', targets: ['elsewhere.example.net'] },
      { dnsName: 'mixed-mx.src.test', recordType: 'MX', targets: ['mail.example.net'] },
    ],
  }));
  await waitForAnswer(server, 'mixed.src.test', 'A', answers.exactly(['192.0.2.91']));
  assert.deepEqual((await ask(server, 'mixed.src.test', 'CNAME')).values(), []);
  assert.equal((await ask(server, 'mixed-mx.src.test', 'MX')).status, 'NXDOMAIN', 'an MX without preference is refused');
  const line = await server.waitForLog((entry) => entry['msg'] === 'kubernetes: records refused' && entry['object'] === 'k8s:DNSEndpoint/dnsep/mixed', 10_000);
  assert.match(JSON.stringify(line), /not-an-address/);
  assert.match(JSON.stringify(line), /elsewhere\.example\.net/);
});

test('DNSEndpoint: a name switched from A to CNAME and back in one update each', async () => {
  const at = (recordType: string, targets: string[]) => dnsEndpoint({ namespace: 'dnsep', name: 'switch', endpoints: [{ dnsName: 'switch.src.test', recordType, targets }] });
  await api.create(at('A', ['192.0.2.95']));
  await waitForAnswer(server, 'switch.src.test', 'A', answers.exactly(['192.0.2.95']));
  await api.patch(at('CNAME', ['target.example.net']), { spec: at('CNAME', ['target.example.net'])['spec'] as object });
  await waitForAnswer(server, 'switch.src.test', 'CNAME', answers.exactly(['target.example.net.']));
  await api.patch(at('A', ['192.0.2.96']), { spec: at('A', ['192.0.2.96'])['spec'] as object });
  await waitForAnswer(server, 'switch.src.test', 'A', answers.exactly(['192.0.2.96']));
  assert.deepEqual((await ask(server, 'switch.src.test', 'CNAME')).values(), []);
});

test('DNSEndpoint: an update replaces the records; a delete removes them all', async () => {
  const spec = RECORDS['spec'] as { endpoints: { dnsName: string; recordType: string }[] };
  const kept = spec.endpoints.filter((e) => e.recordType !== 'TXT' && e.recordType !== 'A');
  await api.patch(RECORDS, { spec: { endpoints: [{ dnsName: 'a.src.test', recordType: 'A', targets: ['192.0.2.82'] }, ...kept] } });
  const answer = await waitForAnswer(server, 'a.src.test', 'A', answers.exactly(['192.0.2.82']));
  assert.deepEqual(answer.records.map((r) => r.ttl), [30], 'no recordTTL: defaultTtl');
  await waitForAnswer(server, 'txt.src.test', 'TXT', answers.nxdomain);

  await api.remove(RECORDS);
  for (const [name, type] of [['a.src.test', 'A'], ['alias.src.test', 'CNAME'], ['_sip._udp.src.test', 'SRV'], ['mail.src.test', 'MX']] as const) {
    await waitForAnswer(server, name, type, answers.nxdomain);
  }
});

test('DNSEndpoint and Ingress names outside kubernetes.zones are not written, even into a zone this server serves', async () => {
  await api.create(dnsEndpoint({
    namespace: 'dnsep', name: 'outside',
    endpoints: [
      { dnsName: 'x.files.test', recordType: 'A', targets: ['192.0.2.90'] },
      { dnsName: 'x.nowhere.test', recordType: 'A', targets: ['192.0.2.90'] },
      { dnsName: 'inside.src.test', recordType: 'A', targets: ['192.0.2.90'] },
    ],
  }));
  const greedy = ingress({ namespace: 'ing', name: 'greedy', hosts: ['y.files.test', 'ingress-inside.src.test'] });
  await api.create(greedy);
  await api.patch(greedy, loadBalancerStatus(['203.0.113.72']), 'status');
  await waitForAnswer(server, 'inside.src.test', 'A', answers.exactly(['192.0.2.90']));
  await waitForAnswer(server, 'ingress-inside.src.test', 'A', answers.exactly(['203.0.113.72']));
  for (const name of ['x.files.test', 'y.files.test']) {
    const answer = await ask(server, name, 'A');
    assert.equal(answer.status, 'NXDOMAIN', answer.text);
    assert.equal(answer.authoritative, true);
  }
  assert.equal((await ask(server, 'x.nowhere.test', 'A')).status, 'REFUSED');
  for (const owner of ['k8s:DNSEndpoint/dnsep/outside', 'k8s:Ingress/ing/greedy']) {
    await server.waitForLog((entry) => entry['msg'] === 'kubernetes: records refused' && entry['object'] === owner && /outside the configured zones/.test(JSON.stringify(entry)), 10_000);
  }
});

// ---- EndpointSlice (headless Services) ----

const DB = service({ namespace: 'headless', name: 'db', type: 'ClusterIP', clusterIP: 'None', annotations: externalDns({ hostname: 'db.src.test' }) });
const DB_ENDPOINTS = [
  { addresses: ['10.1.0.1'], hostname: 'db-0' },
  { addresses: ['10.1.0.2'] },
  { addresses: ['10.1.0.3'], ready: false },
  { addresses: ['10.1.0.4'], ready: false, serving: true, terminating: true },
];
const DB_SLICE = endpointSlice({
  namespace: 'headless', name: 'db-ipv4', service: 'db', endpoints: DB_ENDPOINTS,
  ports: [{ name: 'pg', port: 5432 }, { name: 'metrics-dns', protocol: 'UDP', port: 5353 }, { port: 9999 }],
});

test('headless Service: A of the ready endpoints only, <hostname>.<service> names, SRV per named port', async () => {
  await api.create(DB);
  await api.create(DB_SLICE);
  await waitForAnswer(server, 'db.src.test', 'A', answers.exactly(['10.1.0.1', '10.1.0.2']));
  await waitForAnswer(server, 'db-0.db.src.test', 'A', answers.exactly(['10.1.0.1']));
  await waitForAnswer(server, '10-1-0-2.db.src.test', 'A', answers.exactly(['10.1.0.2']));
  await waitForAnswer(server, '_pg._tcp.db.src.test', 'SRV', answers.exactly(['0 50 5432 db-0.db.src.test.', '0 50 5432 10-1-0-2.db.src.test.']));
  await waitForAnswer(server, '_metrics-dns._udp.db.src.test', 'SRV', answers.exactly(['0 50 5353 db-0.db.src.test.', '0 50 5353 10-1-0-2.db.src.test.']));
  assert.equal((await ask(server, '_pg._udp.db.src.test', 'SRV')).status, 'NXDOMAIN', 'SRV only for the protocol of the port');
  assert.equal((await ask(server, '10-1-0-3.db.src.test', 'A')).status, 'NXDOMAIN', 'a not-ready endpoint has no name');
  assert.equal((await ask(server, '10-1-0-4.db.src.test', 'A')).status, 'NXDOMAIN', 'a terminating endpoint has no name');
});

test('headless Service: readiness flips — not ready → removed, ready again → back', async () => {
  const flipped = DB_ENDPOINTS.map((e) => (e.addresses[0] === '10.1.0.2' ? { ...e, ready: false } : e));
  await api.patch(DB_SLICE, { endpoints: endpoints(flipped) });
  await waitForAnswer(server, 'db.src.test', 'A', answers.exactly(['10.1.0.1']));
  await waitForAnswer(server, '_pg._tcp.db.src.test', 'SRV', answers.exactly(['0 100 5432 db-0.db.src.test.']));
  await waitForAnswer(server, '10-1-0-2.db.src.test', 'A', answers.nxdomain);

  // the terminating one turns ready but stays terminating: still out; 10.1.0.3 turns ready: in
  const readyAgain = DB_ENDPOINTS.map((e) => (e.addresses[0] === '10.1.0.3' ? { ...e, ready: true } : e.addresses[0] === '10.1.0.4' ? { ...e, ready: true } : e));
  await api.patch(DB_SLICE, { endpoints: endpoints(readyAgain) });
  await waitForAnswer(server, 'db.src.test', 'A', answers.exactly(['10.1.0.1', '10.1.0.2', '10.1.0.3']));
  await waitForAnswer(server, '10-1-0-3.db.src.test', 'A', answers.exactly(['10.1.0.3']));
  assert.equal((await ask(server, '10-1-0-4.db.src.test', 'A')).status, 'NXDOMAIN');
});

test('headless Service: a second slice (IPv6) adds AAAA; a slice deleted takes its addresses; the Service deleted takes all', async () => {
  const v6 = endpointSlice({ namespace: 'headless', name: 'db-ipv6', service: 'db', addressType: 'IPv6', endpoints: [{ addresses: ['2001:DB8::1:5'] }], ports: [{ name: 'pg', port: 5432 }] });
  await api.create(v6);
  await waitForAnswer(server, 'db.src.test', 'AAAA', answers.exactly(['2001:db8::1:5']));
  // CoreDNS's endpoint name for an address without hostname: the address with ':' as '-'
  await waitForAnswer(server, '2001-db8--1-5.db.src.test', 'AAAA', answers.exactly(['2001:db8::1:5']));
  // four ready endpoints now (10.1.0.1-3 and this one): weight floor(100 / 4)
  await waitForAnswer(server, '_pg._tcp.db.src.test', 'SRV', answers.including(['0 25 5432 2001-db8--1-5.db.src.test.']));
  await api.remove(v6);
  await waitForAnswer(server, 'db.src.test', 'AAAA', answers.none);
  await waitForAnswer(server, 'db.src.test', 'A', answers.exactly(['10.1.0.1', '10.1.0.2', '10.1.0.3']));

  await api.remove(DB);
  await waitForAnswer(server, 'db.src.test', 'A', answers.nxdomain);
  await waitForAnswer(server, 'db-0.db.src.test', 'A', answers.nxdomain);
  await waitForAnswer(server, '_pg._tcp.db.src.test', 'SRV', answers.nxdomain);

  // the Service created again finds the slice that stayed
  await api.create(DB);
  await waitForAnswer(server, 'db.src.test', 'A', answers.exactly(['10.1.0.1', '10.1.0.2', '10.1.0.3']));
  await api.remove(DB_SLICE);
  await waitForAnswer(server, 'db.src.test', 'A', answers.nxdomain);
});

test('headless Service with the internal-hostname annotation: the ready endpoints there too', async () => {
  await api.create(service({ namespace: 'headless', name: 'cache', type: 'ClusterIP', clusterIP: 'None', annotations: externalDns({ 'internal-hostname': 'cache.internal.src.test' }) }));
  await api.create(endpointSlice({ namespace: 'headless', name: 'cache-1', service: 'cache', endpoints: [{ addresses: ['10.4.0.1'] }, { addresses: ['10.4.0.2'], ready: false }] }));
  await waitForAnswer(server, 'cache.internal.src.test', 'A', answers.exactly(['10.4.0.1']));
});

test('headless Service with publishNotReadyAddresses: not-ready endpoints too, terminating ones still not', async () => {
  await api.create(service({ namespace: 'headless', name: 'peers', type: 'ClusterIP', clusterIP: 'None', publishNotReadyAddresses: true, annotations: externalDns({ hostname: 'peers.src.test' }) }));
  await api.create(endpointSlice({
    namespace: 'headless', name: 'peers-1', service: 'peers',
    endpoints: [{ addresses: ['10.2.0.1'] }, { addresses: ['10.2.0.2'], ready: false }, { addresses: ['10.2.0.3'], ready: false, terminating: true }],
  }));
  await waitForAnswer(server, 'peers.src.test', 'A', answers.exactly(['10.2.0.1', '10.2.0.2']));
});

test('a headless Service\'s slice of another Service, or in another namespace, is not its', async () => {
  await api.create(namespace('headless-2'));
  await api.create(service({ namespace: 'headless', name: 'solo', type: 'ClusterIP', clusterIP: 'None', annotations: externalDns({ hostname: 'solo.src.test' }) }));
  await api.create(endpointSlice({ namespace: 'headless-2', name: 'solo-elsewhere', service: 'solo', endpoints: [{ addresses: ['10.3.0.9'] }] }));
  await api.create(endpointSlice({ namespace: 'headless', name: 'not-solo', service: 'someone-else', endpoints: [{ addresses: ['10.3.0.8'] }] }));
  const own = endpointSlice({ namespace: 'headless', name: 'solo-1', service: 'solo', endpoints: [{ addresses: ['10.3.0.1'] }] });
  await api.create(own);
  await waitForAnswer(server, 'solo.src.test', 'A', answers.exactly(['10.3.0.1']));
  // a slice relabelled to another Service leaves this one
  await api.patch(own, { metadata: { labels: { 'kubernetes.io/service-name': 'someone-else' } } });
  await waitForAnswer(server, 'solo.src.test', 'A', answers.nxdomain);
});
