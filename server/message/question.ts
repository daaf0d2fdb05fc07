import { LOWER } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { EDNS_FLAG_DO, EdnsOption } from './edns.js';
import { Flag, FLAGS_HI_QR, Header, HEADER_LENGTH } from './header.js';
import { skipName } from './names.js';

/** EDNS(0) as the client asked for it (RFC 6891 §6.1). */
export interface EdnsRequest {
  payload: number;
  version: number;
  dnssecOk: boolean;
  nsid: boolean;
  /** Offset of the COOKIE option's data (RFC 7873 §4: client cookie, then any server cookie), or -1. */
  cookieAt: number;
  /** Its length: 8 (client cookie alone) or 16..40. */
  cookieLength: number;
}

/** A query reduced to what answering needs. Offsets point into the original message. */
export interface ParsedQuery {
  id: number;
  opcode: number;
  /** RD and CD bits as they were set, echoed in the response. */
  echoFlags: number;
  qnameEnd: number;
  questionEnd: number;
  qtype: number;
  qclass: number;
  edns: EdnsRequest | undefined;
  /** FNV-1a over the lowercased question: the answer cache's hash. */
  hash: number;
  /** Offset of a TSIG RR (always the last record), or -1. */
  tsigAt: number;
}

/**
 * How parsing went: the message is fine, or not answered normally (`out.questionEnd` then says how
 * much of the question a FORMERR echoes; 12: none).
 */
export const Parsed = { OK: 0, FORMERR: 1, BADVERS: 2 } as const;
export type ParseOutcome = (typeof Parsed)[keyof typeof Parsed];

/**
 * A message never answered, decided on the header alone (miekg/dns acceptfunc habit): shorter
 * than a header, or a response (answering one invites loops and reflection; RFC 5358 spirit).
 */
export function unanswerable(msg: Uint8Array): boolean {
  return msg.length < HEADER_LENGTH || (msg[Header.FLAGS]! & FLAGS_HI_QR) !== 0;
}

/**
 * Parses the header, question and OPT/TSIG position of a request whose header passed
 * `unanswerable`. `questionOptional`: a message of an opcode that may come without a question
 * (the caller classified the opcode first); every other message needs exactly one.
 */
export function parseQuery(msg: Uint8Array, out: ParsedQuery, questionOptional = false): ParseOutcome {
  const len = msg.length;
  const b2 = msg[2]!;
  out.id = (msg[0]! << 8) | msg[1]!;
  out.opcode = (b2 >> 3) & 0x0f;
  out.echoFlags = ((b2 << 8) | msg[3]!) & (Flag.RD | Flag.CD);
  out.edns = undefined;
  out.tsigAt = -1;
  out.questionEnd = HEADER_LENGTH;
  const qdcount = (msg[4]! << 8) | msg[5]!;
  const ancount = (msg[6]! << 8) | msg[7]!;
  const nscount = (msg[8]! << 8) | msg[9]!;
  const arcount = (msg[10]! << 8) | msg[11]!;
  if (qdcount === 0) {
    // no question, but an OPT may still be there to echo in the FORMERR (RFC 6891 §7)
    out.qnameEnd = HEADER_LENGTH;
    out.qtype = 0;
    out.qclass = 0;
    out.hash = 0;
    const rest = parseRest(msg, out, ancount + nscount, arcount);
    return questionOptional ? rest : Parsed.FORMERR;
  }
  if (qdcount !== 1) return Parsed.FORMERR;
  let h = 0x811c9dc5;
  let p = HEADER_LENGTH;
  for (;;) {
    if (p >= len) return Parsed.FORMERR;
    const l = msg[p]!;
    if (l === 0) break;
    if (l > 63) return Parsed.FORMERR; // compression or a reserved label type in the question
    if (p + l + 1 > len || p - 12 + l + 2 > 255) return Parsed.FORMERR; // RFC 1035 §2.3.4: 255 octets at most
    h = Math.imul(h ^ l, 0x01000193);
    for (let i = p + 1; i <= p + l; i++) h = Math.imul(h ^ LOWER[msg[i]!]!, 0x01000193);
    p += l + 1;
  }
  out.qnameEnd = p + 1;
  if (p + 5 > len) return Parsed.FORMERR;
  out.qtype = (msg[p + 1]! << 8) | msg[p + 2]!;
  out.qclass = (msg[p + 3]! << 8) | msg[p + 4]!;
  for (let i = p; i < p + 5; i++) h = Math.imul(h ^ msg[i]!, 0x01000193);
  out.hash = h >>> 0;
  out.questionEnd = p + 5;
  if (ancount === 0 && nscount === 0 && arcount === 0) {
    return out.questionEnd === len ? Parsed.OK : Parsed.FORMERR;
  }
  return parseRest(msg, out, ancount + nscount, arcount);
}

/** Walks answer/authority/additional; picks up the OPT record (RFC 6891 §6.1.1: at most one). */
function parseRest(msg: Uint8Array, out: ParsedQuery, skip: number, arcount: number): ParseOutcome {
  let p = out.questionEnd;
  const len = msg.length;
  for (let i = 0; i < skip + arcount; i++) {
    const ownerStart = p;
    p = skipName(msg, p);
    if (p < 0 || p + 10 > len) return badRest(out);
    const type = (msg[p]! << 8) | msg[p + 1]!;
    const rdlength = (msg[p + 8]! << 8) | msg[p + 9]!;
    const rdata = p + 10;
    p = rdata + rdlength;
    if (p > len) return badRest(out);
    if (type === RRType.TSIG) {
      // RFC 8945 §5.1: the TSIG RR is the last record of the additional section
      if (i !== skip + arcount - 1 || i < skip) return badRest(out);
      out.tsigAt = ownerStart;
      continue;
    }
    if (type !== RRType.OPT) continue;
    if (i < skip || out.edns || msg[ownerStart] !== 0) return badRest(out);
    const edns: EdnsRequest = {
      payload: Math.max(512, (msg[ownerStart + 3]! << 8) | msg[ownerStart + 4]!),
      version: msg[ownerStart + 6]!,
      dnssecOk: (((msg[ownerStart + 7]! << 8) | msg[ownerStart + 8]!) & EDNS_FLAG_DO) !== 0,
      nsid: false,
      cookieAt: -1,
      cookieLength: 0,
    };
    for (let o = rdata; o < rdata + rdlength; ) {
      if (o + 4 > rdata + rdlength) return badRest(out);
      const code = (msg[o]! << 8) | msg[o + 1]!;
      const olen = (msg[o + 2]! << 8) | msg[o + 3]!;
      if (code === EdnsOption.NSID) edns.nsid = true; // RFC 5001; other options are ignored (RFC 6891 §6.1.2)
      else if (code === EdnsOption.COOKIE && edns.cookieAt < 0) {
        edns.cookieAt = o + 4;
        edns.cookieLength = olen;
      }
      o += 4 + olen;
      if (o > rdata + rdlength) return badRest(out);
    }
    out.edns = edns;
    const cookie = edns.cookieLength;
    if (edns.cookieAt >= 0 && (cookie < 8 || (cookie > 8 && cookie < 16) || cookie > 40)) {
      // RFC 7873 §5.2.2: a COOKIE option of a length no cookie can have is FORMERR (OPT still echoed)
      edns.cookieAt = -1;
      return Parsed.FORMERR;
    }
  }
  if (p !== len) return badRest(out);
  if (out.edns && out.edns.version > 0) return Parsed.BADVERS;
  return Parsed.OK;
}

/** A malformed rest of the message: its OPT, if any, cannot be trusted either (no OPT echoed). */
function badRest(out: ParsedQuery): ParseOutcome {
  out.edns = undefined;
  return Parsed.FORMERR;
}

export function newParsedQuery(): ParsedQuery {
  return { id: 0, opcode: 0, echoFlags: 0, qnameEnd: 0, questionEnd: 0, qtype: 0, qclass: 0, edns: undefined, hash: 0, tsigAt: -1 };
}
