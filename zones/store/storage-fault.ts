import { statfsSync } from 'node:fs';
import { constants } from 'node:os';

/** A write to the data directory failed for a reason an operator can act on. */
export interface StorageFault {
  code: 'ENOSPC' | 'MDB_MAP_FULL' | 'EIO';
  /** One line for the API error and the log. */
  reason: string;
  /** HTTP status: 507 Insufficient Storage when space ran out, 500 otherwise. */
  status: 500 | 507;
}

/** lmdb.h */
const MDB_MAP_FULL = -30792;
/** With less free than this, an I/O error while writing is taken for a full disk. */
export const NEARLY_FULL_BYTES = 16 * 1024 * 1024;

export const DISK_FULL = 'the disk holding the data directory is full (ENOSPC)';
export const MAP_FULL = 'the LMDB map size is full (MDB_MAP_FULL)';

/**
 * What an LMDB write error means. lmdb-js throws `Error(mdb_strerror(rc))` with the numeric rc as
 * `code`; a full disk often surfaces as EIO ("Input/output error", from the page flush) rather
 * than ENOSPC, so an EIO is checked against the free space of the data directory's disk.
 * Undefined: not a storage error.
 */
export function storageFault(err: unknown, dataDir: string, freeBytes: (dir: string) => number | undefined = diskFree): StorageFault | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  const message = err.message;
  if (code === 'ENOSPC' || code === constants.errno.ENOSPC || /no space left on device/i.test(message)) {
    return { code: 'ENOSPC', reason: `${DISK_FULL}: "${dataDir}"`, status: 507 };
  }
  if (code === MDB_MAP_FULL || /MDB_MAP_FULL/.test(message)) {
    return { code: 'MDB_MAP_FULL', reason: `${MAP_FULL}: "${dataDir}"`, status: 507 };
  }
  if (code === 'EIO' || code === constants.errno.EIO || /input\/output error/i.test(message)) {
    const free = freeBytes(dataDir);
    if (free !== undefined && free < NEARLY_FULL_BYTES) {
      return { code: 'ENOSPC', reason: `${DISK_FULL}: "${dataDir}" has ${free} bytes free (LMDB said "${message}")`, status: 507 };
    }
    return { code: 'EIO', reason: `an I/O error writing the data directory "${dataDir}" (EIO): ${message}`, status: 500 };
  }
  return undefined;
}

/** Bytes an unprivileged writer may still use on the disk holding `dir`. */
function diskFree(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
