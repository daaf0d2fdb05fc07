/**
 * The kinds the watcher can follow, where the API serves them, and the kind name in provenance
 * (`k8s:<Kind>/<namespace>/<name>`, as k8s/records writes it). Current API versions only:
 * discovery.k8s.io/v1 EndpointSlices, networking.k8s.io/v1 Ingresses, gateway.networking.k8s.io/v1.
 */
export const SOURCE_NAMES = ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint', 'gateway-httproute', 'gateway'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** What an operator lists in `sources` (Gateways are watched for gateway-httproute, not on their own). */
export const CONFIG_SOURCES = ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint', 'gateway-httproute'] as const;
/** `sources` when the config names none: what every cluster serves (Gateway API only when asked: its CRDs may not exist). */
export const DEFAULT_SOURCES = ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint'] as const;

/** The collections a configured source needs: gateway-httproute reads Gateways too. */
export function watchedSources(sources: readonly SourceName[]): SourceName[] {
  const out = [...sources];
  if (out.includes('gateway-httproute') && !out.includes('gateway')) out.push('gateway');
  return out;
}

interface SourceInfo {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  readonly prefix: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** The kind as provenance and Events name it; undefined: the kind owns no records (EndpointSlices feed Services). */
  readonly ownerKind: string | undefined;
  readonly apiVersion: string;
  readonly kind: string;
}

export const SOURCES: Record<SourceName, SourceInfo> = {
  service: { prefix: '/api/v1', plural: 'services', namespaced: true, ownerKind: 'Service', apiVersion: 'v1', kind: 'Service' },
  ingress: { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true, ownerKind: 'Ingress', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  node: { prefix: '/api/v1', plural: 'nodes', namespaced: false, ownerKind: 'Node', apiVersion: 'v1', kind: 'Node' },
  endpointslice: { prefix: '/apis/discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true, ownerKind: undefined, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  dnsendpoint: { prefix: '/apis/externaldns.k8s.io/v1alpha1', plural: 'dnsendpoints', namespaced: true, ownerKind: 'DNSEndpoint', apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint' },
  'gateway-httproute': { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'httproutes', namespaced: true, ownerKind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
  gateway: { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'gateways', namespaced: true, ownerKind: undefined, apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' },
};

/** The collection paths of a source: one for the cluster, or one per namespace when namespaces are listed. */
export function collectionPaths(source: SourceName, namespaces: readonly string[]): string[] {
  const info = SOURCES[source];
  if (!info.namespaced || namespaces.length === 0) return [`${info.prefix}/${info.plural}`];
  return namespaces.map((ns) => `${info.prefix}/namespaces/${encodeURIComponent(ns)}/${info.plural}`);
}

/** The source whose objects own records under this provenance kind. */
export function sourceOfOwnerKind(kind: string): SourceName | undefined {
  return SOURCE_NAMES.find((s) => SOURCES[s].ownerKind === kind);
}
