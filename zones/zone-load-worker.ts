/**
 * Child process for big zone files: parsing a million records and writing them takes seconds, which
 * must not stall queries, and the memory it needs (heap and malloc arenas alike) goes back to the
 * system when the process exits. It opens the same LMDB environment (LMDB serialises writers
 * across processes) and commits through the same write door.
 */
import { LmdbStore } from './store/lmdb-store.js';
import { ZoneWriter } from './store/commit.js';
import { applyZoneFile, type ZoneFileRequest } from './zone-file-apply.js';
import type { JournalLimits } from './store/journal.js';

interface LoadJob {
  dataPath: string;
  request: ZoneFileRequest;
  journalLimits: JournalLimits;
}

const send = (msg: unknown) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));

process.once('message', (job: LoadJob) => {
  void (async () => {
    try {
      const store = LmdbStore.open(job.dataPath);
      const writer = new ZoneWriter(store);
      writer.journalLimits = () => job.journalLimits;
      const outcome = applyZoneFile(store, writer, job.request, (message, details) => void send({ kind: 'progress', message, details }));
      await store.close();
      await send({ kind: 'done', outcome });
    } catch (err) {
      await send({ kind: 'failed', message: (err as Error).message });
    }
    process.exit(0);
  })();
});
