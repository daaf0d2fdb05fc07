import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { keyToName, nameToKey, nameToText, parseName, type WireName } from '../name.js';
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
}

const ZONE_SUFFIX = '.zone';
const SETTLE_MS = 250;
/** How long one sync waits for a file that is still being written before it looks again later. */
const MAX_SETTLE_WAIT_MS = 5_000;
const BIG_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Keeps the store in step with zone files: the watched folder's `<origin>.zone` files plus files
 * named in the config. A changed file is parsed and checked, then only the difference between its
 * old and new content goes through the write door; a file with errors is never served (the
 * previous version keeps answering); a removed file unloads its zone.
 */
export class ZoneFolder {
  readonly status = new Map<string, ZoneLoadStatus>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

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
    if (!this.zoneDir || this.watcher) return;
    this.watcher = watch(this.zoneDir, { persistent: false }, () => {
      // editors write in several steps: let the file settle before reading it
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.sync(), SETTLE_MS);
    });
    this.watcher.on('error', (err) => this.log.error({ err, dir: this.zoneDir }, 'zone folder watch failed'));
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** The zone files that should be served now: config entries win over folder files. */
  wanted(): ZoneFileEntry[] {
    const byOrigin = new Map<string, ZoneFileEntry>();
    if (this.zoneDir) {
      let names: string[] = [];
      try {
        names = readdirSync(this.zoneDir);
      } catch (err) {
        this.log.error({ dir: this.zoneDir, reason: (err as Error).message }, 'zone folder cannot be read');
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
    return [...byOrigin.values()];
  }

  private async syncOnce(): Promise<void> {
    // small zones first, so a big import does not keep them waiting
    const wanted = this.wanted().sort((a, b) => fileSize(a.file) - fileSize(b.file));
    const wantedKeys = new Set<string>();
    for (const entry of wanted) {
      const origin = parseName(entry.origin);
      wantedKeys.add(latin1(nameToKey(origin)));
      try {
        await this.loadIfChanged(entry, origin);
      } catch (err) {
        this.log.error({ err, zone: entry.origin, file: entry.file }, 'zone load failed; previous data kept');
      }
    }
    // zones that came from files that are gone
    for (const { apexKey, meta } of this.store.allZones()) {
      if (meta.kind !== 'primary' || !meta.source || wantedKeys.has(latin1(apexKey))) continue;
      this.writer.begin(keyToName(apexKey), `file:${basename(meta.source.file)}`).deleteZone().commit();
      this.status.delete(meta.origin);
      this.log.info({ zone: meta.origin, file: meta.source.file }, 'zone file removed; zone unloaded');
    }
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
    const sha256 = createHash('sha256').update(readFileSync(entry.file)).digest('hex');
    const source = { file: entry.file, mtimeMs: stat.mtimeMs, size: stat.size, sha256 };
    if (meta && src && src.sha256 === sha256 && src.file === entry.file && meta.records > 0) {
      this.writer.begin(origin, `file:${basename(entry.file)}`, 'primary').setMeta({ source }).commit();
      return;
    }
    const request: ZoneFileRequest = {
      origin: entry.origin, file: entry.file, includeRoot: this.zoneDir ?? dirname(entry.file),
      serialPolicy: entry.serialPolicy ?? this.defaultPolicy, source,
    };
    const started = Date.now();
    const zoneLog = this.log.child({ zone: entry.origin });
    const outcome =
      stat.size > BIG_FILE_BYTES
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

  /** Big files load in a child process: queries keep flowing and its memory goes with it. */
  private applyInWorker(request: ZoneFileRequest, apexKey: Buffer, log: Logger): Promise<ZoneFileOutcome> {
    return new Promise((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./zone-load-worker.js', import.meta.url)), [], {
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
      child.send({ parentPid: process.pid, dataPath: this.store.path, request, journalLimits: this.writer.journalLimits(request.origin.toLowerCase()) });
    });
  }

  private fail(entry: ZoneFileEntry, problems: ZoneProblem[]): void {
    const prev = this.status.get(entry.origin);
    this.status.set(entry.origin, { ...prev, file: entry.file, lastError: { at: new Date().toISOString(), problems } });
    this.events.loadFailed?.(entry.origin);
    for (const p of problems) this.log.error({ zone: entry.origin, problem: p }, `${p.file}:${p.line}: ${p.message}`);
    this.log.error({ zone: entry.origin, file: entry.file, errors: problems.length }, 'zone file has errors; not loaded, previous version keeps answering');
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
