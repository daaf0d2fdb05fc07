import type { TransportProto } from '../transports.js';
import type { Logger } from 'pino';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { aclFor, type ReplicationConfig } from '../config-replication.js';
import type { Holder } from '../holder.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import { ControlCounters } from '../metrics/counters.js';
import type { ZoneTable } from '../zone-table.js';
import { handleUpdate, type UpdateContext } from './handler.js';

/** RFC 2136 UPDATE as the router sees it: one message in, the answer (zone echoed, unsigned) out, counted. */
export class UpdateResponder {
  private readonly ctx: UpdateContext;

  constructor(
    store: LmdbStore, writer: ZoneWriter | undefined, table: ZoneTable, log: Logger,
    replication: Holder<ReplicationConfig>,
    private readonly counters: ControlCounters,
    private readonly responses: Responses,
  ) {
    // (no write door: every update is NOTAUTH)
    this.ctx = { store, writer, table, log, aclFor: (origin) => aclFor(replication.value, origin) };
  }

  handle(msg: Buffer, q: ParsedQuery, peer: string, keyName: string | undefined, proto?: TransportProto): Buffer {
    const rcode = handleUpdate(this.ctx, msg, q, peer, keyName, proto).rcode;
    ControlCounters.inc(rcode === Rcode.NOERROR ? this.counters.updatesApplied : this.counters.updatesRefused, 'rfc2136');
    return this.responses.bare(msg, q, rcode);
  }
}
