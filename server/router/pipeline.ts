import type { Logger } from 'pino';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { emptyReplication } from '../config-replication.js';
import { Holder } from '../holder.js';
import { HEADER_LENGTH, rcodeOf } from '../message/header.js';
import { newParsedQuery, type ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import { Responses, type ResponseOptions } from '../message/responses.js';
import type { QueryLog } from '../metrics/query-log.js';
import { AnswerEngine } from '../query/answer.js';
import type { AnswerCache } from '../query/answer-cache.js';
import { IS_STREAM, type MessageHandler, type PeerAddress, type TransportId } from '../transports.js';
import type { HandlerResult } from '../tsig/signed.js';
import type { ZoneTable } from '../zone-table.js';
import { classify, MessageClass } from './classify.js';
import { MessageRouter, type RouterServices } from './router.js';
import { DURATION_SAMPLE, QueryStats, TYPE_COLUMN, TYPE_UNPARSED } from '../metrics/query-stats.js';
import { ResponseGuard } from '../limits/guard.js';
import { LogLimiter } from '../limits/log-limiter.js';

export interface PipelineOptions extends ResponseOptions {
  answerCacheSize: number;
  /** Zones with a `zone` metric label of their own (the rest are "other"); default 50. */
  zoneLabels?: number;
}

/** What the composition root wires in; all optional, so a bare pipeline answers queries alone. */
export interface PipelineServices extends Partial<RouterServices> {
  /** The optional sampled query log; reload replaces its value (undefined: off, no work per query). */
  queryLog?: Holder<QueryLog | undefined>;
}

export type { PeerAddress };

/**
 * Datagram in, datagram out, synchronously: the message is classified once (router/classify.ts)
 * and handed to its module (router/router.ts); counted per transport, sampled into the query log.
 * Nothing thrown escapes: a fault becomes SERVFAIL and a log line.
 */
export class QueryPipeline implements MessageHandler {
  readonly stats: QueryStats;
  private readonly answers: AnswerEngine;
  private readonly responses: Responses;
  private readonly router: MessageRouter;
  private readonly queryLog: Holder<QueryLog | undefined>;
  private sampleCountdown = DURATION_SAMPLE;
  private readonly query: ParsedQuery = newParsedQuery();
  /** What `respond` learnt of the message for its counters: the type column, and BADVERS (an extended rcode). */
  private typeColumn = TYPE_UNPARSED;
  private badvers = false;
  /** Response rate limiting and DNS COOKIEs, applied to each computed response (limits/guard.ts). */
  readonly guard: ResponseGuard;
  /** `guard.active`, kept in a field: with both off, the query path pays one boolean check. */
  private guarded = false;
  /** Per-packet log lines (here: faults; in the router: refusals, TSIG failures), rate limited. */
  readonly logLimiter: LogLimiter;

  /** `options` is kept by reference: a reload may change nsid and maxUdpPayload in place. */
  constructor(store: LmdbStore, table: ZoneTable, private readonly log: Logger, options: PipelineOptions, services: PipelineServices = {}) {
    this.stats = new QueryStats(options.zoneLabels);
    this.responses = new Responses(options);
    this.logLimiter = services.logLimiter ?? new LogLimiter();
    this.answers = new AnswerEngine(store, table, this.responses, options.answerCacheSize);
    this.router = new MessageRouter(store, table, log, this.responses, this.answers, {
      ...services, replication: services.replication ?? new Holder(emptyReplication()), logLimiter: this.logLimiter,
    });
    this.queryLog = services.queryLog ?? new Holder<QueryLog | undefined>(undefined);
    this.guard = new ResponseGuard(this.responses);
  }

  /** To call after `guard.rrl` or `guard.cookies` changed. */
  guardChanged(): void {
    this.guarded = this.guard.active;
  }

  get cache(): AnswerCache {
    return this.answers.cache;
  }

  /**
   * One message in, its answer out: a Buffer, nothing (silence), or over a stream a lazy sequence
   * of messages (zone transfers). `peer` is the client's address, for ACLs and logs. `binding` is
   * the listener's metrics row (`stats.bind`); without one the message counts under its transport alone.
   */
  handle(msg: Buffer, transport: TransportId, peer: PeerAddress = '', binding: number = transport): HandlerResult {
    const stats = this.stats;
    let started = 0;
    if (--this.sampleCountdown === 0) {
      this.sampleCountdown = DURATION_SAMPLE;
      started = performance.now();
    }
    this.typeColumn = TYPE_UNPARSED;
    this.badvers = false;
    let response = this.respond(msg, transport, peer);
    if (this.guarded && response instanceof Buffer) {
      response = this.guard.apply(response, msg, this.query, IS_STREAM[transport] === 1, peer);
    }
    const answeredFrom = this.answers.zone;
    const zone = answeredFrom === undefined ? 0 : stats.zones.slotOf(answeredFrom);
    stats.countRequest(binding, zone, this.typeColumn, msg.length);
    if (response === undefined) stats.dropped++;
    else if (response instanceof Uint8Array) {
      stats.countResponse(binding, zone, this.badvers ? Rcode.BADVERS : rcodeOf(response), response.length);
      if (started !== 0) stats.countDuration(binding, zone, (performance.now() - started) / 1000);
    }
    const queryLog = this.queryLog.value;
    if (queryLog !== undefined) queryLog.record(msg, transport, peer, response);
    return response;
  }

  private respond(msg: Buffer, transport: TransportId, peer: PeerAddress): HandlerResult {
    const q = this.query;
    this.answers.zone = undefined;
    try {
      const cls = classify(msg, q);
      switch (cls) {
        case MessageClass.DROP:
          return undefined;
        case MessageClass.FORMERR:
          return this.responses.bare(msg, q, Rcode.FORMERR);
        case MessageClass.BADVERS:
          this.badvers = true;
          return this.responses.badvers(msg, q);
      }
      // (a message of an unimplemented opcode without a question counts as unparsed)
      if (q.questionEnd > HEADER_LENGTH) this.typeColumn = TYPE_COLUMN[q.qtype]!;
      return this.router.route(cls, msg, q, transport, peer);
    } catch (err) {
      this.stats.servfail++;
      if (this.logLimiter.allow(this.log, 'query-failed')) this.log.error({ err, query: { id: q.id, qtype: q.qtype } }, 'query failed; answered SERVFAIL');
      try {
        return this.responses.bare(msg, q, Rcode.SERVFAIL);
      } catch {
        return undefined;
      }
    }
  }
}
