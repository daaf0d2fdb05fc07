import type { AdminContext } from './context.js';
import { allZoneInfos, type ZoneState } from './zone-info.js';

export interface ServerStatus {
  version: string;
  /** When this process started (ISO time) and how long ago, in seconds. */
  startedAt: string;
  uptimeSeconds: number;
  ready: boolean;
  waiting: { zone: string; reason: string }[];
  problems: string[];
  zones: Record<ZoneState | 'total', number>;
  /** Totals since start, read from the same counters /metrics shows. */
  queries: { received: number; answered: number; byRcode: Record<string, number> };
  /** The Kubernetes watcher is configured (GET /api/v1/kubernetes has its state). */
  kubernetes: boolean;
}

/** What the status page's summary shows; counts come from the Prometheus registry, so they agree with /metrics. */
export async function serverStatus(ctx: AdminContext, version: string): Promise<ServerStatus> {
  const readiness = ctx.readiness();
  const zones: ServerStatus['zones'] = { total: 0, loaded: 0, failed: 0, waiting: 0, expired: 0 };
  for (const z of allZoneInfos(ctx)) {
    zones.total++;
    zones[z.state]++;
  }
  const byRcode: Record<string, number> = {};
  let answered = 0;
  for (const sample of await samples(ctx, 'meshdns_dns_responses_total')) {
    const rcode = String(sample.labels?.['rcode'] ?? 'other');
    byRcode[rcode] = (byRcode[rcode] ?? 0) + sample.value;
    answered += sample.value;
  }
  const received = (await samples(ctx, 'meshdns_dns_requests_total')).reduce((sum, s) => sum + s.value, 0);
  const uptimeSeconds = Math.floor(process.uptime());
  return {
    version, startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(), uptimeSeconds,
    ready: readiness.ready, waiting: readiness.waiting, problems: readiness.problems, zones,
    queries: { received, answered, byRcode },
    kubernetes: ctx.kubernetes?.() !== undefined,
  };
}

type Sample = { labels?: Record<string, string | number>; value: number };

async function samples(ctx: AdminContext, name: string): Promise<Sample[]> {
  const metric = ctx.metrics.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values as Sample[];
}

const count = { type: 'number' } as const;

export const serverStatusSchema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    startedAt: { type: 'string' },
    uptimeSeconds: { type: 'integer' },
    ready: { type: 'boolean' },
    waiting: { type: 'array', items: { type: 'object', properties: { zone: { type: 'string' }, reason: { type: 'string' } } } },
    problems: { type: 'array', items: { type: 'string' } },
    zones: { type: 'object', properties: { total: count, loaded: count, failed: count, waiting: count, expired: count } },
    queries: {
      type: 'object',
      properties: { received: count, answered: count, byRcode: { type: 'object', additionalProperties: count } },
    },
    kubernetes: { type: 'boolean' },
  },
} as const;
