import { fromBase32hex } from './nsec3-hash.js';
import { RRType } from '../zones/rrtype.js';
import type { JournalRR } from '../zones/store/journal.js';
import type { StoredRRset, ZoneNode } from '../zones/store/node.js';

/** Types that are not the zone's data at a name: what the signer adds beside it. */
export const DATA_EXCLUDED: ReadonlySet<number> = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/** A node that only holds the NSEC3 chain: NSEC3 and its RRSIG. */
export function isHashNode(node: ZoneNode): boolean {
  let nsec3 = false;
  for (const set of node.rrsets) {
    if (set.type === RRType.NSEC3) nsec3 = true;
    else if (set.type !== RRType.RRSIG) return false;
  }
  return nsec3;
}

export function hashFromOwnerKey(key: Buffer, apexKey: Buffer): Buffer {
  const label = key.subarray(apexKey.length, key.length - 1).toString('latin1');
  return fromBase32hex(label) ?? Buffer.alloc(0);
}

/** The element of sorted `list` nearest to `key` strictly before (-1) or after (1) it. */
export function nearest(list: Buffer[], key: Buffer, direction: -1 | 1): Buffer | undefined {
  let lo = 0;
  let hi = list.length;
  // first index whose element is > key (direction 1) or >= key (direction -1)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = list[mid]!.compare(key);
    if (direction > 0 ? c <= 0 : c < 0) lo = mid + 1;
    else hi = mid;
  }
  return direction > 0 ? list[lo] : list[lo - 1];
}

export function insertRRset(node: ZoneNode, set: StoredRRset): void {
  let at = node.rrsets.length;
  while (at > 0 && node.rrsets[at - 1]!.type > set.type) at--;
  node.rrsets.splice(at, 0, set);
}

export function dropFrom(list: JournalRR[], rr: JournalRR): void {
  const i = list.indexOf(rr);
  if (i >= 0) list.splice(i, 1);
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

