import { LOWER } from '../../zones/name.js';
import type { ServedZone, ZoneTable } from './zone-table.js';

interface Entry {
  /** The encoded answer; its question section doubles as the entry's key. */
  response: Buffer;
  questionEnd: number;
  qnameEnd: number;
  variant: number;
  payload: number;
  zone: ServedZone | undefined;
  zoneGeneration: number;
  tableGeneration: number;
}

/**
 * Encoded answers per (zone generation, question, answer-relevant flags). A hit costs a hash
 * lookup, a compare against the stored answer's own question, a copy, an ID patch and the
 * question's case copied in.
 *
 * Eviction is CLOCK (second chance, an LRU approximation): a hit marks its slot, and the hand
 * sweeping for room spares marked slots once. Slots live in arrays, so evicting never walks the
 * Map (taking a Map's oldest key walks over every deleted entry before it: with a full cache and
 * a miss-heavy load, that made each insert cost as much as thousands of lookups).
 */
export class AnswerCache {
  /** mixed hash → slot */
  private readonly index = new Map<number, number>();
  private readonly entries: Entry[] = [];
  private readonly slotKeys: number[] = [];
  private readonly referenced: number[] = [];
  private hand = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly table: ZoneTable,
    private readonly capacity = 200_000,
  ) {}

  /** The cached answer rewritten for this query, or undefined. */
  lookup(msg: Uint8Array, hash: number, questionEnd: number, qnameEnd: number, variant: number, payload: number): Buffer | undefined {
    const slot = this.index.get(mix(hash, variant, payload));
    const entry = slot === undefined ? undefined : this.entries[slot];
    if (
      entry === undefined ||
      entry.variant !== variant ||
      entry.payload !== payload ||
      entry.questionEnd !== questionEnd ||
      entry.tableGeneration !== this.table.generation ||
      (entry.zone !== undefined && entry.zone.generation !== entry.zoneGeneration) ||
      !sameQuestion(entry.response, msg, qnameEnd, questionEnd)
    ) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.referenced[slot!] = 1;
    const stored = entry.response;
    const out = Buffer.allocUnsafe(stored.length);
    out.set(stored);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    // echo the qname exactly as asked (the answer's owner names point at it)
    for (let i = 12; i < qnameEnd; i++) out[i] = msg[i]!;
    return out;
  }

  store(
    hash: number, questionEnd: number, qnameEnd: number, variant: number, payload: number,
    response: Buffer, zone: ServedZone | undefined,
  ): void {
    if (this.capacity === 0) return;
    const h = mix(hash, variant, payload);
    let slot = this.index.get(h);
    if (slot === undefined) {
      if (this.entries.length < this.capacity) {
        slot = this.entries.length;
        this.slotKeys.push(h);
        this.referenced.push(0);
      } else {
        slot = this.victim();
        this.index.delete(this.slotKeys[slot]!);
        this.slotKeys[slot] = h;
      }
      this.index.set(h, slot);
    }
    this.referenced[slot] = 0;
    this.entries[slot] = {
      response, questionEnd, qnameEnd, variant, payload, zone,
      zoneGeneration: zone ? zone.generation : 0,
      tableGeneration: this.table.generation,
    };
  }

  /** The next unmarked slot under the clock hand, clearing marks on the way. */
  private victim(): number {
    const n = this.entries.length;
    for (;;) {
      const slot = this.hand;
      this.hand = slot + 1 === n ? 0 : slot + 1;
      if (this.referenced[slot] === 0) return slot;
      this.referenced[slot] = 0;
    }
  }

  get size(): number {
    return this.index.size;
  }

  clear(): void {
    this.index.clear();
    this.entries.length = 0;
    this.slotKeys.length = 0;
    this.referenced.length = 0;
    this.hand = 0;
  }
}

/** 30 bits, so V8 keeps the key a small integer (no heap number per lookup). */
function mix(hash: number, variant: number, payload: number): number {
  return (Math.imul(hash ^ variant, 0x01000193) ^ payload) & 0x3fffffff;
}

/** The stored answer's question equals the query's: qname without regard to case, type and class exactly. */
function sameQuestion(response: Buffer, msg: Uint8Array, qnameEnd: number, questionEnd: number): boolean {
  for (let i = 12; i < qnameEnd; i++) if (LOWER[response[i]!] !== LOWER[msg[i]!]) return false;
  for (let i = qnameEnd; i < questionEnd; i++) if (response[i] !== msg[i]) return false;
  return true;
}
