/**
 * Service → records, with ExternalDNS's semantics (kubernetes-sigs/external-dns source/service.go,
 * generateEndpoints): the names come from the hostname annotations; the target annotation, when
 * present, overrides whatever the Service type would publish; otherwise the type decides:
 * LoadBalancer → spec.externalIPs or status.loadBalancer.ingress (ip → A/AAAA, hostname → CNAME);
 * ClusterIP → the ready endpoints when headless, the cluster IPs with publishInternal;
 * NodePort → the nodes' addresses; ExternalName → a CNAME to spec.externalName.
 * The internal-hostname annotation publishes the cluster IPs (the endpoints when headless).
 *
 * Where this differs from ExternalDNS, on purpose: SRV records follow CoreDNS's named-port form
 * `_<port name>._<proto>.<name>` for every type (ExternalDNS writes NodePort SRV as
 * `_<service name>._<proto>.<name>` "0 50 <nodePort> <name>" for every port, named or not); all
 * cluster IPs are published (dual stack), not only spec.clusterIP; a CNAME is never published
 * beside addresses or more than once (a DNS provider would reject it; we refuse it with a reason).
 */
import {
  accessFromAnnotations,
  commaList,
  HOSTNAME_ANNOTATION,
  INTERNAL_HOSTNAME_ANNOTATION,
  type Target,
  targetOf,
  targetsFromAnnotation,
  TARGET_ANNOTATION,
} from './annotations.js';
import { RecordBuilder } from './builder.js';
import { endpointLabel, namedSlicePorts, readyEndpoints } from './endpoints.js';
import { childName } from './names.js';
import { nodePortTargets } from './node-port.js';
import { addSrv, addTargets } from './targets.js';
import type { EndpointSlice, MappingOptions, Node, ObjectRecords, Service } from './types.js';

export interface ServiceContext {
  /** EndpointSlices (any; those of this Service are picked by label and namespace). */
  slices: readonly EndpointSlice[];
  /** All nodes, for NodePort Services. */
  nodes: readonly Node[];
}

const annotationField = (key: string): string => `metadata.annotations["${key}"]`;

export function serviceRecords(service: Service, context: ServiceContext, options: MappingOptions): ObjectRecords {
  const builder = new RecordBuilder('Service', service.metadata, options);
  const annotations = service.metadata.annotations;
  const ttl = builder.ttl();
  const publicNames = namesFrom(builder, HOSTNAME_ANNOTATION, annotations);
  const internalNames = namesFrom(builder, INTERNAL_HOSTNAME_ANNOTATION, annotations);
  const override = targetsFromAnnotation(annotations);
  const type = service.spec.type ?? 'ClusterIP';
  const headless = service.spec.clusterIP === 'None';

  for (const name of publicNames) {
    if (override.length > 0) {
      const addresses = addTargets(builder, annotationField(TARGET_ANNOTATION), name, override, ttl, options.zones);
      if (addresses) addServiceSrv(builder, service, name, ttl, (port) => port.port);
      continue;
    }
    switch (type) {
      case 'LoadBalancer':
        publishTargets(builder, service, name, ttl, options, 'status.loadBalancer.ingress', loadBalancerTargets(service));
        break;
      case 'ClusterIP':
        if (headless) publishEndpoints(builder, service, context, name, ttl);
        else if (options.publishInternal) publishTargets(builder, service, name, ttl, options, 'spec.clusterIPs', clusterIpTargets(service));
        else builder.refuse('spec.type', type, `a ClusterIP Service publishes ${name} only with publishInternal (or use the internal-hostname annotation)`);
        break;
      case 'NodePort': {
        const access = accessFromAnnotations(annotations);
        if (typeof access === 'object') builder.refuse(annotationField('external-dns.alpha.kubernetes.io/access'), annotations?.['external-dns.alpha.kubernetes.io/access'] ?? '', access.error);
        const targets = nodePortTargets(context.nodes, typeof access === 'object' ? undefined : access);
        publishTargets(builder, service, name, ttl, options, 'status.addresses of the nodes', targets, (port) => port.nodePort);
        break;
      }
      case 'ExternalName':
        publishTargets(builder, service, name, ttl, options, 'spec.externalName', externalNameTargets(service));
        break;
    }
  }
  for (const name of internalNames) {
    if (headless) publishEndpoints(builder, service, context, name, ttl);
    else publishTargets(builder, service, name, ttl, options, 'spec.clusterIPs', clusterIpTargets(service));
  }
  return builder.result();
}

function namesFrom(builder: RecordBuilder, key: string, annotations: Record<string, string> | undefined): string[] {
  const names: string[] = [];
  for (const hostname of commaList(annotations?.[key])) {
    const name = builder.nameIn(annotationField(key), hostname);
    if (name !== undefined) names.push(name);
  }
  return names;
}

function publishTargets(
  builder: RecordBuilder,
  service: Service,
  name: string,
  ttl: number,
  options: MappingOptions,
  field: string,
  targets: readonly Target[],
  portOf: (port: { port: number; nodePort?: number }) => number | undefined = (port) => port.port,
): void {
  if (targets.length === 0) {
    builder.refuse(field, '', `no address to publish at ${name} yet`);
    return;
  }
  if (addTargets(builder, field, name, targets, ttl, options.zones)) addServiceSrv(builder, service, name, ttl, portOf);
}

/** SRV for the Service's named ports, pointing at `name` itself (as CoreDNS does for a ClusterIP). */
function addServiceSrv(
  builder: RecordBuilder,
  service: Service,
  name: string,
  ttl: number,
  portOf: (port: { port: number; nodePort?: number }) => number | undefined,
): void {
  for (const port of service.spec.ports ?? []) {
    const number = portOf(port);
    if (port.name === undefined || port.name === '' || number === undefined) continue;
    addSrv(builder, 'spec.ports', name, { name: port.name, protocol: port.protocol ?? 'TCP' }, [{ host: name, port: number }], ttl);
  }
}

/**
 * A headless Service: every ready endpoint's address at `name`, and at `<hostname>.<name>` for an
 * endpoint with a hostname (ExternalDNS extractHeadlessEndpoints); SRV per named port to each
 * endpoint's own name (CoreDNS), whose address records are added for the endpoints without a hostname.
 */
function publishEndpoints(builder: RecordBuilder, service: Service, context: ServiceContext, name: string, ttl: number): void {
  const endpoints = readyEndpoints(service, context.slices);
  if (endpoints.length === 0) {
    builder.refuse('endpoints', '', `no ready endpoint to publish at ${name}`);
    return;
  }
  for (const endpoint of endpoints) {
    builder.add('endpoints', { name, type: endpoint.type, ttl, rdata: endpoint.address });
    if (endpoint.hostname !== undefined) {
      builder.add('endpoints.hostname', { name: childName(endpoint.hostname, name), type: endpoint.type, ttl, rdata: endpoint.address });
    }
  }
  const ports = namedSlicePorts(service, context.slices);
  for (const port of ports) {
    const targets = endpoints.map((endpoint) => ({ host: childName(endpointLabel(endpoint), name), port: port.port }));
    addSrv(builder, 'ports', name, port, targets, ttl);
  }
  if (ports.length === 0) return;
  for (const endpoint of endpoints) {
    if (endpoint.hostname !== undefined) continue;
    builder.add('endpoints.addresses', { name: childName(endpointLabel(endpoint), name), type: endpoint.type, ttl, rdata: endpoint.address });
  }
}

/** ExternalDNS extractLoadBalancerTargets: spec.externalIPs win; else each ingress's ip or hostname. */
export function loadBalancerTargets(service: Service): Target[] {
  if ((service.spec.externalIPs ?? []).length > 0) return (service.spec.externalIPs ?? []).map(targetOf);
  const out: Target[] = [];
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip !== undefined && ingress.ip !== '') out.push(targetOf(ingress.ip));
    if (ingress.hostname !== undefined && ingress.hostname !== '') out.push(targetOf(ingress.hostname));
  }
  return out;
}

/** ExternalDNS extractServiceIps: the cluster IPs (all families), none for a headless Service. */
function clusterIpTargets(service: Service): Target[] {
  const ips = service.spec.clusterIPs ?? (service.spec.clusterIP !== undefined ? [service.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== 'None' && ip !== '').map(targetOf);
}

/** ExternalDNS extractServiceExternalName: spec.externalIPs win; else spec.externalName. */
function externalNameTargets(service: Service): Target[] {
  if ((service.spec.externalIPs ?? []).length > 0) return (service.spec.externalIPs ?? []).map(targetOf);
  const externalName = service.spec.externalName;
  return externalName === undefined || externalName === '' ? [] : [targetOf(externalName)];
}
