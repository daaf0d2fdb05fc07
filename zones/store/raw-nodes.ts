import type { Database, RootDatabase } from 'lmdb';

/** One node as stored, in buffers that are reused for the next one. */
export interface RawNode {
  /** zone id (u32 BE) ‖ canonical name key, in `key[0..keyLength)` */
  key: Buffer;
  keyLength: number;
  /** the node value (node.ts layout) in `value[0..valueLength)` */
  value: Buffer;
  valueLength: number;
}

/**
 * A second view of the `nodes` sub-database whose key and value "decoders" copy each entry into
 * reused buffers. lmdb's own binary range read allocates a key and a value copy per entry; a zone
 * transfer reads every node of a zone, a million of them for a big one, and those allocations were
 * most of the time spent reading. (`needsStableBuffer: false` tells lmdb that the decoder copies,
 * so it hands over its shared read buffer instead of slicing it first.)
 */
export class RawNodeReader {
  private readonly view: Database<number, Buffer>;
  private readonly entry: RawNode = { key: Buffer.allocUnsafe(4 + 1024), keyLength: 0, value: Buffer.allocUnsafe(64 * 1024), valueLength: 0 };

  constructor(env: RootDatabase) {
    const entry = this.entry;
    this.view = env.openDB<number, Buffer>({
      name: 'nodes',
      keyEncoder: {
        writeKey: (key: Buffer, target: Buffer, start: number) => {
          target.set(key, start);
          return start + key.length;
        },
        readKey: (source: Buffer, start: number, end: number) => {
          entry.keyLength = end - start;
          source.copy(entry.key, 0, start, end);
          return entry.keyLength;
        },
      },
      encoder: {
        encode: (): never => {
          throw new Error('the raw node view is read-only');
        },
        decode: (bytes: Uint8Array, size: number) => {
          if (size > entry.value.length) entry.value = Buffer.allocUnsafe(Math.max(size, 2 * entry.value.length));
          entry.value.set(bytes.subarray(0, size));
          entry.valueLength = size;
          return size;
        },
        needsStableBuffer: false,
      },
    } as never);
  }

  /**
   * Every node of a zone in canonical order, from one snapshot held for the whole iteration. The
   * yielded object and its buffers are overwritten by the next step: copy what must outlive it.
   */
  *zone(zoneId: number): Generator<RawNode> {
    const start = Buffer.allocUnsafe(4);
    start.writeUInt32BE(zoneId, 0);
    const end = Buffer.allocUnsafe(4);
    end.writeUInt32BE(zoneId + 1, 0);
    for (const _ of this.view.getRange({ start: start as never, end: end as never })) yield this.entry;
  }
}
