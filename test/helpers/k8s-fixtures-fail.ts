// What the watcher failure-mode tests (test/k8s/watcher-*.test.ts) build around a real API server
// and a real meshdns: LoadBalancer Services, the meshdns config with its `kubernetes:` section, a
// kubeconfig, the admin API and /metrics of the running meshdns, and a TCP proxy that can cut
// meshdns off from the API server while the API server itself stays up (a partition).
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { KubeApiServer } from './kube-apiserver.js';
import type { RunningMeshdns } from './meshdns.js';

export const HOSTNAME_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';

export interface ServiceRef {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: { name: string; namespace: string };
}

export function serviceRef(name: string, namespace = 'default'): ServiceRef {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } };
}

/**
 * A LoadBalancer Service published at `hostnames`, with one unnamed port (a named one would add
 * SRV records the tests do not look at). No controller runs: its address comes from publish(),
 * or from spec.externalIPs (which win over the load balancer's, as in ExternalDNS) when given,
 * so the object has its address from its first version on.
 */
export function loadBalancerService(name: string, hostnames: readonly string[], namespace = 'default', externalIPs: readonly string[] = []): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: { [HOSTNAME_ANNOTATION]: hostnames.join(',') } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...(externalIPs.length > 0 ? { externalIPs } : {}) },
  };
}

/** Sets status.loadBalancer.ingress, as a cloud controller would. */
export async function publish(kapi: KubeApiServer, name: string, ips: readonly string[], namespace = 'default'): Promise<void> {
  await kapi.patch(serviceRef(name, namespace), { status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } } }, 'status');
}

/** Creates the Service and gives it its load-balancer addresses; returns the new object's uid. */
export async function createPublishedService(kapi: KubeApiServer, name: string, hostnames: readonly string[], ips: readonly string[], namespace = 'default'): Promise<string> {
  const created = await kapi.create<{ metadata: { uid: string } }>(loadBalancerService(name, hostnames, namespace));
  await publish(kapi, name, ips, namespace);
  return created.metadata.uid;
}

export interface KubernetesSection {
  kubeconfig: string;
  zones: readonly string[];
  sources?: readonly string[];
}

/** The `kubernetes:` section of meshdns.yaml, in the shape. */
export function kubernetesYaml(section: KubernetesSection): string {
  return [
    'kubernetes:',
    `  kubeconfig: ${JSON.stringify(section.kubeconfig)}`,
    `  zones: [${section.zones.join(', ')}]`,
    `  sources: [${(section.sources ?? ['service']).join(', ')}]`,
    '  defaultTtl: 30',
    '  publishInternal: false',
    '  debounce: 20ms',
  ].join('\n');
}

/** A kubeconfig for the admin token that reaches the API server at `server` (the proxy's address, say). */
export function writeKubeconfig(path: string, server: string, kapi: KubeApiServer): string {
  writeFileSync(path, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: test\n    cluster:\n      server: ${JSON.stringify(server)}\n      certificate-authority: ${JSON.stringify(kapi.caFile)}`,
    'users:',
    `  - name: admin\n    user:\n      token: ${JSON.stringify(kapi.token)}`,
    'contexts:',
    '  - name: test\n    context:\n      cluster: test\n      user: admin',
    'current-context: test',
    '',
  ].join('\n'));
  return path;
}

/** Waits for the watcher's `kubernetes: synced` log line (every source listed, first commit done). */
export function waitForSynced(meshdns: RunningMeshdns, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return meshdns.waitForLog((e) => typeof e['msg'] === 'string' && (e['msg'] as string).startsWith('kubernetes: synced'), timeoutMs);
}

/** The parsed log lines of meshdns (JSON lines; anything else left out). */
export function logEntries(meshdns: RunningMeshdns): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of meshdns.logs().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the stderr interleaving: not a log entry
    }
  }
  return entries;
}

/** The admin API of a running meshdns, with its token. */
export async function adminRequest(meshdns: RunningMeshdns, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const admin = meshdns.admin;
  if (admin === undefined) throw new Error('meshdns runs without its admin API');
  const res = await fetch(`${admin.url}${path}`, {
    method,
    headers: { ...(admin.token === undefined ? {} : { authorization: `Bearer ${admin.token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/**
 * The sum over the series of a Prometheus metric on /metrics whose labels include every one of
 * `labels` (written as in the exposition: `reason="gone"`); 0 when there is none.
 */
export async function metricTotal(meshdns: RunningMeshdns, name: string, labels: readonly string[] = []): Promise<number> {
  const { status, text } = await adminRequest(meshdns, 'GET', '/metrics');
  if (status !== 200) throw new Error(`GET /metrics answered ${status}: ${text}`);
  return text.split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => labels.every((label) => line.slice(0, line.lastIndexOf(' ')).includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * The zone's records as `name TYPE rdata` lines, sorted, from the admin export (one LMDB snapshot),
 * without the SOA and the apex NS RRset and the address records of those name servers: what the
 * zone holds besides what the watcher made when it created the zone.
 */
export async function zoneContent(meshdns: RunningMeshdns, origin: string): Promise<string[]> {
  const { status, text } = await adminRequest(meshdns, 'GET', `/api/v1/zones/${origin}/export`);
  if (status !== 200) throw new Error(`export of ${origin} answered ${status}: ${text}`);
  const rows = text.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith(';') && !line.startsWith('$'))
    .map((line) => line.split(/\s+/))
    .map((parts) => ({ name: parts[0]!.toLowerCase(), type: parts[3]!, rdata: parts.slice(4).join(' ') }));
  const apex = origin.toLowerCase();
  const nameServers = new Set(rows.filter((r) => r.name === apex && r.type === 'NS').map((r) => r.rdata.toLowerCase()));
  return rows
    .filter((r) => r.type !== 'SOA' && !(r.name === apex && r.type === 'NS'))
    .filter((r) => !(nameServers.has(r.name) && (r.type === 'A' || r.type === 'AAAA')))
    .map((r) => `${r.name} ${r.type} ${r.rdata}`)
    .sort();
}

/**
 * Each record of name/type as `content → its sources` (the provenance the admin API shows), sorted
 * by content. Lowercased: k8s.md decided `k8s:service/...`, the watcher writes the kind as the API
 * spells it (`k8s:Service/...`); either reads the same here.
 */
export async function recordSources(meshdns: RunningMeshdns, origin: string, name: string, type: string): Promise<Record<string, string[]>> {
  const { status, json, text } = await adminRequest(meshdns, 'GET', `/api/v1/zones/${origin}/rrsets?name=${encodeURIComponent(name)}&type=${type}`);
  if (status !== 200) throw new Error(`GET rrsets of ${name} ${type} answered ${status}: ${text}`);
  const out: Record<string, string[]> = {};
  for (const set of (json as { rrsets: { records: { content: string; sources: string[] }[] }[] }).rrsets) {
    for (const record of set.records) out[record.content] = record.sources.map((source) => source.toLowerCase()).sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Awaits `waiting`; should it fail, the error carries the watcher's own account of each source
 * (GET /api/v1/kubernetes: lists, watch restarts by reason, last error), which tells a watch that
 * never came back from one that came back and lost an event.
 */
export async function explainedByWatcher<T>(meshdns: RunningMeshdns, waiting: Promise<T>): Promise<T> {
  try {
    return await waiting;
  } catch (error) {
    let status: string;
    try {
      const { json, text } = await adminRequest(meshdns, 'GET', '/api/v1/kubernetes');
      const sources = (json as { sources?: unknown[] } | undefined)?.sources;
      status = sources === undefined ? text : JSON.stringify(sources);
    } catch (statusError) {
      status = `(GET /api/v1/kubernetes failed: ${(statusError as Error).message})`;
    }
    throw new Error(`${(error as Error).message}\nthe watcher's sources: ${status}`);
  }
}

/** Warning events about one object, from the core v1 list (events.k8s.io/v1 writes show there too). */
export async function eventsAbout(kapi: KubeApiServer, kind: string, name: string, namespace = 'default'): Promise<{ type: string; reason: string; message: string }[]> {
  const { status, body } = await kapi.request<{ items?: { type?: string; reason?: string; message?: string; note?: string; involvedObject?: { kind?: string; name?: string } }[] }>(
    'GET', `/api/v1/namespaces/${namespace}/events`);
  if (status !== 200) throw new Error(`listing events in ${namespace} answered ${status}: ${JSON.stringify(body)}`);
  return (body.items ?? [])
    .filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? e.note ?? '' }));
}

/**
 * A TCP proxy on loopback in front of the API server. partition() drops every open connection and
 * resets new ones until heal(): meshdns is cut off while the API server keeps accepting changes,
 * which is how a test makes changes the watch cannot deliver. TLS passes through untouched (the
 * serving certificate is for 127.0.0.1, which the proxy's address is too).
 */
export class PartitionProxy {
  /** Connections accepted and forwarded since start (a reconnection shows as a new one). */
  forwarded = 0;
  private cut = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, private readonly targetPort: number) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<PartitionProxy> {
    const server = net.createServer();
    const proxy = new PartitionProxy(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy is not listening');
    return address.port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  partition(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.partition();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.cut) {
      client.resetAndDestroy();
      return;
    }
    this.forwarded++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  }
}

/** Writes a file and returns its path (the config files of the tests). */
export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
  return path;
}
