import { LOWER } from '../../zones/name.js';
import type { ServedZone, ZoneTable } from './zone-table.js';

interface Entry {
  /** The question (qname lowercased, qtype, qclass) followed by the variant byte and payload. */
  key: Buffer;
  response: Buffer;
  qnameEnd: number;
  zone: ServedZone | undefined;
  zoneGeneration: number;
  tableGeneration: number;
}

/**
 * Encoded answers per (zone generation, question, answer-relevant flags). A hit costs a hash
 * lookup, a byte compare, a copy, an ID patch and the question's case copied in.
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
      entry.tableGeneration !== this.table.generation ||
      (entry.zone !== undefined && entry.zone.generation !== entry.zoneGeneration) ||
      !matches(entry.key, msg, qnameEnd, questionEnd, variant, payload)
    ) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const out = Buffer.allocUnsafe(entry.response.length);
    entry.response.copy(out);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    // echo the qname exactly as asked (the answer's owner names point at it)
    for (let i = 12; i < qnameEnd; i++) out[i] = msg[i]!;
    return out;
  }

  store(
    msg: Uint8Array, hash: number, questionEnd: number, qnameEnd: number, variant: number, payload: number,
    response: Buffer, zone: ServedZone | undefined,
  ): void {
    const qlen = questionEnd - 12;
    const key = Buffer.allocUnsafe(qlen + 3);
    const nameLength = qnameEnd - 12;
    for (let i = 0; i < qlen; i++) key[i] = i < nameLength ? LOWER[msg[12 + i]!]! : msg[12 + i]!;
    key[qlen] = variant;
    key.writeUInt16BE(payload, qlen + 1);
    const h = mix(hash, variant, payload);
    if (!this.map.has(h) && this.map.size >= this.capacity) {
      // FIFO eviction: Map iterates in insertion order
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(h, {
      key, response, qnameEnd, zone,
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

function mix(hash: number, variant: number, payload: number): number {
  return (Math.imul(hash ^ variant, 0x01000193) ^ payload) >>> 0;
}

function matches(key: Buffer, msg: Uint8Array, qnameEnd: number, questionEnd: number, variant: number, payload: number): boolean {
  const qlen = questionEnd - 12;
  if (key.length !== qlen + 3) return false;
  for (let i = 12; i < qnameEnd; i++) if (key[i - 12] !== LOWER[msg[i]!]) return false;
  for (let i = qnameEnd; i < questionEnd; i++) if (key[i - 12] !== msg[i]) return false;
  return key[qlen] === variant && ((key[qlen + 1]! << 8) | key[qlen + 2]!) === payload;
}
