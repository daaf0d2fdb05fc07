import { RRType } from '../../zones/rrtype.js';
import { soaTimers } from '../../zones/soa.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ServedZone, ZoneTable } from '../zone-table.js';
import type { Sample } from './scrape-metric.js';

type Add = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram', read: () => Sample[]) => void;

/** What the metrics read of the secondaries: SecondaryZones.state (ISO times, as the admin API shows them). */
export interface SecondarySource {
  state(origin: string): Record<string, unknown> | null;
}

/** One secondary zone's clocks, in seconds from now. */
export interface SecondaryClock {
  zone: string;
  /** Until the next check with a primary (refresh, retry or the first transfer). */
  untilRefresh: number;
  /** Until the zone expires (RFC 1034 §4.3.5: last success + SOA EXPIRE); negative once expired; undefined before the first transfer. */
  untilExpiry: number | undefined;
  expired: boolean;
}

/** The clocks of every secondary zone in the table, read at scrape time. */
export function secondaryClocks(table: ZoneTable, store: LmdbStore, secondaries: SecondarySource, now = Date.now()): SecondaryClock[] {
  const out: SecondaryClock[] = [];
  for (const zone of table.zones()) {
    if (zone.kind !== 'secondary') continue;
    const state = secondaries.state(zone.origin);
    if (!state) continue;
    const nextCheck = Date.parse(String(state['nextCheck']));
    const lastSuccess = Date.parse(String(state['lastSuccess']));
    const expire = zone.loaded ? soaExpire(store, zone) : undefined;
    out.push({
      zone: zone.origin,
      untilRefresh: Math.max(0, (nextCheck - now) / 1000),
      untilExpiry: expire === undefined ? undefined : (lastSuccess + expire * 1000 - now) / 1000,
      expired: state['expired'] === true,
    });
  }
  return out;
}

/** The SOA EXPIRE of the zone's served version, in seconds. */
function soaExpire(store: LmdbStore, zone: ServedZone): number | undefined {
  const soa = store.getNode(zone.id, zone.apexKey, false)?.rrsets.find((s) => s.type === RRType.SOA)?.rrs[0];
  return soa ? soaTimers(soa.rdata).expire : undefined;
}

export function addSecondaryMetrics(add: Add, clocks: () => SecondaryClock[]): void {
  add('meshdns_secondary_refresh_seconds', 'Seconds until a secondary zone next checks its primaries (SOA refresh, or retry after a failure).', 'gauge',
    () => clocks().map((c) => ({ labels: { zone: c.zone }, value: c.untilRefresh })));
  add('meshdns_secondary_expiry_seconds', 'Seconds until a secondary zone expires without reaching a primary (last success + SOA expire; ' +
    'negative once expired; absent before the first transfer).', 'gauge',
  () => clocks().flatMap((c) => (c.untilExpiry === undefined ? [] : [{ labels: { zone: c.zone }, value: c.untilExpiry }])));
  add('meshdns_secondary_expired', '1 when a secondary zone is past its SOA expire time and answers SERVFAIL (RFC 1034 §4.3.5).', 'gauge',
    () => clocks().map((c) => ({ labels: { zone: c.zone }, value: c.expired ? 1 : 0 })));
}
