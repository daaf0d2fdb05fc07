import type { Logger } from 'pino';
import { nameToKey, nameToText } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import type { TsigKey } from '../tsig/keys.js';
import { signMessage, timeOther, TsigError, verifyMessage, type VerifyResult } from '../tsig/tsig.js';
import { axfrMessages, type XfrSigning } from '../xfr/axfr-out.js';
import { Rcode } from './lookup.js';
import type { ParsedQuery } from './parse.js';
import type { ZoneTable } from './zone-table.js';

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
 * answer signed) and zone transfers (RFC 5936 AXFR; IXFR answered with the whole zone until the
 * journal serves it). Never cached.
 */
export class SignedAndTransfers {
  constructor(
    private readonly store: LmdbStore,
    private readonly table: ZoneTable,
    private readonly log: Logger,
    private replication: ReplicationConfig,
    private readonly hooks: PipelineHooks,
    private readonly maxUdpPayload: number,
  ) {}

  setReplication(replication: ReplicationConfig): void {
    this.replication = replication;
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
    if (q.opcode === Opcode.NOTIFY || q.opcode === Opcode.UPDATE) return sign(this.hooks.bare(msg, Rcode.REFUSED, q.questionEnd));
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
      return sign(this.hooks.bare(msg, Rcode.REFUSED, q.questionEnd));
    }
    if (!tcp) {
      // RFC 1995 §2: over UDP; TC sends the client to TCP (AXFR over UDP is not defined, RFC 5936 §4.2)
      const answer = this.hooks.bare(msg, q.qtype === RRType.AXFR ? Rcode.FORMERR : Rcode.NOERROR, q.questionEnd);
      if (q.qtype === RRType.IXFR) answer[2] = answer[2]! | 0x02;
      return sign(answer);
    }
    this.log.info({ client: peer, zone: zone.origin, serial: zone.serial, key: keyName ?? null, type }, 'outgoing transfer');
    return axfrMessages(this.store, zone, msg, q.questionEnd, signing);
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
