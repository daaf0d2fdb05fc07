import type { DiffRR } from '../../zones/diff.js';
import { parseName, ROOT } from '../../zones/name.js';
import { rdataFromText } from '../../zones/rdata/index.js';
import { RRType } from '../../zones/rrtype.js';
import { lexOneEntry } from '../../zones/zonefile/lexer.js';

/**
 * The first version of a zone the watcher creates: an SOA (serial 1, refresh 1h, retry 10m,
 * expire 7d, negative TTL 30 s — Kubernetes names come and go) and the apex NS of this server.
 */
export function zoneSkeleton(zone: string, nameservers: readonly string[]): DiffRR[] {
  const apex = parseName(zone, ROOT);
  const rdata = (type: number, text: string) => rdataFromText(type, lexOneEntry(text, 1).tokens, { origin: ROOT });
  const primary = nameservers[0] ?? `ns.${zone}`;
  return [
    { owner: apex, type: RRType.SOA, ttl: 3600, rdata: rdata(RRType.SOA, `${primary} hostmaster.${zone} 1 3600 600 604800 30`) },
    ...nameservers.map((ns) => ({ owner: apex, type: RRType.NS, ttl: 3600, rdata: rdata(RRType.NS, ns) })),
  ];
}
