import { connect, KubeConfigError, type KubeConnection } from '../client/connection.js';
import { kubeRequest, type KubeResponse } from '../client/request.js';
import type { NodeApi } from './node-annotation.js';

/**
 * The agent's two Kubernetes calls (GET and merge-PATCH of its Node) over k8s/client: in a pod the
 * service account's files, with --kubeconfig @kubernetes/client-node's loader (exec plugins, OIDC).
 * A DaemonSet runs one agent per node, so it stays small: no client library in a pod.
 */

export interface KubeNodeApiOptions {
  /** A kubeconfig file (its current context); absent: the in-cluster service account. */
  readonly kubeconfig?: string;
  /** One request never waits longer than this (an API server behind a partition does not answer at all). */
  readonly requestTimeoutMs?: number;
  /** Recorded by the API server in managedFields as the writer of the annotation. */
  readonly fieldManager?: string;
  /** Where KUBERNETES_SERVICE_HOST/PORT are looked up before in-cluster credentials are tried (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A failed call, its message one line an operator can act on; `status` is the HTTP status when one came. */
export class KubeApiError extends Error {
  override name = 'KubeApiError';

  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const SERVICE_ACCOUNT_HINT = 'no --kubeconfig given and not inside a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)';
const SERVICE_ACCOUNT_HINT_FOR = (reason: string) => (/KUBERNETES_SERVICE_HOST/.test(reason) ? SERVICE_ACCOUNT_HINT : `no --kubeconfig given and ${reason}`);

/** Loads the credentials (throws a KubeApiError naming the file when they cannot be loaded) and returns the calls. */
export async function kubeNodeApi(options: KubeNodeApiOptions = {}): Promise<NodeApi & { readonly server: string }> {
  let conn: KubeConnection;
  try {
    conn = await connect(options.kubeconfig, options.env ?? process.env);
  } catch (error) {
    throw new KubeApiError(error instanceof KubeConfigError && options.kubeconfig === undefined ? SERVICE_ACCOUNT_HINT_FOR(error.message) : (error as Error).message);
  }
  const server = conn.server.origin;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const fieldManager = options.fieldManager ?? 'meshdns-agent';
  const nodePath = (node: string) => `/api/v1/nodes/${encodeURIComponent(node)}`;

  const call = async <T>(what: string, node: string, method: string, path: string, body?: unknown, contentType?: string): Promise<T> => {
    let response: KubeResponse<T>;
    try {
      response = await kubeRequest<T>(conn, method, path, body, contentType, timeoutMs);
    } catch (error) {
      const message = (error as Error).message;
      if (/no data from the API server/.test(message)) throw new KubeApiError(`no answer from the API server at ${server} within ${timeoutMs / 1000} s`);
      throw new KubeApiError(`the API server at ${server} is unreachable: ${message}`);
    }
    if (response.status >= 200 && response.status < 300) return response.body;
    throw kubeApiError(response.status, response.body, what, node, server);
  };

  return {
    server,
    readAnnotation: async (node, key) => {
      const found = await call<{ metadata?: { annotations?: Record<string, string> } }>('read', node, 'GET', nodePath(node));
      return found?.metadata?.annotations?.[key];
    },
    patchAnnotation: async (node, key, value) => {
      const body = { metadata: { annotations: { [key]: value } } };
      await call('patch', node, 'PATCH', `${nodePath(node)}?fieldManager=${encodeURIComponent(fieldManager)}`, body, 'application/merge-patch+json');
    },
  };
}

/** The API's own words where it sent a Status (RBAC says who may not do what). */
function kubeApiError(status: number, body: unknown, what: string, node: string, server: string): KubeApiError {
  const message = statusMessage(body);
  switch (status) {
    case 404:
      return new KubeApiError(`node "${node}" not found (404): is --node the Node's name (kubectl get nodes)?`, 404);
    case 403:
      return new KubeApiError(`${message ?? `forbidden to ${what} node "${node}"`} (403 Forbidden: the agent's account needs get and patch on nodes)`, 403);
    case 401:
      return new KubeApiError(`the API server at ${server} refused the credentials (401 Unauthorized)${message ? `: ${message}` : ''}`, 401);
    default:
      return new KubeApiError(`${what} node "${node}": HTTP ${status}${message ? `: ${message}` : ''}`, status);
  }
}

/** A Kubernetes Status object's message; the client hands the body over parsed or as text. */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 300);
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}
