/**
 * The shared memory a sign pool's threads work on, and the one routine they all run on it.
 *
 * A batch is a run of RRsets to sign, written by the signing thread into a slot of shared memory:
 * each RRset once (owner, type, TTL, rdatas), then one item per (RRset, key) naming where the RRset
 * is, the key and the signature expiry. Threads claim items one at a time with an atomic counter,
 * so a thread that is slowed (the machine is shared) just claims fewer; each writes the RRSIG rdata
 * of its items into the item's place in the output. Nothing is copied back and forth per RRset:
 * the signing thread waits on the slot's done counter (Atomics.wait) and reads the RRSIGs in order.
 */
import { wireNameLength, type WireName } from '../zones/name.js';
import type { DnssecKey } from './keys.js';
import { signRRset } from './rrsig.js';

/** Octets of RRset data per slot; an RRset larger than this is signed by the signing thread alone. */
export const INPUT_BYTES = 1 << 20;
/** Items (signatures) per slot. */
export const MAX_ITEMS = 2048; // below 1 << ITEM_BITS
/** Slots: while the threads sign one, the signing thread fills the next. */
export const SLOTS = 2;

/** Control words (Int32Array over shared memory). */
export const GEN = 0; // bumped on every publish and on stop: what idle threads wait on
export const STOP = 1; // 1: the job is over, threads go back to waiting for the next
const SLOT_BASE = 4;
/**
 * Per slot: the claim word, tag (7 bits, changes with every batch) | item count (12) | next item
 * to claim (12). One word, so a claim (compare-and-swap) can only take an item of the batch whose
 * count it read: a thread slowed between reading and claiming never takes an item of the next one.
 */
export const CLAIM = 0;
export const DONE = 1; // per slot: items signed
export const SEQ = 2; // per slot: publish order (older batches are signed first)
export const CONTROL_WORDS = SLOT_BASE + 4 * SLOTS;
export const slotWord = (slot: number, word: number): number => SLOT_BASE + 4 * slot + word;

const ITEM_BITS = 12;
const ITEM_MASK = (1 << ITEM_BITS) - 1;

/** The claim word of a batch of `count` items, nothing claimed yet; 0 is an empty slot. */
export function claimWord(seq: number, count: number): number {
  return ((seq & 0x7f) << (2 * ITEM_BITS)) | (count << ITEM_BITS);
}

/** Claims the next item of a slot; -1 when every item is taken (or the slot is empty). */
export function claimItem(control: Int32Array, slot: number): number {
  const at = slotWord(slot, CLAIM);
  for (;;) {
    const word = Atomics.load(control, at);
    const next = word & ITEM_MASK;
    if (next >= ((word >>> ITEM_BITS) & ITEM_MASK)) return -1;
    if (Atomics.compareExchange(control, at, word, word + 1) === word) return next;
  }
}

/** Fields of an item in `items`. */
const ITEM_INPUT = 0;
const ITEM_KEY = 1;
const ITEM_EXPIRATION = 2;
export const ITEM_FIELDS = 3;

export interface SlotBuffers {
  input: SharedArrayBuffer;
  items: SharedArrayBuffer;
  output: SharedArrayBuffer;
  lengths: SharedArrayBuffer;
}

/** A slot's buffers as views. */
export interface SlotViews {
  input: Uint8Array;
  items: Int32Array;
  output: Uint8Array;
  /** RRSIG rdata length per item; -1 when the item could not be signed. */
  lengths: Int32Array;
}

/** What every thread of a job knows: the keys, the signer name, the inception and the output stride. */
export interface JobParameters {
  apex: WireName;
  inception: number;
  /** Output octets per item: the longest RRSIG rdata the keys make. */
  itemBytes: number;
}

export function allocateSlot(itemBytes: number): SlotBuffers {
  return {
    input: new SharedArrayBuffer(INPUT_BYTES),
    items: new SharedArrayBuffer(MAX_ITEMS * ITEM_FIELDS * 4),
    output: new SharedArrayBuffer(MAX_ITEMS * itemBytes),
    lengths: new SharedArrayBuffer(MAX_ITEMS * 4),
  };
}

export function slotViews(b: SlotBuffers): SlotViews {
  return { input: new Uint8Array(b.input), items: new Int32Array(b.items), output: new Uint8Array(b.output), lengths: new Int32Array(b.lengths) };
}

/** Octets `writeRRset` needs. */
export function encodedSize(owner: WireName, rdatas: readonly Uint8Array[]): number {
  let size = owner.length + 8;
  for (const r of rdatas) size += 2 + r.length;
  return size;
}

/** Writes an RRset at `at`: owner (wire), type, TTL, rdata count, then each rdata with its length. */
export function writeRRset(input: Uint8Array, at: number, owner: WireName, type: number, ttl: number, rdatas: readonly Uint8Array[]): void {
  input.set(owner, at);
  let p = at + owner.length;
  input[p] = type >>> 8;
  input[p + 1] = type & 0xff;
  input[p + 2] = ttl >>> 24;
  input[p + 3] = (ttl >>> 16) & 0xff;
  input[p + 4] = (ttl >>> 8) & 0xff;
  input[p + 5] = ttl & 0xff;
  input[p + 6] = rdatas.length >>> 8;
  input[p + 7] = rdatas.length & 0xff;
  p += 8;
  for (const r of rdatas) {
    input[p] = r.length >>> 8;
    input[p + 1] = r.length & 0xff;
    input.set(r, p + 2);
    p += 2 + r.length;
  }
}

export function writeItem(items: Int32Array, index: number, inputAt: number, key: number, expiration: number): void {
  items[index * ITEM_FIELDS + ITEM_INPUT] = inputAt;
  items[index * ITEM_FIELDS + ITEM_KEY] = key;
  items[index * ITEM_FIELDS + ITEM_EXPIRATION] = expiration | 0;
}

/** Signs item `index` of a slot into its output place (the work every thread of the pool does). */
export function signItem(views: SlotViews, index: number, keys: readonly DnssecKey[], job: JobParameters): void {
  const { input, items } = views;
  let p = items[index * ITEM_FIELDS + ITEM_INPUT]!;
  const ownerLength = wireNameLength(input, p);
  const owner = input.subarray(p, p + ownerLength);
  p += ownerLength;
  const type = (input[p]! << 8) | input[p + 1]!;
  const ttl = ((input[p + 2]! << 24) | (input[p + 3]! << 16) | (input[p + 4]! << 8) | input[p + 5]!) >>> 0;
  const n = (input[p + 6]! << 8) | input[p + 7]!;
  p += 8;
  const rdatas: Uint8Array[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const length = (input[p]! << 8) | input[p + 1]!;
    rdatas[r] = input.subarray(p + 2, p + 2 + length);
    p += 2 + length;
  }
  const key = keys[items[index * ITEM_FIELDS + ITEM_KEY]!]!;
  const expiration = items[index * ITEM_FIELDS + ITEM_EXPIRATION]! >>> 0;
  let rrsig: Uint8Array;
  try {
    rrsig = signRRset({ owner, type, ttl, rdatas }, job.apex, key, job.inception, expiration);
  } catch {
    views.lengths[index] = -1; // the signing thread reports it: a thread never leaves an item unfinished
    return;
  }
  if (rrsig.length > job.itemBytes) {
    views.lengths[index] = -1;
    return;
  }
  views.output.set(rrsig, index * job.itemBytes);
  views.lengths[index] = rrsig.length;
}

/**
 * Claims and signs items of `slot` until none is left; how many this thread signed (added to the
 * slot's done counter, whose waiter is woken).
 */
export function drainSlot(control: Int32Array, slot: number, views: SlotViews, keys: readonly DnssecKey[], job: JobParameters): number {
  let signed = 0;
  for (;;) {
    const i = claimItem(control, slot);
    if (i < 0) break;
    signItem(views, i, keys, job);
    signed++;
  }
  if (signed > 0) {
    Atomics.add(control, slotWord(slot, DONE), signed);
    Atomics.notify(control, slotWord(slot, DONE));
  }
  return signed;
}
