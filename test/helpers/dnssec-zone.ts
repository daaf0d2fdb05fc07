/**
 * A small test zone signed with the dnssec/ primitives: apex SOA/NS/MX/DNSKEY, A/AAAA/TXT/CNAME names,
 * a wildcard, an empty non-terminal, a delegation with DS and glue, mixed-case owners and rdata
 * names. The signing here is deliberately simple (every authoritative RRset, an NSEC or NSEC3 chain)
 * so that tests can hand the result to dnssec-verify and ldns-verify-zone.
 */
import { dsRdata } from '../../dnssec/ds.js';
import { base32hex, nsec3Hash } from '../../dnssec/nsec3-hash.js';
import { nsec3paramRdata, nsec3Rdata, nsecRdata } from '../../dnssec/records.js';
import { signRRset, type RRsetToSign } from '../../dnssec/rrsig.js';
import { generateKey, type DnssecKey } from '../../dnssec/keys.js';
import { isInZone, nameEquals, nameToKey, nameToText, parseName, prependLabel, type WireName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import { parseZoneText } from '../../zones/zonefile/parser.js';

export const ZONE = 'example.test.';
export const APEX = parseName(ZONE);
const NEGATIVE_TTL = 300; // SOA minimum below; RFC 9077 §3.3

export interface TestRRset extends RRsetToSign {
  rdatas: Uint8Array[];
}

const childKey = generateKey(13, 257).key;

export function unsignedZoneText(): string {
  const ds = rdataToText(RRType.DS, dsRdata(parseName('sub.example.test.'), childKey.dnskey, 2));
  return `$ORIGIN example.test.
$TTL 3600
@        SOA   ns1.Example.TEST. hostmaster.example.test. 2026120701 7200 3600 1209600 300
@        NS    ns1.example.test.
@        NS    NS2.Example.Test.
@        MX    10 Mail.EXAMPLE.test.
ns1      A     192.0.2.1
NS2      AAAA  2001:db8::2
Mail     A     192.0.2.25
www      A     192.0.2.80
WWW      A     192.0.2.81
www      AAAA  2001:db8::80
www      TXT   "hello world"
Alias    CNAME WWW.example.TEST.
*.wild   A     192.0.2.99
*.wild   TXT   "wildcard"
a.b.ent  A     192.0.2.7
sub      NS    ns.sub.example.test.
sub      NS    NS.Elsewhere.example.
sub      DS    ${ds}
ns.sub   A     192.0.2.53
`;
}

/** The zone's RRsets (one per owner and type, owners compared without case), in file order. */
export function unsignedRRsets(text = unsignedZoneText()): TestRRset[] {
  const parsed = parseZoneText(text, { origin: APEX, file: 'example.test.zone' });
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`test zone does not parse: ${errors.map((e) => e.message).join('; ')}`);
  return groupRRsets(parsed.records);
}

export function groupRRsets(records: readonly { owner: WireName; type: number; ttl: number; rdata: Uint8Array }[]): TestRRset[] {
  const sets = new Map<string, TestRRset>();
  for (const r of records) {
    const id = `${nameToKey(r.owner).toString('hex')}/${r.type}`;
    const set = sets.get(id);
    if (set === undefined) sets.set(id, { owner: r.owner, type: r.type, ttl: r.ttl, rdatas: [r.rdata] });
    else set.rdatas.push(r.rdata);
  }
  return [...sets.values()];
}

export interface SigningKeys {
  /** Signs the DNSKEY RRset (a KSK, or the CSK). */
  ksk: DnssecKey;
  /** Signs everything else (a ZSK, or the CSK again). */
  zsk: DnssecKey;
}

export interface SignOptions {
  denial: 'nsec' | 'nsec3';
  now?: number;
}

/** The zone signed: DNSKEY added, every authoritative RRset signed, an NSEC or NSEC3 chain. */
export function signTestZone(keys: SigningKeys, options: SignOptions): TestRRset[] {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const inception = now - 3600;
  const expiration = now + 30 * 86400;
  const sets = unsignedRRsets();
  const dnskeys = keys.ksk === keys.zsk ? [keys.ksk.dnskey] : [keys.ksk.dnskey, keys.zsk.dnskey];
  sets.push({ owner: APEX, type: RRType.DNSKEY, ttl: 3600, rdatas: dnskeys });
  const cuts = sets.filter((s) => s.type === RRType.NS && !nameEquals(s.owner, APEX)).map((s) => s.owner);
  const belowCut = (name: WireName): boolean => cuts.some((cut) => !nameEquals(name, cut) && isInZone(name, cut));
  const isCut = (name: WireName): boolean => cuts.some((cut) => nameEquals(name, cut));
  const authoritative = sets.filter((s) => !belowCut(s.owner));
  if (options.denial === 'nsec') authoritative.push(...nsecChain(authoritative));
  else authoritative.push(...nsec3Chain(authoritative, isCut));
  const signed: TestRRset[] = [...sets.filter((s) => belowCut(s.owner))];
  for (const set of authoritative) {
    signed.push(set);
    // RFC 4035 §2.2: at a delegation point only DS and NSEC are signed
    if (isCut(set.owner) && set.type !== RRType.DS && set.type !== RRType.NSEC) continue;
    const key = set.type === RRType.DNSKEY ? keys.ksk : keys.zsk;
    signed.push({ owner: set.owner, type: RRType.RRSIG, ttl: set.ttl, rdatas: [signRRset(set, APEX, key, inception, expiration)] });
  }
  return signed;
}

function typesByName(sets: readonly TestRRset[]): Map<string, { owner: WireName; types: number[] }> {
  const names = new Map<string, { owner: WireName; types: number[] }>();
  for (const s of sets) {
    const id = nameToKey(s.owner).toString('hex');
    const entry = names.get(id) ?? { owner: s.owner, types: [] };
    entry.types.push(s.type);
    names.set(id, entry);
  }
  return names;
}

function byCanonicalName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function nsecChain(sets: readonly TestRRset[]): TestRRset[] {
  const names = typesByName(sets);
  const ordered = [...names.keys()].sort(byCanonicalName).map((id) => names.get(id)!);
  return ordered.map((entry, i) => {
    const next = ordered[(i + 1) % ordered.length]!.owner;
    const types = [...entry.types, RRType.NSEC, RRType.RRSIG]; // the NSEC itself is always signed
    return { owner: entry.owner, type: RRType.NSEC, ttl: NEGATIVE_TTL, rdatas: [nsecRdata(next, types)] };
  });
}

function nsec3Chain(sets: readonly TestRRset[], isCut: (n: WireName) => boolean): TestRRset[] {
  const salt = new Uint8Array(0);
  const iterations = 0; // RFC 9276 §3.1
  const apexSet: TestRRset = { owner: APEX, type: RRType.NSEC3PARAM, ttl: 0, rdatas: [nsec3paramRdata(iterations, salt)] };
  const names = typesByName([...sets, apexSet]);
  // empty non-terminals get an NSEC3 with an empty bitmap (RFC 5155 §7.1)
  for (const { owner } of [...names.values()]) {
    for (let name = parentOf(owner); name !== undefined && !nameEquals(name, APEX) && isInZone(name, APEX); name = parentOf(name)) {
      const id = nameToKey(name).toString('hex');
      if (!names.has(id)) names.set(id, { owner: name, types: [] });
    }
  }
  const hashed = [...names.values()]
    .map((entry) => ({ ...entry, hash: nsec3Hash(entry.owner, salt, iterations) }))
    .sort((a, b) => Buffer.compare(a.hash, b.hash));
  const chain = hashed.map((entry, i) => {
    const next = hashed[(i + 1) % hashed.length]!.hash;
    const unsignedCut = isCut(entry.owner) && !entry.types.includes(RRType.DS);
    const types = entry.types.length === 0 || unsignedCut ? entry.types : [...entry.types, RRType.RRSIG];
    const owner = prependLabel(Buffer.from(base32hex(entry.hash)), APEX);
    return { owner, type: RRType.NSEC3, ttl: NEGATIVE_TTL, rdatas: [nsec3Rdata({ flags: 0, iterations, salt, nextHashed: next, types })] };
  });
  return [apexSet, ...chain];
}

function parentOf(name: WireName): WireName | undefined {
  if (name[0] === 0) return undefined;
  return name.subarray(name[0]! + 1);
}

/** The zone in presentation format, one record a line, SOA first. */
export function zoneFileText(sets: readonly TestRRset[]): string {
  const soaFirst = [...sets].sort((a, b) => Number(b.type === RRType.SOA) - Number(a.type === RRType.SOA));
  const lines: string[] = [];
  for (const s of soaFirst) {
    for (const r of s.rdatas) lines.push(`${nameToText(s.owner)} ${s.ttl} IN ${typeToText(s.type)} ${rdataToText(s.type, r)}`);
  }
  return lines.join('\n') + '\n';
}
