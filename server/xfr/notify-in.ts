import type { TransportProto } from '../transports.js';
import type { Logger } from 'pino';
import { nameToKey, nameToText } from '../../zones/name.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import type { Holder } from '../holder.js';
import { LogLimiter } from '../limits/log-limiter.js';
import { FLAGS_HI_AA, Header, HEADER_LENGTH } from '../message/header.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import type { ZoneTable } from '../zone-table.js';

/** The secondary zones a NOTIFY may concern (SecondaryZones). */
export interface NotifiedZones {
  isSecondary(origin: string): boolean;
  notified(origin: string): void;
}

/** Incoming RFC 1996 NOTIFY: for a secondary zone, allowed by its ACL, it triggers a refresh (§3.7). */
export class NotifyIn {
  constructor(
    private readonly table: ZoneTable,
    private readonly log: Logger,
    private readonly replication: Holder<ReplicationConfig>,
    private readonly secondaries: NotifiedZones | undefined,
    private readonly responses: Responses,
    /** Per-packet lines are rate limited: a NOTIFY flood must not become a log flood. */
    private readonly logLimit: LogLimiter = new LogLimiter(),
  ) {}

  handle(msg: Buffer, q: ParsedQuery, peer: string, keyName: string | undefined, proto?: TransportProto): Buffer {
    const responses = this.responses;
    const qname = msg.subarray(HEADER_LENGTH, q.qnameEnd);
    const zone = this.table.byApexKey(nameToKey(qname));
    const origin = zone?.origin ?? nameToText(qname).toLowerCase();
    if (!this.secondaries?.isSecondary(origin)) {
      if (this.logLimit.allow(this.log, 'notify-notauth')) this.log.info({ client: peer, zone: origin }, 'NOTIFY for a zone that is not a secondary here: NOTAUTH');
      return responses.bare(msg, q, Rcode.NOTAUTH);
    }
    const decision = aclFor(this.replication.value, origin).check('notify', peer, keyName, proto);
    if (!decision.allowed) {
      if (this.logLimit.allow(this.log, 'notify-refused')) {
        this.log.info({ client: peer, zone: origin, key: keyName ?? null, rule: decision.rule ?? null }, 'NOTIFY refused by ACL');
      }
      return responses.bare(msg, q, Rcode.REFUSED);
    }
    if (this.logLimit.allow(this.log, 'notify-accepted')) this.log.info({ client: peer, zone: origin }, 'NOTIFY received; refreshing');
    this.secondaries.notified(origin);
    const answer = responses.bare(msg, q, Rcode.NOERROR);
    answer[Header.FLAGS] = answer[Header.FLAGS]! | FLAGS_HI_AA; // RFC 1996 §4.7: AA
    return answer;
  }
}
