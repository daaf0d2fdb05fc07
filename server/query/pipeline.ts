import type { Logger } from 'pino';
import { nameToKey } from '../../zones/name.js';
import { RRClass, RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { AnswerCache } from './answer-cache.js';
import { Rcode, Resolver, type Resolution } from './lookup.js';
import { newParsedQuery, parseQuery, type ParsedQuery } from './parse.js';
import { MessageWriter } from './writer.js';
import { SignedAndTransfers } from './special.js';
import { emptyReplication, type ReplicationConfig } from '../config-replication.js';
import { DURATION_SAMPLE, isTcp, QueryStats, type TransportId } from './stats.js';
import type { ServedZone, ZoneTable } from './zone-table.js';

export interface PipelineOptions {
  /** Largest UDP payload we offer and send (RFC 6891 §6.2.5; DNS flag day 2020 default 1232). */
  maxUdpPayload: number;
  /** RFC 5001 NSID payload, sent when a client asks for it; undefined: NSID off. */
  nsid: Uint8Array | undefined;
  answerCacheSize: number;
  /** TSIG keys and ACLs; none: every transfer is refused and signed requests get BADKEY. */
  replication?: ReplicationConfig;
}


/** A client's address as text, or a function giving it: only signed and special messages need it. */
export type PeerAddress = string | (() => string);

const Opcode = { QUERY: 0, NOTIFY: 4, UPDATE: 5 } as const;
const EXT_RCODE_BADVERS = 1; // 16 >> 4
const MAX_TCP_MESSAGE = 65535;

/**
 * Datagram in, datagram out, synchronously: header checks, question, answer cache, lookup,
 * encoding with EDNS and truncation. Nothing thrown escapes: a fault becomes SERVFAIL and a log line.
 */
export class QueryPipeline {
  readonly cache: AnswerCache;
  readonly stats = new QueryStats();
  private sampleCountdown = DURATION_SAMPLE;
  private readonly resolver: Resolver;
  private readonly writer = new MessageWriter();
  private readonly query: ParsedQuery = newParsedQuery();
  /** The current message's transport (per-transport QTYPE counts for the metrics). */
  private transport: TransportId = 0;
  /** The current message's client address, or how to get it (the batched UDP path formats it only when asked). */
  private peer: PeerAddress = '';
  /** Signed messages and zone transfers: the paths that need keys and ACLs. */
  readonly special: SignedAndTransfers;

  constructor(
    store: LmdbStore,
    private readonly table: ZoneTable,
    private readonly log: Logger,
    private readonly options: PipelineOptions,
  ) {
    this.resolver = new Resolver(store);
    this.cache = new AnswerCache(table, options.answerCacheSize);
    this.special = new SignedAndTransfers(store, table, log, options.replication ?? emptyReplication(), {
      answer: (msg, q, limit) => this.answer(msg, q, limit).response,
      bare: (msg, rcode, questionEnd) => this.bare(msg, rcode, questionEnd, true),
    }, options.maxUdpPayload);
  }

  /**
   * One message in, its answer out: a Buffer, nothing (silence), or over TCP a lazy sequence of
   * messages (zone transfers). `peer` is the client's address, for ACLs and logs.
   */
  handle(msg: Buffer, transport: TransportId, peer: PeerAddress = ''): Buffer | Iterable<Buffer> | undefined {
    const stats = this.stats;
    stats.requests[transport]!++;
    this.transport = transport;
    const tcp = isTcp(transport);
    stats.countSize(stats.requestSizes[tcp ? 1 : 0]!, msg.length);
    let started = 0;
    if (--this.sampleCountdown === 0) {
      this.sampleCountdown = DURATION_SAMPLE;
      started = performance.now();
    }
    this.peer = peer;
    const response = this.respond(msg, tcp);
    if (response === undefined) {
      stats.dropped++;
      return undefined;
    }
    if (!(response instanceof Uint8Array)) return response;
    stats.rcodes[response[3]! & 0x0f]!++;
    stats.countSize(stats.responseSizes[tcp ? 1 : 0]!, response.length);
    if (started !== 0) stats.countDuration((performance.now() - started) / 1000);
    return response;
  }

  private respond(msg: Buffer, tcp: boolean): Buffer | Iterable<Buffer> | undefined {
    const q = this.query;
    try {
      const problem = parseQuery(msg, q);
      if (problem !== undefined) {
        if (problem.kind === 'silent') return undefined;
        // the question is echoed when it parsed, and OPT when the request had a valid one (RFC 6891 §7)
        if (problem.kind === 'formerr') return this.bare(msg, Rcode.FORMERR, problem.questionEnd, problem.questionEnd > 12);
        this.stats.rcodes[16]!++;
        return this.badvers(msg, q);
      }
      this.stats.qtypes[(this.transport << 16) | q.qtype]!++;
      if (q.opcode === Opcode.UPDATE && q.qtype !== RRType.SOA) {
        return this.bare(msg, Rcode.FORMERR, q.questionEnd, true); // RFC 2136 §3.1.1: the zone section is an SOA
      }
      if (q.tsigAt >= 0 || q.opcode === Opcode.UPDATE || q.opcode === Opcode.NOTIFY || (q.opcode === Opcode.QUERY && (q.qtype === RRType.AXFR || q.qtype === RRType.IXFR))) {
        const peer = this.peer;
        return this.special.handle(msg, q, tcp, typeof peer === 'string' ? peer : peer());
      }
      // (UPDATE and NOTIFY went to `special` above; any other opcode is not implemented)
      if (q.opcode !== Opcode.QUERY) return this.bare(msg, Rcode.NOTIMP, q.questionEnd, true);
      const edns = q.edns;
      const payload = tcp ? 0 : edns ? Math.min(edns.payload, this.options.maxUdpPayload) : 512;
      const variant =
        (q.echoFlags & 0x0100 ? 1 : 0) | (q.echoFlags & 0x0010 ? 2 : 0) | (edns ? 4 : 0) |
        (edns?.dnssecOk ? 8 : 0) | (edns?.nsid && this.options.nsid ? 16 : 0) | (tcp ? 32 : 0);
      const hit = this.cache.lookup(msg, q.hash, q.questionEnd, q.qnameEnd, variant, payload);
      if (hit !== undefined) return hit;
      const { response, zone, cacheable } = this.answer(msg, q, tcp ? MAX_TCP_MESSAGE : payload);
      if (cacheable) this.cache.store(q.hash, q.questionEnd, q.qnameEnd, variant, payload, response, zone);
      return response;
    } catch (err) {
      this.stats.servfail++;
      this.log.error({ err, query: { id: q.id, qtype: q.qtype } }, 'query failed; answered SERVFAIL');
      try {
        return this.bare(msg, Rcode.SERVFAIL, q.questionEnd > 12 ? q.questionEnd : 12, true);
      } catch {
        return undefined;
      }
    }
  }

  private answer(msg: Buffer, q: ParsedQuery, limit: number): { response: Buffer; zone: ServedZone | undefined; cacheable: boolean } {
    const qtype = q.qtype;
    if (qtype === 0) {
      // type 0 is reserved (RFC 6895 §3.1): nothing can be asked for it
      return { response: this.bare(msg, Rcode.NOTIMP, q.questionEnd, true), zone: undefined, cacheable: true };
    }
    if (qtype === RRType.TSIG || qtype === RRType.TKEY) {
      return { response: this.bare(msg, Rcode.FORMERR, q.questionEnd, true), zone: undefined, cacheable: false };
    }
    const qname = msg.subarray(12, q.qnameEnd);
    const qkey = nameToKey(qname);
    let zone = q.qclass === RRClass.IN || q.qclass === RRClass.ANY ? this.table.find(qkey) : undefined;
    if (zone && qtype === RRType.DS && zone.apexKey.length === qkey.length) {
      // DS lives on the parent side of a cut (RFC 4034 §5): ask the parent zone when we serve it
      zone = this.table.find(qkey, 1) ?? zone;
    }
    if (!zone) return { response: this.bare(msg, Rcode.REFUSED, q.questionEnd, true), zone: undefined, cacheable: true };
    if (zone.expired) return { response: this.bare(msg, Rcode.SERVFAIL, q.questionEnd, true), zone, cacheable: false };
    if (qtype === RRType.AXFR || qtype === RRType.IXFR) {
      // no transfer is allowed unless configured (replication adds the ACLs)
      return { response: this.bare(msg, Rcode.REFUSED, q.questionEnd, true), zone, cacheable: false };
    }
    if (qtype === RRType.MAILA || qtype === RRType.MAILB) {
      return { response: this.bare(msg, Rcode.NOTIMP, q.questionEnd, true), zone, cacheable: true };
    }
    const res = this.resolver.resolve(zone, qname, qkey, qtype, q.edns?.dnssecOk ?? false);
    return { response: this.encode(msg, q, res, limit), zone, cacheable: true };
  }

  private encode(msg: Buffer, q: ParsedQuery, res: Resolution, limit: number): Buffer {
    const w = this.writer;
    const opt = q.edns ? this.opt(q, 0) : undefined;
    w.begin(limit - (opt?.length ?? 0));
    w.question(msg, 12, q.questionEnd);
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
    const flags = 0x8000 | (q.opcode << 11) | (res.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | q.echoFlags | (res.rcode & 0x0f);
    return w.finish(q.id, flags, opt ? 1 : 0);
  }

  /** A response with no records: errors, REFUSED, NOTIMP (question echoed when it parsed). */
  private bare(msg: Buffer, rcode: number, questionEnd: number, withQuestion: boolean): Buffer {
    const q = this.query;
    const w = this.writer;
    const opt = q.edns ? this.opt(q, 0) : undefined;
    w.begin(MAX_TCP_MESSAGE);
    if (withQuestion && questionEnd > 12) w.question(msg, 12, questionEnd);
    if (opt) w.raw(opt);
    const echo = ((msg[2]! << 8) | msg[3]!) & 0x7910; // opcode, RD, CD
    return w.finish((msg[0]! << 8) | msg[1]!, 0x8000 | echo | rcode, opt ? 1 : 0);
  }

  /** RFC 6891 §7: BADVERS carries the extended rcode in an OPT of version 0. */
  private badvers(msg: Buffer, q: ParsedQuery): Buffer {
    const w = this.writer;
    w.begin(MAX_TCP_MESSAGE);
    w.question(msg, 12, q.questionEnd);
    w.raw(this.opt(q, EXT_RCODE_BADVERS));
    return w.finish(q.id, 0x8000 | (q.opcode << 11) | q.echoFlags, 1);
  }

  private opt(q: ParsedQuery, extendedRcode: number): Buffer {
    const nsid = q.edns?.nsid ? this.options.nsid : undefined;
    const optLength = nsid ? 4 + nsid.length : 0;
    const out = Buffer.allocUnsafe(11 + optLength);
    out[0] = 0;
    out.writeUInt16BE(RRType.OPT, 1);
    out.writeUInt16BE(this.options.maxUdpPayload, 3);
    out[5] = extendedRcode;
    out[6] = 0; // version
    out.writeUInt16BE(q.edns?.dnssecOk ? 0x8000 : 0, 7); // RFC 3225 §3: DO echoed
    out.writeUInt16BE(optLength, 9);
    if (nsid) {
      out.writeUInt16BE(3, 11);
      out.writeUInt16BE(nsid.length, 13);
      out.set(nsid, 15);
    }
    return out;
  }
}
