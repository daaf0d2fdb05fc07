/**
 * A sign pool thread: for each job (one whole-zone signing) it loads the keys once from PKCS#8,
 * then signs items of whatever batches the signing thread publishes, oldest first, sleeping on
 * the control word between them, until the job is stopped. Blocking here is fine: this thread
 * does nothing else.
 */
import { parentPort } from 'node:worker_threads';
import { keyFromPkcs8, type DnssecKey } from './keys.js';
import { drainSlot, GEN, SEQ, slotViews, slotWord, STOP, type JobParameters, type SlotBuffers, type SlotViews } from './sign-pool-batch.js';

export interface JobMessage {
  control: SharedArrayBuffer;
  slots: SlotBuffers[];
  keys: { pkcs8: Uint8Array; algorithm: number; flags: number }[];
  job: JobParameters;
}

function run(message: JobMessage): void {
  const control = new Int32Array(message.control);
  const views: SlotViews[] = message.slots.map(slotViews);
  let keys: DnssecKey[];
  try {
    keys = message.keys.map((k) => keyFromPkcs8(k.pkcs8, k.algorithm, k.flags));
  } catch {
    return; // the signing thread loaded the same keys; it signs alone
  }
  const order = views.map((_, slot) => slot);
  for (;;) {
    const gen = Atomics.load(control, GEN);
    if (Atomics.load(control, STOP) !== 0) return;
    order.sort((a, b) => Atomics.load(control, slotWord(a, SEQ)) - Atomics.load(control, slotWord(b, SEQ)));
    let signed = 0;
    for (const slot of order) signed += drainSlot(control, slot, views[slot]!, keys, message.job);
    if (signed === 0) Atomics.wait(control, GEN, gen);
  }
}

parentPort?.on('message', run);
