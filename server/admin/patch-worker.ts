/**
 * Worker thread for a big PATCH: parsing, checking and committing thousands of records (a 10,000-record
 * RRset held the query thread for 0.36 s) happen here, through the same write door on the same LMDB
 * environment (lmdb-js opens it once per thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { StoreError } from '../../zones/store/zone-meta.js';
import { ApiError } from './errors.js';
import { applyPatch } from './patch-apply.js';
import { attachSigning, type ZonePolicy } from '../../dnssec/sign-stage.js';
import type { PatchJob, PatchWorkerMessage } from './patch-thread.js';

const send = (msg: PatchWorkerMessage) => parentPort!.postMessage(msg);
const job = workerData as PatchJob;

void (async () => {
  let store: LmdbStore | undefined;
  try {
    store = LmdbStore.open(job.dataPath);
    const writer = new ZoneWriter(store, { journalLimits: () => job.journalLimits, limits: () => job.limits });
    if (job.signingPolicy) attachSigning(writer, () => job.signingPolicy as ZonePolicy);
    const apexKey = Buffer.from(job.apexKey, 'latin1');
    const meta = store.zoneMeta(apexKey);
    if (!meta) throw new StoreError('the zone went away before the change was applied', 'MESHDNS_ERR_NO_ZONE');
    const r = applyPatch(store, writer, apexKey, meta, job.rrsets);
    send({ kind: 'done', result: { changed: r.changed, serial: r.serial, added: r.added, removed: r.removed } });
  } catch (err) {
    if (err instanceof ApiError) send({ kind: 'refused', status: err.status, field: err.field, value: err.value, reason: err.reason, problems: err.problems });
    else send({ kind: 'failed', message: (err as Error).message, code: (err as { code?: unknown }).code });
  } finally {
    await store?.close();
  }
})();
