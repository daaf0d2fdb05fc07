// `npm run bench:k8s`: the API-side driver. One HTTP/2 session to kube-apiserver (it speaks h2 over
// TLS), many requests in flight on it, so 10,000 creations cost the API server's time rather than
// one TLS handshake or one round trip each. Objects are built here: LoadBalancer Services published
// through the ExternalDNS hostname + target annotations (no status patch: the API server clears
// status on create, and no controller fills it), and Ready Nodes with a globally reachable ExternalIP
// (Nodes keep their status on create).

import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

export const HOSTNAME = 'external-dns.alpha.kubernetes.io/hostname';
export const TARGET = 'external-dns.alpha.kubernetes.io/target';
export const NODE_LABEL = { key: 'serve-public', value: 'true' } as const;

export interface ApiAnswer {
  status: number;
  body: string;
}

/** An HTTP/2 client for the admin bearer token; every call resolves with status and body, never throws on HTTP status. */
export class KubeH2 {
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly url: string, private readonly token: string, private readonly caFile: string) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.url, { ca: readFileSync(this.caFile) });
    session.on('error', () => { /* a broken session: the next request opens another */ });
    session.unref();
    this.session = session;
    return session;
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer> {
    return new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = {
        ':method': method, ':path': path, authorization: `Bearer ${this.token}`, accept: 'application/json',
      };
      const payload = body === undefined ? undefined : JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] = contentType;
      const stream = this.connect().request(headers);
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', reject);
      stream.setTimeout(60_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.end(payload);
    });
  }

  /** The request, or an Error naming the call and the API's message unless the status is one of `ok`. */
  async expect(method: string, path: string, ok: readonly number[], body?: unknown, contentType?: string): Promise<ApiAnswer> {
    const answer = await this.request(method, path, body, contentType);
    if (!ok.includes(answer.status)) throw new Error(`${method} ${path}: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer;
  }

  close(): void {
    this.session?.close();
  }
}

export interface Fleet {
  namespace: string;
  zone: string;
}

export const serviceName = (i: number): string => `svc-${i}`;
export const serviceHost = (f: Fleet, i: number): string => `svc-${i}.${f.zone}`;
export const nodeName = (i: number): string => `node-${i}`;
export const nodeHost = (f: Fleet, i: number): string => `node-${i}.nodes.${f.zone}`;

/**
 * Addresses outside every IANA special-purpose block (k8s/global-address.ts), so "globally
 * reachable": 11.0.0.0/8 for Service targets and 44.0.0.0/8 for Nodes; `version` shifts the
 * second octet so a changed target is a different address.
 */
export function serviceTarget(i: number, version = 0): string {
  return `11.${(version * 64 + (i >> 16)) & 255}.${(i >> 8) & 255}.${i & 255}`;
}
export function nodeAddress(i: number): string {
  return `44.0.${(i >> 8) & 255}.${i & 255}`;
}

export function serviceObject(f: Fleet, i: number, version = 0): object {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: serviceName(i), namespace: f.namespace, annotations: { [HOSTNAME]: serviceHost(f, i), [TARGET]: serviceTarget(i, version) } },
    // no NodePorts: 11,000 LoadBalancer Services would need more than the default range holds (2,768);
    // the field is alpha in 1.20 (feature gate ServiceLBNodePortControl, which k8s.ts turns on), GA in 1.24
    spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, selector: { app: serviceName(i) }, ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

export function nodeObject(i: number, ready = true): object {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: nodeName(i), labels: { [NODE_LABEL.key]: NODE_LABEL.value } },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'Bench', message: 'bench', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      addresses: [{ type: 'InternalIP', address: `10.1.${(i >> 8) & 255}.${i & 255}` }, { type: 'ExternalIP', address: nodeAddress(i) }, { type: 'Hostname', address: nodeName(i) }],
    },
  };
}

export const servicesPath = (f: Fleet): string => `/api/v1/namespaces/${f.namespace}/services`;
export const servicePath = (f: Fleet, i: number): string => `${servicesPath(f)}/${serviceName(i)}`;
export const NODES_PATH = '/api/v1/nodes';
export const nodePath = (i: number): string => `${NODES_PATH}/${nodeName(i)}`;

export interface Created {
  /** performance.now() when each call's answer arrived, by index into the list. */
  readonly doneAt: Float64Array;
  readonly ms: number;
}

/**
 * POSTs `count` objects with `inFlight` requests outstanding; a 429/5xx (API priority and fairness,
 * a busy etcd) is retried after a short pause. `onDone(i, at)` runs as each answer arrives.
 */
export async function createMany(
  api: KubeH2, path: string, count: number, make: (i: number) => object, inFlight: number,
  onDone: (i: number, at: number) => void = () => undefined,
): Promise<Created> {
  const doneAt = new Float64Array(count);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        const answer = await api.request('POST', path, make(i));
        if (answer.status === 201) break;
        if ((answer.status === 429 || answer.status >= 500) && attempt < 20) {
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
          continue;
        }
        throw new Error(`POST ${path} (#${i}): HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
      }
      doneAt[i] = performance.now();
      onDone(i, doneAt[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return { doneAt, ms: performance.now() - t0 };
}
