import { lowerName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaSerial } from '../../zones/soa.js';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { readJournal, type JournalRR } from '../../zones/store/journal.js';
import { skipName } from '../message/names.js';
import type { XfrRecord } from './axfr-out.js';

/** RFC 1995 §3: the client's current serial, from the SOA in the IXFR query's authority section. */
export function ixfrClientSerial(msg: Uint8Array, questionEnd: number): number | undefined {
  const nscount = (msg[8]! << 8) | msg[9]!;
  if (nscount < 1) return undefined;
  let p = skipName(msg, questionEnd);
  if (p < 0 || p + 10 > msg.length || ((msg[p]! << 8) | msg[p + 1]!) !== RRType.SOA) return undefined;
  p += 10;
  p = skipName(msg, p);
  if (p < 0) return undefined;
  p = skipName(msg, p);
  if (p < 0 || p + 4 > msg.length) return undefined;
  return ((msg[p]! << 24) | (msg[p + 1]! << 16) | (msg[p + 2]! << 8) | msg[p + 3]!) >>> 0;
}

/**
 * The journal's difference from `from` to `to` as IXFR records (RFC 1995 §4): new SOA, then one
 * condensed difference — old SOA, what went, new SOA, what came — then the new SOA. An RR added
 * and removed again within the chain appears in neither list. Undefined when the journal does not
 * reach back to `from` (pruned, or a serial it never saw): the caller sends the whole zone.
 */
export function ixfrRecords(store: LmdbStore, zoneId: number, from: number, to: number): XfrRecord[] | undefined {
  const entries = [...readJournal(store, zoneId)];
  let start = -1;
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.from === from) start = i;
  if (start < 0) return undefined;
  const removed = new Map<string, JournalRR>();
  const added = new Map<string, JournalRR>();
  let oldSoa: JournalRR | undefined;
  let newSoa: JournalRR | undefined;
  let serial = from;
  for (let i = start; i < entries.length && serial !== to; i++) {
    const entry = entries[i]!;
    if (entry.from !== serial) return undefined; // a gap: the chain is broken
    for (const rr of entry.removed) {
      if (rr[1] === RRType.SOA) {
        oldSoa ??= rr;
        continue;
      }
      const id = rrId(rr);
      if (added.has(id)) added.delete(id);
      else removed.set(id, rr);
    }
    for (const rr of entry.added) {
      if (rr[1] === RRType.SOA) {
        newSoa = rr;
        continue;
      }
      const id = rrId(rr);
      if (removed.has(id) && sameTtl(removed.get(id)!, rr)) removed.delete(id);
      else added.set(id, rr);
    }
    serial = entry.to;
  }
  if (serial !== to || !oldSoa || !newSoa || soaSerial(newSoa[3]) !== to) return undefined;
  return [newSoa, oldSoa, ...removed.values(), newSoa, ...added.values(), newSoa];
}

/** Whether the client is already up to date (or ahead): RFC 1995 §2 answers with the SOA alone. */
export function clientIsCurrent(clientSerial: number, serial: number): boolean {
  return !serialLessThan(clientSerial, serial);
}

function rrId(rr: JournalRR): string {
  return `${Buffer.from(lowerName(rr[0])).toString('latin1')}|${rr[1]}|${Buffer.from(rr[3]).toString('latin1')}`;
}

function sameTtl(a: JournalRR, b: JournalRR): boolean {
  return a[2] === b[2];
}
