import type { K8sRecord, MappingOptions, NodeOptions, ObjectFilter, Refusal } from '../records/index.js';
import type { SourceName } from './sources.js';

/** The object a change belongs to, as a Kubernetes Event's involvedObject names it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  uid: string;
}

/** What one object owns now: its records (empty when it is gone or filtered out) and what it was refused. */
export interface OwnerChange {
  /** Provenance `k8s:<Kind>/<namespace>/<name>`. */
  owner: string;
  /** The object; undefined when it was deleted. */
  object: ObjectRef | undefined;
  records: K8sRecord[];
  refused: Refusal[];
}

/** An owner whose records are computed when its part of the batch is committed (a first list of 10,000 objects is not mapped in one go). */
export interface PendingChange {
  owner: string;
  resolve(): OwnerChange;
}

/** One debounced batch: committed as one new version of each zone it touches. */
export interface WatchBatch {
  changes: PendingChange[];
  /**
   * Owner kinds listed completely since the last batch, with the owners that exist: records of
   * any other owner of that kind are stale (objects deleted while nobody watched) and go.
   */
  relisted: Map<string, Set<string>>;
}

/**
 * Where batches go (the server commits them through the write door). A big batch (a first list of
 * thousands of objects) may be committed in parts with pauses between them, so answers never wait
 * long: the next batch starts when the promise settles.
 */
export interface WatchSink {
  apply(batch: WatchBatch): Promise<void>;
}

export interface WatchLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface WatcherOptions {
  sources: readonly SourceName[];
  namespaces: readonly string[];
  filter: ObjectFilter;
  mapping: MappingOptions;
  nodes: NodeOptions;
  debounceMs: number;
  /** How long the first batch waits for every source's first list (a source that cannot list is then left out). */
  firstSyncWaitMs?: number;
  /** Test and bench knobs for the list-watches. */
  watchTimeoutSeconds?: number;
}

export interface SourceStatus {
  source: SourceName;
  paths: string[];
  synced: boolean;
  objects: number;
  lists: number;
  restarts: { timeout: number; gone: number; error: number };
  lastError: string | undefined;
}
