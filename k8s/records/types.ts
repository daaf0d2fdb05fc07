/**
 * The few fields of Kubernetes objects that the record mapping reads, as plain object types (the
 * shapes of `kubectl get -o json`), and what the mapping returns. No client library: the watcher
 * hands these functions the parsed JSON it received.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export interface LoadBalancerStatus {
  ingress?: LoadBalancerIngress[];
}

export interface ServicePort {
  name?: string;
  protocol?: string; // TCP (default), UDP, SCTP
  port: number;
  nodePort?: number;
}

export interface Service {
  kind?: 'Service';
  metadata: ObjectMeta;
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
  status?: { loadBalancer?: LoadBalancerStatus };
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
}

export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
}

/** discovery.k8s.io/v1 EndpointSlice. */
export interface EndpointSlice {
  kind?: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Endpoint[];
  ports?: EndpointPort[] | null;
}

export interface NodeAddress {
  type: string; // ExternalIP, InternalIP, Hostname, ExternalDNS, InternalDNS
  address: string;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
}

export interface Node {
  kind?: 'Node';
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean };
  status?: { addresses?: NodeAddress[]; conditions?: NodeCondition[] };
}

/** networking.k8s.io/v1 Ingress. */
export interface Ingress {
  kind?: 'Ingress';
  metadata: ObjectMeta;
  spec?: {
    rules?: { host?: string }[];
    tls?: { hosts?: string[]; secretName?: string }[];
  };
  status?: { loadBalancer?: LoadBalancerStatus };
}

/** externaldns.k8s.io/v1alpha1 DNSEndpoint. */
export interface DNSEndpoint {
  kind?: 'DNSEndpoint';
  metadata: ObjectMeta;
  spec?: {
    endpoints?: {
      dnsName: string;
      recordType: string;
      targets?: string[];
      recordTTL?: number;
      labels?: Record<string, string>;
      setIdentifier?: string;
    }[];
  };
}

/** One record in presentation form: `name` absolute and lowercased, `rdata` as in a zone file. */
export interface K8sRecord {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'TXT' | 'MX' | 'NS' | 'PTR';
  ttl: number;
  rdata: string;
}

/** Why something an object asked for is not published: the field, its value, the reason. */
export interface Refusal {
  field: string;
  value: string;
  reason: string;
}

/** The mapping of one object: provenance `k8s:<kind>/<namespace>/<name>`, its uid, records, refusals. */
export interface ObjectRecords {
  owner: string;
  uid: string;
  records: K8sRecord[];
  refused: Refusal[];
}

export interface MappingOptions {
  /** The zones records may be written to (absolute names); names outside them are refused. */
  zones: readonly string[];
  defaultTtl: number;
  /** ExternalDNS --publish-internal-services: ClusterIP services publish their cluster IPs. */
  publishInternal: boolean;
}
