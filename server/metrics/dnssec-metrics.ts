import type { ControlCounters } from './counters.js';
import type { Sample } from './scrape-metric.js';

/**
 * What the metrics read of a zone's signing state: the shape of server/dnssec/control.ts's
 * ZoneSigningStatus, repeated here because server/dnssec already imports server/metrics.
 */
export interface SigningSummary {
  origin: string;
  earliestExpiry: number | undefined;
  keys: readonly { role: string; state: string }[];
}

type Add = (name: string, help: string, type: 'counter' | 'gauge', read: () => Sample[]) => void;

/** The driver's event kinds (server/dnssec/driver.ts): reported from zero so rate() sees the first one. */
const KEY_EVENTS = ['generated', 'publish', 'active', 'retire', 'remove', 'dsSubmitted', 'dsSeen', 'deleted', 'imported'];

/**
 * Signing metrics: the RRSIGs made, key events, and per zone the earliest RRSIG expiration and the
 * keys by role and state (read from the DNSSEC control when scraped).
 */
export function addDnssecMetrics(add: Add, counters: ControlCounters, zones: () => readonly SigningSummary[]): void {
  add('meshdns_dnssec_signatures_total', 'RRSIGs made by the sign stage of this process (commits in worker threads and the zone loader not included).',
    'counter', () => [{ value: counters.dnssecSignatures }]);
  add('meshdns_dnssec_key_events_total', 'DNSSEC key events, by event: generated, publish, active, retire, remove, dsSubmitted, dsSeen (a key reached that state), deleted, imported.', 'counter', () => {
    const events = new Set([...KEY_EVENTS, ...counters.dnssecKeyEvents.keys()]);
    return [...events].map((event) => ({ labels: { event }, value: counters.dnssecKeyEvents.get(event) ?? 0 }));
  });
  add('meshdns_dnssec_rrsig_expiry_seconds', 'The earliest RRSIG expiration in the zone, as unix time: alert on ' +
    '`meshdns_dnssec_rrsig_expiry_seconds - time() < 3 * 86400`.', 'gauge', () => {
    const out: Sample[] = [];
    for (const z of zones()) if (z.earliestExpiry !== undefined) out.push({ labels: { zone: z.origin }, value: z.earliestExpiry });
    return out;
  });
  add('meshdns_dnssec_keys', 'DNSSEC keys per zone, by role (csk, ksk, zsk) and state (generated, published, active, retired, removed).', 'gauge', () => {
    const out: Sample[] = [];
    for (const z of zones()) {
      const counts = new Map<string, { role: string; state: string; n: number }>();
      for (const k of z.keys) {
        const id = `${k.role}/${k.state}`;
        const c = counts.get(id) ?? { role: k.role, state: k.state, n: 0 };
        c.n++;
        counts.set(id, c);
      }
      for (const c of counts.values()) out.push({ labels: { zone: z.origin, role: c.role, state: c.state }, value: c.n });
    }
    return out;
  });
}
