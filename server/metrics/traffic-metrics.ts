import { rcodeName } from '../message/rcode.js';
import { TRANSPORTS } from '../transports.js';
import {
  DURATION_BUCKETS, DURATION_SAMPLE, DURATION_SUM, RCODE_COLUMNS, SIZE_BUCKETS, SIZE_SUM, TYPE_LABELS, type QueryStats,
} from './query-stats.js';
import { histogramSamples, type Sample } from './scrape-metric.js';

type Add = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram', read: () => Sample[]) => void;

/** CoreDNS's `family` label: 1 = IPv4, 2 = IPv6. */
const familyLabel = (family: 4 | 6): string => (family === 4 ? '1' : '2');

const LABELS_HELP = ' Labels: server (the listener, as CoreDNS writes it: dns://ADDR:PORT for UDP and TCP, tls://, quic://; ' +
  'empty for messages handed in by code), zone (the zone answering; one of the first metrics.zoneLabels zones, else "other", ' +
  'also for names in no zone and for transfers, NOTIFY and UPDATE).';

/** The element-wise sum of the bindings' arrays. */
function summed(bindings: readonly number[], of: (binding: number) => Float64Array): Float64Array {
  const first = of(bindings[0]!);
  if (bindings.length === 1) return first;
  const sum = Float64Array.from(first);
  for (const b of bindings.slice(1)) of(b).forEach((n, i) => { sum[i]! += n; });
  return sum;
}

/**
 * The query path's series (CoreDNS's names and labels under `meshdns_`): requests and responses
 * by listener and zone, durations, sizes. Only cells that counted something become series.
 */
export function addTrafficMetrics(add: Add, stats: QueryStats): void {
  const zoneName = (slot: number): string => stats.zones.names[slot] ?? 'other';
  /** Every (binding, zone) pair, with its labels. */
  const cells = function* (): Generator<{ binding: number; zone: number; server: string; zoneLabel: string }> {
    for (let binding = 0; binding < stats.bindings.length; binding++) {
      const server = stats.bindings[binding]!.server;
      for (let zone = 0; zone < stats.zoneCount; zone++) yield { binding, zone, server, zoneLabel: zoneName(zone) };
    }
  };

  /** Per `server` label and zone: the bindings sharing the label (UDP and TCP of one address), summed where `proto` is not a label. */
  const serverCells = function* (): Generator<{ server: string; zone: number; zoneLabel: string; bindings: number[] }> {
    const byServer = new Map<string, number[]>();
    stats.bindings.forEach((b, i) => byServer.set(b.server, [...(byServer.get(b.server) ?? []), i]));
    for (const [server, bindings] of byServer) {
      for (let zone = 0; zone < stats.zoneCount; zone++) yield { server, zone, zoneLabel: zoneName(zone), bindings };
    }
  };

  add('meshdns_dns_requests_total', 'DNS messages received, by transport (proto), address family (1 = IPv4, 2 = IPv6) and QTYPE ' +
    '("other" for types without a name here, "unparsed" when no question could be read).' + LABELS_HELP, 'counter', () => {
    const out: Sample[] = [];
    for (const { binding, zone, server, zoneLabel } of cells()) {
      const counts = stats.requestsOf(binding, zone);
      const t = TRANSPORTS[stats.bindings[binding]!.transport]!;
      for (let column = 0; column < counts.length; column++) {
        const n = counts[column]!;
        if (n > 0) out.push({ labels: { server, zone: zoneLabel, proto: t.proto, family: familyLabel(t.family), type: TYPE_LABELS[column]! }, value: n });
      }
    }
    return out;
  });
  add('meshdns_dns_responses_total', 'DNS responses sent, by RCODE (BADVERS on its own, though its header RCODE is 0).' + LABELS_HELP, 'counter', () => {
    const out: Sample[] = [];
    for (const { server, zone, zoneLabel, bindings } of serverCells()) {
      const counts = summed(bindings, (b) => stats.responsesOf(b, zone));
      for (let rcode = 0; rcode < RCODE_COLUMNS; rcode++) {
        const n = counts[rcode]!;
        if (n > 0) out.push({ labels: { server, zone: zoneLabel, rcode: rcodeName(rcode) }, value: n });
      }
    }
    return out;
  });
  add('meshdns_dns_request_duration_seconds', 'Time to answer a query, from message to response' +
    ` (one query in ${DURATION_SAMPLE} is timed).` + LABELS_HELP, 'histogram', () => {
    const out: Sample[] = [];
    for (const { server, zone, zoneLabel, bindings } of serverCells()) {
      const counts = summed(bindings, (b) => stats.durationsOf(b, zone));
      if (counts.subarray(0, DURATION_SUM).some((n) => n > 0)) {
        out.push(...histogramSamples('meshdns_dns_request_duration_seconds', DURATION_BUCKETS, counts, counts[DURATION_SUM]!, { server, zone: zoneLabel }));
      }
    }
    return out;
  });
  const sizes = (name: string, of: (binding: number) => Float64Array) => (): Sample[] => {
    const out: Sample[] = [];
    for (let binding = 0; binding < stats.bindings.length; binding++) {
      const counts = of(binding);
      if (!counts.subarray(0, SIZE_SUM).some((n) => n > 0)) continue;
      const { server, transport } = stats.bindings[binding]!;
      out.push(...histogramSamples(name, SIZE_BUCKETS, counts, counts[SIZE_SUM]!, { server, proto: TRANSPORTS[transport]!.proto }));
    }
    return out;
  };
  add('meshdns_dns_request_size_bytes', 'Size of DNS requests in bytes, by listener (server) and transport (proto).', 'histogram',
    sizes('meshdns_dns_request_size_bytes', (b) => stats.requestSizesOf(b)));
  add('meshdns_dns_response_size_bytes', 'Size of DNS responses in bytes, by listener (server) and transport (proto).', 'histogram',
    sizes('meshdns_dns_response_size_bytes', (b) => stats.responseSizesOf(b)));
  add('meshdns_dns_dropped_total', 'DNS messages left unanswered (responses, truncated headers, garbage, and responses rate limiting dropped).', 'counter',
    () => [{ value: stats.dropped }]);
  add('meshdns_dns_query_faults_total', 'Queries that hit an internal error and were answered SERVFAIL.', 'counter',
    () => [{ value: stats.servfail }]);
}
