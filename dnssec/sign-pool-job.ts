/**
 * One whole-zone signing on a sign pool, from the signing thread's side. RRsets go into the slot
 * being filled; a full slot is published to the pool, and the slot published before it is finished:
 * this thread signs what the workers have not claimed yet, waits for the rest (Atomics.wait, with
 * a bound: a worker that died mid-item fails the commit rather than hanging it), then hands its
 * RRSIGs on in the order the RRsets came. So the workers always have a batch to sign while this
 * thread walks the zone, and the RRSIGs come out exactly as one thread would make them.
 */
import type { WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { DnssecError } from './algorithm.js';
import { keyFromPkcs8, type DnssecKey } from './keys.js';
import { signRRset } from './rrsig.js';
import {
  allocateSlot, claimWord, CLAIM, CONTROL_WORDS, DONE, drainSlot, encodedSize, GEN, INPUT_BYTES, MAX_ITEMS, SEQ, SLOTS,
  slotViews, slotWord, STOP, writeItem, writeRRset, type JobParameters, type SlotViews,
} from './sign-pool-batch.js';
import type { SignPool } from './sign-pool.js';
import type { ZoneSigner } from './zone-signer.js';

/**
 * Receives each record made (an RRSIG, with its RRset's owner and TTL; a chain record passed
 * through `add`) in the order they were asked for.
 */
export type RecordSink = (owner: WireName, type: number, ttl: number, rdata: Uint8Array) => void;

interface PassedRecord {
  /** Handed on just before this item of the slot. */
  before: number;
  owner: WireName;
  type: number;
  ttl: number;
  rdata: Uint8Array;
}

/** A worker silent this long while items it claimed are unfinished is taken for dead. */
const STALL_MS = 30_000;

interface Slot {
  index: number;
  views: SlotViews;
  /** Items and input octets written. */
  count: number;
  used: number;
  owners: WireName[];
  ttls: number[];
  passed: PassedRecord[];
}

export class PooledSigning {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly slots: Slot[] = [];
  private readonly keys: DnssecKey[];
  private readonly job: JobParameters;
  private filling: Slot;
  /** Published slots, oldest first. */
  private readonly inFlight: Slot[] = [];
  private seq = 0;

  constructor(pool: SignPool, private readonly signer: ZoneSigner, private readonly sink: RecordSink) {
    const stored = signer.signingKeys;
    this.keys = stored.map((k) => keyFromPkcs8(k.pkcs8, k.algorithm, k.flags));
    const probe = { owner: signer.apex, type: 1, ttl: 0, rdatas: [new Uint8Array(4)] };
    const itemBytes = Math.max(...this.keys.map((key) => signRRset(probe, signer.apex, key, 0, 0).length));
    this.job = { apex: signer.apex, inception: signer.inception, itemBytes };
    const buffers = Array.from({ length: SLOTS }, () => allocateSlot(itemBytes));
    buffers.forEach((b, index) => this.slots.push({ index, views: slotViews(b), count: 0, used: 0, owners: [], ttls: [], passed: [] }));
    this.filling = this.slots[0]!;
    pool.post({
      control: this.control.buffer as SharedArrayBuffer, slots: buffers, job: this.job,
      keys: stored.map((k) => ({ pkcs8: k.pkcs8, algorithm: k.algorithm, flags: k.flags })),
    });
  }

  /** Queues the RRSIGs of one RRset (one per key); how many. */
  sign(owner: WireName, type: number, ttl: number, rdatas: readonly Uint8Array[]): number {
    const keyIndexes = this.signer.keyIndexesFor(type);
    const size = encodedSize(owner, rdatas);
    if (size > INPUT_BYTES || keyIndexes.length > MAX_ITEMS) {
      // larger than a batch: signed here, after everything queued before it
      this.drain();
      for (const rrsig of this.signer.sign(owner, type, ttl, rdatas)) this.sink(owner, RRType.RRSIG, ttl, rrsig);
      return keyIndexes.length;
    }
    if (this.filling.used + size > INPUT_BYTES || this.filling.count + keyIndexes.length > MAX_ITEMS) this.rotate();
    const slot = this.filling;
    writeRRset(slot.views.input, slot.used, owner, type, ttl, rdatas);
    const expiration = this.signer.nextExpiration();
    for (const key of keyIndexes) {
      writeItem(slot.views.items, slot.count, slot.used, key, expiration);
      slot.owners[slot.count] = owner;
      slot.ttls[slot.count] = ttl;
      slot.count++;
    }
    slot.used += size;
    return keyIndexes.length;
  }

  /** Hands a record on after the RRSIGs queued before it (chain records: the zone comes out as one thread makes it). */
  add(owner: WireName, type: number, ttl: number, rdata: Uint8Array): void {
    const slot = this.filling;
    if (slot.count === 0 && this.inFlight.length === 0) this.sink(owner, type, ttl, rdata);
    else slot.passed.push({ before: slot.count, owner, type, ttl, rdata });
  }

  /** Signs and hands on everything queued; the workers go back to waiting. */
  finish(): void {
    try {
      this.drain();
    } finally {
      this.stop();
    }
  }

  /** Sends the workers back to waiting for the next job (what they claimed they still finish). */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
  }

  private drain(): void {
    if (this.filling.count > 0 || this.filling.passed.length > 0) this.publish(this.filling);
    while (this.inFlight.length > 0) this.complete(this.inFlight.shift()!);
    this.filling = this.slots[0]!;
  }

  /** Publishes the slot being filled; finishes the older one so that it can be filled next. */
  private rotate(): void {
    this.publish(this.filling);
    while (this.inFlight.length >= SLOTS) this.complete(this.inFlight.shift()!);
    this.filling = this.slots.find((s) => !this.inFlight.includes(s))!;
  }

  private publish(slot: Slot): void {
    const c = this.control;
    Atomics.store(c, slotWord(slot.index, DONE), 0);
    Atomics.store(c, slotWord(slot.index, SEQ), ++this.seq);
    Atomics.store(c, slotWord(slot.index, CLAIM), claimWord(this.seq, slot.count)); // after the data: claims see it
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    this.inFlight.push(slot);
  }

  private complete(slot: Slot): void {
    const c = this.control;
    const doneAt = slotWord(slot.index, DONE);
    drainSlot(c, slot.index, slot.views, this.keys, this.job);
    let done = Atomics.load(c, doneAt);
    let waited = 0;
    while (done < slot.count) {
      if (Atomics.wait(c, doneAt, done, 1000) === 'timed-out') waited += 1000;
      const now = Atomics.load(c, doneAt);
      if (now !== done) waited = 0;
      else if (waited >= STALL_MS) throw new DnssecError(`a signing thread stopped with ${slot.count - done} signatures unfinished`, 'MESHDNS_ERR_DNSSEC_SIGN');
      done = now;
    }
    const { output, lengths } = slot.views;
    const stride = this.job.itemBytes;
    const passed = slot.passed;
    let p = 0;
    for (let i = 0; i < slot.count; i++) {
      for (; p < passed.length && passed[p]!.before === i; p++) this.sink(passed[p]!.owner, passed[p]!.type, passed[p]!.ttl, passed[p]!.rdata);
      const length = lengths[i]!;
      if (length < 0) throw new DnssecError('a signing thread could not sign an RRset', 'MESHDNS_ERR_DNSSEC_SIGN');
      this.sink(slot.owners[i]!, RRType.RRSIG, slot.ttls[i]!, output.subarray(i * stride, i * stride + length));
    }
    for (; p < passed.length; p++) this.sink(passed[p]!.owner, passed[p]!.type, passed[p]!.ttl, passed[p]!.rdata);
    passed.length = 0;
    Atomics.store(c, slotWord(slot.index, CLAIM), 0);
    slot.count = 0;
    slot.used = 0;
    slot.owners.length = 0;
    slot.ttls.length = 0;
  }
}
