import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';

/** The lock file naming the meshdns process that serves a data folder. */
export const DATA_LOCK_FILE = 'meshdns.pid';

/** What a start needs of its folders; each failure is one ConfigError line, said before any socket is bound. */
export function checkFolders(config: { data: string; zoneDir: string | undefined }): void {
  // a zone folder that does not exist at start is a mistake in the config; one that goes away
  // later is a fault the zone folder rides out (zones keep answering)
  if (config.zoneDir !== undefined && !existsSync(config.zoneDir)) {
    throw new ConfigError(`zoneDir: "${config.zoneDir}" does not exist; create it, or leave zoneDir out to serve what LMDB holds and the API adds`);
  }
  checkDataFolder(config.data);
}

/** The data folder exists (or is made) as a folder this process can write, and so are its LMDB files. */
export function checkDataFolder(data: string): void {
  let isDirectory: boolean | undefined;
  try {
    isDirectory = statSync(data).isDirectory();
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code;
    if (why === 'ENOTDIR') throw new ConfigError(`data directory "${data}" cannot be created: a part of its path is a file, not a folder`);
    if (why !== 'ENOENT') throw dataError(data, `cannot be read (${code(err)})`);
  }
  if (isDirectory === false) throw dataError(data, 'is a file, not a folder; give data a folder (meshdns creates it when missing)');
  if (isDirectory === undefined) {
    try {
      mkdirSync(data, { recursive: true });
    } catch (err) {
      throw new ConfigError(`data directory "${data}" cannot be created (${code(err)})`);
    }
  }
  // (root passes access() on any mode; the write test below is what catches a read-only mount)
  for (const path of [data, join(data, 'data.mdb'), join(data, 'lock.mdb')]) {
    if (!existsSync(path)) continue;
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw dataError(data, `${path === data ? '' : `${path}: `}is not writable by this process (${code(err)}); meshdns keeps its zones, keys and token there`);
    }
  }
  checkLmdbFile(data);
  const probe = join(data, `.meshdns-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (err) {
    throw dataError(data, `is not writable by this process (${code(err)}); meshdns keeps its zones, keys and token there`);
  }
}

/** LMDB's meta page: a 16-octet page header, then the magic (little-endian on the platforms Node runs on). */
const LMDB_MAGIC_OFFSET = 24;
const LMDB_MAGIC = 0xbeefc0de;

/**
 * A data.mdb that is not an LMDB file (a copy gone wrong, another program's file) crashes the
 * process inside LMDB (SIGSEGV, no message at all): its first meta page is looked at first. An
 * empty one is fine (LMDB starts it afresh).
 */
function checkLmdbFile(data: string): void {
  const file = join(data, 'data.mdb');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw dataError(data, `holds a data.mdb that cannot be read (${code(err)})`);
  }
  try {
    const head = Buffer.alloc(LMDB_MAGIC_OFFSET + 4);
    const got = readSync(fd, head, 0, head.length, 0);
    if (got === 0) return;
    if (got < head.length || head.readUInt32LE(LMDB_MAGIC_OFFSET) !== LMDB_MAGIC) {
      throw dataError(data, 'holds a data.mdb that is not an LMDB file; move it away (meshdns starts an empty one) or point data at the right folder');
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes the data folder for this process. LMDB lets several processes open one environment, so
 * without this a second `meshdns serve` on the same folder would start and write into the first
 * one's zones. The lock file names the process and its start time (so a reused pid after a crash
 * or in a restarted container does not count as the owner); a stale file is taken over.
 */
export function lockDataFolder(data: string): { release(): void } {
  const file = join(data, DATA_LOCK_FILE);
  const mine = { pid: process.pid, started: processStart(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dataError(data, `cannot hold its lock file ${file} (${code(err)})`);
      const owner = readOwner(file);
      if (owner !== undefined && isAlive(owner)) {
        throw dataError(data, `is in use by another meshdns (pid ${owner.pid}, lock file ${file}); stop it, or give this one another data folder`);
      }
      try {
        unlinkSync(file); // its owner is gone (a crash, a kill -9): the folder is free
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== 'ENOENT') throw dataError(data, `cannot replace the stale lock file ${file} (${code(unlinkErr)})`);
      }
      continue;
    }
    writeSync(fd, `${JSON.stringify(mine)}\n`);
    closeSync(fd);
    return {
      release() {
        // only our own: a folder taken over meanwhile keeps its owner's lock
        const owner = readOwner(file);
        if (owner?.pid === mine.pid && owner.started === mine.started) {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        }
      },
    };
  }
  throw dataError(data, `its lock file ${file} keeps coming back; another meshdns is starting on it`);
}

interface LockOwner {
  pid: number;
  started: string | null;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0) return undefined;
    return { pid: owner.pid, started: typeof owner.started === 'string' ? owner.started : null };
  } catch {
    return undefined; // empty or garbled: a start that died while writing it
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists and belongs to another user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(owner.pid);
  // a zombie has exited and only waits for its parent to reap it
  if (stat?.state === 'Z') return false;
  // without /proc (not Linux) a live pid is taken as the owner
  return owner.started === null || stat === undefined || stat.started === owner.started;
}

/** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or null without /proc. */
function processStart(pid: number): string | null {
  return procStat(pid)?.started ?? null;
}

/** State (field 3) and start time (field 22) from /proc/<pid>/stat; undefined without /proc. */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ")"
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] === undefined ? undefined : { state: fields[0]!, started: fields[19] };
  } catch {
    return undefined;
  }
}

function dataError(data: string, why: string): ConfigError {
  return new ConfigError(`data: "${data}" ${why}`);
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
