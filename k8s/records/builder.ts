/**
 * Collects the records and refusals of one object: every record goes through the same checks (an
 * absolute name inside the configured zones; no duplicate), so the source mappers only say what the
 * object asks for.
 */
import type { K8sRecord, MappingOptions, ObjectMeta, ObjectRecords, Refusal } from './types.js';
import { absoluteName, zoneOf } from './names.js';
import { ttlFromAnnotations, TTL_ANNOTATION } from './annotations.js';

export class RecordBuilder {
  readonly records: K8sRecord[] = [];
  readonly refused: Refusal[] = [];
  private readonly seen = new Set<string>();
  private readonly refusedNames = new Set<string>();

  constructor(
    readonly kind: string,
    readonly meta: ObjectMeta,
    private readonly options: MappingOptions,
  ) {}

  /** Adds a record unless its name lies outside the zones (refused once per name, naming `field`). */
  add(field: string, record: K8sRecord): void {
    if (zoneOf(record.name, this.options.zones) === undefined) {
      if (!this.refusedNames.has(record.name)) {
        this.refusedNames.add(record.name);
        this.refuse(field, record.name, this.outsideReason());
      }
      return;
    }
    const key = `${record.name} ${record.type} ${record.rdata}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.records.push(record);
  }

  /** The absolute name of `hostname` when it is valid and inside the zones; else refused under `field`. */
  nameIn(field: string, hostname: string): string | undefined {
    const name = absoluteName(hostname);
    if (name === undefined) {
      this.refuse(field, hostname, 'not a hostname');
      return undefined;
    }
    if (zoneOf(name, this.options.zones) === undefined) {
      this.refusedNames.add(name);
      this.refuse(field, name, this.outsideReason());
      return undefined;
    }
    return name;
  }

  private outsideReason(): string {
    return `outside the configured zones (${this.options.zones.join(', ') || 'none'})`;
  }

  /** The TTL annotation's value, or the default TTL (a bad annotation is refused, naming it). */
  ttl(): number {
    const annotations = this.meta.annotations;
    const parsed = ttlFromAnnotations(annotations);
    if (parsed.ttl === undefined && parsed.error !== undefined) {
      this.refuse(`metadata.annotations["${TTL_ANNOTATION}"]`, annotations?.[TTL_ANNOTATION] ?? '', `${parsed.error}; the default TTL applies`);
    }
    return parsed.ttl ?? this.options.defaultTtl;
  }

  refuse(field: string, value: string, reason: string): void {
    this.refused.push({ field, value, reason });
  }

  result(): ObjectRecords {
    return { owner: ownerOf(this.kind, this.meta), uid: this.meta.uid, records: this.records, refused: this.refused };
  }
}

/** Provenance `k8s:<kind>/<namespace>/<name>`; cluster-scoped objects (Node) have an empty namespace. */
export function ownerOf(kind: string, meta: ObjectMeta): string {
  return `k8s:${kind}/${meta.namespace ?? ''}/${meta.name}`;
}
