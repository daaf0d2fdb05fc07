// REST paths of the kinds the Kubernetes tests write, and kubeconfig files for the test API server.
import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
}

/** Plural resource name and scope of each kind create/patch/remove know (others go through request()). */
const KINDS: Readonly<Record<string, { plural: string; namespaced: boolean }>> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  Node: { plural: 'nodes', namespaced: false },
  Service: { plural: 'services', namespaced: true },
  Endpoints: { plural: 'endpoints', namespaced: true },
  EndpointSlice: { plural: 'endpointslices', namespaced: true },
  Ingress: { plural: 'ingresses', namespaced: true },
  DNSEndpoint: { plural: 'dnsendpoints', namespaced: true },
  Event: { plural: 'events', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  StatefulSet: { plural: 'statefulsets', namespaced: true },
  DaemonSet: { plural: 'daemonsets', namespaced: true },
  NetworkPolicy: { plural: 'networkpolicies', namespaced: true },
  PodDisruptionBudget: { plural: 'poddisruptionbudgets', namespaced: true },
  Lease: { plural: 'leases', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
};

/**
 * The collection path of the object's kind (where it is created), e.g.
 * `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`. Namespaced objects without a
 * namespace go to `default`, as kubectl does.
 */
export function collectionPath(object: ObjectReference): string {
  const kind = KINDS[object.kind];
  if (kind === undefined) {
    throw new Error(`kube-apiserver harness: kind ${object.kind} is not known to create/patch/remove; use request() with its path`);
  }
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') throw new Error(`kube-apiserver harness: ${object.kind} without apiVersion`);
  const root = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const namespace = kind.namespaced ? `/namespaces/${encodeURIComponent(object.metadata.namespace ?? 'default')}` : '';
  return `${root}${namespace}/${kind.plural}`;
}

/** The object's own path (where it is read, patched and deleted). */
export function objectPath(object: ObjectReference): string {
  const name = object.metadata.name;
  if (name === undefined || name === '') throw new Error(`kube-apiserver harness: ${object.kind} without metadata.name`);
  return `${collectionPath(object)}/${encodeURIComponent(name)}`;
}

/** What a kubeconfig user authenticates with: a bearer token, or a client certificate and its key. */
export type KubeCredentials = { token: string } | { certFile: string; keyFile: string };

/** Writes a kubeconfig with the CA and credentials embedded, readable by kubectl and @kubernetes/client-node. */
export async function writeKubeconfig(file: string, server: string, caFile: string, user: string, credentials: KubeCredentials): Promise<void> {
  const base64 = async (f: string) => (await readFile(f)).toString('base64');
  const userEntry = 'token' in credentials
    ? { token: credentials.token }
    : { 'client-certificate-data': await base64(credentials.certFile), 'client-key-data': await base64(credentials.keyFile) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': await base64(caFile) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: 'test', context: { cluster: 'test', user, namespace: 'default' } }],
    'current-context': 'test',
    preferences: {},
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
}
