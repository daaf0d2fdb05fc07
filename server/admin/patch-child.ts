import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZoneLimits } from '../../zones/limits.js';
import type { JournalLimits } from '../../zones/store/journal.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import { ApiError } from './errors.js';
import type { RRsetInput } from './patch.js';

export interface PatchJob {
  parentPid: number;
  dataPath: string;
  /** latin1 of the apex key */
  apexKey: string;
  rrsets: RRsetInput[];
  journalLimits: JournalLimits;
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

/** A PATCH applied by a child process (patch-worker.ts); this process's listeners hear of the commit after it. */
export function patchInChild(dataPath: string, writer: ZoneWriter, apexKey: Buffer, rrsets: RRsetInput[]): Promise<PatchSummary> {
  const origin = writer.store.zoneMeta(apexKey)?.origin.toLowerCase() ?? '';
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./patch-worker.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (msg: PatchWorkerMessage) => {
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
    child.once('error', (err) => {
      if (!settled) reject(err);
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`the PATCH process exited with code ${code}`));
    });
    child.send({
      parentPid: process.pid, dataPath, apexKey: apexKey.toString('latin1'), rrsets,
      journalLimits: writer.journalLimits(origin), limits: writer.limits(),
    } satisfies PatchJob);
  });
}
