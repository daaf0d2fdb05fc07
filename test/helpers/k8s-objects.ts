/**
 * Builders for the Kubernetes objects the watcher tests create in the real API server (the shapes of
 * `kubectl get -o yaml`, with apiVersion and kind so the harness knows their paths), and
 * `waitForAnswer`, which asks meshdns with dig until the answer is the expected one.
 *
 * No controllers run beside the test API server: a LoadBalancer's or an Ingress's address is set by
 * the test with a status patch (`loadBalancerStatus`), and EndpointSlices are created by the test.
 */

export interface ObjectMetaInput {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What the harness's create/patch/remove need: a kind, its group version and a name. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetaInput;
  [field: string]: unknown;
}

const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io/';

/** ExternalDNS's annotations by their short names (`hostname`, `ttl`, `target`, `internal-hostname`, `access`). */
export function externalDns(annotations: Partial<Record<'hostname' | 'ttl' | 'target' | 'internal-hostname' | 'access', string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([key, value]) => [`${EXTERNAL_DNS}${key}`, value as string]));
}

function meta(input: ObjectMetaInput): ObjectMetaInput {
  return {
    name: input.name,
    ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    ...(input.labels === undefined ? {} : { labels: input.labels }),
    ...(input.annotations === undefined ? {} : { annotations: input.annotations }),
  };
}

export function namespace(name: string, labels?: Record<string, string>): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta({ name, ...(labels === undefined ? {} : { labels }) }) };
}

export interface PortInput {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
}

export interface ServiceInput extends ObjectMetaInput {
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `None` makes a headless Service (type ClusterIP). */
  clusterIP?: 'None';
  ports?: PortInput[];
  externalName?: string;
  externalIPs?: string[];
  publishNotReadyAddresses?: boolean;
}

export function service(input: ServiceInput): K8sObject {
  const ports = (input.ports ?? (input.type === 'ExternalName' || input.clusterIP === 'None' ? [] : [{ name: 'http', port: 80 }]))
    .map((port) => ({ protocol: 'TCP', ...port }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(input),
    spec: {
      type: input.type,
      ...(input.clusterIP === undefined ? {} : { clusterIP: input.clusterIP }),
      ...(ports.length === 0 ? {} : { ports }),
      ...(input.externalName === undefined ? {} : { externalName: input.externalName }),
      ...(input.externalIPs === undefined ? {} : { externalIPs: input.externalIPs }),
      ...(input.publishNotReadyAddresses === undefined ? {} : { publishNotReadyAddresses: input.publishNotReadyAddresses }),
    },
  };
}

/** The status patch a cloud controller would make: `ingress` entries are IPs or hostnames. */
export function loadBalancerStatus(targets: string[]): { status: { loadBalancer: { ingress: ({ ip: string } | { hostname: string })[] } } } {
  const ipLike = (target: string): boolean => /^[0-9.]+$/.test(target) || target.includes(':');
  return { status: { loadBalancer: { ingress: targets.map((target) => (ipLike(target) ? { ip: target } : { hostname: target })) } } };
}

export interface EndpointInput {
  addresses: string[];
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  hostname?: string;
}

export interface EndpointSliceInput {
  namespace: string;
  name: string;
  /** The Service this slice belongs to (label kubernetes.io/service-name). */
  service: string;
  addressType?: 'IPv4' | 'IPv6';
  endpoints: EndpointInput[];
  ports?: PortInput[];
}

/** discovery.k8s.io/v1 endpoints as the slice controller writes them: conditions always spelled out. */
export function endpoints(list: EndpointInput[]): object[] {
  return list.map((endpoint) => ({
    addresses: endpoint.addresses,
    conditions: {
      ready: endpoint.ready ?? true,
      serving: endpoint.serving ?? endpoint.ready ?? true,
      terminating: endpoint.terminating ?? false,
    },
    ...(endpoint.hostname === undefined ? {} : { hostname: endpoint.hostname }),
  }));
}

export function endpointSlice(input: EndpointSliceInput): K8sObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta({
      name: input.name,
      namespace: input.namespace,
      labels: { 'kubernetes.io/service-name': input.service, 'endpointslice.kubernetes.io/managed-by': 'meshdns-tests' },
    }),
    addressType: input.addressType ?? 'IPv4',
    endpoints: endpoints(input.endpoints),
    ports: (input.ports ?? []).map((port) => ({ protocol: 'TCP', ...port })),
  };
}

export interface NodeInput extends ObjectMetaInput {
  /** [type, address] pairs: ExternalIP, InternalIP, Hostname, ... */
  addresses?: [string, string][];
  ready?: boolean;
  unschedulable?: boolean;
}

/** A Node's Ready condition list (status True/False), as the kubelet reports it. */
export function nodeConditions(ready: boolean): object[] {
  return [{
    type: 'Ready',
    status: ready ? 'True' : 'False',
    reason: ready ? 'KubeletReady' : 'KubeletNotReady',
    lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  }];
}

/** Nodes take their status on create (the node strategy keeps it), so no status patch is needed. */
export function node(input: NodeInput): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(input),
    spec: input.unschedulable === true ? { unschedulable: true } : {},
    status: {
      addresses: (input.addresses ?? []).map(([type, address]) => ({ type, address })),
      conditions: nodeConditions(input.ready ?? true),
    },
  };
}

export interface IngressInput extends ObjectMetaInput {
  namespace: string;
  hosts?: string[];
  tlsHosts?: string[];
}

/** networking.k8s.io/v1 Ingress: one rule per host (each routing / to a Service "backend"). */
export function ingress(input: IngressInput): K8sObject {
  const backend = { service: { name: 'backend', port: { number: 80 } } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(input),
    spec: {
      ...((input.hosts ?? []).length === 0 ? { defaultBackend: backend } : {}),
      rules: (input.hosts ?? []).map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })),
      ...(input.tlsHosts === undefined ? {} : { tls: [{ hosts: input.tlsHosts, secretName: `${input.name}-tls` }] }),
    },
  };
}

export interface DnsEndpointRecord {
  dnsName: string;
  recordType: string;
  targets: string[];
  recordTTL?: number;
}

export function dnsEndpoint(input: ObjectMetaInput & { namespace: string; endpoints: DnsEndpointRecord[] }): K8sObject {
  return { apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: meta(input), spec: { endpoints: input.endpoints } };
}

export { answers, ask, waitForAnswer, type AnswerPredicate, type DigAnswer, type DigRecord } from './dig-answer.js';
