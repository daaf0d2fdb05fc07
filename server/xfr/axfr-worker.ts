/**
 * Child process for an AXFR in: receiving, decoding and committing a whole zone (600k records held
 * the query thread for over a second) happens here, and the query thread only waits. It opens the
 * same LMDB environment and replaces the zone through the same write door; the commit is abandoned
 * inside its transaction when the server that asked is gone.
 */
import { parseName } from '../../zones/name.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaSerial } from '../../zones/soa.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';
import { RecordTable } from '../../zones/table/record-table.js';
import { Keyring, makeKey, type TsigAlgorithm } from '../tsig/keys.js';
import type { AxfrJob, AxfrWorkerMessage } from './axfr-child.js';
import { fetchAxfr, TransferError } from './xfr-in.js';

const send = (msg: AxfrWorkerMessage) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));

// the server died (kill -9 included): its IPC channel closes, and nobody waits for this transfer
process.once('disconnect', () => process.exit(1));

process.once('message', (job: AxfrJob) => {
  void (async () => {
    try {
      const key = job.key ? makeKey(job.key.name, job.key.algorithm as TsigAlgorithm, job.key.secret) : undefined;
      const origin = parseName(job.origin);
      const records = await fetchAxfr({ ...job.endpoint, key, idleTimeoutMs: job.idleTimeoutMs }, origin, new Keyring(key ? [key] : []));
      const serial = soaSerial(records[0]!.rdata);
      // a refresh never goes back to an older version (only an explicit retransfer may)
      if (job.ours !== undefined && serialLessThan(serial, job.ours)) throw new TransferError(`transferred zone has serial ${serial}, older than ours (${job.ours})`);
      const store = LmdbStore.open(job.dataPath);
      const writer = new ZoneWriter(store, { journalLimits: () => job.journalLimits, limits: () => job.limits });
      const result = writer.begin(origin, job.source, 'secondary')
        .onlyIf(() => (process.ppid !== job.parentPid ? `the server (pid ${job.parentPid}) that asked for this transfer is gone` : undefined))
        .replace(RecordTable.fromRecords(records))
        .commit();
      await store.close();
      await send({ kind: 'done', serial: result.serial, added: result.added });
    } catch (err) {
      await send({ kind: 'failed', message: (err as Error).message });
    }
    process.exit(0);
  })();
});
