/**
 * Wire layouts: for each type, the sequence of fields of its rdata, enough to check the structure,
 * find the embedded names, lowercase them for the canonical form and decompress them on receipt.
 * Flags per type:
 *  - canonical: embedded names are lowercased in the DNSSEC canonical form (RFC 4034 §6.2 list,
 *    without NSEC per RFC 6840 §5.1; types newer than RFC 3597 never are, RFC 3597 §7);
 *  - compress: names are compressed in responses (RFC 1035 types only, as knotd does);
 *  - decompress: names may arrive compressed (RFC 3597 §4: RFC 1035 types MUST, RP, AFSDB, RT, SIG,
 *    PX, NXT, NAPTR, SRV SHOULD; DNAME per RFC 6672 §2.5; KX defensively).
 */
import { RRType } from '../rrtype.js';

/** A field: a number is that many fixed octets. */
export type Field =
  | number
  | 'name' // uncompressed domain name
  | 'name+' // domain name that triggers additional-section address records
  | 'str' // length-prefixed character-string
  | 'strs' // one or more character-strings to the end
  | 'rest' // any octets to the end, possibly none
  | 'rest1' // at least one octet to the end
  | 'salt' // length-prefixed octets, possibly none (NSEC3)
  | 'hash' // length-prefixed octets, at least one (NSEC3 next hashed owner)
  | 'bitmap' // NSEC-style type bitmap to the end
  | 'caa-tag' // CAA tag: length-prefixed 1–15 letters and digits
  | 'svcparams' // SVCB parameters to the end
  | 'apl' // APL items to the end
  | 'loc' // the whole LOC rdata
  | 'gateway' // IPSECKEY gateway, its kind given by octet 1
  | 'hip' // the whole HIP rdata, rendezvous server names at its end
  | 'a6'; // the whole A6 rdata (RFC 2874)

export interface Layout {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly canonical?: boolean;
  readonly compress?: boolean;
  readonly decompress?: boolean;
}

/** Legacy types without a mnemonic in rrtype.ts that still matter on the wire. */
export const LegacyType = { MD: 3, MF: 4, MB: 7, MG: 8, MR: 9, NULL: 10, MINFO: 14, RT: 21, SIG: 24, PX: 26, NXT: 30, A6: 38 } as const;

const rfc1035 = { canonical: true, compress: true, decompress: true } as const;
const legacy = { canonical: true, decompress: true } as const;

const table = new Map<number, Layout>();
function def(type: number, name: string, fields: readonly Field[], flags: Partial<Layout> = {}): void {
  table.set(type, { name, fields, ...flags });
}

def(RRType.A, 'A', [4]);
def(RRType.NS, 'NS', ['name+'], rfc1035);
def(LegacyType.MD, 'MD', ['name'], legacy);
def(LegacyType.MF, 'MF', ['name'], legacy);
def(RRType.CNAME, 'CNAME', ['name'], rfc1035);
def(RRType.SOA, 'SOA', ['name', 'name', 20], rfc1035);
def(LegacyType.MB, 'MB', ['name'], legacy);
def(LegacyType.MG, 'MG', ['name'], legacy);
def(LegacyType.MR, 'MR', ['name'], legacy);
def(LegacyType.NULL, 'NULL', ['rest']);
def(RRType.PTR, 'PTR', ['name'], rfc1035);
def(RRType.HINFO, 'HINFO', ['str', 'str']);
def(LegacyType.MINFO, 'MINFO', ['name', 'name'], legacy);
def(RRType.MX, 'MX', [2, 'name+'], rfc1035);
def(RRType.TXT, 'TXT', ['strs']);
def(RRType.RP, 'RP', ['name', 'name'], legacy);
def(RRType.AFSDB, 'AFSDB', [2, 'name'], legacy);
def(LegacyType.RT, 'RT', [2, 'name'], legacy);
def(LegacyType.SIG, 'SIG', [18, 'name', 'rest'], legacy);
def(LegacyType.PX, 'PX', [2, 'name', 'name'], legacy);
def(RRType.AAAA, 'AAAA', [16]);
def(RRType.LOC, 'LOC', ['loc']);
def(LegacyType.NXT, 'NXT', ['name', 'rest'], legacy);
def(RRType.SRV, 'SRV', [6, 'name+'], legacy);
def(RRType.NAPTR, 'NAPTR', [4, 'str', 'str', 'str', 'name'], legacy);
def(RRType.KX, 'KX', [2, 'name'], legacy);
def(RRType.CERT, 'CERT', [5, 'rest1']);
def(LegacyType.A6, 'A6', ['a6'], { canonical: true });
def(RRType.DNAME, 'DNAME', ['name'], legacy);
def(RRType.APL, 'APL', ['apl']);
def(RRType.DS, 'DS', [4, 'rest1']);
def(RRType.SSHFP, 'SSHFP', [2, 'rest1']);
def(RRType.IPSECKEY, 'IPSECKEY', [3, 'gateway', 'rest']);
def(RRType.RRSIG, 'RRSIG', [18, 'name', 'rest1'], { canonical: true });
def(RRType.NSEC, 'NSEC', ['name', 'bitmap']);
def(RRType.DNSKEY, 'DNSKEY', [4, 'rest1']);
def(RRType.DHCID, 'DHCID', ['rest1']);
def(RRType.NSEC3, 'NSEC3', [4, 'salt', 'hash', 'bitmap']);
def(RRType.NSEC3PARAM, 'NSEC3PARAM', [4, 'salt']);
def(RRType.TLSA, 'TLSA', [3, 'rest1']);
def(RRType.SMIMEA, 'SMIMEA', [3, 'rest1']);
def(RRType.HIP, 'HIP', ['hip']);
def(RRType.CDS, 'CDS', [4, 'rest1']);
def(RRType.CDNSKEY, 'CDNSKEY', [4, 'rest1']);
def(RRType.OPENPGPKEY, 'OPENPGPKEY', ['rest1']);
def(RRType.CSYNC, 'CSYNC', [6, 'bitmap']);
def(RRType.ZONEMD, 'ZONEMD', [6, 'rest1']);
def(RRType.SVCB, 'SVCB', [2, 'name', 'svcparams']);
def(RRType.HTTPS, 'HTTPS', [2, 'name', 'svcparams']);
def(RRType.SPF, 'SPF', ['strs']);
def(RRType.EUI48, 'EUI48', [6]);
def(RRType.EUI64, 'EUI64', [8]);
def(RRType.URI, 'URI', [4, 'rest']);
def(RRType.CAA, 'CAA', [1, 'caa-tag', 'rest']);

export function layoutOf(type: number): Layout | undefined {
  return table.get(type);
}
