import type { DiffRR } from '../zones/diff.js';
import { parseName, prependLabel, type WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';

/** One member of a catalog as written in it (RFC 9432 §4.1, with the properties of §4.4). */
export interface CatalogMember {
  name: WireName;
  /** The unique-N label, 16 hex digits for members we write (member-id.ts). */
  id: string;
  /** The group property (§4.4.2). */
  group?: string;
  /** The change-of-ownership property (§4.4.1): the catalog the member moves to. */
  coo?: WireName;
}

/** Knot's values for a generated catalog's SOA timers (refresh, retry, expire). */
const SOA_REFRESH = 3600;
const SOA_RETRY = 600;
const SOA_EXPIRE = 2147483646;
const INVALID = parseName('invalid.');
const ZONES_LABEL = new TextEncoder().encode('zones');

export function textLabel(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `<id>.zones.<catalog>`: where a member's PTR is. */
export function memberOwner(catalog: WireName, id: string): WireName {
  return prependLabel(textLabel(id), prependLabel(ZONES_LABEL, catalog));
}

/** `version.<catalog>`, `zones.<catalog>`. */
export function versionOwner(catalog: WireName): WireName {
  return prependLabel(textLabel('version'), catalog);
}

/** TXT rdata of one character-string per entry. */
export function txtRdata(...strings: string[]): Uint8Array {
  const parts = strings.map((s) => new TextEncoder().encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let o = 0;
  for (const p of parts) {
    if (p.length > 255) throw new RangeError('a TXT string holds at most 255 octets');
    out[o++] = p.length;
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** SOA rdata `invalid. invalid. <serial> 3600 600 2147483646 0` (as Knot writes a generated catalog's). */
export function catalogSoa(serial: number): Uint8Array {
  const out = new Uint8Array(INVALID.length * 2 + 20);
  out.set(INVALID, 0);
  out.set(INVALID, INVALID.length);
  const v = new DataView(out.buffer, INVALID.length * 2);
  v.setUint32(0, serial >>> 0);
  v.setUint32(4, SOA_REFRESH);
  v.setUint32(8, SOA_RETRY);
  v.setUint32(12, SOA_EXPIRE);
  v.setUint32(16, 0);
  return out;
}

/** The records every catalog has (§4.1, §4.2): SOA, `NS invalid.`, `version TXT "2"`. TTL 0 as Knot. */
export function catalogApexRecords(catalog: WireName, serial: number): DiffRR[] {
  return [
    { owner: catalog, type: RRType.SOA, ttl: 0, rdata: catalogSoa(serial) },
    { owner: catalog, type: RRType.NS, ttl: 0, rdata: INVALID },
    { owner: versionOwner(catalog), type: RRType.TXT, ttl: 0, rdata: txtRdata('2') },
  ];
}

/** A member's records: its PTR, and its group and coo properties when it has them. */
export function memberRecords(catalog: WireName, member: CatalogMember): DiffRR[] {
  const owner = memberOwner(catalog, member.id);
  const records: DiffRR[] = [{ owner, type: RRType.PTR, ttl: 0, rdata: member.name }];
  if (member.group !== undefined) records.push({ owner: prependLabel(textLabel('group'), owner), type: RRType.TXT, ttl: 0, rdata: txtRdata(member.group) });
  if (member.coo !== undefined) records.push({ owner: prependLabel(textLabel('coo'), owner), type: RRType.PTR, ttl: 0, rdata: member.coo });
  return records;
}
