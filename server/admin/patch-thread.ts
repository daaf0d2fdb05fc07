import { Worker } from 'node:worker_threads';
import type { ZoneLimits } from '../../zones/limits.js';
import type { JournalLimits } from '../../zones/store/journal.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { ApiError } from './errors.js';
import type { RRsetInput } from './patch.js';

export interface PatchJob {
  /** (a thread dies with its process: kept for the log) */
  parentPid: number;
  dataPath: string;
  /** latin1 of the apex key */
  apexKey: string;
  rrsets: RRsetInput[];
  journalLimits: JournalLimits;
  /** The zone's DNSSEC policy: the PATCH is signed in its commit, as on the server. */
  signingPolicy: object | undefined;
  limits: ZoneLimits;
}

export interface PatchSummary {
  changed: boolean;
  serial: number;
  added: number;
  removed: number;
}

export type PatchWorkerMessage =
  | { kind: 'done'; result: PatchSummary }
  | { kind: 'refused'; status: number; field: string | undefined; value: unknown; reason: string; problems: { field: string; reason: string }[] | undefined }
  | { kind: 'failed'; message: string; code: unknown };

/**
 * A PATCH applied by a worker thread (patch-worker.ts) that opens the same LMDB environment; this
 * thread's listeners hear of the commit after it. A thread, not a process: forking a server that
 * maps a big LMDB file copies its page tables, which held answers for 25-60 ms.
 */
export function patchInWorker(dataPath: string, writer: ZoneWriter, apexKey: Buffer, rrsets: RRsetInput[]): Promise<PatchSummary> {
  const origin = writer.store.zoneMeta(apexKey)?.origin.toLowerCase() ?? '';
  const job: PatchJob = {
    parentPid: process.pid, dataPath, apexKey: apexKey.toString('latin1'), rrsets,
    journalLimits: writer.journalLimits(origin), limits: writer.limits(), signingPolicy: writer.signingPolicy(origin),
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./patch-worker.js', import.meta.url), { workerData: job });
    let settled = false;
    worker.on('message', (msg: PatchWorkerMessage) => {
      settled = true;
      if (msg.kind === 'done') {
        if (msg.result.changed) writer.announceExternalCommit(apexKey, { ...msg.result, created: false, deleted: false, changeset: undefined });
        resolve(msg.result);
      } else if (msg.kind === 'refused') {
        reject(new ApiError(msg.status, msg.field, msg.value, msg.reason, msg.problems));
      } else {
        reject(Object.assign(new Error(msg.message), { code: msg.code }));
      }
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the PATCH thread exited with code ${code}`));
    });
  });
}
