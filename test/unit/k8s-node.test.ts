import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeRecords, type NodeOptions } from '../../k8s/records/node.js';
import { parseSelector } from '../../k8s/records/selector.js';
import type { Node } from '../../k8s/records/types.js';
import { lines, node, options } from './k8s-fixtures.js';

const selector = parseSelector('serve-public=true');
assert.ok(selector.ok);
const nodeOptions: NodeOptions = {
  labelSelector: selector.requirements,
  names: ['www.k8s.site-a.mesh.'],
  perNode: '{name}.nodes.k8s.site-a.mesh.',
  addressTypes: ['ExternalIP', 'annotation'],
};
const A = 'meshdns.io/addresses';

interface Case {
  title: string;
  node: Node;
  nodeOptions?: Partial<NodeOptions>;
  records: string[];
  refused?: string[]; // field=value: fragment
}

const cases: Case[] = [
  {
    title: 'ExternalIP and annotation addresses under the shared and per-node names; documentation addresses refused',
    node: node('node-a', [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '8.8.4.4' }, { type: 'ExternalIP', address: '198.51.100.1' }], {
      annotations: { [A]: '2001:db8::1, 2A01:4F8::7' },
    }),
    records: [
      'node-a.nodes.k8s.site-a.mesh. A 30 8.8.4.4',
      'node-a.nodes.k8s.site-a.mesh. AAAA 30 2a01:4f8::7',
      'www.k8s.site-a.mesh. A 30 8.8.4.4',
      'www.k8s.site-a.mesh. AAAA 30 2a01:4f8::7',
    ],
    refused: ['status.addresses[ExternalIP]=198.51.100.1: TEST-NET-2', `metadata.annotations["${A}"]=2001:db8::1: Documentation`],
  },
  {
    title: 'InternalIP not among the address types: not even looked at',
    node: node('node-b', [{ type: 'InternalIP', address: '9.9.9.9' }]),
    records: [],
    refused: ['status.addresses=: no globally reachable address'],
  },
  {
    title: 'InternalIP counted when configured',
    node: node('node-b', [{ type: 'InternalIP', address: '9.9.9.9' }]),
    nodeOptions: { addressTypes: ['InternalIP'], names: [] },
    records: ['node-b.nodes.k8s.site-a.mesh. A 30 9.9.9.9'],
  },
  {
    title: 'a node with only CGNAT and ULA addresses publishes nothing',
    node: node('home', [{ type: 'ExternalIP', address: '100.72.1.2' }], { annotations: { [A]: 'fd00::5' } }),
    records: [],
    refused: [
      'status.addresses[ExternalIP]=100.72.1.2: Shared Address Space',
      `metadata.annotations["${A}"]=fd00::5: Unique-Local`,
      'status.addresses=: no globally reachable address',
    ],
  },
  {
    title: 'NotReady',
    node: node('node-c', [{ type: 'ExternalIP', address: '8.8.4.4' }], { ready: 'False' }),
    records: [],
    refused: ['status.conditions[Ready]=False: not Ready'],
  },
  {
    title: 'Ready Unknown (node lost) counts as not ready',
    node: node('node-c', [{ type: 'ExternalIP', address: '8.8.4.4' }], { ready: 'Unknown' }),
    records: [],
    refused: ['status.conditions[Ready]=Unknown: not Ready'],
  },
  {
    title: 'cordoned',
    node: node('node-c', [{ type: 'ExternalIP', address: '8.8.4.4' }], { unschedulable: true }),
    records: [],
    refused: ['spec.unschedulable=true: cordoned'],
  },
  {
    title: 'not matching nodes.labelSelector',
    node: node('node-d', [{ type: 'ExternalIP', address: '8.8.4.4' }], { labels: { 'kubernetes.io/hostname': 'node-d' } }),
    records: [],
    refused: ['metadata.labels={"kubernetes.io/hostname":"node-d"}: does not match'],
  },
  {
    title: 'no per-node name; a shared name outside the zones and one invalid',
    node: node('node-e', [{ type: 'ExternalIP', address: '8.8.4.4' }]),
    nodeOptions: { perNode: '', names: ['www.k8s.site-a.mesh.', 'www.elsewhere.org.', 'bad..name.'] },
    records: ['www.k8s.site-a.mesh. A 30 8.8.4.4'],
    refused: ['nodes.names=bad..name.: not a hostname', 'nodes.names=www.elsewhere.org.: outside the configured zones'],
  },
];

for (const c of cases) {
  test(`node: ${c.title}`, () => {
    const result = nodeRecords(c.node, { ...nodeOptions, ...c.nodeOptions }, options);
    assert.deepEqual(lines(result.records), [...c.records].sort());
    const refused = result.refused.map((r) => `${r.field}=${r.value}: ${r.reason}`);
    assert.equal(refused.length, (c.refused ?? []).length, refused.join('\n'));
    for (const expected of c.refused ?? []) {
      const [prefix = '', fragment = ''] = expected.split(': ');
      assert.ok(refused.some((r) => r.startsWith(`${prefix}: `) && r.includes(fragment)), `${expected}\nnot in\n${refused.join('\n')}`);
    }
    assert.equal(result.owner, `k8s:Node//${c.node.metadata.name}`);
    assert.equal(result.uid, `uid-${c.node.metadata.name}`);
  });
}
