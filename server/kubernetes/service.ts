import type { Logger } from 'pino';
import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import type { ZoneWriter } from '../../zones/store/write-door.js';
import type { SerialPolicy } from '../../zones/serial.js';
import { connect, type KubeConnection } from '../../k8s/client/connection.js';
import { postEvent } from '../../k8s/client/events.js';
import { KubernetesWatcher } from '../../k8s/watch/watcher.js';
import type { SourceStatus } from '../../k8s/watch/types.js';
import type { KubernetesConfig } from '../config-kubernetes.js';
import { ZoneSink, type OwnerOutcome } from './zone-sink.js';

export interface KubernetesServiceOptions {
  store: LmdbStore;
  writer: ZoneWriter;
  log: Logger;
  serialPolicy: SerialPolicy;
}

/** What `GET /api/v1/kubernetes` and the metrics show. */
export interface KubernetesStatus {
  server: string | undefined;
  connected: boolean;
  /** Every source listed and the first batch committed. */
  synced: boolean;
  zones: string[];
  sources: SourceStatus[];
  batches: number;
  lastBatchAt: string | undefined;
  lastError: string | undefined;
  /** Objects with records refused for a conflict right now, and the reasons. */
  conflicts: { owner: string; reasons: string[] }[];
}

const CONFLICT_REASON = 'DNSRecordConflict';
const REFUSED_REASON = 'DNSRecordRefused';

/**
 * The Kubernetes watcher in the running server: creates the zones it writes to, connects with the
 * kubeconfig or the service account, and reports what each batch did — a log line, a counter and a
 * Kubernetes Event on the object for every conflict or refusal (once per distinct reason). The
 * zones keep answering their last state whatever happens to the API server.
 */
export class KubernetesService {
  private conn: KubeConnection | undefined;
  private watcher: KubernetesWatcher | undefined;
  private readonly sink: ZoneSink;
  private lastError: string | undefined;
  private stopped = false;
  /** owner → the reasons last reported (an Event is posted when they change). */
  private readonly reported = new Map<string, string>();
  private readonly currentConflicts = new Map<string, string[]>();
  readonly counters = { conflicts: 0, refusals: 0, commits: 0, eventsPosted: 0, eventsFailed: 0 };

  constructor(readonly config: KubernetesConfig, private readonly options: KubernetesServiceOptions) {
    this.sink = new ZoneSink(options.store, options.writer, {
      zones: config.zones,
      serialPolicy: options.serialPolicy,
      nameservers: (zone) => config.nameservers.length > 0 ? config.nameservers : [`ns.${zone}`],
      onOutcomes: (outcomes, committed) => this.report(outcomes, committed),
      onZoneError: (zone, reason) => options.log.warn({ zone, reason }, 'kubernetes: a batch could not be committed as one; applying it object by object'),
    });
  }

  /** Creates missing zones at once (they answer before the API server is reached), then connects. */
  async start(): Promise<void> {
    const created = this.sink.ensureZones();
    for (const zone of created) this.options.log.info({ zone }, 'kubernetes: zone created (SOA and apex NS)');
    try {
      this.conn = await connect(this.config.kubeconfig);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.options.log.error({ reason: this.lastError }, 'kubernetes: cannot connect; the zones keep their last records');
      return;
    }
    if (this.stopped) return;
    this.watcher = new KubernetesWatcher(this.conn, {
      sources: this.config.sources, namespaces: this.config.namespaces, filter: this.config.filter,
      mapping: { zones: this.config.zones, defaultTtl: this.config.defaultTtl, publishInternal: this.config.publishInternal },
      nodes: this.config.nodes, debounceMs: this.config.debounceMs,
    }, this.sink, {
      info: (f, m) => this.options.log.info(f, m),
      warn: (f, m) => this.options.log.warn(f, m),
      error: (f, m) => this.options.log.error(f, m),
    });
    this.options.log.info({ server: this.conn.server.origin, sources: this.config.sources, namespaces: this.config.namespaces.length === 0 ? 'all' : this.config.namespaces }, 'kubernetes: watching');
    this.watcher.start();
    void this.watcher.firstSync.then(() => {
      if (this.stopped) return;
      const objects = Object.fromEntries(this.watcher!.status().map((s) => [s.source, s.objects]));
      this.options.log.info({ objects, zones: this.config.zones }, 'kubernetes: synced');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcher?.stop();
  }

  /** For /readyz's problems (never counted against readiness: the zones keep answering). */
  problem(): string | undefined {
    const error = this.status().lastError;
    if (error !== undefined) return `kubernetes: ${error}; the zones ${this.config.zones.join(', ')} keep their last records`;
    if (this.watcher !== undefined && !this.synced) return 'kubernetes: not every source has listed its objects yet';
    return undefined;
  }

  get synced(): boolean {
    return this.watcher !== undefined && this.watcher.batches > 0 && this.watcher.allListed;
  }

  status(): KubernetesStatus {
    const sources = this.watcher?.status() ?? [];
    return {
      server: this.conn?.server.origin,
      connected: this.watcher !== undefined,
      synced: this.synced,
      zones: [...this.config.zones],
      sources,
      batches: this.watcher?.batches ?? 0,
      lastBatchAt: this.watcher?.lastBatchAt?.toISOString(),
      lastError: this.lastError ?? sources.map((s) => s.lastError).find((e) => e !== undefined),
      conflicts: [...this.currentConflicts].map(([owner, reasons]) => ({ owner, reasons })),
    };
  }

  private report(outcomes: OwnerOutcome[], committed: { zone: string; serial: number }[]): void {
    const log = this.options.log;
    this.counters.commits += committed.length;
    let added = 0;
    let removed = 0;
    for (const outcome of outcomes) {
      const { owner, object } = outcome.change;
      added += outcome.added;
      removed += outcome.removed;
      if (outcome.conflicts.length > 0) this.currentConflicts.set(owner, outcome.conflicts);
      else this.currentConflicts.delete(owner);
      const reasons = [...outcome.conflicts, ...outcome.refused];
      const fingerprint = reasons.join('\n');
      if (fingerprint === (this.reported.get(owner) ?? '')) continue;
      if (reasons.length === 0 || object === undefined) {
        this.reported.delete(owner);
        continue;
      }
      this.reported.set(owner, fingerprint);
      if (outcome.conflicts.length > 0) {
        this.counters.conflicts += outcome.conflicts.length;
        log.warn({ object: owner, conflicts: outcome.conflicts }, 'kubernetes: records refused: other data is at these names');
        this.postEvent(object, CONFLICT_REASON, `meshdns did not publish: ${outcome.conflicts.join('; ')}`);
      }
      if (outcome.refused.length > 0) {
        this.counters.refusals += outcome.refused.length;
        log.warn({ object: owner, refused: outcome.refused }, 'kubernetes: records refused');
        this.postEvent(object, REFUSED_REASON, `meshdns did not publish: ${outcome.refused.join('; ')}`);
      }
    }
    if (committed.length > 0) log.info({ zones: committed, objects: outcomes.length, added, removed }, 'kubernetes: committed');
  }

  private postEvent(object: NonNullable<OwnerOutcome['change']['object']>, reason: string, message: string): void {
    const conn = this.conn;
    if (!conn) return;
    void postEvent(conn, object, 'Warning', reason, message).then((failure) => {
      if (failure === undefined) {
        this.counters.eventsPosted++;
        return;
      }
      this.counters.eventsFailed++;
      this.options.log.warn({ object: `${object.kind}/${object.namespace ?? ''}/${object.name}`, reason: failure }, 'kubernetes: could not record an Event');
    });
  }
}
