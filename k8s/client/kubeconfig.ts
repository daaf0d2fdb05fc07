import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

/** What a kubeconfig says about the current context, when it needs no plugin to say it. */
export interface StaticCredentials {
  server: URL;
  requestOptions: () => RequestOptions;
}

export class KubeconfigError extends Error {}

interface Named<T> {
  name?: string;
  [key: string]: unknown;
  value?: T;
}

type Fields = Record<string, unknown>;

/**
 * Reads a kubeconfig whose current context uses a CA, a client certificate and key, or a bearer
 * token (inline, in files, or a token file): what kubeadm, kind, k3s and service-account
 * kubeconfigs hold. Returns undefined when the user needs a plugin (exec, auth-provider) or basic
 * auth, which @kubernetes/client-node then handles. Starting the watcher this way does not load
 * the library (~0.9 s of a blocked event loop and ~85 MiB).
 */
export function staticKubeconfig(file: string): StaticCredentials | undefined {
  let doc: Fields;
  try {
    doc = parse(readFileSync(file, 'utf8')) as Fields;
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object') throw new KubeconfigError(`kubeconfig ${file} is not a mapping`);
  const contextName = doc['current-context'];
  if (typeof contextName !== 'string' || contextName === '') throw new KubeconfigError(`kubeconfig ${file} has no current-context`);
  const context = entry(doc, 'contexts', 'context', contextName, file);
  const cluster = entry(doc, 'clusters', 'cluster', String(context['cluster'] ?? ''), file);
  const user = context['user'] === undefined ? {} : entry(doc, 'users', 'user', String(context['user']), file);
  if (user['exec'] !== undefined || user['auth-provider'] !== undefined || user['username'] !== undefined) return undefined;
  const base = dirname(file);
  const bytes = (dataKey: string, fileKey: string, what: string): Buffer | undefined => {
    const data = user[dataKey] ?? cluster[dataKey];
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    const path = user[fileKey] ?? cluster[fileKey];
    if (typeof path !== 'string') return undefined;
    try {
      return readFileSync(isAbsolute(path) ? path : resolve(base, path));
    } catch (err) {
      throw new KubeconfigError(`kubeconfig ${file}: cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  let server: URL;
  try {
    server = new URL(String(cluster['server']));
  } catch {
    throw new KubeconfigError(`kubeconfig ${file}: cluster "${String(context['cluster'])}" has no server URL`);
  }
  const ca = bytes('certificate-authority-data', 'certificate-authority', 'certificate authority');
  const cert = bytes('client-certificate-data', 'client-certificate', 'client certificate');
  const key = bytes('client-key-data', 'client-key', 'client key');
  const tokenFile = typeof user['tokenFile'] === 'string' ? (isAbsolute(user['tokenFile']) ? user['tokenFile'] : resolve(base, user['tokenFile'])) : undefined;
  const inlineToken = typeof user['token'] === 'string' ? user['token'] : undefined;
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  const serverName = typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined;
  return {
    server,
    requestOptions() {
      const token = inlineToken ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined);
      return {
        ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}),
        ...(insecure ? { rejectUnauthorized: false } : {}), ...(serverName ? { servername: serverName } : {}),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      };
    },
  };
}

function entry(doc: Fields, list: string, field: string, name: string, file: string): Fields {
  const items = doc[list];
  const found = Array.isArray(items) ? (items as Named<unknown>[]).find((i) => i?.name === name) : undefined;
  const value = found?.[field];
  if (value === undefined || value === null || typeof value !== 'object') throw new KubeconfigError(`kubeconfig ${file}: no ${field} "${name}" under ${list}`);
  return value as Fields;
}
