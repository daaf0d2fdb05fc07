import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';

/** Where a pod's service account is mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The token file is read again after this long (bound tokens rotate; the kubelet rewrites the file), as client-go does. */
const TOKEN_REREAD_MS = 60_000;

export class InClusterError extends Error {}

/**
 * The pod's own credentials: the API server from KUBERNETES_SERVICE_HOST/PORT, its CA and the
 * service-account token from the mounted files. No library: in a pod this is all a kubeconfig
 * would say, and it spares the watcher and the agent ~85 MiB and ~0.7 s of @kubernetes/client-node.
 */
export function inClusterCredentials(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): { server: URL; requestOptions: () => RequestOptions } {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) {
    throw new InClusterError('not inside a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (outside a pod, give a kubeconfig)');
  }
  const read = (file: string) => {
    try {
      return readFileSync(`${dir}/${file}`, 'utf8');
    } catch (err) {
      throw new InClusterError(`cannot read the service account's ${file} in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const ca = read('ca.crt');
  let token = read('token').trim();
  let readAt = Date.now();
  const server = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  return {
    server,
    requestOptions() {
      if (Date.now() - readAt > TOKEN_REREAD_MS) {
        try {
          token = read('token').trim();
          readAt = Date.now();
        } catch {
          // keep the token in hand; the API server says 401 if it has expired
        }
      }
      return { ca, headers: { authorization: `Bearer ${token}` } };
    },
  };
}
