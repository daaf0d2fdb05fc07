/**
 * Which objects are considered at all: `labelSelector` on their labels and `annotationFilter` on
 * their annotations (ExternalDNS --label-filter and --annotation-filter, both label-selector syntax;
 * source/source.go filterByAnnotations parses the filter with labels.Parse and matches annotations).
 */
import { matchesSelector, parseSelector, type Requirement } from './selector.js';
import type { ObjectMeta, Refusal } from './types.js';

export interface ObjectFilter {
  labelSelector: Requirement[];
  annotationFilter: Requirement[];
}

/** Parses both selectors of the configuration; an error names the setting and the problem. */
export function parseObjectFilter(labelSelector: string, annotationFilter: string): { ok: true; filter: ObjectFilter } | { ok: false; error: string } {
  const labels = parseSelector(labelSelector);
  if (!labels.ok) return { ok: false, error: `kubernetes.labelSelector: ${labels.error}` };
  const annotations = parseSelector(annotationFilter);
  if (!annotations.ok) return { ok: false, error: `kubernetes.annotationFilter: ${annotations.error}` };
  return { ok: true, filter: { labelSelector: labels.requirements, annotationFilter: annotations.requirements } };
}

/** Undefined when the object is considered; else why not. */
export function filterObject(meta: ObjectMeta, filter: ObjectFilter): Refusal | undefined {
  if (!matchesSelector(filter.labelSelector, meta.labels)) {
    return { field: 'metadata.labels', value: JSON.stringify(meta.labels ?? {}), reason: 'does not match kubernetes.labelSelector' };
  }
  if (!matchesSelector(filter.annotationFilter, meta.annotations)) {
    return { field: 'metadata.annotations', value: JSON.stringify(meta.annotations ?? {}), reason: 'does not match kubernetes.annotationFilter' };
  }
  return undefined;
}
