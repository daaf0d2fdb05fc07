import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** The path names something other than a regular file: a FIFO, a device, a directory, a socket. */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  readonly code = 'MESHDNS_ERR_NOT_REGULAR_FILE';
}

/**
 * Reads a regular file whole (symlinks followed). Anything else is refused without blocking:
 * reading a FIFO would wait for a writer forever and stop the event loop with it, so the file is
 * opened with O_NONBLOCK (even opening a FIFO blocks without it) and checked with fstat before a
 * byte is read. Other failures throw as fs does (ENOENT, EACCES).
 */
export function readRegularFile(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(`not a regular file (${fileKind(stat)})`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}
