import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceRecords, type ServiceContext } from '../../k8s/records/service.js';
import type { MappingOptions, Service } from '../../k8s/records/types.js';
import { headlessService, kafkaSlice, lines, loadBalancerService, node, options } from './k8s-fixtures.js';

const H = 'external-dns.alpha.kubernetes.io/hostname';
const IH = 'external-dns.alpha.kubernetes.io/internal-hostname';
const T = 'external-dns.alpha.kubernetes.io/target';
const TTL = 'external-dns.alpha.kubernetes.io/ttl';
const ACCESS = 'external-dns.alpha.kubernetes.io/access';

const nodes = [
  node('node-a', [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'ExternalIP', address: '198.51.100.1' }]),
  node('node-b', [{ type: 'InternalIP', address: '10.0.0.2' }]),
];
const noContext: ServiceContext = { slices: [], nodes: [] };

interface Case {
  title: string;
  service: Service;
  context?: ServiceContext;
  options?: Partial<MappingOptions>;
  records: string[];
  refused?: string[]; // `field=value: reason-fragment`
}

const cases: Case[] = [
  {
    title: 'LoadBalancer ip → A, with an SRV for the named port only',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }),
    records: ['_https._tcp.web.k8s.site-a.mesh. SRV 30 0 100 443 web.k8s.site-a.mesh.', 'web.k8s.site-a.mesh. A 30 198.51.100.10'],
  },
  {
    title: 'comma-separated hostnames with spaces, mixed case, one outside the zones',
    service: loadBalancerService({ [H]: 'Web.k8s.site-a.mesh., www.k8s.site-a.mesh,other.example.org,' }, { ports: [] }),
    records: ['web.k8s.site-a.mesh. A 30 198.51.100.10', 'www.k8s.site-a.mesh. A 30 198.51.100.10'],
    refused: [`metadata.annotations["${H}"]=other.example.org.: outside the configured zones`],
  },
  {
    title: 'ttl annotation as a Go duration; IPv6 and hostname ingress → addresses win over the CNAME',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh', [TTL]: '1m30s' }, { ports: [] }, [{ ip: '2001:DB8::10' }, { hostname: 'lb.example.net' }]),
    records: ['web.k8s.site-a.mesh. AAAA 90 2001:db8::10'],
    refused: ['status.loadBalancer.ingress=lb.example.net: cannot sit beside'],
  },
  {
    title: 'hostname ingress only → CNAME; ttl in plain seconds',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh', [TTL]: '120' }, { ports: [] }, [{ hostname: 'a1b2.elb.us-east-1.amazonaws.com' }]),
    records: ['web.k8s.site-a.mesh. CNAME 120 a1b2.elb.us-east-1.amazonaws.com.'],
  },
  {
    title: 'a CNAME at the zone apex is refused',
    service: loadBalancerService({ [H]: 'k8s.site-a.mesh' }, { ports: [] }, [{ hostname: 'lb.example.net' }]),
    records: [],
    refused: ['status.loadBalancer.ingress=lb.example.net: zone apex'],
  },
  {
    title: 'two hostname ingresses: one CNAME kept, the other refused',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }, { ports: [] }, [{ hostname: 'a.example.net' }, { hostname: 'b.example.net' }]),
    records: ['web.k8s.site-a.mesh. CNAME 30 a.example.net.'],
    refused: ['status.loadBalancer.ingress=b.example.net: RFC 2181'],
  },
  {
    title: 'a bad ttl is refused and the default applies; a bad hostname is refused',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh,bad_name!.k8s.site-a.mesh', [TTL]: 'soon' }, { ports: [] }),
    records: ['web.k8s.site-a.mesh. A 30 198.51.100.10'],
    refused: [`metadata.annotations["${TTL}"]=soon: neither a duration`, `metadata.annotations["${H}"]=bad_name!.k8s.site-a.mesh: not a hostname`],
  },
  {
    title: 'a ttl of 0 is out of range',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh', [TTL]: '0' }, { ports: [] }),
    records: ['web.k8s.site-a.mesh. A 30 198.51.100.10'],
    refused: [`metadata.annotations["${TTL}"]=0: must be between 1`],
  },
  {
    title: 'target annotation overrides the load balancer',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh', [T]: '192.0.2.1, 2001:db8::1' }, { ports: [] }),
    records: ['web.k8s.site-a.mesh. A 30 192.0.2.1', 'web.k8s.site-a.mesh. AAAA 30 2001:db8::1'],
  },
  {
    title: 'spec.externalIPs win over the load-balancer status',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }, { ports: [], externalIPs: ['192.0.2.77'] }),
    records: ['web.k8s.site-a.mesh. A 30 192.0.2.77'],
  },
  {
    title: 'LoadBalancer without an address yet',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }, {}, []),
    records: [],
    refused: ['status.loadBalancer.ingress=: no address'],
  },
  {
    title: 'no hostname annotation: nothing, and no complaint',
    service: loadBalancerService({}),
    records: [],
  },
  {
    title: 'internal-hostname → ClusterIPs (dual stack)',
    service: loadBalancerService({ [IH]: 'web.internal.k8s.site-a.mesh' }, { ports: [], clusterIPs: ['10.96.12.34', 'fd00:10:96::1234'] }),
    records: ['web.internal.k8s.site-a.mesh. A 30 10.96.12.34', 'web.internal.k8s.site-a.mesh. AAAA 30 fd00:10:96::1234'],
  },
  {
    title: 'ClusterIP without publishInternal publishes nothing',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }, { type: 'ClusterIP', ports: [] }, []),
    records: [],
    refused: ['spec.type=ClusterIP: only with publishInternal'],
  },
  {
    title: 'ClusterIP with publishInternal → the cluster IP',
    service: loadBalancerService({ [H]: 'web.k8s.site-a.mesh' }, { type: 'ClusterIP', ports: [] }, []),
    options: { publishInternal: true },
    records: ['web.k8s.site-a.mesh. A 30 10.96.12.34'],
  },
  {
    title: 'ExternalName → CNAME',
    service: loadBalancerService({ [H]: 'db.k8s.site-a.mesh' }, { type: 'ExternalName', externalName: 'db.prod.example.com', ports: [] }, []),
    records: ['db.k8s.site-a.mesh. CNAME 30 db.prod.example.com.'],
  },
  {
    title: 'ExternalName that is not a hostname',
    service: loadBalancerService({ [H]: 'db.k8s.site-a.mesh' }, { type: 'ExternalName', externalName: 'not a host', ports: [] }, []),
    records: [],
    refused: ['spec.externalName=not a host: not a hostname'],
  },
  {
    title: 'ExternalName without a name',
    service: loadBalancerService({ [H]: 'db.k8s.site-a.mesh' }, { type: 'ExternalName', ports: [] }, []),
    records: [],
    refused: ['spec.externalName=: no address'],
  },
  {
    title: 'NodePort → ExternalIP of the nodes, SRV with the node port',
    service: loadBalancerService({ [H]: 'np.k8s.site-a.mesh' }, { type: 'NodePort' }, []),
    context: { slices: [], nodes },
    records: ['_https._tcp.np.k8s.site-a.mesh. SRV 30 0 100 31443 np.k8s.site-a.mesh.', 'np.k8s.site-a.mesh. A 30 198.51.100.1'],
  },
  {
    title: 'NodePort with access: private → InternalIP',
    service: loadBalancerService({ [H]: 'np.k8s.site-a.mesh', [ACCESS]: 'private' }, { type: 'NodePort', ports: [] }, []),
    context: { slices: [], nodes },
    records: ['np.k8s.site-a.mesh. A 30 10.0.0.1', 'np.k8s.site-a.mesh. A 30 10.0.0.2'],
  },
  {
    title: 'NodePort with a bad access value: refused, the default applies',
    service: loadBalancerService({ [H]: 'np.k8s.site-a.mesh', [ACCESS]: 'everyone' }, { type: 'NodePort', ports: [] }, []),
    context: { slices: [], nodes },
    records: ['np.k8s.site-a.mesh. A 30 198.51.100.1'],
    refused: ['metadata.annotations["external-dns.alpha.kubernetes.io/access"]=everyone: must be "public" or "private"'],
  },
  {
    title: 'NodePort, no node with an ExternalIP → InternalIP; access: public → none',
    service: loadBalancerService({ [H]: 'np.k8s.site-a.mesh', [ACCESS]: 'public' }, { type: 'NodePort', ports: [] }, []),
    context: { slices: [], nodes: [nodes[1]!] },
    records: [],
    refused: ['status.addresses of the nodes=: no address'],
  },
  {
    title: 'headless: ready endpoints, <hostname>.<service>, SRV to each endpoint',
    service: headlessService({ [H]: 'kafka.k8s.site-a.mesh' }),
    context: { slices: [kafkaSlice()], nodes: [] },
    records: [
      '203-0-113-22.kafka.k8s.site-a.mesh. A 30 203.0.113.22',
      '_broker._tcp.kafka.k8s.site-a.mesh. SRV 30 0 50 9092 203-0-113-22.kafka.k8s.site-a.mesh.',
      '_broker._tcp.kafka.k8s.site-a.mesh. SRV 30 0 50 9092 kafka-0.kafka.k8s.site-a.mesh.',
      'kafka-0.kafka.k8s.site-a.mesh. A 30 203.0.113.21',
      'kafka.k8s.site-a.mesh. A 30 203.0.113.21',
      'kafka.k8s.site-a.mesh. A 30 203.0.113.22',
    ],
  },
  {
    title: 'headless with publishNotReadyAddresses: not-ready included, terminating still out',
    service: headlessService({ [IH]: 'kafka.k8s.site-a.mesh' }, true),
    context: { slices: [{ ...kafkaSlice(), ports: [] }], nodes: [] },
    records: [
      'kafka-0.kafka.k8s.site-a.mesh. A 30 203.0.113.21',
      'kafka-2.kafka.k8s.site-a.mesh. A 30 203.0.113.23',
      'kafka.k8s.site-a.mesh. A 30 203.0.113.21',
      'kafka.k8s.site-a.mesh. A 30 203.0.113.22',
      'kafka.k8s.site-a.mesh. A 30 203.0.113.23',
    ],
  },
  {
    title: 'headless: a slice of another service or namespace does not count',
    service: headlessService({ [H]: 'kafka.k8s.site-a.mesh' }),
    context: {
      slices: [
        { ...kafkaSlice(), metadata: { ...kafkaSlice().metadata, namespace: 'other' } },
        { ...kafkaSlice(), metadata: { ...kafkaSlice().metadata, labels: { 'kubernetes.io/service-name': 'zookeeper' } } },
      ],
      nodes: [],
    },
    records: [],
    refused: ['endpoints=: no ready endpoint'],
  },
];

for (const c of cases) {
  test(`service: ${c.title}`, () => {
    const result = serviceRecords(c.service, c.context ?? noContext, { ...options, ...c.options });
    assert.deepEqual(lines(result.records), [...c.records].sort());
    const refused = result.refused.map((r) => `${r.field}=${r.value}: ${r.reason}`);
    assert.equal(refused.length, (c.refused ?? []).length, refused.join('\n'));
    for (const expected of c.refused ?? []) {
      const [prefix = '', fragment = ''] = expected.split(': ');
      assert.ok(refused.some((r) => r.startsWith(`${prefix}: `) && r.includes(fragment)), `${expected}\nnot in\n${refused.join('\n')}`);
    }
    assert.equal(result.owner, `k8s:Service/${c.service.metadata.namespace}/${c.service.metadata.name}`);
    assert.equal(result.uid, c.service.metadata.uid);
  });
}
