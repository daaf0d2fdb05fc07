import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameToKey, parseName } from '../../zones/name.js';
import { LmdbStore } from '../../zones/store/lmdb-store.js';
import { ZoneWriter } from '../../zones/store/write-door.js';

/**
 * A fresh LMDB store in a temporary directory with one empty primary zone `origin` (as written,
 * case kept), for `run`; afterwards the store is closed and the directory removed, whatever `run` did.
 */
export async function withEmptyZone<T>(origin: string, run: (writer: ZoneWriter, store: LmdbStore, apexKey: Buffer) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-test-store-'));
  const store = LmdbStore.open(dir);
  try {
    const writer = new ZoneWriter(store);
    const wire = parseName(origin);
    writer.create(wire, { originText: origin, kind: 'primary', serialPolicy: 'increment', ifExists: 'fail' }, 'test').commit();
    return await run(writer, store, nameToKey(wire));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
