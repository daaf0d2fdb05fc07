import {
  dnsEndpointRecords, filterObject, httpRouteRecords, ingressRecords, nodeRecords, ownerOf, serviceRecords, SERVICE_NAME_LABEL,
  type DNSEndpoint, type EndpointSlice, type Gateway, type HTTPRoute, type Ingress, type Node, type ObjectMeta, type Service,
} from '../records/index.js';
import type { WatchedObject, WatchEventType } from '../client/list-watch.js';
import { SOURCES, watchedSources, type SourceName } from './sources.js';
import type { OwnerChange, PendingChange, WatcherOptions } from './types.js';

type AnyObject = WatchedObject & { metadata: ObjectMeta & { managedFields?: unknown } };

/**
 * The objects seen, by kind, and which owners a change makes dirty: a Service depends on its
 * EndpointSlices (label kubernetes.io/service-name) and, when it is a NodePort Service, on the
 * nodes. Only what the records depend on is compared, so node status heartbeats cost nothing.
 */
export class ObjectIndex {
  private readonly objects = new Map<SourceName, Map<string, AnyObject>>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  private readonly serviceOfSlice = new Map<string, string>();
  private readonly nodeFingerprints = new Map<string, string>();
  private nodeList: Node[] | undefined;
  /** Dirty objects: source and key (`namespace/name`). */
  readonly dirty = new Map<string, { source: SourceName; key: string }>();

  constructor(private readonly options: WatcherOptions) {
    for (const source of watchedSources(options.sources)) this.objects.set(source, new Map());
  }

  count(source: SourceName): number {
    return this.objects.get(source)?.size ?? 0;
  }

  /** A complete list of one collection (all of a source, or one namespace of it). */
  replace(source: SourceName, namespace: string | undefined, items: AnyObject[]): void {
    const cache = this.objects.get(source)!;
    const fresh = new Map(items.map((o) => [keyOf(o), o]));
    for (const [key, old] of [...cache]) {
      if (namespace !== undefined && old.metadata.namespace !== namespace) continue;
      if (!fresh.has(key)) this.apply(source, 'DELETED', old);
    }
    this.bulk = true;
    for (const item of fresh.values()) this.apply(source, 'MODIFIED', item, true);
    this.bulk = false;
    if (source === 'node') this.nodePortServicesDirty();
  }

  private bulk = false;

  private nodePortServicesDirty(): void {
    for (const [svcKey, svc] of this.objects.get('service') ?? []) {
      if ((svc as unknown as Service).spec?.type === 'NodePort') this.markDirty('service', svcKey);
    }
  }

  /** One watch event; `force` marks the object dirty even when nothing it depends on changed (a relist). */
  apply(source: SourceName, type: WatchEventType, object: AnyObject, force = false): void {
    delete object.metadata.managedFields; // never read, and the largest part of most objects
    const cache = this.objects.get(source)!;
    const key = keyOf(object);
    const known = cache.get(key);
    const gone = type === 'DELETED' || object.metadata.deletionTimestamp !== undefined;
    if (type === 'DELETED' && known && known.metadata.uid !== object.metadata.uid) return; // an older object of that name
    if (gone) cache.delete(key);
    else cache.set(key, object);
    switch (source) {
      case 'endpointslice':
        this.sliceChanged(key, gone ? undefined : (object as unknown as EndpointSlice));
        return;
      case 'gateway':
        // a Gateway's addresses or listeners change what every route attached to it publishes
        for (const routeKey of this.objects.get('gateway-httproute')?.keys() ?? []) this.markDirty('gateway-httproute', routeKey);
        return;
      case 'node': {
        const print = gone ? undefined : nodeFingerprint(object as unknown as Node);
        if (!force && print === this.nodeFingerprints.get(key)) return;
        if (print === undefined) this.nodeFingerprints.delete(key);
        else this.nodeFingerprints.set(key, print);
        this.nodeList = undefined;
        this.markDirty('node', key);
        if (!this.bulk) this.nodePortServicesDirty();
        return;
      }
      default:
        this.markDirty(source, key);
    }
  }

  private sliceChanged(sliceKey: string, slice: EndpointSlice | undefined): void {
    const before = this.serviceOfSlice.get(sliceKey);
    if (before !== undefined) {
      this.slicesByService.get(before)?.delete(sliceKey);
      if (this.slicesByService.get(before)?.size === 0) this.slicesByService.delete(before);
      this.serviceOfSlice.delete(sliceKey);
      this.markDirty('service', before);
    }
    const serviceName = slice?.metadata.labels?.[SERVICE_NAME_LABEL];
    if (slice === undefined || serviceName === undefined) return;
    const svcKey = `${slice.metadata.namespace ?? ''}/${serviceName}`;
    let slices = this.slicesByService.get(svcKey);
    if (!slices) this.slicesByService.set(svcKey, (slices = new Map()));
    slices.set(sliceKey, slice);
    this.serviceOfSlice.set(sliceKey, svcKey);
    this.markDirty('service', svcKey);
  }

  private markDirty(source: SourceName, key: string): void {
    if (SOURCES[source].ownerKind === undefined || !this.objects.has(source)) return;
    this.dirty.set(`${source}|${key}`, { source, key });
  }

  /** Every dirty owner, its records computed on `resolve()` (from the objects as they are then); clears the dirty set. */
  takeChanges(): PendingChange[] {
    const changes: PendingChange[] = [];
    for (const { source, key } of this.dirty.values()) {
      const [namespace, name] = splitKey(key);
      changes.push({ owner: ownerOf(SOURCES[source].ownerKind!, { name, namespace, uid: '' }), resolve: () => this.recordsOf(source, key) });
    }
    this.dirty.clear();
    return changes;
  }

  /** Owners of a kind that exist now (for stale-owner removal after a complete list). */
  liveOwners(source: SourceName): Set<string> {
    const kind = SOURCES[source].ownerKind!;
    return new Set([...(this.objects.get(source)?.values() ?? [])].map((o) => ownerOf(kind, o.metadata)));
  }

  private recordsOf(source: SourceName, key: string): OwnerChange {
    const info = SOURCES[source];
    const object = this.objects.get(source)?.get(key);
    if (!object) {
      const [namespace, name] = splitKey(key);
      return { owner: ownerOf(info.ownerKind!, { name, namespace, uid: '' }), object: undefined, records: [], refused: [] };
    }
    const meta = object.metadata;
    const ref = { apiVersion: info.apiVersion, kind: info.kind, name: meta.name, namespace: meta.namespace, uid: meta.uid };
    const { mapping } = this.options;
    if (source !== 'node' && filterObject(meta, this.options.filter) !== undefined) {
      // not considered at all: no records, and nothing to report
      return { owner: ownerOf(info.ownerKind!, meta), object: ref, records: [], refused: [] };
    }
    const result = source === 'service'
      ? serviceRecords(object as unknown as Service, { slices: [...(this.slicesByService.get(key)?.values() ?? [])], nodes: this.nodes() }, mapping)
      : source === 'ingress' ? ingressRecords(object as unknown as Ingress, mapping)
        : source === 'node' ? nodeRecords(object as unknown as Node, this.options.nodes, mapping)
          : source === 'gateway-httproute' ? httpRouteRecords(object as unknown as HTTPRoute, (ns, name) => this.objects.get('gateway')?.get(`${ns}/${name}`) as unknown as Gateway | undefined, mapping)
            : dnsEndpointRecords(object as unknown as DNSEndpoint, mapping);
    return { owner: result.owner, object: ref, records: result.records, refused: result.refused };
  }

  private nodes(): Node[] {
    return (this.nodeList ??= [...(this.objects.get('node')?.values() ?? [])] as unknown as Node[]);
  }
}

function keyOf(object: WatchedObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** What node records and NodePort Services read of a node. */
function nodeFingerprint(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify([node.metadata.labels, node.metadata.annotations, node.spec?.unschedulable, ready, node.status?.addresses]);
}
