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
 */
export class AnswerCache {
  private readonly map = new Map<number, Entry>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly table: ZoneTable,
    private readonly capacity = 200_000,
  ) {}

  /** The cached answer rewritten for this query, or undefined. */
  lookup(msg: Uint8Array, hash: number, questionEnd: number, qnameEnd: number, variant: number, payload: number): Buffer | undefined {
    const entry = this.map.get(mix(hash, variant, payload));
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
    if (!this.map.has(h) && this.map.size >= this.capacity) {
      // FIFO eviction: Map iterates in insertion order
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(h, {
      response, questionEnd, qnameEnd, variant, payload, zone,
      zoneGeneration: zone ? zone.generation : 0,
      tableGeneration: this.table.generation,
    });
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
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
