// The bounded `zone` label, the `server` label and the secondary clocks, in-process: real zones
// through the write door and the query pipeline, the series read as the collector reads them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_LIMITS } from '../../zones/limits.js';
import { nameToKey, parseName } from '../../zones/name.js';
import { applyZoneFile } from '../../zones/import/zone-file-apply.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { QueryPipeline } from '../../server/router/pipeline.js';
import { Transport } from '../../server/transports.js';
import { ZoneTable, type ServedZone } from '../../server/zone-table.js';
import { addTrafficMetrics } from '../../server/metrics/traffic-metrics.js';
import { secondaryClocks } from '../../server/metrics/secondary-metrics.js';
import { serverLabel } from '../../server/listeners/server-label.js';
import type { Sample } from '../../server/metrics/scrape-metric.js';
import { buildQuery } from '../helpers/dns-client.js';
import { ConfigError, validateConfig } from '../../server/config.js';

const ZONES = ['a.test.', 'b.test.', 'c.test.'];

/** The samples of every traffic metric, by metric name (histograms by their _bucket/_sum/_count names). */
function scrape(pipeline: QueryPipeline): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  addTrafficMetrics((name, _help, _type, read) => {
    for (const s of read()) {
      const key = s.metricName ?? name;
      out.set(key, [...(out.get(key) ?? []), s]);
    }
  }, pipeline.stats);
  return out;
}

/** The sum of a metric's samples whose labels include all of `labels`. */
function total(samples: Map<string, Sample[]>, name: string, labels: Record<string, string>): number {
  return (samples.get(name) ?? [])
    .filter((s) => Object.entries(labels).every(([k, v]) => String(s.labels?.[k]) === v))
    .reduce((n, s) => n + s.value, 0);
}

describe('metric labels', () => {
  let dir: string;
  let store: LmdbStore;
  let table: ZoneTable;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshdns-observability-'));
    store = LmdbStore.open(join(dir, 'data'));
    const writer = new ZoneWriter(store);
    table = new ZoneTable(store);
    writer.onCommit((apexKey, meta) => table.update(apexKey, meta));
    for (const origin of ZONES) {
      const file = join(dir, `${origin}zone`);
      writeFileSync(file, `$ORIGIN ${origin}\n@ 300 IN SOA ns hostmaster 1 3600 600 86400 300\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\nwww 300 IN A 192.0.2.2\n`);
      const st = statSync(file);
      const outcome = applyZoneFile(store, writer, {
        origin, file, includeRoot: dir, serialPolicy: 'increment', limits: DEFAULT_LIMITS,
        source: { file, mtimeMs: st.mtimeMs, size: st.size, sha256: '' },
      }, () => undefined);
      assert.ok(outcome.ok, `${origin} loads`);
    }
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pipelineWith = (zoneLabels: number) =>
    new QueryPipeline(store, table, pino({ level: 'silent' }), { maxUdpPayload: 1232, nsid: undefined, answerCacheSize: 1000, zoneLabels });

  test('configured zones are labelled first, others as first answered; past N and outside every zone: "other"', () => {
    const pipeline = pipelineWith(2);
    pipeline.stats.zones.configure(['B.test']);
    const ask = (qname: string, times = 1) => {
      for (let i = 0; i < times; i++) pipeline.handle(buildQuery({ qname, qtype: 'A' }), Transport.UDP4);
    };
    ask('www.c.test', 4); // answered before a.test: takes the one free slot (the last two from the answer cache)
    ask('www.a.test', 2);
    ask('www.b.test');
    ask('www.nowhere.invalid', 2);
    const s = scrape(pipeline);
    assert.equal(total(s, 'meshdns_dns_requests_total', { zone: 'c.test.', type: 'A', proto: 'udp', family: '1' }), 4);
    assert.equal(total(s, 'meshdns_dns_requests_total', { zone: 'b.test.' }), 1);
    assert.equal(total(s, 'meshdns_dns_requests_total', { zone: 'a.test.' }), 0, 'no slot left for a.test.');
    assert.equal(total(s, 'meshdns_dns_requests_total', { zone: 'other' }), 4);
    assert.equal(total(s, 'meshdns_dns_responses_total', { zone: 'other', rcode: 'REFUSED' }), 2);
    assert.equal(total(s, 'meshdns_dns_responses_total', { zone: 'other', rcode: 'NOERROR' }), 2);
    assert.equal(total(s, 'meshdns_dns_responses_total', { zone: 'c.test.', rcode: 'NOERROR' }), 4);
    assert.deepEqual(new Set((s.get('meshdns_dns_requests_total') ?? []).map((x) => x.labels?.['zone'])), new Set(['b.test.', 'c.test.', 'other']));
    assert.equal(pipeline.cache.hits, 2, 'the cache hits above were counted under their zone');
  });

  test('zoneLabels 0: every series is "other"', () => {
    const pipeline = pipelineWith(0);
    pipeline.stats.zones.configure(ZONES);
    pipeline.handle(buildQuery({ qname: 'www.a.test', qtype: 'AAAA' }), Transport.UDP4);
    const s = scrape(pipeline);
    assert.deepEqual((s.get('meshdns_dns_requests_total') ?? []).map((x) => x.labels?.['zone']), ['other']);
  });

  test('server label: UDP and TCP of one address share it; responses and durations sum over them, requests and sizes keep proto', () => {
    const pipeline = pipelineWith(5);
    const server = serverLabel('udp', { host: '127.0.0.1', port: 53 });
    assert.equal(server, 'dns://127.0.0.1:53');
    assert.equal(serverLabel('tls', { host: '::1', port: 853 }), 'tls://[::1]:853');
    const udp = pipeline.stats.bind(Transport.UDP4, server);
    const tcp = pipeline.stats.bind(Transport.TCP4, server);
    assert.equal(pipeline.stats.bind(Transport.UDP4, server), udp, 'the same listener gets the same row again');
    // more listeners than the first allocation: the arrays grow and keep what they counted
    const extra = Array.from({ length: 40 }, (_, i) => pipeline.stats.bind(Transport.UDP6, serverLabel('udp', { host: '::1', port: 1000 + i })));
    for (let i = 0; i < 64; i++) pipeline.handle(buildQuery({ qname: 'www.a.test', qtype: 'A' }), Transport.UDP4, '', udp);
    pipeline.handle(buildQuery({ qname: 'www.a.test', qtype: 'MX' }), Transport.TCP4, '', tcp);
    pipeline.handle(buildQuery({ qname: 'www.b.test', qtype: 'A' }), Transport.UDP6, '', extra.at(-1)!);
    pipeline.handle(Buffer.from([1, 2, 3]), Transport.UDP4, '', udp); // no header: dropped, counted unparsed
    pipeline.handle(buildQuery({ qname: 'www.a.test', qtype: 'A', edns: { version: 1 } }), Transport.UDP4, '', udp);
    const s = scrape(pipeline);
    assert.equal(total(s, 'meshdns_dns_requests_total', { server, proto: 'udp', zone: 'a.test.', type: 'A' }), 64);
    assert.equal(total(s, 'meshdns_dns_requests_total', { server, proto: 'tcp', zone: 'a.test.', type: 'MX' }), 1);
    assert.equal(total(s, 'meshdns_dns_requests_total', { server, proto: 'udp', zone: 'other', type: 'unparsed' }), 2);
    assert.equal(total(s, 'meshdns_dns_requests_total', { server: 'dns://[::1]:1039', family: '2', zone: 'b.test.' }), 1);
    const responses = (s.get('meshdns_dns_responses_total') ?? []).filter((x) => x.labels?.['server'] === server);
    assert.deepEqual(responses.map((x) => [x.labels?.['zone'], x.labels?.['rcode'], x.value]), [['other', 'BADVERS', 1], ['a.test.', 'NOERROR', 65]]);
    assert.equal(total(s, 'meshdns_dns_request_size_bytes_count', { server, proto: 'udp' }), 66);
    assert.equal(total(s, 'meshdns_dns_response_size_bytes_count', { server, proto: 'tcp' }), 1);
    // one query in 64 is timed, whichever listener it came from
    assert.equal(total(s, 'meshdns_dns_request_duration_seconds_count', {}), 1);
    const durationSeries = (s.get('meshdns_dns_request_duration_seconds_count') ?? []).map((x) => x.labels);
    assert.deepEqual(durationSeries, [{ server, zone: 'a.test.' }]);
  });

  test('secondary clocks: seconds to the next check and to expiry (last success + SOA EXPIRE), negative once expired', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const zone: ServedZone = { ...table.byApexKey(nameToKey(parseName('a.test.')))!, kind: 'secondary' };
    const fakeTable = { zones: () => [zone, { ...zone, origin: 'primary.test.', kind: 'primary' }][Symbol.iterator]() } as unknown as ZoneTable;
    const states: Record<string, Record<string, unknown>> = {
      'a.test.': { nextCheck: new Date(now + 90_000).toISOString(), lastSuccess: new Date(now - 86_400_000 - 5_000).toISOString(), expired: true },
    };
    const clocks = secondaryClocks(fakeTable, store, { state: (origin) => states[origin] ?? null }, now);
    // a.test.'s SOA: refresh 3600, retry 600, expire 86400
    assert.deepEqual(clocks, [{ zone: 'a.test.', untilRefresh: 90, untilExpiry: -5, expired: true }]);
  });
});

test('metrics.zoneLabels: 50 unless set, 0 to 1000', () => {
  const zoneLabels = (metrics?: Record<string, unknown>) => validateConfig({ listen: ['127.0.0.1:5300'], ...(metrics ? { metrics } : {}) }, {}, 'test', {}).metrics.zoneLabels;
  assert.equal(zoneLabels(), 50);
  assert.equal(zoneLabels({ zoneLabels: 0 }), 0);
  assert.equal(zoneLabels({ zoneLabels: 1000 }), 1000);
  assert.throws(() => zoneLabels({ zoneLabels: 1001 }), (err: unknown) => err instanceof ConfigError && /metrics\.zoneLabels/.test(err.message));
  assert.throws(() => zoneLabels({ zoneLabels: 'many' }), ConfigError);
});
