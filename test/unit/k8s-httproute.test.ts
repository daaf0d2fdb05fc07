import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRecords, narrow, type Gateway, type HTTPRoute } from '../../k8s/records/index.js';

const OPTIONS = { zones: ['gw.test.'], defaultTtl: 30, publishInternal: false };
const accepted = [{ type: 'Accepted', status: 'True' }];

type Listener = { name: string; hostname?: string; port?: number; protocol?: string; allowedRoutes?: { namespaces?: { from?: string } } };
type Parent = { parentRef: { name: string; namespace?: string; group?: string; kind?: string; sectionName?: string; port?: number }; conditions?: { type: string; status: string }[] };

const gateway = (name: string, listeners: Listener[], addresses: string[], annotations?: Record<string, string>): Gateway => ({
  metadata: { name, namespace: 'infra', uid: `uid-${name}`, ...(annotations ? { annotations } : {}) },
  spec: { listeners },
  status: { addresses: addresses.map((value) => ({ value })) },
});
const route = (hostnames: string[], parents: Parent[], annotations?: Record<string, string>): HTTPRoute => ({
  metadata: { name: 'r', namespace: 'app', uid: 'uid-r', ...(annotations ? { annotations } : {}) },
  spec: { hostnames, parentRefs: parents.map((p) => p.parentRef) },
  status: { parents },
});
const records = (r: HTTPRoute, gateways: Gateway[]) =>
  httpRouteRecords(r, (ns, name) => gateways.find((g) => g.metadata.namespace === ns && g.metadata.name === name), OPTIONS).records.map((x) => `${x.name} ${x.type} ${x.rdata}`).sort();

test('a listener hostname narrows the route\'s names; either side may be a wildcard', () => {
  assert.deepEqual(narrow('a.gw.test', undefined), ['a.gw.test']);
  assert.deepEqual(narrow('a.gw.test', '*.gw.test'), ['a.gw.test']);
  assert.deepEqual(narrow('*.gw.test', 'a.gw.test'), ['a.gw.test']);
  assert.deepEqual(narrow('a.other.test', '*.gw.test'), []);
  assert.deepEqual(narrow('gw.test', '*.gw.test'), []);
});

test('HTTPRoute: names from spec.hostnames and the annotation, targets from accepted parents\' addresses, per listener', () => {
  const all = gateway('gw', [{ name: 'http', protocol: 'HTTP', port: 80, hostname: '*.gw.test', allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.10', '2001:db8::10']);
  const r = route(['www.gw.test', 'other.elsewhere.test'], [{ parentRef: { name: 'gw', namespace: 'infra' }, conditions: accepted }],
    { 'external-dns.alpha.kubernetes.io/hostname': 'api.gw.test' });
  assert.deepEqual(records(r, [all]), ['api.gw.test. A 192.0.2.10', 'api.gw.test. AAAA 2001:db8::10', 'www.gw.test. A 192.0.2.10', 'www.gw.test. AAAA 2001:db8::10']);
  // not accepted, a missing Gateway, a non-Gateway parent, a listener of another protocol or section, another namespace under "Same"
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'gw', namespace: 'infra' }, conditions: [{ type: 'Accepted', status: 'False' }] }]), [all]), []);
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'nope', namespace: 'infra' }, conditions: accepted }]), [all]), []);
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'gw', namespace: 'infra', kind: 'Service', group: '' }, conditions: accepted }]), [all]), []);
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'gw', namespace: 'infra', sectionName: 'https' }, conditions: accepted }]), [all]), []);
  const same = gateway('gw', [{ name: 'http', protocol: 'HTTP', port: 80 }], ['192.0.2.10']);
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'gw', namespace: 'infra' }, conditions: accepted }]), [same]), []);
  const tcp = gateway('gw', [{ name: 'http', protocol: 'TCP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.10']);
  assert.deepEqual(records(route(['www.gw.test'], [{ parentRef: { name: 'gw', namespace: 'infra' }, conditions: accepted }]), [tcp]), []);
});

test('HTTPRoute: no hostnames → the listener\'s; the Gateway\'s target annotation overrides its addresses; two Gateways merge', () => {
  const a = gateway('a', [{ name: 'l', protocol: 'HTTPS', hostname: 'shop.gw.test', allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.1']);
  const b = gateway('b', [{ name: 'l', protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.2'], { 'external-dns.alpha.kubernetes.io/target': 'lb.example.net' });
  assert.deepEqual(records(route([], [{ parentRef: { name: 'a', namespace: 'infra' }, conditions: accepted }]), [a, b]), ['shop.gw.test. A 192.0.2.1']);
  assert.deepEqual(records(route(['x.gw.test'], [{ parentRef: { name: 'b', namespace: 'infra' }, conditions: accepted }]), [a, b]), ['x.gw.test. CNAME lb.example.net.']);
  const c = gateway('c', [{ name: 'l', protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }], ['192.0.2.3']);
  assert.deepEqual(records(route(['x.gw.test'], [{ parentRef: { name: 'a', namespace: 'infra' }, conditions: accepted }, { parentRef: { name: 'c', namespace: 'infra' }, conditions: accepted }]), [a, c]),
    ['x.gw.test. A 192.0.2.3'], 'listener a (shop.gw.test) does not cover x.gw.test; c does');
});
