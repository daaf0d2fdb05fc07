import type { Sample } from './scrape-metric.js';

/** What the metrics read of the Kubernetes watcher (server/kubernetes/service.ts). */
export interface KubernetesSummary {
  readonly counters: { conflicts: number; refusals: number; commits: number; eventsPosted: number; eventsFailed: number };
  readonly synced: boolean;
  status(): { sources: { source: string; objects: number; synced: boolean; restarts: { timeout: number; gone: number; error: number } }[] };
}

type Add = (name: string, help: string, type: 'counter' | 'gauge', read: () => Sample[]) => void;

/** The embedded Kubernetes watcher: objects per source, watch restarts, commits, conflicts, refusals, Events. */
export function addKubernetesMetrics(add: Add, kubernetes: () => KubernetesSummary | undefined): void {
  const sources = () => kubernetes()?.status().sources ?? [];
  add('meshdns_k8s_objects', 'Kubernetes objects held, by source (service, ingress, node, endpointslice, dnsendpoint).', 'gauge',
    () => sources().map((s) => ({ labels: { source: s.source }, value: s.objects })));
  add('meshdns_k8s_source_synced', 'Whether each source has listed its objects (1) or not yet (0).', 'gauge',
    () => sources().map((s) => ({ labels: { source: s.source }, value: s.synced ? 1 : 0 })));
  add('meshdns_k8s_watch_restarts_total', 'Watches resumed or restarted, by source and reason (timeout: ended by the server; gone: 410, listed again; error: broken).', 'counter',
    () => sources().flatMap((s) => (['timeout', 'gone', 'error'] as const).map((reason) => ({ labels: { source: s.source, reason }, value: s.restarts[reason] }))));
  const counter = (read: (c: KubernetesSummary['counters']) => number) => () => {
    const k = kubernetes();
    return k ? [{ value: read(k.counters) }] : [];
  };
  add('meshdns_k8s_commits_total', 'Zone versions committed from Kubernetes batches.', 'counter', counter((c) => c.commits));
  add('meshdns_k8s_conflicts_total', 'Names refused to a Kubernetes object because other data is there (a CNAME beside other data), once per distinct refusal.', 'counter', counter((c) => c.conflicts));
  add('meshdns_k8s_refusals_total', 'Records a Kubernetes object asked for and did not get (outside the zones, bad annotations), once per distinct refusal.', 'counter', counter((c) => c.refusals));
  add('meshdns_k8s_events_total', 'Kubernetes Events recorded on objects, by result (posted, failed).', 'counter', () => {
    const k = kubernetes();
    return k ? [{ labels: { result: 'posted' }, value: k.counters.eventsPosted }, { labels: { result: 'failed' }, value: k.counters.eventsFailed }] : [];
  });
}
