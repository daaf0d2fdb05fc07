// Deterministic DO=1 query corpus over the signed zones of dnssec-knotd-vs-meshdns.test.ts: names
// that exist, empty non-terminals, names that do not, names under the wildcards, at and below the
// cuts, under the DNAME, and the NSEC3 owner names themselves, asked for the types a validator asks.
import { buildQuery, type QuerySpec } from '../helpers/dns-client.js';
import { prng } from '../helpers/prng.js';
import type { GenQuery } from './query-gen.js';

/** Names of ZONE_TEXT (plus EXTRA_TEXT), relative to the origin ('' is the apex). */
const EXISTING = [
  '', 'ns1', 'mail', 'www', '*.wild', 'a.b.ent', 'b.ent', 'ent', 'x.y.z.deep', 'y.z.deep', 'z.deep', 'deep',
  'cname1', 'cname2', 'cname-nx', 'cname-wild', 'dname', 'www.other', 'other', 'txt', '*.w2.ent2', 'w2.ent2', 'ent2',
  'host.w2.ent2', 'srv', '_sip._tcp.srv', '_tcp.srv', 'cname-deleg', 'cname-ent',
];
const CUTS = ['secure', 'insecure', 'a.b.optout'];
const GLUE = ['ns.secure', 'ns.insecure'];
const ENT_ABOVE_CUTS = ['optout', 'b.optout'];
const NX_PARENTS = ['', 'www', 'b.ent', 'ent', 'z.deep', 'y.z.deep', 'other', 'optout', 'b.optout', 'ent2', 'srv', '_tcp.srv'];
const WILD_PARENTS = ['wild', 'w2.ent2'];
const TYPES = ['A', 'AAAA', 'TXT', 'MX', 'NS', 'SOA', 'DS', 'DNSKEY', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'RRSIG', 'CNAME', 'DNAME', 'ANY', 'SRV', 'PTR'];
const COMMON = ['A', 'A', 'AAAA', 'TXT', 'MX', 'DS', 'ANY'];

/** What the differential zones hold besides ZONE_TEXT. */
export const EXTRA_TEXT = `txt         TXT   "a text"
*.w2.ent2   MX    10 mail
host.w2.ent2 A    192.0.2.70
srv         A     192.0.2.80
_sip._tcp.srv SRV 0 0 5060 srv
cname-deleg CNAME www.insecure
cname-ent   CNAME b.ent
`;

export function generateDnssecQueries(origins: readonly string[], hashedOwners: ReadonlyMap<string, string[]>, perZone: number, seed = 20261207): GenQuery[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const label = (): string => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length: 1 + int(10) }, () => chars[int(chars.length)]).join('');
  };
  const out: GenQuery[] = [];
  const add = (group: string, labelText: string, spec: QuerySpec): void => {
    const transport = rnd() < 0.8 ? 'udp' : 'tcp';
    const payload = spec.edns?.payload ?? 512;
    out.push({
      index: out.length, label: labelText, group, transport, packet: buildQuery(spec), queryId: spec.id ?? 0,
      udpLimit: transport === 'udp' ? (spec.edns ? Math.max(512, payload) : 512) : null, spec,
    });
  };
  const fqdn = (rel: string, origin: string): string => (rel === '' ? origin : `${rel}.${origin}`);
  for (const origin of origins) {
    const hashed = hashedOwners.get(origin) ?? [];
    for (let i = 0; i < perZone; i++) {
      const roll = rnd();
      let group: string;
      let name: string;
      let qtype: string;
      if (roll < 0.3) {
        group = 'exists';
        name = fqdn(pick(EXISTING), origin);
        qtype = rnd() < 0.5 ? pick(COMMON) : pick(TYPES);
      } else if (roll < 0.5) {
        group = 'nxdomain';
        name = `${rnd() < 0.2 ? `${label()}.` : ''}${label()}.${fqdn(pick(NX_PARENTS), origin)}`;
        qtype = pick(COMMON);
      } else if (roll < 0.65) {
        group = 'wildcard';
        name = `${rnd() < 0.2 ? `${label()}.` : ''}${label()}.${fqdn(pick(WILD_PARENTS), origin)}`;
        qtype = rnd() < 0.6 ? pick(COMMON) : pick(TYPES);
      } else if (roll < 0.8) {
        group = 'delegation';
        const r = rnd();
        name = fqdn(r < 0.4 ? pick(CUTS) : r < 0.6 ? `${label()}.${pick(CUTS)}` : r < 0.75 ? pick(GLUE) : pick(ENT_ABOVE_CUTS), origin);
        qtype = pick(['DS', 'DS', 'A', 'NS', 'AAAA', 'ANY']);
      } else if (roll < 0.9) {
        group = 'dname';
        name = `${rnd() < 0.3 ? `${label()}.` : ''}${pick(['www', 'nothere', label()])}.${fqdn('dname', origin)}`;
        qtype = pick(['A', 'CNAME', 'DNAME', 'TXT', 'ANY']);
      } else if (hashed.length > 0 && roll < 0.96) {
        group = 'nsec3-owner';
        name = rnd() < 0.8 ? pick(hashed) : `${label()}.${pick(hashed)}`;
        qtype = pick(['NSEC3', 'A', 'RRSIG', 'ANY', 'TXT']);
      } else {
        group = 'exists';
        name = fqdn(pick(EXISTING), origin);
        qtype = pick(TYPES);
      }
      const payload = pick([512, 1232, 1232, 4096]);
      add(group, `${group}: ${name} ${qtype} DO=1 payload ${payload}`, { qname: name, qtype, id: int(0x10000), edns: { payload, do: true } });
    }
  }
  return out;
}
