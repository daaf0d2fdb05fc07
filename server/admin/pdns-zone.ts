import { isSignerOwnedType } from '../../dnssec/keyset.js';
import { keyToName, nameToKey, nameToText, parseName } from '../../zones/name.js';
import { rdataToText } from '../../zones/rdata/index.js';
import { typeToText } from '../../zones/rrtype.js';
import type { ZoneMeta } from '../../zones/store/zone-meta.js';
import type { AdminContext } from './context.js';
import { pdnsZoneId } from './pdns-id.js';

/**
 * The PowerDNS API level these routes follow: clients read `version` to pick behaviour (octoDNS
 * expects 404 for an unknown zone from 4.2 on), so it leads with it; meshdns's own version follows.
 */
export const PDNS_API_LEVEL = '4.9.0';

export const PDNS_BASE = '/api/v1/servers/localhost';

/** PowerDNS's Server object (GET /api/v1/servers[/localhost]). */
export function pdnsServer(version: string): Record<string, unknown> {
  return {
    type: 'Server', id: 'localhost', daemon_type: 'authoritative', version: `${PDNS_API_LEVEL}-meshdns-${version}`,
    url: PDNS_BASE, config_url: `${PDNS_BASE}/config{/config_setting}`, zones_url: `${PDNS_BASE}/zones{/zone}`,
  };
}

export interface PdnsRRsetView {
  name: string;
  type: string;
  ttl: number;
  records: { content: string; disabled: boolean }[];
  comments: never[];
}

/**
 * PowerDNS's Zone object. A primary zone is `Master` (meshdns primaries serve transfers and send
 * NOTIFY), a secondary `Slave`. With `rrsets`, every RRset of the zone as stored; on a zone meshdns
 * signs, the records its signer makes (RRSIG, NSEC, NSEC3, DNSKEY...) are left out, as PowerDNS
 * leaves out what it signs on the fly — a client that manages the zone never sees them.
 */
export function pdnsZone(ctx: AdminContext, meta: ZoneMeta, withRRsets: boolean): Record<string, unknown> {
  const name = meta.origin.toLowerCase();
  const id = pdnsZoneId(name);
  const signedHere = meta.kind === 'primary' && ctx.writer.signingPolicy(name) !== undefined;
  const zone: Record<string, unknown> = {
    id, name, type: 'Zone', url: `${PDNS_BASE}/zones/${id}`, kind: meta.kind === 'primary' ? 'Master' : 'Slave',
    serial: meta.serial, edited_serial: meta.serial, notified_serial: meta.kind === 'primary' ? meta.serial : 0, last_check: 0,
    masters: [], dnssec: signedHere, account: '', api_rectify: false, nsec3param: '', nsec3narrow: false, presigned: false,
    soa_edit: '', soa_edit_api: '', master_tsig_key_ids: [], slave_tsig_key_ids: [],
  };
  if (withRRsets) zone['rrsets'] = pdnsRRsets(ctx, meta, signedHere);
  return zone;
}

function pdnsRRsets(ctx: AdminContext, meta: ZoneMeta, signedHere: boolean): PdnsRRsetView[] {
  const apexKey = nameToKey(parseName(meta.origin));
  const rrsets: PdnsRRsetView[] = [];
  for (const { nameKey, node } of ctx.store.zoneNodes(meta.id)) {
    const name = nameToText(keyToName(nameKey));
    const atApex = apexKey.equals(nameKey);
    for (const set of node.rrsets) {
      if (signedHere && isSignerOwnedType(set.type, atApex)) continue;
      rrsets.push({
        name, type: typeToText(set.type), ttl: set.ttl,
        records: set.rrs.map((rr) => ({ content: rdataToText(set.type, rr.rdata), disabled: false })),
        comments: [],
      });
    }
  }
  return rrsets;
}
