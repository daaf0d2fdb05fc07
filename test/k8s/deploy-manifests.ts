// Rendering k8s/deploy/ with kubectl's kustomize and reading the objects it makes, for
// test/k8s/deploy.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEPLOY = join(ROOT, 'k8s', 'deploy');
export const OVERLAYS = { base: join(DEPLOY, 'base'), dev: join(DEPLOY, 'overlays', 'dev'), prod: join(DEPLOY, 'overlays', 'prod') } as const;
export type Overlay = keyof typeof OVERLAYS;

/**
 * Debian's kubernetes-client 1.20 (kustomize v2.0.3), unpacked, not installed (it would replace the
 * modern kubectl): the oldest kustomize the manifests are written for.
 */
export const KUBECTL_1_20 = process.env['MESHDNS_KUBECTL_1_20'] ?? '/var/cache/meshdns-ci/kubernetes-client-1.20/usr/bin/kubectl';

/** A modern kubectl (its kustomize is v5): Debian's `kubectl` (Google's repository) or `kubernetes-client`. */
export function requireKubectl(): string {
  const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('kubectl is not installed: apt-get install -y kubectl (or kubernetes-client)');
  return found.stdout.trim();
}

export function requireKubectl120(): string {
  if (!existsSync(KUBECTL_1_20)) {
    throw new Error(`kubectl 1.20 (kustomize v2.0.3) is not at ${KUBECTL_1_20}: ` +
      'apt-get download kubernetes-client && dpkg -x kubernetes-client_*.deb /var/cache/meshdns-ci/kubernetes-client-1.20 ' +
      '(unpacked, not installed; or set MESHDNS_KUBECTL_1_20)');
  }
  return KUBECTL_1_20;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: any };
  [field: string]: any;
}

/** The overlay's objects as `kubectl kustomize` renders them (kustomize's deprecation warnings go to stderr). */
export function render(overlay: Overlay, kubectl = requireKubectl()): { text: string; objects: K8sObject[] } {
  const text = execFileSync(kubectl, ['kustomize', OVERLAYS[overlay]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const objects = parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
  return { text, objects };
}

/**
 * Each object as JSON by `kind/name`, in a form that does not depend on the kustomize version: the
 * hash suffix of a generated ConfigMap differs between versions, and v2.0.3 leaves an empty
 * `annotations` on a replaced one.
 */
export function comparable(objects: readonly K8sObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    const copy = structuredClone(o);
    if (copy.metadata['annotations'] !== undefined && Object.keys(copy.metadata['annotations']).length === 0) delete copy.metadata['annotations'];
    out[`${o.kind}/${o.metadata.name.replace(/^meshdns-config-[a-z0-9]{10}$/, 'meshdns-config-HASH')}`] =
      JSON.stringify(copy, sortedKeys).replace(/meshdns-config-[a-z0-9]{10}/g, 'meshdns-config-HASH');
  }
  return out;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

const renderedOnce = new Map<Overlay, K8sObject[]>();

/** The overlay's objects rendered by the modern kubectl, once per test file. */
export function objectsOf(overlay: Overlay): K8sObject[] {
  let objects = renderedOnce.get(overlay);
  if (objects === undefined) {
    objects = render(overlay).objects;
    renderedOnce.set(overlay, objects);
  }
  return objects;
}

export const OVERLAY_NAMES = Object.keys(OVERLAYS) as Overlay[];

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export const WORKLOAD_KINDS = new Set(['StatefulSet', 'DaemonSet', 'Deployment', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

export function podSpec(o: K8sObject): any {
  return o.kind === 'Pod' ? o['spec'] : o.kind === 'CronJob' ? o['spec'].jobTemplate.spec.template.spec : o['spec'].template.spec;
}

/** RBAC rules flattened to `group/resource:verb` strings, sorted. */
export function grants(role: K8sObject): string[] {
  const out = new Set<string>();
  for (const rule of role['rules'] as { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]) {
    for (const group of rule.apiGroups ?? ['']) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) out.add(`${group}/${resource}:${verb}`);
      }
    }
  }
  return [...out].sort();
}

/** Does the role allow `verb` on core `resource`, wildcards included? */
export function allows(role: K8sObject, group: string, resource: string, verb: string): boolean {
  return (role['rules'] as { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]).some((r) =>
    (r.apiGroups ?? []).some((g) => g === group || g === '*') &&
    (r.resources ?? []).some((x) => x === resource || x === '*') &&
    r.verbs.some((v) => v === verb || v === '*'));
}

/** True when every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function configVolume(pod: any): any {
  return pod.volumes.find((v: { name: string }) => v.name === 'config');
}

export function podSpecLabels(o: K8sObject): Record<string, string> {
  return o['spec'].template.metadata.labels;
}

/** The meshdns.yaml of the ConfigMap the StatefulSet mounts, parsed. */
export function serverConfig(objects: readonly K8sObject[]): any {
  const source = configVolume(podSpec(find(objects, 'StatefulSet', 'meshdns'))).projected.sources.find((s: any) => s.configMap);
  return parseYaml(find(objects, 'ConfigMap', source.configMap.name)['data']['meshdns.yaml']);
}
