import { collectDefaultMetrics, Registry } from 'prom-client';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { QueryStats } from './query-stats.js';
import type { ZoneTable } from '../zone-table.js';
import type { ZoneLoadStatus } from '../../zones/import/zone-folder.js';
import { ControlCounters } from './counters.js';
import type { UdpCounters } from '../listeners/udp-batch.js';
import type { StreamCounters } from '../listeners/stream.js';
import type { TransportConnectionStats } from '../listeners/dns-listeners.js';
import type { DoqCounters } from '../listeners/quic-doq.js';
import { register, ScrapeMetric, type Sample } from './scrape-metric.js';
import { addDnssecMetrics, type SigningSummary } from './dnssec-metrics.js';
import { addTrafficMetrics } from './traffic-metrics.js';
import { addSecondaryMetrics, secondaryClocks, type SecondarySource } from './secondary-metrics.js';
import { buildInfo } from './build-info.js';
import { addCatalogMetrics, type CatalogSummary } from './catalog-metrics.js';
import { addKubernetesMetrics, type KubernetesSummary } from './kubernetes-metrics.js';

export interface MetricSources {
  /** The query pipeline's counters and answer cache (read at scrape time). */
  pipeline: { readonly stats: QueryStats; readonly cache: { readonly hits: number; readonly misses: number } };
  table: ZoneTable;
  counters: ControlCounters;
  /** Current zone-file status per origin (ZoneFolder.status). */
  zoneFileStatus(): ReadonlyMap<string, ZoneLoadStatus>;
  /** The batched UDP sockets' own counts, summed over the listeners. */
  udpCounters(): UdpCounters;
  /** Response rate limiting, cookies and log rate limiting (absent: reported as zeros). */
  limits?: () => LimitCounts;
  /** The TCP listeners' refused and closed connections, summed. */
  tcpCounters(): StreamCounters;
  /** The signing state of every signed zone (DnssecControl.zones); absent: no per-zone DNSSEC metrics. */
  dnssec?: () => readonly SigningSummary[];
  /** Catalog members and consumer counts (absent: none reported). */
  catalogs?: () => CatalogSummary | undefined;
  /** The Kubernetes watcher (absent or undefined: not configured, nothing reported). */
  kubernetes?: () => KubernetesSummary | undefined;
  /** Per connection-oriented transport (tcp, tls, quic): open connections, handshakes (absent: none reported). */
  connectionStats?: () => TransportConnectionStats[];
  /** DoQ's streams, cancelled streams and protocol errors, summed over its listeners (absent: none reported). */
  doqCounters?: () => DoqCounters;
  /** The secondary zones' transfer state and the store holding their SOA (absent: no refresh and expiry gauges). */
  secondaries?: { zones: SecondarySource; store: LmdbStore };
}

/** What limits/ counts, read at scrape time. */
export interface LimitCounts {
  rrlDropped: number;
  rrlSlipped: number;
  cookiesValid: number;
  cookiesOther: number;
  logLinesSuppressed: number;
}

const NO_LIMITS: LimitCounts = { rrlDropped: 0, rrlSlipped: 0, cookiesValid: 0, cookiesOther: 0, logLinesSuppressed: 0 };

/**
 * The Prometheus registry: CoreDNS's metric names under `meshdns_`, every value read from plain
 * counters when scraped (nothing is observed per query here), plus prom-client's process metrics.
 */
export function createMetricsRegistry(src: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const add = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram', read: () => Sample[]) =>
    register(registry, new ScrapeMetric(name, help, type, read));

  const build = buildInfo();
  add('meshdns_build_info', 'Always 1: the meshdns version and the Node.js version running it.', 'gauge', () => [{ labels: build, value: 1 }]);
  addTrafficMetrics(add, src.pipeline.stats);

  add('meshdns_udp_answers_dropped_total', 'UDP answers composed but not sent: the socket\'s send buffer was full or the ' +
    'client\'s address refused them (batched UDP; node:dgram reports these as log lines).', 'counter', () => [{ value: src.udpCounters().answersDropped }]);
  add('meshdns_udp_receive_errors_total', 'Failed reads from a batched UDP socket (anything but "nothing to read").', 'counter',
    () => [{ value: src.udpCounters().receiveErrors }]);
  add('meshdns_tcp_connections_closed_total', 'TCP connections the server refused or closed, by reason: client_limit (refused: ' +
    'tcp.maxConnectionsPerClient), full (refused: the cap reached, none idle), evicted (idle the longest, closed for a new one), ' +
    'io_timeout (a message not whole within tcp.ioTimeout), idle_timeout, write_stall (answers unread for tcp.idleTimeout).', 'counter',
  () => Object.entries(src.tcpCounters().closed).map(([reason, value]) => ({ labels: { reason }, value })));
  add('meshdns_tcp_reads_paused_total', 'Times reading a TCP connection stopped because its unsent answers passed tcp.maxUnsentBytes.',
    'counter', () => [{ value: src.tcpCounters().pausedReads }]);
  const connections = () => src.connectionStats?.() ?? [];
  add('meshdns_transport_connections_open', 'Connections open now, by transport (tcp, tls, quic).', 'gauge',
    () => connections().map((c) => ({ labels: { proto: c.proto }, value: c.open })));
  add('meshdns_transport_handshakes_total', 'Handshakes completed, by transport and whether a session was resumed (tls, quic).', 'counter',
    () => connections().filter((c) => c.proto !== 'tcp').flatMap((c) => [
      { labels: { proto: c.proto, resumed: 'false' }, value: c.handshakes - c.resumed },
      { labels: { proto: c.proto, resumed: 'true' }, value: c.resumed },
    ]));
  add('meshdns_transport_handshake_failures_total', 'Handshakes that failed, by transport and reason: timeout (not finished within ' +
    'tls.handshakeTimeout), refused (handshakes under way at their cap, in all or from one client), error (garbage, no common protocol...).', 'counter',
  () => connections().filter((c) => c.proto !== 'tcp').flatMap((c) =>
    Object.entries(c.handshakeFailures).map(([reason, value]) => ({ labels: { proto: c.proto, reason }, value }))));
  const doq = () => src.doqCounters?.();
  add('meshdns_doq_streams_total', 'DoQ streams received (one query or transfer each, RFC 9250 §4.2).', 'counter',
    () => { const d = doq(); return d ? [{ value: d.streams }] : []; });
  add('meshdns_doq_streams_cancelled_total', 'DoQ streams the client reset or stopped (STOP_SENDING) before its answer was complete.', 'counter',
    () => { const d = doq(); return d ? [{ value: d.cancelled }] : []; });
  add('meshdns_doq_protocol_errors_total', 'DoQ connections closed with DOQ_PROTOCOL_ERROR (RFC 9250 §4.3.3: a message ID other than 0, two messages on a stream...).', 'counter',
    () => { const d = doq(); return d ? [{ value: d.protocolErrors }] : []; });
  add('meshdns_doq_excessive_load_total', 'DoQ connections closed or streams reset with DOQ_EXCESSIVE_LOAD: over 256 KiB of unfinished queries, or a fifth transfer at once.', 'counter',
    () => { const d = doq(); return d ? [{ value: d.excessiveLoad }] : []; });
  add('meshdns_answer_cache_hits_total', 'Queries answered from the encoded-answer cache.', 'counter', () => [{ value: src.pipeline.cache.hits }]);
  add('meshdns_answer_cache_misses_total', 'Queries the encoded-answer cache could not answer.', 'counter', () => [{ value: src.pipeline.cache.misses }]);

  const limits = () => src.limits?.() ?? NO_LIMITS;
  add('meshdns_rrl_responses_total', 'UDP responses response rate limiting withheld, by action: dropped (not sent) or ' +
    'slipped (sent as a truncated TC=1 answer without records, so a real client retries over TCP).', 'counter', () => {
    const l = limits();
    return [{ labels: { action: 'dropped' }, value: l.rrlDropped }, { labels: { action: 'slipped' }, value: l.rrlSlipped }];
  });
  add('meshdns_cookie_requests_total', 'Requests with a DNS COOKIE, by server cookie: valid (ours, not rate limited) or ' +
    'other (client cookie alone, expired or made elsewhere: answered with a fresh server cookie).', 'counter', () => {
    const l = limits();
    return [{ labels: { server_cookie: 'valid' }, value: l.cookiesValid }, { labels: { server_cookie: 'other' }, value: l.cookiesOther }];
  });
  add('meshdns_log_lines_suppressed_total', 'Per-packet log lines (refusals, TSIG failures, faults) not written because ' +
    'their kind passed its lines per second; each kind writes a "suppressed N similar log lines" line instead.', 'counter',
    () => [{ value: limits().logLinesSuppressed }]);

  add('meshdns_zones_loaded', 'Zones with data being served, by kind.', 'gauge', () => {
    const counts = { primary: 0, secondary: 0 };
    for (const z of src.table.zones()) if (z.loaded) counts[z.kind]++;
    return [{ labels: { kind: 'primary' }, value: counts.primary }, { labels: { kind: 'secondary' }, value: counts.secondary }];
  });
  add('meshdns_zone_serial', 'SOA serial being served, per zone.', 'gauge', () => {
    const out: Sample[] = [];
    for (const z of src.table.zones()) out.push({ labels: { zone: z.origin }, value: z.serial });
    return out;
  });
  add('meshdns_zonefile_load_errors_total', 'Zone-file loads refused because the file has errors (the previous version kept answering).',
    'counter', () => [{ value: src.counters.zoneFileLoadErrors }]);
  add('meshdns_zonefile_load_failed', '1 when the last load of the zone\'s file failed and an older version is served.', 'gauge', () => {
    const out: Sample[] = [];
    for (const [origin, st] of src.zoneFileStatus()) out.push({ labels: { zone: origin }, value: st.lastError ? 1 : 0 });
    return out;
  });

  const byKey = (map: Map<string, number>, label: string, defaults: string[]) => (): Sample[] => {
    const keys = new Set([...defaults, ...map.keys()]);
    return [...keys].map((k) => ({ labels: { [label]: k }, value: map.get(k) ?? 0 }));
  };
  const c = src.counters;
  add('meshdns_xfr_out_total', 'Zone transfers served, by type.', 'counter', byKey(c.transfersOut, 'type', ['axfr', 'ixfr']));
  add('meshdns_xfr_out_failed_total', 'Zone transfers refused or broken off, by type.', 'counter', byKey(c.transfersOutFailed, 'type', ['axfr', 'ixfr']));
  add('meshdns_xfr_in_total', 'Zone transfers received, by type.', 'counter', byKey(c.transfersIn, 'type', ['axfr', 'ixfr']));
  add('meshdns_xfr_in_failed_total', 'Zone transfers that failed, by type.', 'counter', byKey(c.transfersInFailed, 'type', ['axfr', 'ixfr']));
  add('meshdns_notify_sent_total', 'NOTIFY messages acknowledged by a secondary.', 'counter', () => [{ value: c.notifySent }]);
  add('meshdns_notify_failed_total', 'NOTIFY messages that got no or a bad answer.', 'counter', () => [{ value: c.notifyFailed }]);
  add('meshdns_updates_applied_total', 'Changes committed, by source (api, rfc2136).', 'counter', byKey(c.updatesApplied, 'source', ['api', 'rfc2136']));
  add('meshdns_updates_refused_total', 'Changes refused (invalid, not allowed), by source.', 'counter', byKey(c.updatesRefused, 'source', ['api', 'rfc2136']));
  addDnssecMetrics(add, c, src.dnssec ?? (() => []));
  const secondaries = src.secondaries;
  if (secondaries) addSecondaryMetrics(add, () => secondaryClocks(src.table, secondaries.store, secondaries.zones));
  addCatalogMetrics(add, src.catalogs ?? (() => undefined));
  addKubernetesMetrics(add, src.kubernetes ?? (() => undefined));
  add('meshdns_config_reloads_total', 'Config reloads, by result (applied, rejected).', 'counter', byKey(c.reloads, 'result', ['applied', 'rejected']));
  return registry;
}

export { ControlCounters };
