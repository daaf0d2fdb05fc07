import { keyToName, nameToText } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import type { ZoneReader } from '../../zones/store/reader.js';
import type { ZoneMeta } from '../../zones/store/zone-meta.js';

/**
 * The zone as master-file text (RFC 1035 §5): SOA first, then every RRset in canonical order, with
 * absolute owner names, so the text loads anywhere whatever $ORIGIN is in force. One range read,
 * so one LMDB snapshot: the text is one version of the zone.
 */
export function exportZone(store: ZoneReader, meta: ZoneMeta): string {
  const lines: string[] = [];
  let soa = '';
  for (const { nameKey, node } of store.zoneNodes(meta.id)) {
    const owner = nameToText(keyToName(nameKey));
    for (const set of node.rrsets) {
      for (const rr of set.rrs) {
        // each RRSIG with the TTL of the RRset it covers (RFC 4034 §3), not the node's one RRSIG TTL
        const ttl = set.type === RRType.RRSIG && rr.rdata.length >= 8 ? Buffer.from(rr.rdata).readUInt32BE(4) : set.ttl;
        const line = `${owner}\t${ttl}\tIN\t${typeToText(set.type)}\t${rdataToText(set.type, rr.rdata)}`;
        if (set.type === RRType.SOA) soa = line;
        else lines.push(line);
      }
    }
  }
  return `; zone ${meta.origin} serial ${meta.serial}, exported by meshdns at ${new Date().toISOString()}\n` +
    `$ORIGIN ${meta.origin}\n${soa}\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
}
