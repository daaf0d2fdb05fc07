import type { NodeApi } from './node-annotation.js';

/**
 * The agent's two Kubernetes calls (GET and merge-PATCH of its Node) through @kubernetes/client-node,
 * which brings kubeconfig and in-cluster credentials (exec plugins, OIDC, token rotation). The
 * library is imported here only, on first use: importing it costs ~0.7 s, paid by `meshdns agent` alone.
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

/** The part of the client's RequestContext the middleware uses. */
interface RequestSettings {
  setSignal(signal: AbortSignal): void;
  setHeaderParam(key: string, value: string): void;
}

const SERVICE_ACCOUNT_HINT = 'no --kubeconfig given and not inside a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set)';

/** Loads the credentials (throws a KubeApiError naming the file when they cannot be loaded) and returns the calls. */
export async function kubeNodeApi(options: KubeNodeApiOptions = {}): Promise<NodeApi & { readonly server: string }> {
  const k8s = await import('@kubernetes/client-node');
  const config = new k8s.KubeConfig();
  if (options.kubeconfig !== undefined) {
    try {
      config.loadFromFile(options.kubeconfig);
    } catch (error) {
      throw new KubeApiError(`cannot load the kubeconfig "${options.kubeconfig}": ${(error as Error).message}`);
    }
  } else {
    const env = options.env ?? process.env;
    if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) throw new KubeApiError(SERVICE_ACCOUNT_HINT);
    config.loadFromCluster();
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new KubeApiError(`the kubeconfig "${options.kubeconfig ?? ''}" has no current context with a cluster`);
  const api = config.makeApiClient(k8s.CoreV1Api);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const fieldManager = options.fieldManager ?? 'meshdns-agent';

  /**
   * Per-request settings: the timeout, and for a patch its content type (the client would pick JSON
   * Patch). The object-parameter API runs Observable-style middleware: each step returns the
   * library's Observable.
   */
  const requestOptions = (contentType?: string) => ({
    middleware: [
      {
        pre: (request: RequestSettings) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          if (contentType !== undefined) request.setHeaderParam('Content-Type', contentType);
          return new k8s.Observable(Promise.resolve(request));
        },
        post: <T>(response: T) => new k8s.Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  });

  const call = async <T>(what: string, node: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw kubeApiError(error, what, node, cluster.server, timeoutMs);
    }
  };

  return {
    server: cluster.server,
    readAnnotation: (node, key) =>
      call('read', node, async () => {
        // (the generated client's types want its own RequestContext; ours is the structural subset it has)
        const found = await api.readNode({ name: node }, requestOptions() as never);
        return found.metadata?.annotations?.[key];
      }),
    patchAnnotation: (node, key, value) =>
      call('patch', node, async () => {
        const body = { metadata: { annotations: { [key]: value } } };
        await api.patchNode({ name: node, body, fieldManager }, requestOptions('application/merge-patch+json') as never);
      }),
  };
}

/** The API's own words where it sent a Status (RBAC says who may not do what), else the transport's. */
function kubeApiError(error: unknown, what: string, node: string, server: string, timeoutMs: number): KubeApiError {
  const e = error as { code?: unknown; body?: unknown; name?: string; message?: string; cause?: unknown };
  if (typeof e.code === 'number' && e.code >= 100 && e.code < 600) {
    const message = statusMessage(e.body);
    switch (e.code) {
      case 404:
        return new KubeApiError(`node "${node}" not found (404): is --node the Node's name (kubectl get nodes)?`, 404);
      case 403:
        return new KubeApiError(`${message ?? `forbidden to ${what} node "${node}"`} (403 Forbidden: the agent's account needs get and patch on nodes)`, 403);
      case 401:
        return new KubeApiError(`the API server at ${server} refused the credentials (401 Unauthorized)${message ? `: ${message}` : ''}`, 401);
      default:
        return new KubeApiError(`${what} node "${node}": HTTP ${e.code}${message ? `: ${message}` : ''}`, e.code);
    }
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new KubeApiError(`no answer from the API server at ${server} within ${timeoutMs / 1000} s`);
  }
  const cause = e.cause as { code?: unknown; message?: string } | undefined;
  const detail = cause?.message ?? e.message ?? String(error);
  return new KubeApiError(`the API server at ${server} is unreachable: ${detail}`);
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
