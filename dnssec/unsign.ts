import { keyToName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';
import { fixStructure } from '../zones/store/incremental.js';
import type { JournalRR } from '../zones/store/journal.js';
import type { StoredRRset } from '../zones/store/node.js';
import type { WorkingSet } from '../zones/store/working-set.js';
import { isSignerOwnedType } from './keyset.js';
import { rrsigFields } from './rrsig.js';

/**
 * Signing turned off and the keys gone (the end of going insecure, RFC 8078 §4): every record the
 * signer made leaves the zone in this one commit, journaled so secondaries follow by IXFR.
 */
export function unsignZone(ws: WorkingSet, apexKey: Buffer, journal: { removed: JournalRR[]; added: JournalRR[] }): number {
  for (const key of ws.descendantKeys(apexKey)) ws.load(key);
  ws.load(apexKey);
  let removed = 0;
  for (const entry of ws.entries.values()) {
    const atApex = entry.nameKey.equals(apexKey);
    const owner = keyToName(entry.nameKey);
    const keep: StoredRRset[] = [];
    for (const set of entry.node.rrsets) {
      if (!isSignerOwnedType(set.type, atApex)) {
        keep.push(set);
        continue;
      }
      for (const rr of set.rrs) {
        journal.removed.push([owner, set.type, set.type === RRType.RRSIG ? rrsigFields(rr.rdata).originalTtl : set.ttl, rr.rdata]);
        removed++;
      }
    }
    if (keep.length !== entry.node.rrsets.length) {
      entry.node.rrsets = keep;
      entry.dirty = true;
    }
  }
  fixStructure(ws, apexKey);
  return removed;
}
