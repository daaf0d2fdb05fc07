import type { KubeConnection } from '../client/connection.js';
import { ListWatch, type WatchedObject } from '../client/list-watch.js';
import { ObjectIndex } from './object-index.js';
import { collectionPaths, SOURCE_NAMES, SOURCES, watchedSources, type SourceName } from './sources.js';
import type { SourceStatus, WatcherOptions, WatchLog, WatchSink } from './types.js';

const FIRST_SYNC_WAIT_MS = 10_000;

/**
 * The embedded Kubernetes watcher: a list-watch per source (per namespace when namespaces are
 * listed), every event marking the owners it affects dirty, and one batch per debounce interval
 * handed to the sink — which commits it as one new version of each zone. The first batch waits
 * until every source has listed once (at most `firstSyncWaitMs`), so a restart does not withdraw
 * records of a kind that simply has not been listed yet; after that each complete list (the first,
 * a relist after 410 Gone) lets the sink drop the records of objects that no longer exist.
 */
export class KubernetesWatcher {
  private readonly index: ObjectIndex;
  private readonly watches: { source: SourceName; namespace: string | undefined; lw: ListWatch<WatchedObject> }[] = [];
  private readonly relisted = new Set<SourceName>();
  private timer: NodeJS.Timeout | undefined;
  /** A batch being committed (events meanwhile wait for the next one). */
  private flushing = false;
  private firstBatchDone = false;
  private readonly startedAt = Date.now();
  private firstSyncTimer: NodeJS.Timeout | undefined;
  /** Batches handed to the sink, and when the last one was. */
  batches = 0;
  lastBatchAt: Date | undefined;
  /** Resolves once the first batch is applied. */
  readonly firstSync: Promise<void>;
  private resolveFirstSync!: () => void;

  constructor(
    conn: KubeConnection,
    private readonly options: WatcherOptions,
    private readonly sink: WatchSink,
    private readonly log: WatchLog,
  ) {
    this.index = new ObjectIndex(options);
    this.firstSync = new Promise((resolve) => (this.resolveFirstSync = resolve));
    for (const source of watchedSources(options.sources)) {
      const paths = collectionPaths(source, options.namespaces);
      for (const path of paths) {
        const namespace = namespaceOf(path);
        const lw: ListWatch<WatchedObject> = new ListWatch(conn, path, {
          replace: (items) => {
            this.index.replace(source, namespace, items as never);
            if (this.watches.filter((w) => w.source === source).every((w) => w.lw.synced)) this.relisted.add(source);
            this.schedule();
          },
          event: (type, object) => {
            this.index.apply(source, type, object as never);
            this.schedule();
          },
          failed: (phase, reason, gone) => {
            if (gone) this.log.info({ source, path }, reason);
            else this.log.warn({ source, path, phase, reason }, `kubernetes: ${phase} failed; retrying (the zones keep their last known records)`);
          },
          notServed: () => this.log.warn({ source, path }, `kubernetes: ${path} is not served by the API server (CustomResourceDefinition not installed?); retrying every 30 s`),
        }, options.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: options.watchTimeoutSeconds });
        this.watches.push({ source, namespace, lw });
      }
    }
  }

  start(): void {
    for (const w of this.watches) w.lw.start();
    const wait = this.options.firstSyncWaitMs ?? FIRST_SYNC_WAIT_MS;
    this.firstSyncTimer = setTimeout(() => this.schedule(), wait);
    this.firstSyncTimer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.firstSyncTimer);
    this.timer = undefined;
    await Promise.all(this.watches.map((w) => w.lw.stop()));
  }

  /**
   * Another batch even with no event: objects held back for a conflict are tried again (the zone
   * changed under them, e.g. a zone file dropped the CNAME that was in the way).
   */
  nudge(): void {
    this.nudged = true;
    this.schedule();
  }

  private nudged = false;

  /** Every source has listed at least once. */
  get allListed(): boolean {
    return this.watches.every((w) => w.lw.synced);
  }

  status(): SourceStatus[] {
    return watchedSources(this.options.sources).map((source) => {
      const own = this.watches.filter((w) => w.source === source).map((w) => w.lw);
      return {
        source,
        paths: own.map((lw) => lw.path),
        synced: own.every((lw) => lw.synced),
        objects: this.index.count(source),
        lists: own.reduce((n, lw) => n + lw.lists, 0),
        restarts: {
          timeout: own.reduce((n, lw) => n + lw.restarts.timeout, 0),
          gone: own.reduce((n, lw) => n + lw.restarts.gone, 0),
          error: own.reduce((n, lw) => n + lw.restarts.error, 0),
        },
        lastError: own.map((lw) => lw.lastError).find((e) => e !== undefined),
      };
    });
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing) return;
    if (!this.firstBatchDone && !this.allListed && Date.now() - this.startedAt < (this.options.firstSyncWaitMs ?? FIRST_SYNC_WAIT_MS)) return;
    this.timer = setTimeout(() => void this.flush(), this.options.debounceMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (!this.firstBatchDone && !this.allListed) {
      const missing = this.watches.filter((w) => !w.lw.synced).map((w) => w.lw.path);
      this.log.warn({ missing }, 'kubernetes: publishing without these collections (they could not be listed yet); their records stay as they were');
    }
    const relisted = new Map<string, Set<string>>();
    for (const source of this.relisted) {
      const kind = SOURCES[source].ownerKind;
      if (kind !== undefined) relisted.set(kind, this.index.liveOwners(source));
    }
    this.relisted.clear();
    if (!this.firstBatchDone) {
      // a kind no longer watched (taken out of sources) owns nothing any more
      for (const source of SOURCE_NAMES) {
        const kind = SOURCES[source].ownerKind;
        if (kind !== undefined && !watchedSources(this.options.sources).includes(source)) relisted.set(kind, new Set());
      }
    }
    const changes = this.index.takeChanges();
    if (changes.length > 0 || relisted.size > 0 || this.nudged) {
      this.nudged = false;
      this.flushing = true;
      try {
        await this.sink.apply({ changes, relisted });
      } catch (err) {
        this.log.error({ reason: (err as Error).message }, 'kubernetes: a batch could not be applied');
      } finally {
        this.flushing = false;
      }
      this.batches++;
      this.lastBatchAt = new Date();
    }
    if (!this.firstBatchDone) {
      this.firstBatchDone = true;
      clearTimeout(this.firstSyncTimer);
      this.resolveFirstSync();
    }
    // what arrived while this batch was committed
    if (this.index.dirty.size > 0 || this.relisted.size > 0) this.schedule();
  }
}

function namespaceOf(path: string): string | undefined {
  const match = /\/namespaces\/([^/]+)\//.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
