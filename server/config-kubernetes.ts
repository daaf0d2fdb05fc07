import { absoluteName, parseSelector, zoneOf, type NodeAddressSource, type NodeOptions, type ObjectFilter, type Requirement } from '../k8s/records/index.js';
import { DEFAULT_SOURCES, type SourceName } from '../k8s/watch/sources.js';
import type { Fail } from './config/error.js';
import type { ConfigFile } from './config/schema.js';

/** `kubernetes:`, checked: names absolute and lowercase, selectors parsed, the debounce in ms. */
export interface KubernetesConfig {
  /** Absent: the in-cluster service account. */
  kubeconfig: string | undefined;
  zones: string[];
  /** Apex NS (and SOA MNAME) of a zone the watcher creates; empty: ns.<zone>. */
  nameservers: string[];
  sources: SourceName[];
  namespaces: string[];
  filter: ObjectFilter;
  nodes: NodeOptions;
  defaultTtl: number;
  publishInternal: boolean;
  debounceMs: number;
}

/**
 * The checks the schema cannot make: zone names, selectors, the node names inside the zones, and
 * no watcher zone that is also a secondary zone, a catalog or a consumed catalog here.
 */
export function parseKubernetes(obj: ConfigFile, fail: Fail): KubernetesConfig | undefined {
  const k = obj.kubernetes;
  if (k === undefined) return undefined;
  const zones = k.zones.map((text, i) => {
    const name = absoluteName(text);
    if (name === undefined) fail(`kubernetes.zones[${i}]`, text, 'is not a domain name');
    return name;
  });
  for (const [i, zone] of zones.entries()) {
    if (zones.indexOf(zone) !== i) fail(`kubernetes.zones[${i}]`, k.zones[i], 'is listed twice');
    for (const [j, z] of (obj.zones ?? []).entries()) {
      if (absoluteName(z.origin) === zone && z.primaries !== undefined) {
        fail(`kubernetes.zones[${i}]`, k.zones[i], `is zones[${j}], a secondary zone here; the watcher writes only to primary zones`);
      }
    }
    for (const [j, c] of (obj.catalogs ?? []).entries()) {
      if (absoluteName(c.zone) === zone) fail(`kubernetes.zones[${i}]`, k.zones[i], `is catalogs[${j}], a catalog zone (its content is generated)`);
    }
    for (const [j, c] of (obj.consumers ?? []).entries()) {
      if (absoluteName(c.zone) === zone) fail(`kubernetes.zones[${i}]`, k.zones[i], `is consumers[${j}], a consumed catalog`);
    }
  }
  const selector = (key: string, text: string | undefined): Requirement[] => {
    const parsed = parseSelector(text ?? '');
    if (!parsed.ok) fail(key, text, `is not a selector: ${parsed.error}`);
    return parsed.requirements;
  };
  const names = (k.nodes?.names ?? []).map((text, i) => {
    const name = absoluteName(text);
    if (name === undefined) fail(`kubernetes.nodes.names[${i}]`, text, 'is not a domain name');
    if (zoneOf(name, zones) === undefined) fail(`kubernetes.nodes.names[${i}]`, text, `is outside kubernetes.zones (${zones.join(', ')})`);
    return name;
  });
  const perNode = k.nodes?.perNode ?? '';
  if (perNode !== '') {
    const sample = absoluteName(perNode.replaceAll('{name}', 'node-1'));
    if (sample === undefined) fail('kubernetes.nodes.perNode', perNode, 'is not a domain name once {name} is a node name');
    if (zoneOf(sample, zones) === undefined) fail('kubernetes.nodes.perNode', perNode, `is outside kubernetes.zones (${zones.join(', ')})`);
  }
  return {
    kubeconfig: k.kubeconfig,
    zones,
    nameservers: (k.nameservers ?? []).map((text, i) => {
      const name = absoluteName(text);
      if (name === undefined) fail(`kubernetes.nameservers[${i}]`, text, 'is not a domain name');
      return name;
    }),
    sources: [...(k.sources ?? DEFAULT_SOURCES)],
    namespaces: [...(k.namespaces ?? [])],
    filter: {
      labelSelector: selector('kubernetes.labelSelector', k.labelSelector),
      annotationFilter: selector('kubernetes.annotationFilter', k.annotationFilter),
    },
    nodes: {
      labelSelector: selector('kubernetes.nodes.labelSelector', k.nodes?.labelSelector),
      names,
      perNode,
      addressTypes: [...(k.nodes?.addressTypes ?? ['ExternalIP', 'annotation'])] as NodeAddressSource[],
    },
    defaultTtl: k.defaultTtl ?? 30,
    publishInternal: k.publishInternal ?? false,
    debounceMs: debounceMs(k.debounce),
  };
}

function debounceMs(value: number | string | undefined): number {
  if (value === undefined) return 20;
  if (typeof value === 'number') return value;
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s)\s*$/.exec(value)!;
  return Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1));
}
