/**
 * HTTPRoute (gateway.networking.k8s.io/v1) → records, as ExternalDNS's gateway-httproute source
 * (docs/sources/gateway.md): the names are spec.hostnames and the hostname annotation; each parent
 * in status.parents that is a Gateway which exists and has accepted the route contributes the
 * listeners matching the parentRef (sectionName, port, protocol HTTP/HTTPS, allowedRoutes), each
 * narrowing the names to its hostname (or giving its hostname when the route names none); the
 * targets are the Gateway's target annotation, else its status.addresses, merged over the parents.
 */
import { commaList, HOSTNAME_ANNOTATION, type Target, targetOf, targetsFromAnnotation } from './annotations.js';
import { RecordBuilder } from './builder.js';
import { addTargets } from './targets.js';
import type { MappingOptions, ObjectMeta, ObjectRecords } from './types.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface Gateway {
  metadata: ObjectMeta;
  spec?: {
    listeners?: { name: string; hostname?: string; port?: number; protocol?: string; allowedRoutes?: { namespaces?: { from?: string } } }[];
  };
  status?: { addresses?: { type?: string; value: string }[] };
}

export interface HTTPRoute {
  metadata: ObjectMeta;
  spec?: { hostnames?: string[]; parentRefs?: ParentReference[] };
  status?: { parents?: { parentRef: ParentReference; conditions?: { type: string; status: string }[] }[] };
}

export function httpRouteRecords(route: HTTPRoute, gatewayOf: (namespace: string, name: string) => Gateway | undefined, options: MappingOptions): ObjectRecords {
  const builder = new RecordBuilder('HTTPRoute', route.metadata, options);
  const annotations = route.metadata.annotations;
  const ttl = builder.ttl();
  const routeNames = [...(route.spec?.hostnames ?? []), ...commaList(annotations?.[HOSTNAME_ANNOTATION])].map((h) => h.toLowerCase());
  const routeNamespace = route.metadata.namespace ?? '';
  const targetsByName = new Map<string, Map<string, Target>>();
  (route.status?.parents ?? []).forEach((parent, i) => {
    const ref = parent.parentRef;
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') return;
    const gatewayNamespace = ref.namespace ?? routeNamespace;
    const gateway = gatewayOf(gatewayNamespace, ref.name);
    if (!gateway) return;
    if (!parent.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True')) return;
    const listeners = (gateway.spec?.listeners ?? []).filter((l) =>
      (ref.sectionName === undefined || l.name === ref.sectionName) &&
      (ref.port === undefined || l.port === ref.port) &&
      (l.protocol === 'HTTP' || l.protocol === 'HTTPS') &&
      allowsRoute(l.allowedRoutes?.namespaces?.from, gatewayNamespace, routeNamespace));
    if (listeners.length === 0) return;
    const override = targetsFromAnnotation(gateway.metadata.annotations);
    const targets = override.length > 0 ? override : (gateway.status?.addresses ?? []).filter((a) => a.value !== '').map((a) => targetOf(a.value));
    for (const listener of listeners) {
      const listenerHost = listener.hostname?.toLowerCase();
      const names = routeNames.length > 0 ? routeNames.flatMap((n) => narrow(n, listenerHost)) : listenerHost ? [listenerHost] : [];
      for (const host of names) {
        const name = builder.nameIn(`status.parents[${i}]`, host);
        if (name === undefined) continue;
        let set = targetsByName.get(name);
        if (!set) targetsByName.set(name, (set = new Map()));
        for (const t of targets) set.set(`${t.type} ${t.value}`, t);
      }
    }
  });
  for (const [name, targets] of targetsByName) {
    if (targets.size === 0) builder.refuse('status.parents', name, 'its Gateways have no address yet');
    else addTargets(builder, 'status.parents', name, [...targets.values()], ttl, options.zones);
  }
  return builder.result();
}

/** Gateway API allowedRoutes.namespaces.from: Same (the default), All, or Selector (the Gateway's status already says it accepted the route). */
function allowsRoute(from: string | undefined, gatewayNamespace: string, routeNamespace: string): boolean {
  if (from === 'All' || from === 'Selector') return true;
  return gatewayNamespace === routeNamespace;
}

/** The part of a route hostname that a listener hostname covers (either may be a `*.` wildcard). */
export function narrow(host: string, listener: string | undefined): string[] {
  if (listener === undefined || listener === '' || host === listener) return [host];
  if (listener.startsWith('*.') && host.endsWith(listener.slice(1)) && host.length > listener.length - 1) return [host];
  if (host.startsWith('*.') && listener.endsWith(host.slice(1)) && listener.length > host.length - 1) return [listener];
  return [];
}
