import { nodeKey, type StoreHandles } from './handles.js';
import { ownersOfNode } from './source-index.js';
import { decodeNode, type ZoneNode } from './node.js';

export interface WorkingEntry {
  /** Canonical name key (without the zone-id prefix). */
  nameKey: Buffer;
  node: ZoneNode;
  existed: boolean;
  deleted: boolean;
  /** RRsets changed: must be written even when the flags did not change. */
  dirty: boolean;
  oldFlags: number;
  /** Provenance ids in the node as loaded (the index by source is updated from the difference). */
  oldOwners: ReadonlySet<number>;
}

/**
 * The nodes one commit touches, loaded lazily from inside the write transaction and written back
 * at the end, so a commit can be abandoned (nothing changed) without touching LMDB.
 */
export class WorkingSet {
  readonly entries = new Map<string, WorkingEntry>();
  /** Parents (latin1 key) of nodes this commit creates: they have a child whatever LMDB says. */
  private readonly createdChildOf = new Set<string>();

  constructor(
    private readonly h: StoreHandles,
    readonly zoneId: number,
  ) {}

  get(nameKey: Uint8Array): WorkingEntry | undefined {
    return this.entries.get(latin1(nameKey));
  }

  /** The entry for a name, loading it from LMDB or starting an empty (not yet existing) node. */
  load(nameKey: Uint8Array): WorkingEntry {
    const id = latin1(nameKey);
    let entry = this.entries.get(id);
    if (entry) return entry;
    const stored = this.h.nodes.getBinary(nodeKey(this.zoneId, nameKey));
    const node: ZoneNode = stored ? decodeNode(Buffer.from(stored)) : { flags: 0, rrsets: [] };
    entry = {
      nameKey: Buffer.from(nameKey), node, existed: stored !== undefined, deleted: false, dirty: false, oldFlags: node.flags,
      oldOwners: stored ? ownersOfNode(node) : NO_OWNERS,
    };
    this.entries.set(id, entry);
    return entry;
  }

  noteCreated(parentKey: Uint8Array): void {
    this.createdChildOf.add(latin1(parentKey));
  }

  /** Whether the node exists after the changes made so far. */
  exists(nameKey: Uint8Array): boolean {
    const entry = this.get(nameKey);
    if (entry) return !entry.deleted && (entry.existed || entry.node.rrsets.length > 0 || entry.dirty);
    return this.h.nodes.doesExist(nodeKey(this.zoneId, nameKey));
  }

  /** Flags of a node after the changes so far (0 when it does not exist). */
  flagsOf(nameKey: Uint8Array): number {
    const entry = this.get(nameKey);
    if (entry) return entry.deleted ? 0 : entry.node.flags;
    const stored = this.h.nodes.getBinary(nodeKey(this.zoneId, nameKey));
    return stored ? stored[1]! : 0;
  }

  /** Whether any node below `nameKey` survives this commit. */
  hasChildren(nameKey: Uint8Array): boolean {
    if (this.createdChildOf.has(latin1(nameKey))) return true;
    for (const key of this.descendantKeys(nameKey)) {
      const entry = this.get(key);
      if (!entry || !entry.deleted) return true;
    }
    return false;
  }

  /** Canonical keys stored in LMDB strictly below `nameKey`, in canonical order. */
  *descendantKeys(nameKey: Uint8Array): Generator<Buffer> {
    const prefix = nodeKey(this.zoneId, nameKey);
    // children are prefix ‖ label ‖ 0x00 and a label never starts with 0x00
    const start = Buffer.concat([prefix, Buffer.of(1)]);
    for (const key of this.h.nodes.getKeys({ start })) {
      if (key.length <= prefix.length || key.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return;
      yield Buffer.from(key.subarray(4));
    }
  }
}

const NO_OWNERS: ReadonlySet<number> = new Set();

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
