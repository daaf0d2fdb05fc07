import { createHash } from 'node:crypto';
import { readdirSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keyToName, nameToKey, nameToText, parseName, type WireName } from '../name.js';
import { NotRegularFileError, readRegularFile } from '../zonefile/read-file.js';
import { storageFault } from '../store/storage-fault.js';
import type { ZoneProblem } from '../zonefile/parser.js';
import { applyZoneFile, type ZoneFileOutcome, type ZoneFileRequest } from './zone-file-apply.js';
import type { ZoneReader } from '../store/reader.js';
import type { ZoneWriter } from '../store/write-door.js';
import type { SerialPolicy } from '../serial.js';
import { latin1 } from '../store/working-set.js';

export interface ZoneFileEntry {
  origin: string;
  file: string;
  serialPolicy?: SerialPolicy;
}

/** Per-zone load status, for logs now and the admin API later. */
export interface ZoneLoadStatus {
  file: string;
  lastLoad?: string;
  lastError?: { at: string; problems: ZoneProblem[] };
}

/** What the folder tells its owner (the metrics count failed loads). */
export interface ZoneFolderEvents {
  loadFailed?(origin: string): void;
  /**
   * The loader process's entry script; default zone-load-worker.js. The server passes its own,
   * which sets the loader's write door up as its own (DNSSEC signing) before loading.
   */
  loaderScript?: URL;
}

const ZONE_SUFFIX = '.zone';
const SETTLE_MS = 250;
/** How long one sync waits for a file that is still being written before it looks again later. */
const MAX_SETTLE_WAIT_MS = 5_000;
const BIG_FILE_BYTES = 4 * 1024 * 1024;
/**
 * A zone this big is reloaded in the loader process whatever its file's size: a small file that
 * replaces a big zone means a diff and a commit over every old record (28-41 s on the query thread
 * for a million records, before this).
 */
const BIG_ZONE_RECORDS = 100_000;
/**
 * A zone with a DNSSEC policy loaded for the first time is signed whole in its commit, ~50 µs a
 * signature on one core: past this size (a few thousand records, a few hundred ms of signing) it
 * loads in the loader process, where the signing pool uses both cores and no answer waits.
 */
const SIGNED_FIRST_LOAD_BYTES = 128 * 1024;
/** Backoff of the retries while the folder cannot be listed. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The error listing a folder gives now. */
function folderError(dir: string): unknown {
  try {
    readdirSync(dir);
    return new Error('listing failed once, then succeeded');
  } catch (err) {
    return err;
  }
}

/**
 * Keeps the store in step with zone files: the watched folder's `<origin>.zone` files plus files
 * named in the config. A changed file is parsed and checked, then only the difference between its
 * old and new content goes through the write door; a file with errors is never served (the
 * previous version keeps answering).
 *
 * A read error is never taken to mean the files are gone (Knot never drops a zone because its file
 * vanished): while the folder cannot be listed, every zone keeps answering from LMDB, the error is
 * logged once, shown per zone and in readiness, and the folder is tried again with backoff; once it
 * is back, the watcher is set up again on it. A zone is unloaded only when its file is positively
 * gone from a folder that could be read, and then only if the file was its only source: records
 * that UPDATE or the API wrote keep the zone, and the operator is told how to drop it.
 */
export class ZoneFolder {
  readonly status = new Map<string, ZoneLoadStatus>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** watch() was asked for: the watcher is set up again when the folder comes back. */
  private watching = false;
  /** Why the folder cannot be listed, while it cannot. */
  private unreadable: { at: string; reason: string } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;

  constructor(
    private readonly store: ZoneReader,
    private readonly writer: ZoneWriter,
    private readonly zoneDir: string | undefined,
    private readonly configured: ZoneFileEntry[],
    private readonly defaultPolicy: SerialPolicy,
    private readonly log: Logger,
    private readonly events: ZoneFolderEvents = {},
  ) {}

  /** Reconciles every zone file with the store once; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
        await new Promise((r) => setImmediate(r));
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  watch(): void {
    this.watching = true;
    if (!this.zoneDir || this.watcher || this.unreadable) return;
    try {
      this.watcher = watch(this.zoneDir, { persistent: false }, () => {
        // editors write in several steps: let the file settle before reading it
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.sync(), SETTLE_MS);
      });
    } catch (err) {
      this.folderFailed(err);
      return;
    }
    // the folder went away under the watcher (deleted, unmounted): a sync finds out and retries
    this.watcher.on('error', () => {
      this.dropWatcher();
      void this.sync();
    });
  }

  close(): void {
    this.watching = false;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.dropWatcher();
  }

  /** Why the zone folder cannot be read now (undefined when it can). */
  get folderError(): { at: string; reason: string } | undefined {
    return this.unreadable;
  }

  private dropWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** The folder could not be listed: keep everything, say so once, try again with backoff. */
  private folderFailed(err: unknown): void {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (this.unreadable?.reason !== reason) {
      this.unreadable = { at: new Date().toISOString(), reason };
      this.log.error({ dir: this.zoneDir, reason }, 'zone folder cannot be read; its zones keep answering from LMDB, retrying');
    }
    this.dropWatcher();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.sync(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private folderRecovered(): void {
    if (!this.unreadable) return;
    this.log.info({ dir: this.zoneDir, after: this.unreadable.reason }, 'zone folder readable again');
    this.unreadable = undefined;
    this.retryMs = RETRY_MIN_MS;
    clearTimeout(this.retryTimer);
    if (this.watching) this.watch();
  }

  /** The zone files that should be served now: config entries win over folder files. */
  wanted(): ZoneFileEntry[] {
    return this.list().entries;
  }

  /**
   * The folder's zone files and the configured ones; `listed` is false when the folder could not
   * be read, and then the folder's zones that the store holds stand in for its listing.
   */
  private list(): { entries: ZoneFileEntry[]; listed: boolean } {
    const byOrigin = new Map<string, ZoneFileEntry>();
    let listed = true;
    if (this.zoneDir) {
      let names: string[] = [];
      try {
        names = readdirSync(this.zoneDir);
      } catch {
        listed = false;
        for (const { meta } of this.store.allZones()) {
          if (meta.source && dirname(meta.source.file) === this.zoneDir) byOrigin.set(meta.origin.toLowerCase(), { origin: meta.origin.toLowerCase(), file: meta.source.file });
        }
      }
      for (const name of names) {
        if (!name.endsWith(ZONE_SUFFIX) || name.startsWith('.')) continue;
        const originText = name.slice(0, -ZONE_SUFFIX.length);
        let origin: string;
        try {
          origin = nameToText(parseName(originText.endsWith('.') ? originText : `${originText}.`)).toLowerCase();
        } catch (err) {
          this.log.warn({ file: join(this.zoneDir, name), reason: (err as Error).message }, 'zone file name is not a domain name; ignored');
          continue;
        }
        byOrigin.set(origin, { origin, file: join(this.zoneDir, name) });
      }
    }
    for (const z of this.configured) if (z.file) byOrigin.set(z.origin, z);
    return { entries: [...byOrigin.values()], listed };
  }

  private async syncOnce(): Promise<void> {
    const { entries, listed } = this.list();
    if (!listed) {
      this.folderFailed(folderError(this.zoneDir!));
      for (const entry of entries) {
        if (dirname(entry.file) !== this.zoneDir) continue;
        this.markFolderError(entry);
      }
    } else {
      this.folderRecovered();
    }
    // small zones first, so a big import does not keep them waiting
    const wanted = entries.sort((a, b) => fileSize(a.file) - fileSize(b.file));
    const wantedKeys = new Set<string>();
    for (const entry of wanted) {
      const origin = parseName(entry.origin);
      wantedKeys.add(latin1(nameToKey(origin)));
      if (!listed && dirname(entry.file) === this.zoneDir) continue; // nothing can be read there now
      try {
        await this.loadIfChanged(entry, origin);
      } catch (err) {
        const fault = storageFault(err, this.store.path);
        const serving = (this.store.zoneMeta(nameToKey(origin))?.records ?? 0) > 0;
        const why = fault ? fault.reason : (err as Error).message;
        this.log.error({ err, zone: entry.origin, file: entry.file },
          `zone load failed; ${serving ? 'previous data kept' : 'the zone has no data yet'}${fault ? `: ${fault.reason}` : ''}`);
        this.setError(entry, `load failed: ${why}`);
      }
    }
    // zones whose file is positively gone: only from a folder that could be listed
    if (!listed) return;
    for (const { apexKey, meta } of this.store.allZones()) {
      if (meta.kind !== 'primary' || !meta.source || wantedKeys.has(latin1(apexKey))) continue;
      this.fileGone(apexKey, meta.id, meta.origin, meta.source.file);
    }
  }

  /** The file of a zone is gone: unload the zone if the file was all of it, else keep it and say why. */
  private fileGone(apexKey: Buffer, zoneId: number, origin: string, file: string): void {
    const fileSource = `file:${basename(file)}`;
    const others = this.store.zoneSources(zoneId).filter((s) => s !== fileSource);
    if (others.length > 0) {
      const message = `zone file removed, but the zone keeps records written by ${others.join(', ')}; ` +
        `it keeps answering (DELETE /api/v1/zones/${origin} drops it)`;
      if (this.status.get(origin)?.lastError?.problems[0]?.message !== message) {
        this.log.warn({ zone: origin, file, sources: others }, message);
        this.setError({ origin, file }, message);
      }
      return;
    }
    this.writer.begin(keyToName(apexKey), fileSource).deleteZone().commit();
    this.status.delete(origin);
    this.log.info({ zone: origin, file }, 'zone file removed; zone unloaded');
  }

  private markFolderError(entry: ZoneFileEntry): void {
    const message = `zone folder "${this.zoneDir}" cannot be read (${this.unreadable?.reason ?? 'unknown'}); the zone keeps answering from LMDB`;
    if (this.status.get(entry.origin)?.lastError?.problems[0]?.message !== message) this.setError(entry, message);
  }

  /** A zone's state shown in the API and the status page (not a load failure of the file's content). */
  private setError(entry: ZoneFileEntry, message: string): void {
    const prev = this.status.get(entry.origin);
    this.status.set(entry.origin, { ...prev, file: entry.file, lastError: { at: new Date().toISOString(), problems: [{ severity: 'error', file: entry.file, line: 0, message }] } });
  }

  private async loadIfChanged(entry: ZoneFileEntry, origin: WireName): Promise<void> {
    const apexKey = nameToKey(origin);
    const meta = this.store.zoneMeta(apexKey);
    let stat: Stats;
    try {
      stat = statSync(entry.file);
    } catch (err) {
      this.fail(entry, [{ severity: 'error', file: entry.file, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code}` }]);
      return;
    }
    if (!stat.isFile()) {
      // a FIFO or a device would block the read, and with it every answer
      this.fail(entry, [{ severity: 'error', file: entry.file, line: 0, message: 'cannot read: not a regular file' }]);
      return;
    }
    if (Date.now() - stat.mtimeMs < SETTLE_MS) {
      // still being written (a copy in progress): wait here until it has been quiet for a while, so
      // a start right after the file was dropped in loads it before reporting ready
      const settled = await settledStat(entry.file, stat);
      if (settled === undefined) {
        // it keeps changing (or its mtime is in the future): look again later
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.sync(), SETTLE_MS);
        return;
      }
      stat = settled;
    }
    const src = meta?.source;
    if (src && src.file === entry.file && src.mtimeMs === stat.mtimeMs && src.size === stat.size && meta.records > 0) return;
    let bytes: Buffer;
    try {
      bytes = readRegularFile(entry.file);
    } catch (err) {
      const why = err instanceof NotRegularFileError ? err.message : String((err as NodeJS.ErrnoException).code);
      this.fail(entry, [{ severity: 'error', file: entry.file, line: 0, message: `cannot read: ${why}` }]);
      return;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const source = { file: entry.file, mtimeMs: stat.mtimeMs, size: stat.size, sha256 };
    if (meta && src && src.sha256 === sha256 && src.file === entry.file && meta.records > 0) {
      this.writer.begin(origin, `file:${basename(entry.file)}`, 'primary').setMeta({ source }).commit();
      return;
    }
    const request: ZoneFileRequest = {
      origin: entry.origin, file: entry.file, includeRoot: this.zoneDir ?? dirname(entry.file),
      serialPolicy: entry.serialPolicy ?? this.defaultPolicy, source, limits: this.writer.limits(),
    };
    const started = Date.now();
    const zoneLog = this.log.child({ zone: entry.origin });
    const outcome =
      stat.size > BIG_FILE_BYTES || (meta?.records ?? 0) > BIG_ZONE_RECORDS || this.signsWhole(entry.origin, meta?.records ?? 0, stat.size)
        ? await this.applyInWorker(request, apexKey, zoneLog)
        : applyZoneFile(this.store, this.writer, request, () => undefined);
    for (const p of outcome.warnings) zoneLog.warn({ problem: p }, `${p.file}:${p.line}: ${p.message}`);
    if (!outcome.ok) {
      if ('secondary' in outcome) zoneLog.error({ file: entry.file }, 'zone is a secondary; its zone file is ignored');
      else this.fail(entry, outcome.problems);
      return;
    }
    this.status.set(entry.origin, { file: entry.file, lastLoad: new Date().toISOString() });
    zoneLog.info(
      { file: entry.file, serial: outcome.serial, added: outcome.added, removed: outcome.removed, ms: Date.now() - started },
      outcome.changed ? 'zone loaded' : 'zone file unchanged in content',
    );
  }

  /** A first load that the sign stage will sign whole, big enough to keep off the query thread. */
  private signsWhole(origin: string, records: number, bytes: number): boolean {
    return records === 0 && bytes > SIGNED_FIRST_LOAD_BYTES && this.writer.signingPolicy(origin.toLowerCase()) !== undefined;
  }

  /** Big files load in a child process: queries keep flowing and its memory goes with it. */
  private applyInWorker(request: ZoneFileRequest, apexKey: Buffer, log: Logger): Promise<ZoneFileOutcome> {
    return new Promise((resolve, reject) => {
      const child = fork(fileURLToPath(this.events.loaderScript ?? new URL('./zone-load-worker.js', import.meta.url)), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: loaderExecArgv(),
      });
      let settled = false;
      child.on('message', (msg: WorkerMessage) => {
        if (msg.kind === 'progress') log.info({ ...msg.details }, msg.message);
        else if (msg.kind === 'done') {
          settled = true;
          const o = msg.outcome;
          if (o.ok) this.writer.announceExternalCommit(apexKey, { ...o, created: false, deleted: false, changeset: undefined });
          resolve(msg.outcome);
        } else {
          settled = true;
          reject(new Error(msg.message));
        }
      });
      child.once('error', (err) => {
        if (!settled) reject(err);
      });
      child.once('exit', (code) => {
        if (!settled) reject(new Error(`zone load process exited with code ${code}`));
      });
      const origin = request.origin.toLowerCase();
      child.send({ parentPid: process.pid, dataPath: this.store.path, request, journalLimits: this.writer.journalLimits(origin), signingPolicy: this.writer.signingPolicy(origin) });
    });
  }

  private fail(entry: ZoneFileEntry, problems: ZoneProblem[]): void {
    const prev = this.status.get(entry.origin);
    this.status.set(entry.origin, { ...prev, file: entry.file, lastError: { at: new Date().toISOString(), problems } });
    this.events.loadFailed?.(entry.origin);
    for (const p of problems) this.log.error({ zone: entry.origin, problem: p }, `${p.file}:${p.line}: ${p.message}`);
    const serving = (this.store.zoneMeta(nameToKey(parseName(entry.origin)))?.records ?? 0) > 0;
    this.log.error({ zone: entry.origin, file: entry.file, errors: problems.length },
      serving ? 'zone file has errors; not loaded, previous version keeps answering' : 'zone file has errors; not loaded, and the zone has no data yet');
  }
}

type WorkerMessage =
  | { kind: 'progress'; message: string; details: Record<string, unknown> }
  | { kind: 'done'; outcome: ZoneFileOutcome }
  | { kind: 'failed'; message: string };

/**
 * The file's stat once it has gone SETTLE_MS without changing; undefined when it still changes after
 * MAX_SETTLE_WAIT_MS or goes away meanwhile. A file dated ahead of our clock (copied with its
 * timestamps from a host whose clock is ahead) settles once it is seen unchanged across SETTLE_MS,
 * rather than when our clock catches up with its mtime.
 */
async function settledStat(file: string, stat: Stats): Promise<Stats | undefined> {
  const deadline = Date.now() + MAX_SETTLE_WAIT_MS;
  while (Date.now() - stat.mtimeMs < SETTLE_MS) {
    if (Date.now() >= deadline) return undefined;
    const ahead = stat.mtimeMs > Date.now();
    await new Promise((resolve) => setTimeout(resolve, ahead ? SETTLE_MS : Math.max(10, SETTLE_MS - (Date.now() - stat.mtimeMs))));
    let next: Stats;
    try {
      next = statSync(file);
    } catch {
      return undefined; // gone meanwhile: the next sync sees that
    }
    if (ahead && next.mtimeMs === stat.mtimeMs && next.size === stat.size) return next;
    stat = next;
  }
  return stat;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Node flags for the loader process. Confined to one CPU (taskset, a cgroup cpuset), V8's parallel
 * GC helper threads have no core of their own and only take turns with the loader, so it collects
 * on its own thread there (the 1M-record import under `taskset -c 0`: 5.7 s against 6.0 s, best
 * of four alternating runs of `node [--single-threaded-gc] dist/bench/import-phases.js`).
 */
function loaderExecArgv(): string[] {
  return availableParallelism() === 1 ? [...process.execArgv, '--single-threaded-gc'] : process.execArgv;
}
