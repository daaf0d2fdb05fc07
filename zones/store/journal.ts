import type { WireName } from '../name.js';
import { handlesOf, type StoreHandles } from './handles.js';
import type { ZoneMeta } from './zone-meta.js';

/** [owner, type, ttl, rdata] */
export type JournalRR = [WireName, number, number, Uint8Array];

/** One commit's difference, as IXFR (RFC 1995) serves it: SOA first in each list. */
export interface JournalEntry {
  from: number;
  to: number;
  removed: JournalRR[];
  added: JournalRR[];
}

/** How much history a zone keeps for IXFR (Knot's journal-max-depth and journal-max-usage). */
export interface JournalLimits {
  maxDepth: number;
  maxBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxDepth: 1000, maxBytes: 100 * 1024 * 1024 };

function journalKey(zoneId: number, seq: number): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeUInt32BE(zoneId, 0);
  key.writeUInt32BE(seq, 4);
  return key;
}

/** What the journal holds after an append: the zone meta keeps these so pruning needs no scan. */
export interface JournalUsage {
  entries: number;
  bytes: number;
}

/**
 * Appends inside the caller's write transaction, then prunes the oldest entries until the zone is
 * within its limits. An entry larger than the byte limit on its own is not kept, and neither is
 * anything older: a chain with a gap can never reach the current serial, so a client that far
 * behind gets AXFR (RFC 1995 §4 lets a server answer IXFR with the whole zone).
 */
export function appendJournal(h: StoreHandles, meta: ZoneMeta, entry: JournalEntry, limits: JournalLimits = DEFAULT_JOURNAL_LIMITS): JournalUsage {
  const encode = (list: JournalRR[]) => list.map(([o, t, ttl, r]) => [Buffer.from(o), t, ttl, Buffer.from(r)]);
  const key = journalKey(meta.id, meta.journalSeq);
  h.journal.put(key, { from: entry.from, to: entry.to, removed: encode(entry.removed), added: encode(entry.added) });
  const size = h.journal.getBinary(key)?.length ?? 0;
  let usage = meta.journalUsage ?? measureJournal(h, meta.id, meta.journalSeq);
  usage = { entries: usage.entries + 1, bytes: usage.bytes + size };
  if (usage.entries <= limits.maxDepth && usage.bytes <= limits.maxBytes) return usage;
  const dropAll = size > limits.maxBytes;
  const end = dropAll ? journalKey(meta.id, meta.journalSeq + 1) : key;
  for (const old of h.journal.getKeys({ start: journalKey(meta.id, 0), end })) {
    if (!dropAll && usage.entries <= limits.maxDepth && usage.bytes <= limits.maxBytes) break;
    usage = { entries: usage.entries - 1, bytes: usage.bytes - (h.journal.getBinary(old)?.length ?? 0) };
    h.journal.remove(old);
  }
  return usage;
}

/** Usage of the entries before `beforeSeq` (for stores written before the meta kept it). */
function measureJournal(h: StoreHandles, zoneId: number, beforeSeq: number): JournalUsage {
  let entries = 0;
  let bytes = 0;
  for (const key of h.journal.getKeys({ start: journalKey(zoneId, 0), end: journalKey(zoneId, beforeSeq) })) {
    entries++;
    bytes += h.journal.getBinary(key)?.length ?? 0;
  }
  return { entries, bytes };
}

/** The zone's journal, oldest first. */
export function* readJournal(store: object, zoneId: number): Generator<JournalEntry> {
  for (const { value } of handlesOf(store).journal.getRange({ start: journalKey(zoneId, 0), end: journalKey(zoneId + 1, 0) })) {
    yield value as JournalEntry;
  }
}

export function deleteJournal(h: StoreHandles, zoneId: number): void {
  for (const key of h.journal.getKeys({ start: journalKey(zoneId, 0), end: journalKey(zoneId + 1, 0) })) {
    h.journal.remove(key);
  }
}
