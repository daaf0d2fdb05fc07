import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { inClusterCredentials } from './in-cluster.js';

/**
 * Where the API server is and how to authenticate to it, from a kubeconfig file or the pod's
 * service account. `@kubernetes/client-node` reads kubeconfig files (client certificates, tokens,
 * exec plugins, OIDC); it is imported only for one (it costs ~0.7 s and ~85 MiB to load).
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
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(expandHome(kubeconfig));
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
