import { nameToKey } from '../../zones/name.js';
import { RRClass, RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { Flag, HEADER_LENGTH, OPCODE_SHIFT, RCODE_MASK } from '../message/header.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import type { ServedZone, ZoneTable } from '../zone-table.js';
import { AnswerCache } from './answer-cache.js';
import { COOKIE_ROOM } from '../limits/cookies.js';
import { Resolver, type Resolution } from './lookup.js';

const MAX_STREAM_MESSAGE = 65535;

interface Computed {
  response: Buffer;
  zone: ServedZone | undefined;
  cacheable: boolean;
}

/**
 * The answer engine for standard queries (opcode QUERY, not a transfer): answer cache, zone by
 * label walk, lookup, encoding with EDNS and truncation.
 */
export class AnswerEngine {
  readonly cache: AnswerCache;
  /** The zone the last answer came from (undefined: none); the pipeline labels its metrics with it. */
  zone: ServedZone | undefined = undefined;
  private readonly resolver: Resolver;

  constructor(
    store: LmdbStore,
    private readonly table: ZoneTable,
    private readonly responses: Responses,
    answerCacheSize: number,
  ) {
    this.resolver = new Resolver(store);
    this.cache = new AnswerCache(table, answerCacheSize);
  }

  /** The answer to an unsigned query, from the cache when it holds one for this variant. */
  answer(msg: Buffer, q: ParsedQuery, stream: boolean): Buffer {
    const edns = q.edns;
    const payload = stream ? 0 : edns ? Math.min(edns.payload, this.responses.maxUdpPayload) : 512;
    const variant =
      (q.echoFlags & Flag.RD ? 1 : 0) | (q.echoFlags & Flag.CD ? 2 : 0) | (edns ? 4 : 0) |
      (edns?.dnssecOk ? 8 : 0) | (edns?.nsid && this.responses.nsid ? 16 : 0) | (stream ? 32 : 0) |
      (edns && edns.cookieAt >= 0 ? 64 : 0);
    const hit = this.cache.lookup(msg, q.hash, q.questionEnd, q.qnameEnd, variant, payload);
    if (hit !== undefined) {
      this.zone = this.cache.hitZone;
      return hit;
    }
    // a COOKIE option is added per response (limits/guard.ts), never cached: room is kept for it
    const room = variant & 64 ? COOKIE_ROOM : 0;
    const { response, zone, cacheable } = this.compute(msg, q, (stream ? MAX_STREAM_MESSAGE : payload) - room);
    this.zone = zone;
    if (cacheable) this.cache.store(q.hash, q.questionEnd, q.qnameEnd, variant, payload, response, zone);
    return response;
  }

  /** An answer that fits in `limit` octets, never cached (signed answers: room is kept for the TSIG RR). */
  answerWithin(msg: Buffer, q: ParsedQuery, limit: number): Buffer {
    const { response, zone } = this.compute(msg, q, limit);
    this.zone = zone;
    return response;
  }

  private compute(msg: Buffer, q: ParsedQuery, limit: number): Computed {
    const qtype = q.qtype;
    const responses = this.responses;
    if (qtype === 0) {
      // type 0 is reserved (RFC 6895 §3.1): nothing can be asked for it
      return { response: responses.bare(msg, q, Rcode.NOTIMP), zone: undefined, cacheable: true };
    }
    if (qtype === RRType.TSIG || qtype === RRType.TKEY) {
      return { response: responses.bare(msg, q, Rcode.FORMERR), zone: undefined, cacheable: false };
    }
    const qname = msg.subarray(HEADER_LENGTH, q.qnameEnd);
    const qkey = nameToKey(qname);
    let zone = q.qclass === RRClass.IN || q.qclass === RRClass.ANY ? this.table.find(qkey) : undefined;
    if (zone && qtype === RRType.DS && zone.apexKey.length === qkey.length) {
      // DS lives on the parent side of a cut (RFC 4034 §5): ask the parent zone when we serve it
      zone = this.table.find(qkey, 1) ?? zone;
    }
    if (!zone) return { response: responses.bare(msg, q, Rcode.REFUSED), zone: undefined, cacheable: true };
    if (zone.expired) return { response: responses.bare(msg, q, Rcode.SERVFAIL), zone, cacheable: false };
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) {
      // (the router sends every transfer to xfr/; this is the safety net) no transfer without an ACL
      return { response: responses.bare(msg, q, Rcode.REFUSED), zone, cacheable: false };
    }
    if (qtype === RRType.MAILA || qtype === RRType.MAILB) {
      return { response: responses.bare(msg, q, Rcode.NOTIMP), zone, cacheable: true };
    }
    const res = this.resolver.resolve(zone, qname, qkey, qtype, q.edns?.dnssecOk ?? false);
    return { response: this.encode(msg, q, res, limit), zone, cacheable: true };
  }

  private encode(msg: Buffer, q: ParsedQuery, res: Resolution, limit: number): Buffer {
    const w = this.responses.writer;
    const opt = q.edns ? this.responses.opt(q, 0) : undefined;
    w.begin(limit - (opt?.length ?? 0));
    w.question(msg, HEADER_LENGTH, q.questionEnd);
    let tc = false;
    for (const set of res.answer) if (!w.rrset(1, set)) { tc = true; break; }
    if (!tc) for (const set of res.authority) if (!w.rrset(2, set)) { tc = true; break; }
    if (!tc) {
      for (const set of res.additional) {
        // RFC 9471 §3: TC only when glue for in-domain name servers does not fit
        if (!w.rrset(3, set) && set.mandatory) { tc = true; break; }
      }
    }
    if (opt) w.raw(opt);
    const flags = Flag.QR | (q.opcode << OPCODE_SHIFT) | (res.aa ? Flag.AA : 0) | (tc ? Flag.TC : 0) | q.echoFlags | (res.rcode & RCODE_MASK);
    return w.finish(q.id, flags, opt ? 1 : 0);
  }
}
