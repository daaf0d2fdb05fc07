// Documented policy differences between knotd (the reference) and meshdns (the subject).
//
// Every entry excuses individual differences (Diff items), never a whole response, and must describe
// a choice the RFCs leave to the implementation, not a bug. A response mismatch is excused only when
// every one of its differences is excused by some entry. Keep this list small and honest: when in
// doubt, leave the difference reported.
import { fullRcode, parseMessage, type Diff, type Message, type Rr } from './compare.js';
import type { GenQuery } from './query-gen.js';

export interface AllowContext {
  query: GenQuery;
  /** Reference (knotd) response, parsed; null when silent. */
  a: Message | null;
  /** Subject (meshdns) response, parsed; null when silent. */
  b: Message | null;
}

export interface AllowEntry {
  name: string;
  reason: string;
  excuses(diff: Diff, ctx: AllowContext): boolean;
}

function qtypeOf(ctx: AllowContext): number | undefined {
  return ctx.a?.question[0]?.type ?? ctx.b?.question[0]?.type;
}

const FORMERR = 1;
const REFUSED = 5;
const NOTIMP = 4;
const NOTAUTH = 9;
const DS = 43;
const NS = 2;
const EDE = 15;

/** True when the query packet carries an OPT RR whose owner is not the root (RFC 6891 §6.1.2 violation). */
function queryOptOwnerNotRoot(packet: Buffer): boolean {
  return parseMessage(packet).opts.some((opt) => opt.owner !== '.');
}

function rrKey(rr: Rr): string {
  return `${rr.owner}|${rr.type}|${rr.cls}|${rr.ttl}|${rr.rdata.toString('hex')}`;
}

export const ALLOWLIST: readonly AllowEntry[] = [
  {
    name: 'nsid-content',
    reason:
      'RFC 5001 §2.3: the NSID payload is whatever identifies the server instance; only its presence is ' +
      'compared (field opt.options), never its bytes.',
    excuses: (diff) => diff.field === 'opt.nsid',
  },
  {
    name: 'extended-dns-error-optional',
    reason:
      'RFC 8914 §3: an Extended DNS Error option MAY be added; knotd adds EDE 20 (Not Authoritative) to REFUSED. ' +
      'Excused: option-code differences that vanish when code 15 (EDE) is ignored on both sides.',
    excuses: (diff, ctx) => {
      if (diff.field !== 'opt.options' || ctx.a === null || ctx.b === null) return false;
      const codes = (m: Message): string => (m.opts[0]?.options ?? []).map((o) => o.code).filter((c) => c !== EDE).sort((x, y) => x - y).join(',');
      return codes(ctx.a) === codes(ctx.b);
    },
  },
  {
    name: 'any-subset',
    reason:
      'RFC 8482 §4.1/§4.2: a server may answer ANY with one RRset, a subset or a synthesised HINFO. knotd returns ' +
      'a single RRset over UDP. Excused: answer/additional differences for QTYPE ANY when both answered ' +
      'NOERROR with AA and a non-empty answer owned by the question name (rcode, flags, authority still compared).',
    excuses: (diff, ctx) => {
      if (qtypeOf(ctx) !== 255 || (diff.field !== 'answer' && diff.field !== 'additional')) return false;
      const ok = (m: Message | null): boolean => {
        if (m === null || !m.aa || m.rcode !== 0 || m.answer.length === 0) return false;
        const qname = m.question[0]?.name.toLowerCase();
        return m.answer.every((rr) => rr.owner === qname);
      };
      return ok(ctx.a) && ok(ctx.b);
    },
  },
  {
    name: 'cd-echo-by-subject',
    reason:
      'RFC 4035 §3.1.6: a name server MUST copy CD from the query into the response. knotd 3.2 clears CD on ' +
      'unsigned zones; meshdns copies it. Excused only when the subject\'s CD equals the query\'s CD.',
    excuses: (diff, ctx) => {
      if (diff.field !== 'flags.cd' || ctx.b === null || ctx.a?.cd !== false) return false;
      const queryCd = ctx.query.packet.length >= 4 && (ctx.query.packet[3]! & 0x10) !== 0;
      return ctx.b.cd === queryCd;
    },
  },
  {
    name: 'malformed-question-formerr',
    reason:
      'RFC 1035 §4.1.1 allows FORMERR for a query the server cannot interpret; knotd drops such packets ' +
      '(unreadable question, QDCOUNT ≠ 1). Excused: reference silent and subject sends a FORMERR that is no larger ' +
      'than the query (no amplification) and carries no records.',
    excuses: (diff, ctx) => {
      const b = ctx.b;
      if (diff.field !== 'presence' || ctx.a !== null || b === null) return false;
      return fullRcode(b) === FORMERR && b.size <= ctx.query.packet.length && b.answer.length + b.authority.length + b.additional.length === 0;
    },
  },
  {
    name: 'unauthorised-notify-update-rcode',
    reason:
      'NOTIFY (RFC 1996) and UPDATE (RFC 2136 §3) from a peer without permission may be refused with REFUSED or ' +
      'NOTAUTH (knotd); the choice is local policy. Excused: rcode differences for opcodes 4 and 5 when both refuse.',
    excuses: (diff, ctx) => {
      if (diff.field !== 'rcode' || ctx.a === null || ctx.b === null) return false;
      const refusal = new Set([REFUSED, NOTAUTH, NOTIMP]);
      return (ctx.a.opcode === 4 || ctx.a.opcode === 5) && refusal.has(fullRcode(ctx.a)) && refusal.has(fullRcode(ctx.b));
    },
  },
  {
    name: 'opt-owner-not-root-rejected',
    reason:
      'RFC 6891 §6.1.2: the OPT owner MUST be the root. knotd ignores a non-root owner and answers; meshdns rejects ' +
      'the query with FORMERR. Excused: every difference for such queries when the subject answers FORMERR.',
    excuses: (_diff, ctx) => ctx.b !== null && fullRcode(ctx.b) === FORMERR && queryOptOwnerNotRoot(ctx.query.packet),
  },
];

/**
 * Differences excused only in the signed-zone differential (dnssec-knotd-vs-meshdns.test.ts), on
 * top of ALLOWLIST.
 */
export const DNSSEC_ALLOWLIST: readonly AllowEntry[] = [
  {
    name: 'rrsig-subset',
    reason:
      'RFC 8482 §7 lets a server minimise RRSIG queries as it minimises ANY: knotd answers QTYPE RRSIG with the ' +
      'signatures of one RRset, meshdns with every RRSIG at the name. Excused: answer differences for QTYPE RRSIG ' +
      'when both answered NOERROR with AA, every answer RR is an RRSIG owned by the question name and the ' +
      'reference\'s answer is contained in the subject\'s (authority still compared).',
    excuses: (diff, ctx) => {
      if (qtypeOf(ctx) !== RRSIG || diff.field !== 'answer' || ctx.a === null || ctx.b === null) return false;
      const ok = (m: Message): boolean => {
        const qname = m.question[0]?.name.toLowerCase();
        return m.aa && m.rcode === 0 && m.answer.length > 0 && m.answer.every((rr) => rr.type === RRSIG && rr.owner === qname);
      };
      const inB = new Set(ctx.b.answer.map(rrKey));
      return ok(ctx.a) && ok(ctx.b) && ctx.a.answer.every((rr) => inB.has(rrKey(rr)));
    },
  },
  {
    name: 'wildcard-nsec-answer-proof',
    reason:
      'RFC 4035 §3.1.3.3: an answer synthesised from a wildcard carries the NSEC proving that no closer name ' +
      'exists. For QTYPE NSEC that NSEC is the wildcard\'s own, whose data the answer already holds under the ' +
      'query name: knotd drops it as a duplicate of its answer RRset (a resolver then cannot prove the expansion), ' +
      'meshdns sends it. Excused: authority differences for QTYPE NSEC where the subject has only extra NSEC/RRSIG ' +
      'owned by a `*` name whose NSEC data equals the answer\'s.',
    excuses: (diff, ctx) => {
      if (qtypeOf(ctx) !== NSEC || diff.field !== 'authority' || ctx.a === null || ctx.b === null) return false;
      const answerNsec = ctx.b.answer.find((rr) => rr.type === NSEC)?.rdata;
      if (answerNsec === undefined) return false;
      const inA = new Set(ctx.a.authority.map(rrKey));
      const inB = new Set(ctx.b.authority.map(rrKey));
      if (!ctx.a.authority.every((rr) => inB.has(rrKey(rr)))) return false;
      return ctx.b.authority.filter((rr) => !inA.has(rrKey(rr))).every((rr) =>
        rr.owner.startsWith('*.') && (rr.type === RRSIG || (rr.type === NSEC && rr.rdata.equals(answerNsec))));
    },
  },
  {
    name: 'tc-subject-fits',
    reason:
      'RFC 2181 §9 / RFC 4035 §3.1.1: TC is set only when the records do not fit. Signed negative answers come ' +
      'close to 512 octets: knotd truncates some whose every record would fit (seen: a DNAME NODATA answer that ' +
      'meshdns sends whole in 505 octets, knotd cut at 410 without the last RRSIG). Excused: TC set by the reference ' +
      'and not by the subject over UDP when the subject\'s response is within the payload limit (the sections of ' +
      'a truncated answer are not compared; dnssec-answers.test.ts checks with delv that such answers validate).',
    excuses: (diff, ctx) =>
      diff.field === 'flags.tc' && ctx.query.transport === 'udp' && ctx.a?.tc === true && ctx.b?.tc === false &&
      ctx.query.udpLimit !== null && ctx.b.size <= ctx.query.udpLimit,
  },
  {
    name: 'rrsig-tc-subject',
    reason:
      'RFC 8482 §7 lets knotd answer QTYPE RRSIG with the signatures of one RRset, which fit; meshdns answers every ' +
      'RRSIG at the name (see rrsig-subset), which with RSA-2048 signatures at a zone apex (SOA, NS, MX, DNSKEY, ' +
      'NSEC, CDS, CDNSKEY: ~2 KB) does not fit the UDP payload, so meshdns sets TC and the client asks again over ' +
      'TCP (RFC 2181 §9). Seen at the apex and at names a wildcard of several types answers. Excused: TC set by the ' +
      'subject alone over UDP for QTYPE RRSIG when both answer sections hold only RRSIGs; the signed-zone differential asks such queries ' +
      'again over TCP and checks the reference\'s answer is contained in the subject\'s.',
    excuses: (diff, ctx) =>
      qtypeOf(ctx) === RRSIG && diff.field === 'flags.tc' && ctx.query.transport === 'udp' && ctx.a?.tc === false &&
      ctx.b?.tc === true && ctx.b.answer.every((rr) => rr.type === RRSIG) && ctx.a.answer.length > 0 && ctx.a.answer.every((rr) => rr.type === RRSIG),
  },
  {
    name: 'wildcard-nsec-proof-tc',
    reason:
      'The consequence of wildcard-nsec-answer-proof over small payloads: for QTYPE NSEC at a name a wildcard ' +
      'answers, meshdns adds the wildcard\'s NSEC proof to the authority section, which with RSA-2048 signatures ' +
      'does not fit 512 octets, so meshdns sets TC (RFC 2181 §9) where knotd, without the proof, fits. Excused: TC ' +
      'set by the subject alone over UDP for QTYPE NSEC when the subject\'s answer holds only the reference\'s ' +
      'records and its authority only NSEC/RRSIG owned by a `*` name; the signed-zone differential asks such ' +
      'queries again over TCP and checks the reference\'s answer is contained in the subject\'s.',
    excuses: (diff, ctx) => {
      if (qtypeOf(ctx) !== NSEC || diff.field !== 'flags.tc' || ctx.query.transport !== 'udp' || ctx.a?.tc !== false || ctx.b?.tc !== true) return false;
      const inA = new Set(ctx.a.answer.map(rrKey));
      return ctx.b.answer.every((rr) => inA.has(rrKey(rr))) &&
        ctx.b.authority.every((rr) => rr.owner.startsWith('*.') && (rr.type === NSEC || rr.type === RRSIG));
    },
  },
];

/** Entries excusing a TC only the subject set: the test asks those questions again over TCP. */
export const TC_ENTRIES: readonly string[] = ['rrsig-tc-subject', 'wildcard-nsec-proof-tc'];

const RRSIG = 46;
const NSEC = 47;

export interface AllowResult {
  /** Differences no entry excuses. */
  remaining: Diff[];
  /** Names of the entries that excused at least one difference. */
  used: string[];
}

export function applyAllowlist(diffs: Diff[], ctx: AllowContext, entries: readonly AllowEntry[] = ALLOWLIST): AllowResult {
  const remaining: Diff[] = [];
  const used = new Set<string>();
  for (const diff of diffs) {
    const entry = entries.find((e) => e.excuses(diff, ctx));
    if (entry === undefined) remaining.push(diff);
    else used.add(entry.name);
  }
  return { remaining, used: [...used] };
}
