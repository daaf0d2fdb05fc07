import type { Logger } from 'pino';
import { nameToKey, nameToText } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import type { TsigKey } from '../tsig/keys.js';
import { signMessage, timeOther, TsigError, verifyMessage, type VerifyResult } from '../tsig/tsig.js';
import { axfrMessages, packMessages, type XfrSigning } from '../xfr/axfr-out.js';
import { clientIsCurrent, ixfrClientSerial, ixfrRecords } from '../xfr/ixfr-out.js';
import { Rcode } from './lookup.js';
import type { ParsedQuery } from './parse.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { handleUpdate, type UpdateContext } from '../update/handler.js';
import type { ServedZone, ZoneTable } from './zone-table.js';
import type { SecondaryZones } from '../xfr/secondary.js';
import { ControlCounters } from '../metrics/counters.js';

/** What the special paths borrow from the pipeline. */
export interface PipelineHooks {
  answer(msg: Buffer, q: ParsedQuery, limit: number): Buffer;
  bare(msg: Buffer, rcode: number, questionEnd: number): Buffer;
}

/** Room kept for the TSIG RR that signs an answer. */
const TSIG_ROOM = 400;
const Opcode = { NOTIFY: 4, UPDATE: 5 } as const;

/**
 * The slow paths that need keys and ACLs: TSIG-signed requests (RFC 8945: verified first, the
 * answer signed), zone transfers (RFC 5936 AXFR; RFC 1995 IXFR from the journal, the whole zone
 * when the journal does not reach the client's serial), RFC 2136 UPDATE and RFC 1996 NOTIFY.
 * Never cached.
 */
export class SignedAndTransfers {
  private writer: ZoneWriter | undefined;
  constructor(
    private readonly store: LmdbStore,
    private readonly table: ZoneTable,
    private readonly log: Logger,
    private current: ReplicationConfig,
    private readonly hooks: PipelineHooks,
    private readonly maxUdpPayload: number,
  ) {}

  private secondaries: SecondaryZones | undefined;
  private counters = new ControlCounters();

  setCounters(counters: ControlCounters): void {
    this.counters = counters;
  }

  setSecondaries(secondaries: SecondaryZones): void {
    this.secondaries = secondaries;
  }

  setReplication(replication: ReplicationConfig): void {
    this.current = replication;
  }

  /** The keys, ACLs and notify targets in force (replaced whole on reload). */
  get replication(): ReplicationConfig {
    return this.current;
  }

  /** The write door, for RFC 2136 updates (none: every update is NOTAUTH). */
  setWriter(writer: ZoneWriter): void {
    this.writer = writer;
  }

  /** RFC 2136 UPDATE (server/update/): the rcode of the answer. */
  private update(msg: Buffer, q: ParsedQuery, peer: string, signing: XfrSigning | undefined): number {
    const ctx: UpdateContext = {
      store: this.store, writer: this.writer, table: this.table, log: this.log,
      aclFor: (origin) => aclFor(this.replication, origin),
    };
    const rcode = handleUpdate(ctx, msg, q, peer, signing?.key.nameText).rcode;
    ControlCounters.inc(rcode === Rcode.NOERROR ? this.counters.updatesApplied : this.counters.updatesRefused, 'rfc2136');
    return rcode;
  }

  handle(msg: Buffer, q: ParsedQuery, tcp: boolean, peer: string): Buffer | Iterable<Buffer> | undefined {
    let signing: XfrSigning | undefined;
    if (q.tsigAt >= 0) {
      const verdict = verifyMessage(msg, this.replication.keyring);
      if (verdict.status === 'formerr') return this.hooks.bare(msg, Rcode.FORMERR, q.questionEnd);
      if (verdict.status === 'error') return this.tsigFailure(msg, q, verdict, peer);
      if (verdict.status === 'ok') signing = { key: verdict.key, requestMac: verdict.tsig.mac };
    }
    const sign = (m: Buffer) => (signing ? signMessage(m, signing.key, { priorMac: signing.requestMac }).message : m);
    if (q.opcode === Opcode.UPDATE) return sign(this.hooks.bare(msg, this.update(msg, q, peer, signing), q.questionEnd));
    if (q.opcode === Opcode.NOTIFY) return sign(this.notify(msg, q, peer, signing?.key.nameText));
    if (q.opcode !== 0) return sign(this.hooks.bare(msg, Rcode.NOTIMP, q.questionEnd));
    if (q.qtype === RRType.AXFR || q.qtype === RRType.IXFR) return this.transfer(msg, q, tcp, peer, signing, sign);
    const payload = tcp ? 65535 : Math.min(q.edns?.payload ?? 512, this.maxUdpPayload);
    return sign(this.hooks.answer(msg, q, Math.max(512, payload) - TSIG_ROOM));
  }

  private transfer(
    msg: Buffer, q: ParsedQuery, tcp: boolean, peer: string, signing: XfrSigning | undefined, sign: (m: Buffer) => Buffer,
  ): Buffer | Iterable<Buffer> {
    const zone = this.table.byApexKey(nameToKey(msg.subarray(12, q.qnameEnd)));
    const keyName = signing?.key.nameText;
    const type = q.qtype === RRType.AXFR ? 'AXFR' : 'IXFR';
    if (!zone || !zone.loaded) {
      // RFC 5936 §2.2.1 / RFC 8906: not authoritative for that zone
      this.log.info({ client: peer, request: { type, qname: nameToText(msg.subarray(12, q.qnameEnd)) } }, 'transfer of a zone not served: NOTAUTH');
      return sign(this.hooks.bare(msg, Rcode.NOTAUTH, q.questionEnd));
    }
    const decision = aclFor(this.replication, zone.origin).check('transfer', peer, keyName);
    if (!decision.allowed) {
      this.log.info({ client: peer, zone: zone.origin, key: keyName ?? null, rule: decision.rule ?? null, type }, 'transfer refused by ACL');
      ControlCounters.inc(this.counters.transfersOutFailed, type.toLowerCase());
      return sign(this.hooks.bare(msg, Rcode.REFUSED, q.questionEnd));
    }
    if (q.qtype === RRType.IXFR) {
      const clientSerial = ixfrClientSerial(msg, q.questionEnd);
      if (clientSerial === undefined) return sign(this.hooks.bare(msg, Rcode.FORMERR, q.questionEnd)); // RFC 1995 §3
      // RFC 1995 §2: up to date, or over UDP, the current SOA alone answers (UDP: "come back over TCP")
      if (!tcp || clientIsCurrent(clientSerial, zone.serial)) return this.soaOnly(msg, q, zone, signing);
      const records = ixfrRecords(this.store, zone.id, clientSerial, zone.serial);
      if (records) {
        this.log.info({ client: peer, zone: zone.origin, from: clientSerial, serial: zone.serial, key: keyName ?? null, type }, 'outgoing transfer');
        ControlCounters.inc(this.counters.transfersOut, 'ixfr');
        return packMessages(msg, q.questionEnd, signing, records);
      }
      this.log.info({ client: peer, zone: zone.origin, from: clientSerial }, 'IXFR: the journal does not reach that serial; sending the whole zone');
    } else if (!tcp) {
      return sign(this.hooks.bare(msg, Rcode.FORMERR, q.questionEnd)); // AXFR over UDP is not defined (RFC 5936 §4.2)
    }
    return axfrMessages(this.store, zone, msg, q.questionEnd, signing);
  }

  /** RFC 1996 §3.7: a NOTIFY for a secondary zone, allowed by its ACL, triggers a refresh. */
  private notify(msg: Buffer, q: ParsedQuery, peer: string, keyName: string | undefined): Buffer {
    const zone = this.table.byApexKey(nameToKey(msg.subarray(12, q.qnameEnd)));
    const origin = zone?.origin ?? nameToText(msg.subarray(12, q.qnameEnd)).toLowerCase();
    if (!this.secondaries?.isSecondary(origin)) {
      this.log.info({ client: peer, zone: origin }, 'NOTIFY for a zone that is not a secondary here: NOTAUTH');
      return this.hooks.bare(msg, Rcode.NOTAUTH, q.questionEnd);
    }
    const decision = aclFor(this.replication, origin).check('notify', peer, keyName);
    if (!decision.allowed) {
      this.log.info({ client: peer, zone: origin, key: keyName ?? null, rule: decision.rule ?? null }, 'NOTIFY refused by ACL');
      return this.hooks.bare(msg, Rcode.REFUSED, q.questionEnd);
    }
    this.log.info({ client: peer, zone: origin }, 'NOTIFY received; refreshing');
    this.secondaries.notified(origin);
    const answer = this.hooks.bare(msg, Rcode.NOERROR, q.questionEnd);
    answer[2] = answer[2]! | 0x04; // AA
    return answer;
  }

  /** One message with the zone's current SOA as the whole answer. */
  private soaOnly(msg: Buffer, q: ParsedQuery, zone: ServedZone, signing: XfrSigning | undefined): Buffer {
    const apex = this.store.getNode(zone.id, zone.apexKey, false);
    const soa = apex?.rrsets.find((r) => r.type === RRType.SOA);
    if (!soa || !soa.rrs[0]) return this.hooks.bare(msg, Rcode.SERVFAIL, q.questionEnd);
    const [only] = packMessages(msg, q.questionEnd, signing, [[zone.apexName, RRType.SOA, soa.ttl, soa.rrs[0].rdata]]);
    return only!;
  }

  /** RFC 8945 §5.3.2: NOTAUTH; BADKEY and BADSIG carry an unsigned TSIG, BADTIME a signed one. */
  private tsigFailure(msg: Buffer, q: ParsedQuery, verdict: Extract<VerifyResult, { status: 'error' }>, peer: string): Buffer {
    this.log.warn(
      { client: peer, key: nameToText(verdict.tsig.keyName), error: verdict.error, reason: verdict.reason },
      'TSIG verification failed: NOTAUTH',
    );
    const base = this.hooks.bare(msg, Rcode.NOTAUTH, q.questionEnd);
    if (verdict.error === TsigError.BADTIME && verdict.key) {
      return signMessage(base, verdict.key, { priorMac: verdict.tsig.mac, error: TsigError.BADTIME, other: timeOther() }).message;
    }
    const echo = { name: verdict.tsig.keyName, algorithmName: verdict.tsig.algorithm } as TsigKey;
    return signMessage(base, echo, { unsigned: true, error: verdict.error }).message;
  }
}
