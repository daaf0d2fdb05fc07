import type { Logger } from 'pino';
import { nameToKey, nameToText } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import type { Holder } from '../holder.js';
import { LogLimiter } from '../limits/log-limiter.js';
import { HEADER_LENGTH } from '../message/header.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import { ControlCounters } from '../metrics/counters.js';
import type { TransportProto } from '../transports.js';
import type { Signing } from '../tsig/signed.js';
import type { ServedZone, ZoneTable } from '../zone-table.js';
import { axfrMessages, packMessages } from './axfr-out.js';
import { clientIsCurrent, ixfrClientSerial, ixfrRecords } from './ixfr-out.js';

/**
 * Outgoing zone transfers: RFC 5936 AXFR; RFC 1995 IXFR from the journal, the whole zone when the
 * journal does not reach the client's serial. A single message comes back unsigned (the TSIG
 * wrapper signs it); a sequence is signed as it is produced.
 */
export class TransfersOut {
  constructor(
    private readonly store: LmdbStore,
    private readonly table: ZoneTable,
    private readonly log: Logger,
    private readonly replication: Holder<ReplicationConfig>,
    private readonly counters: ControlCounters,
    private readonly responses: Responses,
    /** Refusals are per-packet lines: rate limited. */
    private readonly logLimit: LogLimiter = new LogLimiter(),
  ) {}

  handle(msg: Buffer, q: ParsedQuery, proto: TransportProto, peer: string, signing: Signing | undefined): Buffer | Iterable<Buffer> {
    const stream = proto !== 'udp';
    const responses = this.responses;
    const zone = this.table.byApexKey(nameToKey(msg.subarray(HEADER_LENGTH, q.qnameEnd)));
    const keyName = signing?.key.nameText;
    const type = q.qtype === RRType.AXFR ? 'AXFR' : 'IXFR';
    if (!zone || !zone.loaded) {
      // RFC 5936 §2.2.1 / RFC 8906: not authoritative for that zone
      if (this.logLimit.allow(this.log, 'transfer-notauth')) {
        this.log.info({ client: peer, request: { type, qname: nameToText(msg.subarray(HEADER_LENGTH, q.qnameEnd)) } }, 'transfer of a zone not served: NOTAUTH');
      }
      return responses.bare(msg, q, Rcode.NOTAUTH);
    }
    const decision = aclFor(this.replication.value, zone.origin).check('transfer', peer, keyName, proto);
    if (!decision.allowed) {
      if (this.logLimit.allow(this.log, 'transfer-refused')) {
        this.log.info({ client: peer, zone: zone.origin, key: keyName ?? null, rule: decision.rule ?? null, type, transport: proto }, 'transfer refused by ACL');
      }
      ControlCounters.inc(this.counters.transfersOutFailed, type.toLowerCase());
      return responses.bare(msg, q, Rcode.REFUSED);
    }
    if (q.qtype === RRType.IXFR) {
      const clientSerial = ixfrClientSerial(msg, q.questionEnd);
      if (clientSerial === undefined) return responses.bare(msg, q, Rcode.FORMERR); // RFC 1995 §3
      // RFC 1995 §2: up to date, or over UDP, the current SOA alone answers (UDP: "come back over TCP")
      if (!stream || clientIsCurrent(clientSerial, zone.serial)) return this.soaOnly(msg, q, zone);
      const records = ixfrRecords(this.store, zone.id, clientSerial, zone.serial);
      if (records) {
        this.log.info({ client: peer, zone: zone.origin, from: clientSerial, serial: zone.serial, key: keyName ?? null, type }, 'outgoing transfer');
        ControlCounters.inc(this.counters.transfersOut, 'ixfr');
        return packMessages(msg, q.questionEnd, signing, records);
      }
      this.log.info({ client: peer, zone: zone.origin, from: clientSerial }, 'IXFR: the journal does not reach that serial; sending the whole zone');
    } else if (!stream) {
      return responses.bare(msg, q, Rcode.FORMERR); // AXFR over UDP is not defined (RFC 5936 §4.2)
    }
    return axfrMessages(this.store, zone, msg, q.questionEnd, signing);
  }

  /** One message with the zone's current SOA as the whole answer (unsigned: the wrapper signs it like any single message). */
  private soaOnly(msg: Buffer, q: ParsedQuery, zone: ServedZone): Buffer {
    const apex = this.store.getNode(zone.id, zone.apexKey, false);
    const soa = apex?.rrsets.find((r) => r.type === RRType.SOA);
    if (!soa || !soa.rrs[0]) return this.responses.bare(msg, q, Rcode.SERVFAIL);
    const [only] = packMessages(msg, q.questionEnd, undefined, [[zone.apexName, RRType.SOA, soa.ttl, soa.rrs[0].rdata]]);
    return only!;
  }
}
