import { nodeKey, zoneRange, type StoreHandles } from './handles.js';
import { decodeNode, type ZoneNode } from './node.js';

/**
 * What the sign stage reads of the zone as it was before the commit, inside the commit's
 * transaction: stored nodes, and the stored names and NSEC3 hashes around a point, so the denial
 * chain is patched at the neighbours of what changed without reading the zone.
 */
export class ChainView {
  private readonly range: { start: Buffer; end: Buffer };

  constructor(private readonly h: StoreHandles, readonly zoneId: number) {
    this.range = zoneRange(zoneId);
  }

  storedNode(nameKey: Uint8Array): ZoneNode | undefined {
    const stored = this.h.nodes.getBinary(nodeKey(this.zoneId, nameKey));
    return stored ? decodeNode(Buffer.from(stored)) : undefined;
  }

  /** Stored name keys strictly before `nameKey` in canonical order, nearest first. */
  *keysBefore(nameKey: Uint8Array): Generator<Buffer> {
    for (const key of this.h.nodes.getKeys({ start: nodeKey(this.zoneId, nameKey), end: this.range.start, reverse: true })) {
      if (key.length - 4 === nameKey.length && key.compare(Buffer.from(nameKey), 0, nameKey.length, 4) === 0) continue;
      yield Buffer.from(key.subarray(4));
    }
  }

  /** Stored name keys strictly after `nameKey`, nearest first. */
  *keysAfter(nameKey: Uint8Array): Generator<Buffer> {
    const start = Buffer.concat([nodeKey(this.zoneId, nameKey), Buffer.of(0)]);
    for (const key of this.h.nodes.getKeys({ start, end: this.range.end })) yield Buffer.from(key.subarray(4));
  }

  /** Stored NSEC3 hashes strictly before / after `hash` (the `nsec3` index), nearest first. */
  *hashesBefore(hash: Uint8Array): Generator<Buffer> {
    const at = Buffer.concat([this.range.start, hash]);
    for (const key of this.h.nsec3.getKeys({ start: at, end: this.range.start, reverse: true })) {
      if (key.equals(at)) continue;
      yield Buffer.from(key.subarray(4));
    }
  }

  *hashesAfter(hash: Uint8Array): Generator<Buffer> {
    const start = Buffer.concat([this.range.start, hash, Buffer.of(0)]);
    for (const key of this.h.nsec3.getKeys({ start, end: this.range.end })) yield Buffer.from(key.subarray(4));
  }
}
