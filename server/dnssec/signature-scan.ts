import type { LmdbStore } from '../../zones/store/lmdb-store.js';
import { NodeFlag } from '../../zones/store/node.js';

export interface SignatureScan {
  /** The earliest RRSIG expiration in the zone (unix seconds); undefined when nothing is signed. */
  earliestExpiry: number | undefined;
  /** The largest TTL of any RRset (what a cached signature may live for; rollovers wait for it). */
  maxTtl: number;
  /** Name keys holding a signature that expires within the refresh window. */
  due: Buffer[];
}

const RRSIG = 46;
/** Nodes read per slice before the scan yields to the event loop. */
const SLICE = 20_000;

/** A signer as the scan compares it: algorithm << 16 | key tag. */
export function signerId(algorithm: number, keyTag: number): number {
  return (algorithm << 16) | keyTag;
}

/**
 * Reads the expiry of every RRSIG of a zone from the raw node values (no decoding into objects),
 * a slice at a time so answers keep flowing while a big zone is read: the earliest expiry (metric,
 * next refresh), the largest TTL, and the names with signatures due for refresh.
 */
export async function scanSignatures(
  store: LmdbStore, zoneId: number, now: number, refresh = 0, signers?: ReadonlySet<number>, required?: ReadonlySet<number>,
): Promise<SignatureScan> {
  const scan: SignatureScan = { earliestExpiry: undefined, maxTtl: 0, due: [] };
  const entry = store.rawNodes.entry;
  let seen = 0;
  for (const _ of store.rawNodes.zone(zoneId)) {
    const v = entry.value;
    const sets = (v[2]! << 8) | v[3]!;
    const nonAuth = (v[1]! & NodeFlag.NONAUTH) !== 0;
    let p = 4;
    let due = false;
    let signedBy: Set<number> | undefined;
    for (let s = 0; s < sets; s++) {
      const type = (v[p]! << 8) | v[p + 1]!;
      const ttl = ((v[p + 2]! << 24) | (v[p + 3]! << 16) | (v[p + 4]! << 8) | v[p + 5]!) >>> 0;
      const count = (v[p + 6]! << 8) | v[p + 7]!;
      p += 8;
      if (type !== RRSIG && !nonAuth && ttl > scan.maxTtl) scan.maxTtl = ttl;
      for (let r = 0; r < count; r++) {
        const length = (v[p]! << 8) | v[p + 1]!;
        const at = p + 2;
        if (type === RRSIG && length >= 12) {
          const expiration = ((v[at + 8]! << 24) | (v[at + 9]! << 16) | (v[at + 10]! << 8) | v[at + 11]!) >>> 0;
          if (scan.earliestExpiry === undefined || expiration < scan.earliestExpiry) scan.earliestExpiry = expiration;
          if (expiration - now < refresh) due = true;
          // made by a key that no longer signs (a ZSK or algorithm roll): made again in batches
          else if (signers !== undefined && !signers.has((v[at + 2]! << 16) | (v[at + 16]! << 8) | v[at + 17]!)) due = true;
          if (required !== undefined) (signedBy ??= new Set()).add((v[at + 2]! << 16) | (v[at + 16]! << 8) | v[at + 17]!);
        }
        p = at + length;
        p += 1 + 4 * v[p]!;
      }
    }
    // a node signed, but not by every key that now signs the zone (a new algorithm's first signatures)
    if (!due && signedBy !== undefined && required !== undefined) for (const id of required) if (!signedBy.has(id)) due = true;
    if (due) scan.due.push(Buffer.from(entry.key.subarray(entry.keyStart + 4, entry.keyStart + entry.keyLength)));
    if (++seen % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return scan;
}
