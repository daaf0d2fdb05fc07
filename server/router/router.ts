import type { Logger } from 'pino';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import { nameToKey } from '../../zones/name.js';
import { HEADER_LENGTH } from '../message/header.js';
import type { Holder } from '../holder.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import { ControlCounters } from '../metrics/counters.js';
import { LogLimiter } from '../limits/log-limiter.js';
import type { AnswerEngine } from '../query/answer.js';
import { IS_STREAM, TRANSPORTS, type PeerAddress, type TransportId } from '../transports.js';
import { ReplayGuard } from '../tsig/replay.js';
import { handleSigned, TSIG_ROOM, type HandlerResult, type Signing } from '../tsig/signed.js';
import { UpdateResponder } from '../update/responder.js';
import { NotifyIn, type NotifiedZones } from '../xfr/notify-in.js';
import { TransfersOut } from '../xfr/transfer-out.js';
import type { ZoneTable } from '../zone-table.js';
import { MessageClass, type MessageClassId } from './classify.js';

/** What the message handlers beyond the answer engine need; built by the composition root. */
export interface RouterServices {
  /** TSIG keys, ACLs, notify targets: replaced whole on reload. */
  replication: Holder<ReplicationConfig>;
  /** The write door, for RFC 2136 updates (none: every update is NOTAUTH). */
  writer?: ZoneWriter | undefined;
  /** The secondary zones, for incoming NOTIFY (none: every NOTIFY is NOTAUTH). */
  secondaries?: NotifiedZones | undefined;
  counters?: ControlCounters | undefined;
  /** Rate limit of per-packet log lines (refusals, TSIG failures); one is made when absent. */
  logLimiter?: LogLimiter | undefined;
}

const MAX_STREAM_MESSAGE = 65535;

/**
 * Hands each classified message to its module: the answer engine (query/), transfers and NOTIFY
 * (xfr/), UPDATE (update/), NOTIMP for other opcodes. A signed message goes through the TSIG
 * wrapper (tsig/signed.ts) around the same handlers. Signed answers are never cached.
 */
export class MessageRouter {
  private readonly transfers: TransfersOut;
  private readonly notify: NotifyIn;
  private readonly updates: UpdateResponder;
  private readonly replication: Holder<ReplicationConfig>;
  /** Signed UPDATE MACs seen lately: kept across reloads, so a reload does not reopen the window. */
  private readonly replays = new ReplayGuard();
  private readonly logLimit: LogLimiter;

  constructor(
    store: LmdbStore, private readonly table: ZoneTable,
    private readonly log: Logger,
    private readonly responses: Responses,
    private readonly answers: AnswerEngine,
    services: RouterServices,
  ) {
    const counters = services.counters ?? new ControlCounters();
    this.replication = services.replication;
    this.logLimit = services.logLimiter ?? new LogLimiter();
    this.transfers = new TransfersOut(store, table, log, services.replication, counters, responses, this.logLimit);
    this.notify = new NotifyIn(table, log, services.replication, services.secondaries, responses, this.logLimit);
    this.updates = new UpdateResponder(store, services.writer, table, log, services.replication, counters, responses);
  }

  /** A message of class QUERY..OTHER_OPCODE (the pipeline answers the problem classes itself). */
  route(cls: MessageClassId, msg: Buffer, q: ParsedQuery, transport: TransportId, peer: PeerAddress): HandlerResult {
    const stream = IS_STREAM[transport] === 1;
    if (cls === MessageClass.UPDATE && q.qtype !== RRType.SOA) {
      return this.responses.bare(msg, q, Rcode.FORMERR); // RFC 2136 §3.1.1: the zone section is an SOA
    }
    if (q.tsigAt < 0) {
      // the client's address is formatted only for the handlers that log it or check an ACL
      if (cls === MessageClass.QUERY) {
        if (this.table.restrictedZones > 0 && this.refusedByZoneAcl(msg, q, transport, peerText(peer), undefined)) return this.responses.bare(msg, q, Rcode.REFUSED);
        return this.answers.answer(msg, q, stream);
      }
      if (cls === MessageClass.OTHER_OPCODE) return this.responses.bare(msg, q, Rcode.NOTIMP);
      return this.dispatch(cls, msg, q, transport, peerText(peer), undefined);
    }
    const client = peerText(peer);
    // only UPDATE changes state: a retransmitted signed query, transfer or NOTIFY is answered again
    return handleSigned(msg, q, this.replication.value.keyring, this.responses, this.log, client,
      (signing) => this.dispatch(cls, msg, q, transport, client, signing),
      cls === MessageClass.UPDATE ? this.replays : undefined, this.logLimit);
  }

  private dispatch(cls: MessageClassId, msg: Buffer, q: ParsedQuery, transport: TransportId, peer: string, signing: Signing | undefined): HandlerResult {
    const stream = IS_STREAM[transport] === 1;
    const proto = TRANSPORTS[transport]!.proto;
    switch (cls) {
      case MessageClass.QUERY:
        if (this.table.restrictedZones > 0 && this.refusedByZoneAcl(msg, q, transport, peer, signing?.key.nameText)) return this.responses.bare(msg, q, Rcode.REFUSED);
        if (!signing) return this.answers.answer(msg, q, stream);
        return this.answers.answerWithin(msg, q, this.signedLimit(q, stream));
      case MessageClass.AXFR:
      case MessageClass.IXFR:
        return this.transfers.handle(msg, q, proto, peer, signing);
      case MessageClass.NOTIFY:
        return this.notify.handle(msg, q, peer, signing?.key.nameText, proto);
      case MessageClass.UPDATE:
        return this.updates.handle(msg, q, peer, signing?.key.nameText, proto);
      default:
        return this.responses.bare(msg, q, Rcode.NOTIMP);
    }
  }

  /**
   * A zone answered only to those its ACL lets transfer it (a catalog: RFC 9432 §7 — its member
   * list is for the consumers, as Knot and BIND serve it). Checked before the answer cache.
   */
  private refusedByZoneAcl(msg: Buffer, q: ParsedQuery, transport: TransportId, peer: string, keyName: string | undefined): boolean {
    const zone = this.table.find(nameToKey(msg.subarray(HEADER_LENGTH, q.qnameEnd)));
    if (!zone?.restricted) return false;
    const decision = aclFor(this.replication.value, zone.origin).check('transfer', peer, keyName, TRANSPORTS[transport]!.proto);
    if (!decision.allowed && this.logLimit.allow(this.log, 'zone-acl-refused')) {
      this.log.info({ zone: zone.origin, client: peer, key: keyName ?? null }, 'query for a catalog zone refused: its ACL does not allow this client to transfer it');
    }
    return !decision.allowed;
  }

  /** The size a signed answer may take before its TSIG RR is added. */
  private signedLimit(q: ParsedQuery, stream: boolean): number {
    const payload = stream ? MAX_STREAM_MESSAGE : Math.min(q.edns?.payload ?? 512, this.responses.maxUdpPayload);
    return Math.max(512, payload) - TSIG_ROOM;
  }
}

function peerText(peer: PeerAddress): string {
  return typeof peer === 'string' ? peer : peer();
}
