import { LOWER } from '../../zones/name.js';
import type { ServedZone, ZoneTable } from '../zone-table.js';

/**
 * Encoded answers per (zone generation, question, answer-relevant flags). A hit costs a hash
 * lookup, a compare against the stored answer's own question, a copy, an ID patch and the
 * question's case copied in.
 *
 * Eviction is CLOCK (second chance, an LRU approximation): a hit marks its slot, and the hand
 * sweeping for room spares marked slots once. Slots live in arrays, so evicting never walks the
 * Map (taking a Map's oldest key walks over every deleted entry before it).
 *
 * Answers are kept as one-byte strings and the per-slot fields in typed arrays: a Buffer per entry
 * pins a slice of Node's shared 8 KiB allocation pool, so a full cache evicting at random kept most
 * of those pools alive, and 200,000 small objects slowed every garbage collection.
 *
 * A question is admitted on its second miss within a window (TinyLFU's "doorkeeper", a bitmap of
 * question hashes seen once): under a load of mostly one-off questions (a big zone, a random
 * mix), storing every answer evicted others for nothing and cost more than the lookup saved.
 */
export class AnswerCache {
  /** mixed hash → slot */
  private readonly index = new Map<number, number>();
  private used = 0;
  private hand = 0;
  private slotKeys = new Int32Array(0);
  private answers: string[] = [];
  private zones: (ServedZone | undefined)[] = [];
  private zoneGenerations = new Uint32Array(0);
  private tableGenerations = new Uint32Array(0);
  /** questionEnd | qnameEnd << 16 */
  private offsets = new Uint32Array(0);
  /** payload | variant << 16 */
  private flavours = new Uint32Array(0);
  private referenced = new Uint8Array(0);
  /** Doorkeeper: one bit per hash seen once since the last reset. */
  private readonly seenOnce = new Int32Array(DOORKEEPER_BITS >>> 5);
  private seenCount = 0;
  hits = 0;
  misses = 0;
  /** The zone of the last hit's answer (its metrics label). */
  hitZone: ServedZone | undefined = undefined;

  constructor(
    private readonly table: ZoneTable,
    private readonly capacity = 200_000,
  ) {}

  /** The cached answer rewritten for this query, or undefined. */
  lookup(msg: Uint8Array, hash: number, questionEnd: number, qnameEnd: number, variant: number, payload: number): Buffer | undefined {
    const slot = this.index.get(mix(hash, variant, payload));
    if (
      slot === undefined ||
      this.flavours[slot] !== (payload | (variant << 16)) >>> 0 ||
      this.offsets[slot] !== (questionEnd | (qnameEnd << 16)) >>> 0 ||
      this.tableGenerations[slot] !== this.table.generation >>> 0 ||
      !this.zoneCurrent(slot) ||
      !sameQuestion(this.answers[slot]!, msg, qnameEnd, questionEnd)
    ) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.referenced[slot] = 1;
    this.hitZone = this.zones[slot];
    const stored = this.answers[slot]!;
    const out = Buffer.allocUnsafe(stored.length);
    out.write(stored, 0, 'latin1');
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
      if (!this.seenBefore(h)) return;
      if (this.used < this.capacity) {
        slot = this.used++;
        if (slot >= this.slotKeys.length) this.grow();
      } else {
        slot = this.victim();
        this.index.delete(this.slotKeys[slot]!);
      }
      this.slotKeys[slot] = h;
      this.index.set(h, slot);
    }
    this.referenced[slot] = 0;
    this.answers[slot] = response.toString('latin1');
    this.zones[slot] = zone;
    this.zoneGenerations[slot] = zone ? zone.generation : 0;
    this.tableGenerations[slot] = this.table.generation;
    this.offsets[slot] = questionEnd | (qnameEnd << 16);
    this.flavours[slot] = payload | (variant << 16);
  }

  get size(): number {
    return this.index.size;
  }

  clear(): void {
    this.index.clear();
    this.seenOnce.fill(0);
    this.seenCount = 0;
    this.answers.fill('');
    this.zones.fill(undefined);
    this.used = 0;
    this.hand = 0;
  }

  /** Whether the hash was seen once already (and remembers it when not). */
  private seenBefore(h: number): boolean {
    const word = (h & (DOORKEEPER_BITS - 1)) >>> 5;
    const bit = 1 << (h & 31);
    if ((this.seenOnce[word]! & bit) !== 0) return true;
    this.seenOnce[word]! |= bit;
    // a window of at most an eighth of the bits keeps false "seen" answers rare
    if (++this.seenCount >= Math.min(this.capacity, DOORKEEPER_BITS >>> 3)) {
      this.seenOnce.fill(0);
      this.seenCount = 0;
    }
    return false;
  }

  private zoneCurrent(slot: number): boolean {
    const zone = this.zones[slot];
    return zone === undefined || zone.generation >>> 0 === this.zoneGenerations[slot];
  }

  /** The next unmarked slot under the clock hand, clearing marks on the way. */
  private victim(): number {
    const n = this.used;
    for (;;) {
      const slot = this.hand;
      this.hand = slot + 1 === n ? 0 : slot + 1;
      if (this.referenced[slot] === 0) return slot;
      this.referenced[slot] = 0;
    }
  }

  /** Room for more slots: doubled, up to the capacity (a big configured cache fills gradually). */
  private grow(): void {
    const size = Math.min(this.capacity, Math.max(1024, 2 * this.slotKeys.length));
    const bigger = <T extends Int32Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.slotKeys = bigger(this.slotKeys, (n) => new Int32Array(n));
    this.zoneGenerations = bigger(this.zoneGenerations, (n) => new Uint32Array(n));
    this.tableGenerations = bigger(this.tableGenerations, (n) => new Uint32Array(n));
    this.offsets = bigger(this.offsets, (n) => new Uint32Array(n));
    this.flavours = bigger(this.flavours, (n) => new Uint32Array(n));
    this.referenced = bigger(this.referenced, (n) => new Uint8Array(n));
  }
}

const DOORKEEPER_BITS = 1 << 20;

/** 30 bits, so V8 keeps the key a small integer (no heap number per lookup). */
function mix(hash: number, variant: number, payload: number): number {
  return (Math.imul(hash ^ variant, 0x01000193) ^ payload) & 0x3fffffff;
}

/** The stored answer's question equals the query's: qname without regard to case, type and class exactly. */
function sameQuestion(response: string, msg: Uint8Array, qnameEnd: number, questionEnd: number): boolean {
  for (let i = 12; i < qnameEnd; i++) if (LOWER[response.charCodeAt(i)] !== LOWER[msg[i]!]) return false;
  for (let i = qnameEnd; i < questionEnd; i++) if (response.charCodeAt(i) !== msg[i]) return false;
  return true;
}
