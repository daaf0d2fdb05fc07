/**
 * Child process for big zone files: parsing a million records and writing them takes seconds, which
 * must not stall queries, and the memory it needs (heap and malloc arenas alike) goes back to the
 * system when the process exits. It opens the same LMDB environment (LMDB serialises writers
 * across processes) and commits through the same write door.
 */
import { LmdbStore } from '../store/lmdb-store.js';
import { ZoneWriter } from '../store/write-door.js';
import { applyZoneFile, type ZoneFileRequest } from './zone-file-apply.js';
import type { JournalLimits } from '../store/journal.js';

interface LoadJob {
  /** The server that asked: a load it no longer waits for is abandoned (inside the commit's transaction). */
  parentPid: number;
  dataPath: string;
  request: ZoneFileRequest;
  journalLimits: JournalLimits;
  /** The zone's DNSSEC policy (plain data): the load is signed in its commit, as on the server. */
  signingPolicy: object | undefined;
}

/** How the server sets up this process's write door (server/zone-load-worker.ts: signing). */
let setUpWriter: (writer: ZoneWriter, job: { signingPolicy: object | undefined; origin: string }) => void = () => {};

export function setLoaderWriterSetup(setup: typeof setUpWriter): void {
  setUpWriter = setup;
}

const send = (msg: unknown) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));

// the server died (kill -9 included): its IPC channel closes, and nobody waits for this load
process.once('disconnect', () => process.exit(1));

process.once('message', (job: LoadJob) => {
  void (async () => {
    try {
      const store = LmdbStore.open(job.dataPath);
      const writer = new ZoneWriter(store, { journalLimits: () => job.journalLimits, limits: () => job.request.limits });
      setUpWriter(writer, { signingPolicy: job.signingPolicy, origin: job.request.origin.toLowerCase().replace(/\.?$/, '.') });
      const stillWanted = () => (process.ppid !== job.parentPid ? `the server (pid ${job.parentPid}) that asked for this load is gone` : undefined);
      const outcome = applyZoneFile(store, writer, job.request, (message, details) => void send({ kind: 'progress', message, details }), stillWanted);
      await store.close();
      await send({ kind: 'done', outcome });
    } catch (err) {
      await send({ kind: 'failed', message: (err as Error).message });
    }
    process.exit(0);
  })();
});
