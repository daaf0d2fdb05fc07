import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectIndex } from '../../k8s/watch/object-index.js';
import type { WatcherOptions } from '../../k8s/watch/types.js';

const OPTIONS: WatcherOptions = {
  sources: ['service', 'endpointslice', 'node', 'dnsendpoint'], namespaces: [],
  filter: { labelSelector: [], annotationFilter: [{ key: 'dns', operator: 'notin', values: ['off'] }] },
  mapping: { zones: ['k8s.test.'], defaultTtl: 30, publishInternal: false },
  nodes: { labelSelector: [], names: ['www.k8s.test.'], perNode: '', addressTypes: ['ExternalIP'] },
  debounceMs: 0,
};

const headless = (name: string, uid = `uid-${name}`) => ({
  metadata: { name, namespace: 'default', uid, annotations: { 'external-dns.alpha.kubernetes.io/hostname': `${name}.k8s.test` } },
  spec: { clusterIP: 'None', ports: [] },
});
const slice = (name: string, service: string, ready: boolean) => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready, serving: ready, terminating: false } }],
});
const node = (name: string, address: string, ready = 'True') => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: '1' },
  status: { addresses: [{ type: 'ExternalIP', address }], conditions: [{ type: 'Ready', status: ready }] },
});
const nodePort = (name: string) => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: { 'external-dns.alpha.kubernetes.io/hostname': `${name}.k8s.test` } },
  spec: { type: 'NodePort', clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 30080 }] },
});

const owners = (index: ObjectIndex) => index.takeChanges().map((p) => p.resolve()).map((c) => `${c.owner}=${c.records.map((r) => `${r.name}/${r.type}/${r.rdata}`).sort().join(',')}`).sort();

test('an EndpointSlice change makes its Service dirty, with the ready endpoints only', () => {
  const index = new ObjectIndex(OPTIONS);
  index.apply('service', 'ADDED', headless('db') as never);
  assert.deepEqual(owners(index), ['k8s:Service/default/db=']);
  index.apply('endpointslice', 'ADDED', slice('db-abc', 'db', true) as never);
  assert.deepEqual(owners(index), ['k8s:Service/default/db=db.k8s.test./A/10.0.0.1']);
  index.apply('endpointslice', 'MODIFIED', slice('db-abc', 'db', false) as never);
  assert.deepEqual(owners(index), ['k8s:Service/default/db=']);
  assert.deepEqual(owners(index), [], 'nothing dirty once taken');
});

test('a node change makes the node and the NodePort Services dirty; a status heartbeat changing nothing they read does not', () => {
  const index = new ObjectIndex(OPTIONS);
  index.apply('service', 'ADDED', nodePort('np') as never);
  index.apply('node', 'ADDED', node('n1', '8.8.8.8') as never);
  assert.deepEqual(owners(index), ['k8s:Node//n1=www.k8s.test./A/8.8.8.8', 'k8s:Service/default/np=np.k8s.test./A/8.8.8.8']);
  index.apply('node', 'MODIFIED', { ...node('n1', '8.8.8.8'), metadata: { name: 'n1', uid: 'uid-n1', resourceVersion: '2' } } as never);
  assert.deepEqual(owners(index), []);
  index.apply('node', 'MODIFIED', node('n1', '8.8.8.8', 'False') as never);
  // (the NodePort Service is recomputed; node-port.ts publishes every node's address, as ExternalDNS)
  assert.deepEqual(owners(index), ['k8s:Node//n1=', 'k8s:Service/default/np=np.k8s.test./A/8.8.8.8']);
});

test('a delete event for an older object of the same name is ignored (uid); a deleting object counts as gone', () => {
  const index = new ObjectIndex(OPTIONS);
  index.apply('dnsendpoint', 'ADDED', { metadata: { name: 'd', namespace: 'default', uid: 'new' }, spec: { endpoints: [{ dnsName: 'd.k8s.test', recordType: 'A', targets: ['192.0.2.1'] }] } } as never);
  owners(index);
  index.apply('dnsendpoint', 'DELETED', { metadata: { name: 'd', namespace: 'default', uid: 'old' } } as never);
  assert.deepEqual(owners(index), []);
  assert.equal(index.count('dnsendpoint'), 1);
  index.apply('dnsendpoint', 'MODIFIED', { metadata: { name: 'd', namespace: 'default', uid: 'new', deletionTimestamp: '2026-01-01T00:00:00Z' } } as never);
  assert.deepEqual(owners(index), ['k8s:DNSEndpoint/default/d=']);
  assert.equal(index.count('dnsendpoint'), 0);
});

test('a complete list drops what is not in it and recomputes the rest; objects the annotation filter excludes own nothing', () => {
  const index = new ObjectIndex(OPTIONS);
  index.replace('service', undefined, [headless('a'), headless('b')] as never);
  owners(index);
  const hidden: { metadata: { annotations: Record<string, string> } } = headless('b');
  hidden.metadata.annotations = { ...hidden.metadata.annotations, dns: 'off' };
  index.replace('service', undefined, [hidden] as never);
  assert.deepEqual(owners(index), ['k8s:Service/default/a=', 'k8s:Service/default/b=']);
  assert.deepEqual([...index.liveOwners('service')], ['k8s:Service/default/b']);
});
