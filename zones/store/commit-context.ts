import type { ZoneDiff } from '../diff.js';
import type { RecordTable } from '../table/record-table.js';
import type { JournalEntry } from './journal.js';
import type { WorkingSet } from './working-set.js';
import type { ZoneMeta } from './zone-meta.js';
import type { AppliedEdits } from './incremental.js';
import type { ChainView } from './chain-view.js';

/**
 * How a commit changes the zone's nodes: `incremental` applies a diff to the nodes it touches,
 * `bulk` writes every node of an empty zone in one pass (first load, AXFR-in after the old content
 * went), `delete` removes the zone.
 */
export type CommitMode = 'incremental' | 'bulk' | 'delete';

/** The named stages of a commit, run in this order inside its one LMDB transaction. */
export const STAGES = ['checks', 'serial', 'sign', 'nodes', 'journal', 'catalog', 'meta'] as const;
export type StageName = (typeof STAGES)[number];

/** Stages other parts of meshdns fill in (DNSSEC signing, catalog membership); empty until then. */
export type OpenStageName = 'sign' | 'catalog';

/**
 * What the stages of one commit share. Built-in stages fill it in order: `serial` decides the new
 * serial (and the changeset's SOA records), `nodes` writes, `journal` records the changeset.
 * A registered stage sees the same object: `sign` may add RRSIG/NSEC changes to the working set and
 * the changeset before `nodes` writes them; `catalog` sees which zone was created or deleted.
 */
export interface CommitContext {
  readonly mode: CommitMode;
  readonly apexKey: Buffer;
  /** The zone before the commit (for a zone created by this commit: its empty first version). */
  readonly before: ZoneMeta;
  /** The zone's metadata as it will be written; stages update it. */
  next: ZoneMeta;
  readonly created: boolean;
  /** Provenance id of the commit's source. */
  readonly ownerId: number;
  /** The source's diff (incremental). */
  readonly diff: ZoneDiff | undefined;
  /** The nodes the commit touches, changed in memory until `nodes` writes them (incremental). */
  readonly working: WorkingSet | undefined;
  /** What the diff changed before the SOA (incremental). */
  readonly edits: AppliedEdits | undefined;
  /** The zone as stored before the commit: nodes, names and NSEC3 hashes around a point (incremental). */
  readonly chain: ChainView | undefined;
  /** Names to sign again without a data change (ZoneUpdate.resign); `all` re-signs and re-chains the zone. */
  readonly resign: 'all' | Buffer[] | undefined;
  /** The whole new content (bulk). */
  readonly table: RecordTable | undefined;
  /** The new SOA rdata with its final serial, once `serial` ran. */
  soa: Uint8Array | undefined;
  /** The difference IXFR will serve, SOA records included, once `serial` ran (incremental). */
  changeset: JournalEntry | undefined;
  /** RRs added and removed by the commit. */
  added: number;
  removed: number;
  /** Set by `checks` when the content does not change: the content stages are skipped. */
  unchanged: boolean;
}

export type Stage = (ctx: CommitContext) => void;
