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
