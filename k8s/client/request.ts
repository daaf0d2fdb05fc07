import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConnection } from './connection.js';

/** An API answer: the HTTP status and the parsed JSON body (undefined when it was not JSON). */
export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

/** A failure to reach the API server at all (refused, reset, TLS), as opposed to an HTTP status. */
export class KubeUnreachable extends Error {}

/** The `message` of a Kubernetes `Status` body, or the status code. */
export function statusMessage(response: KubeResponse): string {
  const body = response.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? `${response.status} ${body.message}` : `HTTP ${response.status}`;
}

const REQUEST_TIMEOUT_MS = 30_000;
const KEEPALIVE_MS = 15_000;

/** One JSON request; never throws on an HTTP status, throws `KubeUnreachable` when there is no answer. */
export async function kubeRequest<T = unknown>(
  conn: KubeConnection, method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<KubeResponse<T>> {
  const response = await open(conn, method, path, body === undefined ? undefined : { data: JSON.stringify(body), contentType }, timeoutMs);
  const text = await readAll(response);
  let parsed: unknown;
  try {
    parsed = text.length === 0 ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode ?? 0, body: parsed as T };
}

/**
 * A streaming GET (a watch): `onLine` gets each newline-delimited JSON object as it arrives.
 * Resolves when the server ends the stream, with the status; rejects with `KubeUnreachable` when
 * the connection fails. `signal` aborts it (resolves).
 */
export async function kubeStream(
  conn: KubeConnection, path: string, onLine: (line: unknown) => void, signal: AbortSignal, idleTimeoutMs: number,
): Promise<KubeResponse> {
  const response = await open(conn, 'GET', path, undefined, idleTimeoutMs, signal);
  const status = response.statusCode ?? 0;
  if (status !== 200) return { status, body: parseOrUndefined(await readAll(response)) };
  return new Promise((resolve, reject) => {
    let pending = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim().length === 0) continue;
        const parsed = parseOrUndefined(line);
        if (parsed !== undefined) onLine(parsed);
      }
    });
    response.on('end', () => resolve({ status, body: undefined }));
    response.on('error', (err) => (signal.aborted ? resolve({ status, body: undefined }) : reject(new KubeUnreachable(err.message))));
    response.on('aborted', () => (signal.aborted ? resolve({ status, body: undefined }) : reject(new KubeUnreachable('the API server closed the watch'))));
  });
}

async function open(
  conn: KubeConnection, method: string, path: string, body: { data: string; contentType: string } | undefined,
  timeoutMs: number, signal?: AbortSignal,
): Promise<IncomingMessage> {
  const options = await conn.requestOptions();
  const url = new URL(path, conn.server);
  const headers: Record<string, string | number> = { ...(options.headers as Record<string, string>), accept: 'application/json' };
  if (body) {
    headers['content-type'] = body.contentType;
    headers['content-length'] = Buffer.byteLength(body.data);
  }
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, method, headers, signal, timeout: timeoutMs });
    // a partitioned API server sends no FIN: TCP keepalive finds the dead connection in ~1 min, not at the idle timeout
    req.on('socket', (socket) => socket.setKeepAlive(true, KEEPALIVE_MS));
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error(`no data from the API server for ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(signal?.aborted ? new KubeUnreachable('aborted') : new KubeUnreachable(`${url.host}: ${err.message}`)));
    req.end(body?.data);
  });
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (c: Buffer) => chunks.push(c));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', (err) => reject(new KubeUnreachable(err.message)));
  });
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
