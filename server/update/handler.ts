import { StoreError } from '../../zones/store/zone-meta.js';
import type { TransportProto } from '../transports.js';
/**
 * RFC 2136 dynamic UPDATE: zone section (§3.1), permission (§3.3, checked first: ACL and TSIG, so a
 * stranger learns nothing from prerequisites), prerequisites (§3.2), prescan and updates (§3.4),
 * all in one synchronous turn ending in one commit through the write door.
 */
import { LimitError } from '../../zones/limits.js';
import { storageFault } from '../../zones/store/storage-fault.js';
import type { Logger } from 'pino';
import { keyIsSubdomain, nameToKey, nameToText } from '../../zones/name.js';
import { RRClass } from '../../zones/rrtype.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { Acl } from '../acl.js';
import { HEADER_LENGTH } from '../message/header.js';
import type { ParsedQuery } from '../message/question.js';
import { rcodeName } from '../message/rcode.js';
import type { ServedZone, ZoneTable } from '../zone-table.js';
import { buildDiff, prescan } from './apply.js';
import { parseUpdate, UpdateFormatError } from './message.js';
import { checkPrerequisites, UpdateRcode } from './prerequisites.js';

export interface UpdateContext {
  store: LmdbStore;
  writer: ZoneWriter | undefined;
  table: ZoneTable;
  log: Logger;
  /** The ACL of a zone (by origin). */
  aclFor(origin: string): Acl;
}

export interface UpdateOutcome {
  rcode: number;
}

/** Processes one UPDATE; returns the rcode for the answer (the caller echoes the zone and signs). */
export function handleUpdate(ctx: UpdateContext, msg: Buffer, q: ParsedQuery, peer: string, keyName: string | undefined, proto?: TransportProto): UpdateOutcome {
  const zoneText = nameToText(msg.subarray(HEADER_LENGTH, q.qnameEnd));
  const done = (rcode: number, extra: Record<string, unknown> = {}): UpdateOutcome => {
    const level = rcode === UpdateRcode.NOERROR ? 'info' : 'warn';
    ctx.log[level]({ client: peer, zone: zoneText, key: keyName ?? null, rcode: rcodeName(rcode), ...extra }, `update: ${rcodeName(rcode)}`);
    return { rcode };
  };
  // §3.1.1: one zone, of type SOA (the pipeline checked those), class IN
  if (q.qclass !== RRClass.IN) return done(UpdateRcode.FORMERR, { reason: 'zone class is not IN' });
  const apexKey = nameToKey(msg.subarray(HEADER_LENGTH, q.qnameEnd));
  const zone = ctx.table.byApexKey(apexKey);
  // §3.1.2: not a zone we are primary for
  if (!zone || !zone.loaded || zone.kind !== 'primary' || !ctx.writer) return done(UpdateRcode.NOTAUTH, { reason: 'not primary for the zone' });
  const decision = ctx.aclFor(zone.origin).check('update', peer, keyName, proto);
  if (!decision.allowed) return done(UpdateRcode.REFUSED, { rule: decision.rule ?? null, reason: 'denied by ACL' });

  let parsed;
  try {
    parsed = parseUpdate(msg, q.questionEnd);
  } catch (err) {
    if (err instanceof UpdateFormatError) return done(UpdateRcode.FORMERR, { reason: err.message });
    throw err;
  }
  const perRequest = ctx.writer.limits().recordsPerRequest;
  if (parsed.updates.length > perRequest) {
    return done(UpdateRcode.REFUSED, { reason: `${parsed.updates.length} records in one update, more than ${perRequest} (limits.recordsPerRequest)` });
  }
  const store = ctx.store;
  const read = (key: Buffer) => store.getNode(zone.id, key);
  const inZone = (key: Buffer) => ownsName(ctx.table, zone, key);
  const pre = checkPrerequisites(parsed.prerequisites, zone.apexKey, inZone, read);
  if (pre !== UpdateRcode.NOERROR) return done(pre, { stage: 'prerequisites' });
  const scan = prescan(parsed.updates, zone.apexKey, inZone);
  if (scan !== UpdateRcode.NOERROR) return done(scan, { stage: 'prescan' });
  const source = keyName !== undefined ? `tsig:${keyName}` : `update:${peer}`;
  const diff = buildDiff(parsed.updates, zone.apexKey, source, read);
  let result;
  try {
    result = ctx.writer.commitDiff(zone.apexKey, diff);
  } catch (err) {
    // the transaction did not happen: nothing changed
    if (err instanceof LimitError) return done(UpdateRcode.REFUSED, { reason: err.message });
    // a refusal of the store (a signed zone without its keys, a precondition) is an answer, not a fault: one line with the reason
    if (err instanceof StoreError) {
      ctx.log.warn({ client: peer, zone: zoneText, code: err.code, reason: err.message }, 'update refused by the store');
      return done(UpdateRcode.SERVFAIL, { stage: 'commit', reason: err.message });
    }
    const fault = storageFault(err, store.path);
    ctx.log.error({ err, client: peer, zone: zoneText }, fault ? `update commit failed: ${fault.reason}` : 'update commit failed');
    return done(UpdateRcode.SERVFAIL, { stage: 'commit' });
  }
  return done(UpdateRcode.NOERROR, { changed: result.changed, serial: result.serial, added: result.added, removed: result.removed });
}

/** A name belongs to this zone, not to a deeper zone we also serve (zone_of(name) = ZNAME). */
function ownsName(table: ZoneTable, zone: ServedZone, key: Buffer): boolean {
  if (!keyIsSubdomain(key, zone.apexKey)) return false;
  const found = table.find(key);
  return found === undefined || found === zone;
}
