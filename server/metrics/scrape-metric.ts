import type { Registry } from 'prom-client';

/** One sample: labels and value (histograms add `metricName` for _bucket/_sum/_count). */
export interface Sample {
  labels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric whose samples are computed when Prometheus scrapes: the query path only increments
 * plain numbers (server/query/stats.ts) and this reads them. prom-client's registry accepts any
 * object with `name`, `help`, `type` and `get()`; its own Counter/Histogram would need the work
 * done per event.
 */
export class ScrapeMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly read: () => Sample[],
  ) {}

  get(): { name: string; help: string; type: MetricType; values: Sample[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.read(), aggregator: this.aggregator };
  }

  reset(): void {
    /* values live in their owners' counters */
  }
}

export function register(registry: Registry, metric: ScrapeMetric): void {
  // prom-client types registerMetric for its own classes; the registry only calls name/get
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/**
 * Samples of a Prometheus histogram from non-cumulative bucket counts (`counts[i]` for
 * `le = bounds[i]`, the last one for +Inf).
 */
export function histogramSamples(
  name: string, bounds: readonly number[], counts: ArrayLike<number>, sum: number, labels: Record<string, string> = {},
): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i] ?? 0;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: i < bounds.length ? bounds[i]! : '+Inf' }, value: cumulative });
  }
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: cumulative });
  return out;
}
