import type { Database, RootDatabase } from 'lmdb';

/** One node as stored, in lmdb's shared read buffers: valid until the next read of any kind. */
export interface RawNode {
  /** zone id (u32 BE) ‖ canonical name key, in `key[keyStart..keyStart + keyLength)` */
  key: Buffer;
  keyStart: number;
  keyLength: number;
  /** the node value (node.ts layout) in `value[0..valueLength)` */
  value: Buffer;
  valueLength: number;
}

/**
 * A second view of the `nodes` sub-database whose key and value "decoders" only note where lmdb's
 * shared read buffers hold the entry. lmdb's own binary range read allocates a key and a value copy
 * per entry; a zone transfer reads every node of a zone, a million of them for a big one, and those
 * copies were most of the time spent reading. (`needsStableBuffer: false` tells lmdb the decoder
 * does not keep the bytes, so it hands over its shared buffer instead of slicing it first.)
 */
export class RawNodeReader {
  private readonly view: Database<number, Buffer>;
  readonly entry: RawNode = { key: Buffer.alloc(0), keyStart: 0, keyLength: 0, value: Buffer.alloc(0), valueLength: 0 };

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
          entry.key = source;
          entry.keyStart = start;
          entry.keyLength = end - start;
          return entry.keyLength;
        },
      },
      encoder: {
        encode: (): never => {
          throw new Error('the raw node view is read-only');
        },
        decode: (bytes: Buffer, size: number) => {
          entry.value = bytes;
          entry.valueLength = size;
          return size;
        },
        needsStableBuffer: false,
      },
    } as never);
  }

  /**
   * Every node of a zone in canonical order, from one snapshot held for the whole iteration. Each
   * step fills `entry` (the same object every time): read it before the next step or any other
   * read, copy what must outlive it. (An iterable rather than a generator of our own: one layer less per node.)
   */
  zone(zoneId: number): Iterable<unknown> {
    const start = Buffer.allocUnsafe(4);
    start.writeUInt32BE(zoneId, 0);
    const end = Buffer.allocUnsafe(4);
    end.writeUInt32BE(zoneId + 1, 0);
    return this.view.getRange({ start: start as never, end: end as never });
  }
}
