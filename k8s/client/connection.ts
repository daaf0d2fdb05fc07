import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { inClusterCredentials } from './in-cluster.js';
import { staticKubeconfig } from './kubeconfig.js';

/**
 * Where the API server is and how to authenticate to it, from a kubeconfig file or the pod's
 * service account. A kubeconfig with certificates or tokens is read here (k8s/client/kubeconfig.ts);
 * `@kubernetes/client-node` is imported only for one that needs a plugin (exec, OIDC), as loading
 * it blocks for ~0.9 s and costs ~85 MiB.
 */
export interface KubeConnection {
  readonly server: URL;
  /** Options for one request: CA, client certificate or bearer token, freshly applied (tokens rotate). */
  requestOptions(): Promise<RequestOptions>;
}

export class KubeConfigError extends Error {}

/** `kubeconfig` absent: in-cluster credentials (the pod's service account), read without the library. */
export async function connect(kubeconfig?: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeConnection> {
  if (kubeconfig === undefined) {
    try {
      const { server, requestOptions } = inClusterCredentials(env);
      return { server, requestOptions: async () => requestOptions() };
    } catch (err) {
      throw new KubeConfigError((err as Error).message);
    }
  }
  const path = expandHome(kubeconfig);
  let plain;
  try {
    plain = staticKubeconfig(path);
  } catch (err) {
    throw new KubeConfigError((err as Error).message);
  }
  if (plain) return { server: plain.server, requestOptions: async () => plain.requestOptions() };
  // an exec plugin, an auth provider or basic auth: the library's loader
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (err) {
    throw new KubeConfigError(`cannot read kubeconfig ${kubeconfig}: ${(err as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new KubeConfigError(`kubeconfig ${kubeconfig} names no cluster server in its current context`);
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
