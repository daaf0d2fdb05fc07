import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';

/**
 * Where the API server is and how to authenticate to it, from a kubeconfig file or the pod's
 * service account. `@kubernetes/client-node` reads the credentials (client certificates, tokens,
 * exec plugins, OIDC, the rotating in-cluster token); it is imported only when Kubernetes is used
 * (it costs ~0.7 s to load).
 */
export interface KubeConnection {
  readonly server: URL;
  /** Options for one request: CA, client certificate or bearer token, freshly applied (tokens rotate). */
  requestOptions(): Promise<RequestOptions>;
}

export class KubeConfigError extends Error {}

/** `kubeconfig` absent: in-cluster credentials (the pod's service account). */
export async function connect(kubeconfig?: string): Promise<KubeConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (kubeconfig === undefined) kc.loadFromCluster();
    else kc.loadFromFile(expandHome(kubeconfig));
  } catch (err) {
    const where = kubeconfig === undefined ? 'the in-cluster service account' : `kubeconfig ${kubeconfig}`;
    throw new KubeConfigError(`cannot read ${where}: ${(err as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError(kubeconfig === undefined
      ? 'no in-cluster API server: KUBERNETES_SERVICE_HOST is not set (outside a pod, set kubernetes.kubeconfig)'
      : `kubeconfig ${kubeconfig} names no cluster server in its current context`);
  }
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new KubeConfigError(`kubeconfig cluster server "${cluster.server}" is not a URL`);
  }
  return {
    server,
    // (client-node sets the agent too, with the CA and client certificate)
    async requestOptions() {
      const options: RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(options);
      return options;
    },
  };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}
