import type { WireName } from '../name.js';
import type { LmdbStore, ZoneMeta } from './lmdb-store.js';

/** [owner, type, ttl, rdata] */
export type JournalRR = [WireName, number, number, Uint8Array];

/** One commit's difference, as IXFR (RFC 1995) serves it: SOA first in each list. */
export interface JournalEntry {
  from: number;
  to: number;
  removed: JournalRR[];
  added: JournalRR[];
}

function journalKey(zoneId: number, seq: number): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeUInt32BE(zoneId, 0);
  key.writeUInt32BE(seq, 4);
  return key;
}

/** Commits kept per zone for IXFR; older ones are pruned (a client that far behind gets AXFR). */
export const JOURNAL_MAX_ENTRIES = 1000;

/** Appends inside the caller's write transaction, pruning the oldest entry beyond the limit. */
export function appendJournal(store: LmdbStore, meta: ZoneMeta, entry: JournalEntry, maxEntries = JOURNAL_MAX_ENTRIES): void {
  const encode = (list: JournalRR[]) => list.map(([o, t, ttl, r]) => [Buffer.from(o), t, ttl, Buffer.from(r)]);
  store.journalDb.put(journalKey(meta.id, meta.journalSeq), {
    from: entry.from, to: entry.to, removed: encode(entry.removed), added: encode(entry.added),
  });
  const keepFrom = meta.journalSeq - maxEntries + 1;
  if (keepFrom > 0) {
    for (const key of store.journalDb.getKeys({ start: journalKey(meta.id, 0), end: journalKey(meta.id, keepFrom) })) {
      store.journalDb.remove(key);
    }
  }
}

/** The zone's journal, oldest first. */
export function* readJournal(store: LmdbStore, zoneId: number): Generator<JournalEntry> {
  for (const { value } of store.journalDb.getRange({ start: journalKey(zoneId, 0), end: journalKey(zoneId + 1, 0) })) {
    yield value as JournalEntry;
  }
}

export function deleteJournal(store: LmdbStore, zoneId: number): void {
  for (const key of store.journalDb.getKeys({ start: journalKey(zoneId, 0), end: journalKey(zoneId + 1, 0) })) {
    store.journalDb.remove(key);
  }
}
