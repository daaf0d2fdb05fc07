import type { KubeConnection } from './connection.js';
import { kubeRequest, kubeStream, KubeUnreachable, statusMessage } from './request.js';

/** The metadata every watched object has. */
export interface WatchedObject {
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a list-watch tells its owner. */
export interface ListWatchHandler<T extends WatchedObject> {
  /** A complete list: the first, or a relist after 410 Gone or a failure (what is not in it is gone). */
  replace(items: T[]): void;
  event(type: WatchEventType, object: T): void;
  /** A failure, already being retried (`phase`: list or watch). */
  failed(phase: 'list' | 'watch', reason: string, gone: boolean): void;
  /** The resource is not served (404: a CRD not installed); retried slowly, the kind counts as empty. */
  notServed(): void;
}

export interface ListWatchOptions {
  pageSize?: number;
  /** The server ends each watch after this long (it is then resumed from the last resourceVersion). */
  watchTimeoutSeconds?: number;
  /** Backoff after a failure: doubles from the first to the last. */
  backoffMs?: [number, number];
  notServedRetryMs?: number;
}

/**
 * One resource kept in step with the API server the way client-go's reflector does: a paged LIST,
 * then a WATCH from the list's resourceVersion with bookmarks, resumed from the last version seen
 * when the stream ends or breaks. `410 Gone` (the version was compacted away) means the events in
 * between are lost: LIST again, and the owner compares the new list with what it had (a full
 * reconcile). Failures back off exponentially; nothing here ever throws to the caller.
 */
export class ListWatch<T extends WatchedObject> {
  private readonly abort = new AbortController();
  private resourceVersion: string | undefined;
  private backoff: number;
  private readonly options: Required<ListWatchOptions>;
  /** LISTs completed (1 after the first sync). */
  lists = 0;
  /** Watches ended by the server or broken, by reason. */
  readonly restarts = { timeout: 0, gone: 0, error: 0 };
  lastError: string | undefined;
  synced = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly conn: KubeConnection,
    /** The collection path, e.g. /api/v1/services or /apis/discovery.k8s.io/v1/namespaces/x/endpointslices. */
    readonly path: string,
    private readonly handler: ListWatchHandler<T>,
    options: ListWatchOptions = {},
  ) {
    this.options = {
      pageSize: options.pageSize ?? 500,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      backoffMs: options.backoffMs ?? [250, 10_000],
      notServedRetryMs: options.notServedRetryMs ?? 30_000,
    };
    this.backoff = this.options.backoffMs[0];
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.resourceVersion === undefined) {
        const listed = await this.list();
        if (listed === 'retry') {
          await this.sleep(this.backoff);
          this.backoff = Math.min(this.backoff * 2, this.options.backoffMs[1]);
          continue;
        }
        if (listed === 'not-served') {
          await this.sleep(this.options.notServedRetryMs);
          continue;
        }
      }
      const ended = await this.watch();
      if (ended === 'error') {
        await this.sleep(this.backoff);
        this.backoff = Math.min(this.backoff * 2, this.options.backoffMs[1]);
      }
    }
  }

  private async list(): Promise<'done' | 'retry' | 'not-served'> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let version: string | undefined;
    try {
      do {
        const query = new URLSearchParams({ limit: String(this.options.pageSize) });
        if (continueToken) query.set('continue', continueToken);
        const response = await kubeRequest<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(this.conn, 'GET', `${this.path}?${query}`);
        if (this.stopped) return 'retry';
        if (response.status === 404) {
          this.lastError = `${this.path} is not served by the API server (404; a CustomResourceDefinition not installed?)`;
          if (!this.synced) {
            this.synced = true;
            this.handler.replace([]);
          }
          this.handler.notServed();
          return 'not-served';
        }
        if (response.status === 410) {
          // the continue token expired: start the list over
          continueToken = undefined;
          items.length = 0;
          continue;
        }
        if (response.status !== 200) throw new Error(statusMessage(response));
        items.push(...(response.body.items ?? []));
        continueToken = response.body.metadata?.continue || undefined;
        version = response.body.metadata?.resourceVersion;
      } while (continueToken !== undefined);
    } catch (err) {
      if (this.stopped) return 'retry';
      this.lastError = `list ${this.path}: ${(err as Error).message}`;
      this.handler.failed('list', this.lastError, false);
      return 'retry';
    }
    this.resourceVersion = version;
    this.lists++;
    this.synced = true;
    this.lastError = undefined;
    this.handler.replace(items);
    return 'done';
  }

  private async watch(): Promise<'ended' | 'gone' | 'error'> {
    const query = new URLSearchParams({
      watch: '1', allowWatchBookmarks: 'true', timeoutSeconds: String(this.options.watchTimeoutSeconds),
      resourceVersion: this.resourceVersion ?? '',
    });
    let gone = false;
    let failure: string | undefined;
    try {
      const response = await kubeStream(this.conn, `${this.path}?${query}`, (line) => {
        const event = line as { type?: string; object?: T & { code?: number; message?: string } };
        if (gone || failure !== undefined || !event.object) return;
        switch (event.type) {
          case 'ADDED': case 'MODIFIED': case 'DELETED':
            this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
            this.backoff = this.options.backoffMs[0];
            this.handler.event(event.type, event.object);
            break;
          case 'BOOKMARK':
            this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
            break;
          case 'ERROR':
            // a Status object; 410: the version to resume from was compacted away
            if (event.object.code === 410) gone = true;
            else failure = `watch ${this.path}: ${event.object.code ?? ''} ${event.object.message ?? 'error event'}`;
            break;
        }
      }, this.abort.signal, (this.options.watchTimeoutSeconds + 60) * 1000);
      if (this.stopped) return 'ended';
      if (response.status === 410) gone = true;
      else if (response.status !== 200) failure = `watch ${this.path}: ${statusMessage(response)}`;
    } catch (err) {
      if (this.stopped) return 'ended';
      failure = err instanceof KubeUnreachable ? `watch ${this.path}: ${err.message}` : `watch ${this.path}: ${(err as Error).message}`;
    }
    if (gone) {
      this.restarts.gone++;
      this.resourceVersion = undefined;
      this.handler.failed('watch', `watch ${this.path}: 410 Gone (resourceVersion too old); listing again`, true);
      return 'gone';
    }
    if (failure !== undefined) {
      this.restarts.error++;
      this.lastError = failure;
      this.handler.failed('watch', failure, false);
      return 'error';
    }
    this.restarts.timeout++;
    return 'ended';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
