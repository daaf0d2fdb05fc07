/**
 * Worker thread for big zone files: parsing a million records and writing them takes seconds, which
 * must not stall queries, and the heap it needs goes away with the thread. It opens the same LMDB
 * environment (lmdb serialises writers across threads) and commits through the same write door.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LmdbStore } from './store/lmdb-store.js';
import { ZoneWriter } from './store/commit.js';
import { applyZoneFile, type ZoneFileRequest } from './zone-file-apply.js';

interface WorkerInput {
  dataPath: string;
  request: ZoneFileRequest;
}

const { dataPath, request } = workerData as WorkerInput;
const port = parentPort!;
try {
  const store = LmdbStore.open(dataPath);
  const writer = new ZoneWriter(store);
  const outcome = applyZoneFile(store, writer, request, (message, details) => port.postMessage({ kind: 'progress', message, details }));
  await store.env.flushed;
  port.postMessage({ kind: 'done', outcome });
} catch (err) {
  port.postMessage({ kind: 'failed', message: (err as Error).message, stack: (err as Error).stack });
}
