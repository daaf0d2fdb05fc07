import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { keyToName, nameToKey, nameToText, parseName, type WireName } from './name.js';
import type { DiffRR, ZoneDiff } from './diff.js';
import { loadZoneFile } from './zone-source.js';
import type { ZoneProblem } from './zonefile/parser.js';
import type { LmdbStore } from './store/lmdb-store.js';
import type { ZoneWriter } from './store/commit.js';
import type { SerialPolicy } from './serial.js';
import { latin1 } from './store/working-set.js';

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

const ZONE_SUFFIX = '.zone';
const SETTLE_MS = 250;
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
    private readonly store: LmdbStore,
    private readonly writer: ZoneWriter,
    private readonly zoneDir: string | undefined,
    private readonly configured: ZoneFileEntry[],
    private readonly defaultPolicy: SerialPolicy,
    private readonly log: Logger,
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
        this.syncOnce();
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

  private syncOnce(): void {
    const wanted = this.wanted();
    const wantedKeys = new Set<string>();
    for (const entry of wanted) {
      const origin = parseName(entry.origin);
      wantedKeys.add(latin1(nameToKey(origin)));
      try {
        this.loadIfChanged(entry, origin);
      } catch (err) {
        this.log.error({ err, zone: entry.origin, file: entry.file }, 'zone load failed; previous data kept');
      }
    }
    // zones that came from files that are gone
    for (const { apexKey, meta } of this.store.allZones()) {
      if (meta.kind !== 'primary' || !meta.source || wantedKeys.has(latin1(apexKey))) continue;
      this.writer.deleteZone(apexKey);
      this.status.delete(meta.origin);
      this.log.info({ zone: meta.origin, file: meta.source.file }, 'zone file removed; zone unloaded');
    }
  }

  private loadIfChanged(entry: ZoneFileEntry, origin: WireName): void {
    const apexKey = nameToKey(origin);
    const meta = this.store.zoneMeta(apexKey);
    let stat: Stats;
    try {
      stat = statSync(entry.file);
    } catch (err) {
      this.fail(entry, [{ severity: 'error', file: entry.file, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code}` }]);
      return;
    }
    const src = meta?.source;
    if (src && src.file === entry.file && src.mtimeMs === stat.mtimeMs && src.size === stat.size && meta.records > 0) return;
    const bytes = readFileSync(entry.file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const source = { file: entry.file, mtimeMs: stat.mtimeMs, size: stat.size, sha256 };
    if (meta && src && src.sha256 === sha256 && src.file === entry.file && meta.records > 0) {
      this.writer.updateMeta(apexKey, { source });
      return;
    }
    const started = Date.now();
    // progress for big files: parsing and writing each take seconds per million records
    const big = stat.size > BIG_FILE_BYTES;
    if (big) this.log.info({ zone: entry.origin, file: entry.file, bytes: stat.size }, 'parsing zone file');
    const loaded = loadZoneFile(entry.file, origin, this.zoneDir ?? dirname(entry.file));
    if (big) this.log.info({ zone: entry.origin, records: loaded.records.length, ms: Date.now() - started }, 'zone file parsed; writing to LMDB');
    for (const p of loaded.problems) {
      if (p.severity === 'warning') this.log.warn({ zone: entry.origin, problem: p }, `${p.file}:${p.line}: ${p.message}`);
    }
    if (!loaded.ok) {
      this.fail(entry, loaded.problems.filter((p) => p.severity === 'error'));
      return;
    }
    const policy = entry.serialPolicy ?? this.defaultPolicy;
    const zoneMeta = meta ?? this.writer.createZone(origin, entry.origin, 'primary', policy);
    if (zoneMeta.kind !== 'primary') {
      this.log.error({ zone: entry.origin, file: entry.file }, 'zone is a secondary; its zone file is ignored');
      return;
    }
    const sourceName = `file:${basename(entry.file)}`;
    const diff = zoneMeta.records === 0 ? { source: sourceName, remove: [], add: loaded.records } : this.fileDiff(zoneMeta.id, sourceName, loaded.records);
    const result = this.writer.commit(apexKey, diff);
    this.writer.updateMeta(apexKey, { source, serialPolicy: policy });
    this.status.set(entry.origin, { file: entry.file, lastLoad: new Date().toISOString() });
    this.log.info(
      { zone: entry.origin, file: entry.file, serial: result.serial, added: result.added, removed: result.removed, ms: Date.now() - started },
      result.changed ? 'zone loaded' : 'zone file unchanged in content',
    );
  }

  /** What the file's new content changes compared with what this file contributed before. */
  private fileDiff(zoneId: number, source: string, records: DiffRR[]): ZoneDiff {
    const ownerId = this.store.provenance.find(source);
    const old = new Map<string, DiffRR>();
    if (ownerId !== undefined) {
      for (const { nameKey, node } of this.store.zoneNodes(zoneId)) {
        for (const set of node.rrsets) {
          for (const rr of set.rrs) {
            if (!rr.owners.includes(ownerId)) continue;
            const owner = keyToName(nameKey);
            old.set(rrId(nameKey, set.type, rr.rdata), { owner, type: set.type, ttl: set.ttl, rdata: rr.rdata });
          }
        }
      }
    }
    const diff: ZoneDiff = { source, remove: [], add: [] };
    const seen = new Set<string>();
    for (const rr of records) {
      const id = rrId(nameToKey(rr.owner), rr.type, rr.rdata);
      seen.add(id);
      const before = old.get(id);
      if (!before || before.ttl !== rr.ttl || rr.type === 6) diff.add.push(rr);
    }
    for (const [id, rr] of old) if (!seen.has(id)) diff.remove.push(rr);
    return diff;
  }

  private fail(entry: ZoneFileEntry, problems: ZoneProblem[]): void {
    const prev = this.status.get(entry.origin);
    this.status.set(entry.origin, { ...prev, file: entry.file, lastError: { at: new Date().toISOString(), problems } });
    for (const p of problems) this.log.error({ zone: entry.origin, problem: p }, `${p.file}:${p.line}: ${p.message}`);
    this.log.error({ zone: entry.origin, file: entry.file, errors: problems.length }, 'zone file has errors; not loaded, previous version keeps answering');
  }
}

function rrId(nameKey: Uint8Array, type: number, rdata: Uint8Array): string {
  return `${latin1(nameKey)}|${type}|${latin1(rdata)}`;
}
