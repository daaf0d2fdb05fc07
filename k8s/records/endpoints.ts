/**
 * A headless Service's endpoints from its discovery.k8s.io/v1 EndpointSlices: which addresses are
 * published, under which per-endpoint name, and its named ports (for SRV).
 */
import { isIP } from 'node:net';
import type { Endpoint, EndpointSlice, Service } from './types.js';

/** The label an EndpointSlice carries to name its Service (discovery.k8s.io/v1). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ReadyEndpoint {
  address: string;
  type: 'A' | 'AAAA';
  /** `spec.hostname` of the pod behind it (StatefulSets set it), when there is one. */
  hostname?: string;
}

export interface SlicePort {
  name: string;
  protocol: string;
  port: number;
}

/** The slices of `service`: same namespace, labelled with its name. */
export function slicesOf(service: Service, slices: readonly EndpointSlice[]): EndpointSlice[] {
  return slices.filter(
    (slice) =>
      slice.metadata.namespace === service.metadata.namespace &&
      slice.metadata.labels?.[SERVICE_NAME_LABEL] === service.metadata.name &&
      slice.metadata.deletionTimestamp === undefined,
  );
}

/**
 * Is the endpoint published? `ready` is the API's "serving and not terminating" (nil means ready,
 * per the EndpointConditions doc); a terminating endpoint never is. With
 * `spec.publishNotReadyAddresses` every endpoint not terminating is, as ExternalDNS
 * (source/service.go, extractHeadlessEndpoints) and CoreDNS (plugin/kubernetes/object/endpoint.go) do.
 */
export function isPublished(endpoint: Endpoint, publishNotReady: boolean): boolean {
  const conditions = endpoint.conditions ?? {};
  if (conditions.terminating === true) return false;
  if (publishNotReady) return true;
  if (conditions.ready === false) return false;
  return conditions.serving !== false;
}

/** The published addresses of the service's slices, deduplicated; FQDN slices carry no addresses. */
export function readyEndpoints(service: Service, slices: readonly EndpointSlice[]): ReadyEndpoint[] {
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  const seen = new Set<string>();
  const out: ReadyEndpoint[] = [];
  for (const slice of slicesOf(service, slices)) {
    if (slice.addressType === 'FQDN') continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (!isPublished(endpoint, publishNotReady)) continue;
      for (const address of endpoint.addresses) {
        const family = isIP(address);
        if (family === 0 || seen.has(address)) continue;
        seen.add(address);
        out.push({
          address: family === 6 ? address.toLowerCase() : address,
          type: family === 4 ? 'A' : 'AAAA',
          ...(endpoint.hostname !== undefined && endpoint.hostname !== '' ? { hostname: endpoint.hostname } : {}),
        });
      }
    }
  }
  return out;
}

/** The named ports of the slices (the endpoint's port, not the Service's), deduplicated by name and protocol. */
export function namedSlicePorts(service: Service, slices: readonly EndpointSlice[]): SlicePort[] {
  const out = new Map<string, SlicePort>();
  for (const slice of slicesOf(service, slices)) {
    for (const port of slice.ports ?? []) {
      if (port.name === undefined || port.name === '' || port.port === undefined) continue;
      const protocol = port.protocol ?? 'TCP';
      out.set(`${port.name}/${protocol}`, { name: port.name, protocol, port: port.port });
    }
  }
  return [...out.values()];
}

/**
 * The label naming one endpoint under the service, as CoreDNS's endpointHostname
 * (plugin/kubernetes/kubernetes.go): the pod's hostname, else the address with `.` and `:` as `-`.
 */
export function endpointLabel(endpoint: ReadyEndpoint): string {
  return endpoint.hostname ?? endpoint.address.replaceAll(/[.:]/g, '-');
}
