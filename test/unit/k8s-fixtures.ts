/**
 * Objects in the shape `kubectl get -o json` prints (trimmed to what the mapping reads plus a few
 * fields it must ignore), for the k8s record-mapping tests. Each builder takes overrides.
 */
import type { DNSEndpoint, EndpointSlice, Ingress, MappingOptions, Node, Service } from '../../k8s/records/types.js';

export const options: MappingOptions = { zones: ['k8s.site-a.mesh.'], defaultTtl: 30, publishInternal: false };

export function loadBalancerService(annotations: Record<string, string>, overrides: Partial<Service['spec']> = {}, ingress: { ip?: string; hostname?: string }[] = [{ ip: '198.51.100.10' }]): Service {
  return {
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: '5f2b7e1c-8d4a-4c1e-9b0f-3a6d2e8c1f40',
      labels: { 'app.kubernetes.io/name': 'web' },
      annotations,
    },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      ports: [
        { name: 'https', protocol: 'TCP', port: 443, nodePort: 31443 },
        { protocol: 'TCP', port: 8080, nodePort: 31080 },
      ],
      ...overrides,
    },
    status: { loadBalancer: { ingress } },
  };
}

export function headlessService(annotations: Record<string, string>, publishNotReadyAddresses = false): Service {
  return {
    kind: 'Service',
    metadata: { name: 'kafka', namespace: 'data', uid: '0c1d2e3f-aaaa-4bbb-8ccc-123456789abc', annotations },
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      ports: [{ name: 'broker', protocol: 'TCP', port: 9092 }],
      publishNotReadyAddresses,
    },
    status: { loadBalancer: {} },
  };
}

export function kafkaSlice(): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata: {
      name: 'kafka-7x2kq',
      namespace: 'data',
      uid: 'e5f6a7b8-1111-4222-8333-444455556666',
      labels: { 'kubernetes.io/service-name': 'kafka', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['203.0.113.21'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'kafka-0', nodeName: 'node-a' },
      { addresses: ['203.0.113.22'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-b' },
      { addresses: ['203.0.113.23'], conditions: { ready: false, serving: false, terminating: false }, hostname: 'kafka-2', nodeName: 'node-c' },
      { addresses: ['203.0.113.24'], conditions: { ready: false, serving: true, terminating: true }, hostname: 'kafka-3', nodeName: 'node-c' },
    ],
    ports: [{ name: 'broker', protocol: 'TCP', port: 9092 }],
  };
}

export function node(name: string, addresses: { type: string; address: string }[], overrides: { ready?: 'True' | 'False' | 'Unknown'; unschedulable?: boolean; annotations?: Record<string, string>; labels?: Record<string, string> } = {}): Node {
  return {
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      labels: overrides.labels ?? { 'kubernetes.io/hostname': name, 'serve-public': 'true' },
      annotations: overrides.annotations ?? { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: overrides.unschedulable === undefined ? {} : { unschedulable: overrides.unschedulable },
    status: {
      addresses: [...addresses, { type: 'Hostname', address: name }],
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: overrides.ready ?? 'True' },
      ],
    },
  };
}

export function ingress(annotations: Record<string, string>, lb: { ip?: string; hostname?: string }[] = [{ ip: '198.51.100.20' }]): Ingress {
  return {
    kind: 'Ingress',
    metadata: { name: 'shop', namespace: 'shop', uid: '9a8b7c6d-0000-4111-8222-333344445555', annotations },
    spec: {
      rules: [{ host: 'shop.k8s.site-a.mesh' }, { host: 'API.k8s.site-a.mesh' }, {}],
      tls: [{ hosts: ['shop.k8s.site-a.mesh', 'secure.k8s.site-a.mesh'], secretName: 'shop-tls' }],
    },
    status: { loadBalancer: { ingress: lb } },
  };
}

export function dnsEndpoint(endpoints: NonNullable<DNSEndpoint['spec']>['endpoints']): DNSEndpoint {
  return {
    kind: 'DNSEndpoint',
    metadata: { name: 'extras', namespace: 'infra', uid: '77777777-8888-4999-aaaa-bbbbccccdddd' },
    spec: { endpoints: endpoints ?? [] },
  };
}

/** Records as `name type ttl rdata` lines, sorted: one string to compare a whole answer. */
export function lines(records: readonly { name: string; type: string; ttl: number; rdata: string }[]): string[] {
  return records.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.rdata}`).sort();
}
