// Deterministic generation of the differential query corpus over the zones in ./zones.
// The same seed always yields the same queries (IDs, case, options and transport included), so a
// mismatch report can be reproduced by its index.
import { prng } from '../helpers/prng.js';
export { prng };
import { buildQuery, encodeOpt, nameToWire, OPT_COOKIE, OPT_NSID, OPT_PADDING, type EdnsOptions, type QuerySpec } from '../helpers/dns-client.js';

export type Transport = 'udp' | 'tcp';

export interface GenQuery {
  index: number;
  /** Human description: what the query is and why it is in the corpus. */
  label: string;
  /** Corpus group, for summaries: exists, nxdomain, wildcard, delegation, dname, outside, trunc, edns, malformed. */
  group: string;
  transport: Transport;
  packet: Buffer;
  /** ID in the header, or null when the packet has no readable header. */
  queryId: number | null;
  /** Largest UDP response allowed by the query, or null over TCP. */
  udpLimit: number | null;
  /** The builder input for well-formed queries (absent for hand-made malformed packets). */
  spec?: QuerySpec;
}

/** The zones the corpus is written for; file name = origin + `.zone`. */
export const ZONES = ['example.test', 'child.example.test', 'other.test', 'wild.test'] as const;


const LONG_A = 'a'.repeat(63);

/** Names that exist (data or empty non-terminal) in the served zones. */
const EXISTING = [
  'example.test', 'ns1.example.test', 'ns2.example.test', 'mail.example.test', 'www.example.test',
  '_443._tcp.www.example.test', '_tcp.www.example.test', 'svc.example.test', 'svc-target.example.test', 'svc-alias.example.test',
  '_sip._udp.example.test', '_udp.example.test', 'sip.example.test', 'naptr.example.test', 'loc.example.test',
  'hinfo.example.test', 'ptr.example.test', 'rp.example.test', 'multistr.example.test', 'generic.example.test',
  'generic-a.example.test', 'empty-txt.example.test', 'ttl-varied.example.test', 'MiXeD.CaSe.example.test',
  'case.example.test', 'UPPER.example.test', 'a\\.b.example.test', 'sp\\032ace.example.test',
  '\\200\\201bin.example.test', 'at\\@sign.example.test', 'semi\\;colon.example.test', 'CasedTarget.example.test',
  'x.y.z.ent.example.test', 'y.z.ent.example.test', 'z.ent.example.test', 'ent.example.test',
  'deep.a.b.c.d.e.f.g.h.example.test', 'e.f.g.h.example.test', 'h.example.test',
  'wc.example.test', '*.wc.example.test', 'host.wc.example.test', 'blocker.wc.example.test', 'x.blocker.wc.example.test',
  'c1.example.test', 'c2.example.test', 'c3.example.test', 'loop1.example.test', 'loop2.example.test',
  'dangling.example.test', 'toother.example.test', 'tootherchain.example.test', 'toext.example.test',
  'todeleg.example.test', 'towild.example.test', 'tochild.example.test', 'todname.example.test', 'toent.example.test',
  'tomx.example.test', 'dn.example.test', 'dnlocal.example.test', 'dnx.example.test', 'long.example.test',
  'dnchain.example.test', 'bigtxt.example.test', 'midtxt.example.test',
  'child.example.test', 'ns1.child.example.test', 'www.child.example.test', 'back.child.example.test',
  'other.test', 'ns.other.test', 'www.other.test', 'mail.other.test', 'back.other.test', 'chain.other.test',
  'x.other.test', 'sub.x.other.test',
  'wild.test', 'ns.wild.test', '*.wild.test', 'sub.*.wild.test', 'host1.wild.test', '_ssh._tcp.host1.wild.test',
  '_tcp.host1.wild.test', '_ssh._tcp.host2.wild.test', 'host2.wild.test', 'x.*.entwild.wild.test', '*.entwild.wild.test',
  'entwild.wild.test', '*.a.ent2.wild.test', 'a.ent2.wild.test', 'ent2.wild.test', '*.blk.wild.test', 'x.y.blk.wild.test',
  'y.blk.wild.test', '*.onlytxt.wild.test', '*.cn.wild.test', '*.cnchain.wild.test', '*.multi.wild.test',
  'exact.multi.wild.test',
];

/** Delegation points (zone cuts) and names at or below them. */
const DELEGATIONS = [
  'sub.example.test', 'd1.example.test', 'd2.example.test', 'ext.example.test', 'fat.example.test',
  'huge.example.test', 'subdel.wild.test',
];
const GLUE = [
  'ns1.sub.example.test', 'ns2.sub.example.test', 'ns.d2.example.test', 'ns1.child.example.test',
  'ns01.very-long-nameserver-label-for-glue.fat.example.test',
];

/** Parents under which any label is synthesised from a wildcard. */
const WILDCARD_PARENTS = [
  'wc.example.test', 'wild.test', 'entwild.wild.test', 'a.ent2.wild.test', 'blk.wild.test', 'onlytxt.wild.test',
  'cn.wild.test', 'cnchain.wild.test', 'cnout.wild.test', 'cnloop.wild.test', 'cnnx.wild.test', 'multi.wild.test',
];

const DNAMES = ['dn.example.test', 'dnlocal.example.test', 'dnx.example.test', 'long.example.test', 'dnchain.example.test'];

/** Names below which nothing exists and no wildcard applies (NXDOMAIN territory). */
const NX_PARENTS = [
  'example.test', 'ent.example.test', 'z.ent.example.test', 'www.example.test', 'host.wc.example.test',
  'y.blk.wild.test', 'host1.wild.test', '_tcp.host1.wild.test', '*.wild.test', 'other.test', 'child.example.test',
  'ent2.wild.test', 'h.example.test',
];

const OUTSIDE = [
  '.', 'test', 'example.com', 'www.example.com', 'example.net', 'notexample.test', 'xexample.test', 'example.testx',
  'test.example', 'arpa', '1.2.0.192.in-addr.arpa', 'example.test.example.com', 'wild', 'localhost',
];

/** Every RRset of a type that drives special processing, asked for exactly (additional section, DS, DNAME). */
const RRSETS: readonly (readonly [string, string])[] = [
  ['example.test', 'CAA'], ['example.test', 'MX'], ['example.test', 'NS'], ['www.example.test', 'SSHFP'],
  ['www.example.test', 'HTTPS'], ['_443._tcp.www.example.test', 'TLSA'], ['svc.example.test', 'SVCB'],
  ['svc-alias.example.test', 'HTTPS'], ['_sip._udp.example.test', 'SRV'], ['naptr.example.test', 'NAPTR'],
  ['loc.example.test', 'LOC'], ['hinfo.example.test', 'HINFO'], ['ptr.example.test', 'PTR'], ['rp.example.test', 'RP'],
  ['generic.example.test', 'TYPE65280'], ['generic-a.example.test', 'A'], ['multistr.example.test', 'TXT'],
  ['empty-txt.example.test', 'TXT'], ['ttl-varied.example.test', 'AAAA'], ['dn.example.test', 'DNAME'],
  ['dnx.example.test', 'DNAME'], ['dnx.example.test', 'A'], ['long.example.test', 'DNAME'], ['dnchain.example.test', 'DNAME'],
  ['dnlocal.example.test', 'DNAME'], ['sub.example.test', 'DS'], ['child.example.test', 'DS'], ['ext.example.test', 'DS'],
  ['d1.example.test', 'DS'], ['other.test', 'DS'], ['wild.test', 'DS'], ['child.example.test', 'NS'], ['child.example.test', 'SOA'],
  ['other.test', 'MX'], ['x.multi.wild.test', 'SRV'], ['x.multi.wild.test', 'MX'], ['x.multi.wild.test', 'AAAA'],
  ['_ssh._tcp.host1.wild.test', 'SRV'], ['_ssh._tcp.host2.wild.test', 'SRV'], ['x.wild.test', 'MX'], ['x.wild.test', 'TXT'],
  ['CasedTarget.example.test', 'A'], ['tomx.example.test', 'MX'], ['tomx.example.test', 'A'],
];

const CORE_TYPES = ['A', 'AAAA', 'NS', 'SOA', 'MX', 'TXT', 'CNAME', 'DS', 'ANY'] as const;
const OTHER_TYPES = [
  'DNAME', 'SRV', 'PTR', 'NAPTR', 'LOC', 'SSHFP', 'TLSA', 'SVCB', 'HTTPS', 'CAA', 'HINFO', 'RP', 'TYPE65280',
  'DNSKEY', 'NSEC', 'RRSIG', 'NSEC3PARAM', 'SPF', 'TYPE4242', 'URI', 'CDS',
] as const;
const ALL_TYPES = [...CORE_TYPES, ...OTHER_TYPES];

class Gen {
  readonly out: GenQuery[] = [];
  constructor(readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  label(): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    const length = 1 + this.int(12);
    let s = this.pick('abcdefghijklmnopqrstuvwxyz'.split(''));
    for (let i = 1; i < length; i++) s += this.pick(alphabet.split(''));
    return s.replace(/-$/, 'x');
  }
  /** Randomise the case of the ASCII letters of a presentation name (escapes untouched). */
  mixCase(name: string): string {
    let out = '';
    for (let i = 0; i < name.length; i++) {
      const ch = name[i]!;
      if (ch === '\\') {
        const escape = /^\\\d{3}/.test(name.slice(i)) ? name.slice(i, i + 4) : name.slice(i, i + 2);
        out += escape;
        i += escape.length - 1;
        continue;
      }
      out += this.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase();
    }
    return out;
  }
  /** EDNS choice for an ordinary query: often none, mostly 1232, sometimes odd sizes and options. */
  edns(): EdnsOptions | undefined {
    const roll = this.rnd();
    if (roll < 0.3) return undefined;
    const payload = this.pick([512, 1232, 1232, 1232, 4096, 4096, 65535, 1400, 100]);
    const edns: EdnsOptions = { payload };
    if (this.chance(0.25)) edns.do = true;
    const options = [];
    if (this.chance(0.12)) options.push({ code: OPT_NSID });
    if (this.chance(0.05)) options.push({ code: 65001, data: Buffer.from('unknown option') });
    if (this.chance(0.04)) options.push({ code: OPT_PADDING, data: Buffer.alloc(16) });
    if (this.chance(0.04)) options.push({ code: OPT_COOKIE, data: Buffer.from('0123456789abcdef', 'hex') });
    if (options.length > 0) edns.options = options;
    return edns;
  }
  transport(): Transport {
    return this.chance(0.2) ? 'tcp' : 'udp';
  }

  add(group: string, label: string, spec: QuerySpec, transport: Transport = this.transport()): void {
    const packet = buildQuery(spec);
    const udpLimit = transport === 'tcp' ? null : spec.edns === undefined ? 512 : Math.max(512, spec.edns.payload ?? 1232);
    const variant = [
      transport,
      spec.edns === undefined ? 'no-edns' : `edns(v${spec.edns.version ?? 0},${spec.edns.payload ?? 1232}${spec.edns.do === true ? ',do' : ''}${(spec.edns.options ?? []).map((o) => `,opt${o.code}`).join('')})`,
      spec.rd === true ? 'rd' : '',
      spec.cd === true ? 'cd' : '',
      spec.ad === true ? 'ad' : '',
    ].filter((x) => x !== '').join(' ');
    const qclass = spec.qclass === undefined || spec.qclass === 'IN' ? '' : ` ${spec.qclass}`;
    this.out.push({
      index: this.out.length, group, transport, packet, queryId: spec.id ?? null, udpLimit, spec,
      label: `${label}: ${spec.qname}${qclass} ${spec.qtype} [${variant}]`,
    });
  }
  /** An ordinary query with random ID, case, RD/CD/AD and EDNS. */
  normal(group: string, label: string, qname: string, qtype: string): void {
    const spec: QuerySpec = {
      qname: this.chance(0.6) ? this.mixCase(qname) : qname,
      qtype,
      id: this.int(0x10000),
      rd: this.chance(0.5),
    };
    if (this.chance(0.08)) spec.cd = true;
    if (this.chance(0.05)) spec.ad = true;
    const edns = this.edns();
    if (edns !== undefined) spec.edns = edns;
    this.add(group, label, spec);
  }
  raw(group: string, label: string, packet: Buffer, transport: Transport = this.transport()): void {
    const queryId = packet.length >= 2 ? packet.readUInt16BE(0) : null;
    this.out.push({ index: this.out.length, group, label: `${label} [${transport}, ${packet.length} octets]`, transport, packet, queryId, udpLimit: transport === 'udp' ? 512 : null });
  }
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

function questionWire(name: string, type: number, cls = 1): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(cls, 2);
  return Buffer.concat([nameToWire(name), tail]);
}

function malformed(g: Gen): void {
  const id = (): number => g.int(0x10000);
  const q = questionWire('www.example.test', 1);
  const opt = encodeOpt({ payload: 1232 });
  for (let i = 0; i < 2; i++) {
    for (const t of ['udp', 'tcp'] as const) {
      g.raw('malformed', 'QDCOUNT 0, no question', header(id(), 0, 0, 0, 0, 0), t);
      g.raw('malformed', 'QDCOUNT 0 with OPT', Buffer.concat([header(id(), 0, 0, 0, 0, 1), opt]), t);
      g.raw('malformed', 'QDCOUNT 2, two questions', Buffer.concat([header(id(), 0, 2, 0, 0, 0), q, questionWire('mail.example.test', 1)]), t);
      g.raw('malformed', 'QDCOUNT 2, one question present', Buffer.concat([header(id(), 0, 2, 0, 0, 0), q]), t);
      g.raw('malformed', 'truncated qname', Buffer.concat([header(id(), 0, 1, 0, 0, 0), q.subarray(0, 7)]), t);
      g.raw('malformed', 'qname without type/class', Buffer.concat([header(id(), 0, 1, 0, 0, 0), q.subarray(0, q.length - 4)]), t);
      g.raw('malformed', 'question missing class', Buffer.concat([header(id(), 0, 1, 0, 0, 0), q.subarray(0, q.length - 2)]), t);
      g.raw('malformed', 'bad label type 0x40', Buffer.concat([header(id(), 0, 1, 0, 0, 0), Buffer.from([0x41, 0x61, 0x00, 0, 1, 0, 1])]), t);
      g.raw('malformed', 'bad label type 0x80', Buffer.concat([header(id(), 0, 1, 0, 0, 0), Buffer.from([0x03, 0x77, 0x77, 0x77, 0x81, 0x00, 0, 1, 0, 1])]), t);
      g.raw('malformed', 'compression pointer in question (to itself)', Buffer.concat([header(id(), 0, 1, 0, 0, 0), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), t);
      g.raw('malformed', 'compression pointer in question (forward)', Buffer.concat([header(id(), 0, 1, 0, 0, 0), Buffer.from([0xc0, 0x20, 0, 1, 0, 1])]), t);
      g.raw('malformed', 'trailing garbage after the question', Buffer.concat([header(id(), 0, 1, 0, 0, 0), q, Buffer.from('garbage!')]), t);
      g.raw('malformed', 'trailing garbage after OPT', Buffer.concat([header(id(), 0, 1, 0, 0, 1), q, opt, Buffer.from([0xde, 0xad])]), t);
      g.raw('malformed', 'ARCOUNT 1 but no OPT', Buffer.concat([header(id(), 0, 1, 0, 0, 1), q]), t);
      g.raw('malformed', 'ANCOUNT 1 in a query, answer absent', Buffer.concat([header(id(), 0, 1, 1, 0, 0), q]), t);
      g.raw('malformed', 'two OPT RRs', Buffer.concat([header(id(), 0, 1, 0, 0, 2), q, opt, opt]), t);
      const badOwnerOpt = Buffer.concat([nameToWire('example.test'), opt.subarray(1)]);
      g.raw('malformed', 'OPT with a non-root owner', Buffer.concat([header(id(), 0, 1, 0, 0, 1), q, badOwnerOpt]), t);
      const badOptLen = Buffer.from(encodeOpt({ payload: 1232, options: [{ code: OPT_NSID }] }));
      badOptLen.writeUInt16BE(9, 13); // option length runs past the RDATA
      g.raw('malformed', 'OPT option length beyond RDATA', Buffer.concat([header(id(), 0, 1, 0, 0, 1), q, badOptLen]), t);
      g.raw('malformed', 'name longer than 255 octets', Buffer.concat([header(id(), 0, 1, 0, 0, 0), Buffer.from(Array.from({ length: 5 }, () => [63, ...Buffer.from(LONG_A)]).flat()), Buffer.from([0, 0, 1, 0, 1])]), t);
      g.raw('malformed', 'qtype OPT in the question', Buffer.concat([header(id(), 0, 1, 0, 0, 0), questionWire('www.example.test', 41)]), t);
      g.raw('malformed', 'qtype 0', Buffer.concat([header(id(), 0, 1, 0, 0, 0), questionWire('www.example.test', 0)]), t);
      g.raw('malformed', 'TC and Z bits set in a query', Buffer.concat([header(id(), 0x0240, 1, 0, 0, 0), q]), t);
    }
    g.raw('malformed', 'header only, 11 octets', header(id(), 0, 1, 0, 0, 0).subarray(0, 11), 'udp');
    g.raw('malformed', '1 octet', Buffer.from([0x42]), 'udp');
    g.raw('malformed', 'empty datagram', Buffer.alloc(0), 'udp');
    g.raw('malformed', '12 zero octets', Buffer.alloc(12), 'udp');
  }
  // Opcodes other than QUERY (1 IQUERY, 2 STATUS, 3 unassigned, 4 NOTIFY, 5 UPDATE, 6 DSO, 15).
  for (const opcode of [1, 2, 3, 4, 5, 6, 9, 15]) {
    for (const t of ['udp', 'tcp'] as const) {
      g.add('opcode', `opcode ${opcode}`, { qname: 'example.test', qtype: opcode === 5 ? 'SOA' : 'SOA', id: id(), opcode }, t);
      g.add('opcode', `opcode ${opcode} with EDNS`, { qname: 'www.example.test', qtype: 'A', id: id(), opcode, edns: { payload: 1232 } }, t);
    }
  }
  // Responses (QR=1) must never be answered.
  for (let i = 0; i < 12; i++) {
    const spec: QuerySpec = { qname: g.pick(EXISTING), qtype: g.pick(CORE_TYPES), id: id(), qr: true, rd: g.chance(0.5) };
    if (g.chance(0.5)) spec.edns = { payload: 1232 };
    if (g.chance(0.3)) spec.opcode = g.pick([0, 4, 5]);
    g.add('qr', 'QR=1 packet (must be ignored)', spec, i % 3 === 0 ? 'tcp' : 'udp');
  }
  const answered = Buffer.from(buildQuery({ qname: 'www.example.test', qtype: 'A', id: id(), qr: true }));
  g.raw('qr', 'QR=1 packet with AA, RCODE NXDOMAIN', (answered.writeUInt16BE(0x8403, 2), answered), 'udp');
  // Classes other than IN.
  for (const [qname, qtype, qclass] of [
    ['version.bind', 'TXT', 'CH'], ['id.server', 'TXT', 'CH'], ['hostname.bind', 'TXT', 'CH'], ['version.server', 'TXT', 'CH'],
    ['authors.bind', 'TXT', 'CH'], ['www.example.test', 'A', 'CH'], ['www.example.test', 'A', 'ANY'],
    ['example.test', 'SOA', 'ANY'], ['www.example.test', 'A', 'HS'], ['www.example.test', 'A', 'NONE'],
    ['www.example.test', 'A', 'CLASS42'], ['nothere.example.test', 'A', 'ANY'], ['example.test', 'ANY', 'ANY'],
  ] as const) {
    for (const t of ['udp', 'tcp'] as const) {
      g.add('class', `class ${qclass}`, { qname, qtype, qclass, id: id() }, t);
      g.add('class', `class ${qclass} with EDNS`, { qname: g.mixCase(qname), qtype, qclass, id: id(), edns: { payload: 1232 } }, t);
    }
  }
}

/** The full corpus for a seed (≥ 2,000 queries). */
export function generateQueries(seed = 20240101): GenQuery[] {
  const g = new Gen(prng(seed));

  // Existing names × the core types, plus random other types.
  for (const name of EXISTING) {
    for (const qtype of CORE_TYPES) g.normal('exists', 'existing name', name, qtype);
    for (let i = 0; i < 4; i++) g.normal('exists', 'existing name, other type', name, g.pick(OTHER_TYPES));
  }
  // Every special RRset under four fixed transport/EDNS variants.
  for (const [qname, qtype] of RRSETS) {
    const id = (): number => g.int(0x10000);
    g.add('rrset', 'RRset asked for exactly', { qname: g.mixCase(qname), qtype, id: id() }, 'udp');
    g.add('rrset', 'RRset asked for exactly', { qname, qtype, id: id(), edns: { payload: 1232 } }, 'udp');
    g.add('rrset', 'RRset asked for exactly', { qname, qtype, id: id(), edns: { payload: 1232, do: true } }, 'udp');
    g.add('rrset', 'RRset asked for exactly', { qname: g.mixCase(qname), qtype, id: id(), rd: true, edns: { payload: 4096 } }, 'tcp');
  }
  // NXDOMAIN names.
  for (let i = 0; i < 160; i++) {
    const depth = 1 + g.int(3);
    const labels = Array.from({ length: depth }, () => g.label());
    g.normal('nxdomain', 'name that does not exist', `${labels.join('.')}.${g.pick(NX_PARENTS)}`, g.pick(ALL_TYPES));
  }
  // Names under wildcards (one or more labels, sometimes a literal `*` label).
  for (let i = 0; i < 260; i++) {
    const parent = g.pick(WILDCARD_PARENTS);
    const prefix = g.chance(0.2) ? `${g.label()}.${g.label()}` : g.chance(0.05) ? '*' : g.label();
    g.normal('wildcard', 'name under a wildcard', `${prefix}.${parent}`, g.pick([...CORE_TYPES, 'SRV', 'DNAME', 'HTTPS']));
  }
  // RFC 4592 §2.2.1 questions, verbatim.
  for (const [qname, qtype] of [
    ['host3.wild.test', 'MX'], ['host3.wild.test', 'A'], ['foo.bar.wild.test', 'TXT'], ['host1.wild.test', 'MX'],
    ['sub.*.wild.test', 'MX'], ['_telnet._tcp.host1.wild.test', 'SRV'], ['host.subdel.wild.test', 'A'],
    ['ghost.*.wild.test', 'MX'], ['*.wild.test', 'TXT'], ['*.wild.test', 'A'],
  ] as const) {
    for (const t of ['udp', 'tcp'] as const) g.add('wildcard', 'RFC 4592 §2.2.1', { qname, qtype, id: g.int(0x10000), edns: { payload: 1232 } }, t);
  }
  // Delegations: at the cut, below it, glue names, DS at the cut.
  for (let i = 0; i < 220; i++) {
    const cut = g.pick(DELEGATIONS);
    const roll = g.rnd();
    const qname = roll < 0.3 ? cut : roll < 0.8 ? `${g.label()}.${cut}` : g.pick(GLUE);
    g.normal('delegation', 'at or below a zone cut', qname, g.pick([...CORE_TYPES, 'DS', 'DS', 'NS']));
  }
  // DNAME: synthesis, DNAME/CNAME types at and under the owner, YXDOMAIN overflow.
  for (let i = 0; i < 150; i++) {
    const owner = g.pick(DNAMES);
    const prefix = owner.startsWith('long.') && g.chance(0.4) ? `${g.label()}${'q'.repeat(45)}` : g.chance(0.3) ? `${g.label()}.${g.label()}` : g.label();
    g.normal('dname', 'name under a DNAME', g.chance(0.1) ? owner : `${prefix}.${owner}`, g.pick(['A', 'A', 'CNAME', 'DNAME', 'TXT', 'ANY', 'MX', 'AAAA']));
  }
  for (const prefix of ['www', 'x.y.z', 'sub.x', 'y.z', 'nothere', 'q'.repeat(60), `${'q'.repeat(20)}.${'r'.repeat(20)}`]) {
    for (const owner of DNAMES) {
      g.add('dname', 'DNAME fixed', { qname: `${prefix}.${owner}`, qtype: 'A', id: g.int(0x10000), edns: { payload: 1232 } }, 'udp');
    }
  }
  // Names outside the served zones.
  for (let i = 0; i < 60; i++) g.normal('outside', 'outside every served zone', g.pick(OUTSIDE), g.pick(CORE_TYPES));
  // Truncation: large answers under every payload size, UDP and TCP.
  const big: [string, string][] = [
    ['bigtxt.example.test', 'TXT'], ['midtxt.example.test', 'TXT'], ['fat.example.test', 'NS'], ['www.fat.example.test', 'A'],
    ['huge.example.test', 'NS'], ['www.huge.example.test', 'A'], ['example.test', 'ANY'], ['example.test', 'MX'],
    ['example.test', 'NS'], ['bigtxt.example.test', 'ANY'], ['long.example.test', 'DNAME'], ['x.long.example.test', 'A'],
  ];
  for (const [qname, qtype] of big) {
    for (const edns of [undefined, 512, 1232, 1400, 4096, 65535] as const) {
      for (const t of ['udp', 'tcp'] as const) {
        const spec: QuerySpec = { qname: g.mixCase(qname), qtype, id: g.int(0x10000) };
        if (edns !== undefined) spec.edns = { payload: edns, do: g.chance(0.3) };
        g.add('trunc', 'large response', spec, t);
      }
    }
  }
  // EDNS corner cases on a few names.
  const ednsNames: [string, string][] = [['example.test', 'SOA'], ['www.example.test', 'A'], ['nothere.example.test', 'A'], ['www.sub.example.test', 'A'], ['example.com', 'A']];
  for (const [qname, qtype] of ednsNames) {
    for (const t of ['udp', 'tcp'] as const) {
      const id = (): number => g.int(0x10000);
      g.add('edns', 'EDNS version 1 (BADVERS)', { qname, qtype, id: id(), edns: { version: 1 } }, t);
      g.add('edns', 'EDNS version 255 (BADVERS)', { qname, qtype, id: id(), edns: { version: 255, do: true } }, t);
      g.add('edns', 'EDNS DO bit', { qname, qtype, id: id(), edns: { do: true } }, t);
      g.add('edns', 'EDNS NSID', { qname, qtype, id: id(), edns: { options: [{ code: OPT_NSID }] } }, t);
      g.add('edns', 'EDNS NSID with DO', { qname, qtype, id: id(), edns: { do: true, options: [{ code: OPT_NSID }] } }, t);
      g.add('edns', 'EDNS unknown option', { qname, qtype, id: id(), edns: { options: [{ code: 65001, data: Buffer.from([1, 2, 3]) }] } }, t);
      g.add('edns', 'EDNS payload below 512', { qname, qtype, id: id(), edns: { payload: 0 } }, t);
      g.add('edns', 'EDNS Z flags set', { qname, qtype, id: id(), edns: { zFlags: 0x4000 } }, t);
      g.add('edns', 'EDNS client cookie', { qname, qtype, id: id(), edns: { options: [{ code: OPT_COOKIE, data: Buffer.from('0011223344556677', 'hex') }] } }, t);
      g.add('edns', 'EDNS extended rcode bits set in query', { qname, qtype, id: id(), edns: { extendedRcode: 1 } }, t);
      g.add('edns', 'CD and AD set', { qname, qtype, id: id(), cd: true, ad: true, edns: { do: true } }, t);
    }
  }
  malformed(g);
  withoutQuestion(g);
  return g.out;
}

/** Opcodes we do not implement, sent as RFC 8490 DSO messages are: QDCOUNT 0 (last, so the draws above stay as they were). */
function withoutQuestion(g: Gen): void {
  const id = (): number => g.int(0x10000);
  const opt = encodeOpt({ payload: 1232 });
  for (const opcode of [6, 1, 2, 15]) {
    for (const t of ['udp', 'tcp'] as const) {
      g.raw('opcode', `opcode ${opcode}, QDCOUNT 0`, header(id(), opcode << 11, 0, 0, 0, 0), t);
      g.raw('opcode', `opcode ${opcode}, QDCOUNT 0, with OPT`, Buffer.concat([header(id(), opcode << 11, 0, 0, 0, 1), opt]), t);
    }
  }
}
