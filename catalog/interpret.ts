import { labelCount, lowerName, nameToText, type WireName } from '../zones/name.js';
import { RRType } from '../zones/rrtype.js';

/** A record of a catalog zone as read from the store or a transfer. */
export interface CatalogRecord {
  owner: WireName;
  type: number;
  rdata: Uint8Array;
}

/** A member as a consumer reads it. */
export interface InterpretedMember {
  name: WireName;
  /** Lowercase presentation form with the trailing dot. */
  origin: string;
  /** The unique-N label (lowercase). */
  id: string;
  group?: string;
  /** The catalog the member is moving to (§4.4.1), lowercase presentation form. */
  coo?: string;
}

export type Interpretation =
  | { ok: true; members: InterpretedMember[] }
  /** A broken catalog (RFC 9432 §5.1): not processed at all; the consumer keeps its last good member list. */
  | { ok: false; reason: string };

/** The only version this reads (RFC 9432 §4.2.1). */
const SUPPORTED_VERSION = '2';

/**
 * Reads a catalog zone (RFC 9432): its version, and its members with their group and coo
 * properties. Anything else in the zone is ignored (§3: consumers MUST ignore what they do not
 * support). A catalog without version "2", with a member node holding more than one PTR (§4.1) or
 * with one zone listed under two ids is broken and yields no member list at all.
 */
export function interpretCatalog(catalog: WireName, records: Iterable<CatalogRecord>): Interpretation {
  const depth = labelCount(catalog);
  const versions: Uint8Array[] = [];
  const nodes = new Map<string, { ptrs: WireName[]; groups: string[]; coos: WireName[] }>();
  const node = (id: string) => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { ptrs: [], groups: [], coos: [] }));
    return n;
  };
  for (const rr of records) {
    const labels = relativeLabels(rr.owner, depth);
    if (labels.length === 1 && labels[0] === 'version' && rr.type === RRType.TXT) versions.push(rr.rdata);
    else if (labels.length === 2 && labels[1] === 'zones' && rr.type === RRType.PTR) node(labels[0]!).ptrs.push(rr.rdata);
    else if (labels.length === 3 && labels[2] === 'zones' && labels[0] === 'group' && rr.type === RRType.TXT) node(labels[1]!).groups.push(...txtStrings(rr.rdata));
    else if (labels.length === 3 && labels[2] === 'zones' && labels[0] === 'coo' && rr.type === RRType.PTR) node(labels[1]!).coos.push(rr.rdata);
  }
  if (versions.length === 0) return { ok: false, reason: 'no version property (RFC 9432 §4.2.1: version.<catalog> TXT "2")' };
  const version = versions.length === 1 ? txtStrings(versions[0]!) : [];
  if (version.length !== 1 || version[0] !== SUPPORTED_VERSION) {
    return { ok: false, reason: `version property is ${versions.map((v) => JSON.stringify(txtStrings(v).join(' '))).join(', ')}; only "2" is supported (RFC 9432 §4.2.1)` };
  }
  const members: InterpretedMember[] = [];
  const byOrigin = new Map<string, string>();
  for (const [id, n] of [...nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n.ptrs.length === 0) continue; // properties of a member that is not there
    if (n.ptrs.length > 1) return { ok: false, reason: `member node ${id}.zones has ${n.ptrs.length} PTR records; RFC 9432 §4.1 allows exactly one` };
    const name = lowerName(n.ptrs[0]!);
    const origin = nameToText(name).toLowerCase();
    const other = byOrigin.get(origin);
    if (other !== undefined) return { ok: false, reason: `zone ${origin} is listed twice (member ids ${other} and ${id}); RFC 9432 §4.1 lists a zone once` };
    byOrigin.set(origin, id);
    const member: InterpretedMember = { name, origin, id };
    if (n.groups.length > 0) member.group = [...n.groups].sort()[0]!;
    if (n.coos.length === 1) member.coo = nameToText(lowerName(n.coos[0]!)).toLowerCase();
    members.push(member);
  }
  return { ok: true, members };
}

/** The owner's labels below the catalog apex, lowercase, leftmost first. */
function relativeLabels(owner: WireName, catalogDepth: number): string[] {
  const labels: string[] = [];
  let p = 0;
  while (owner[p] !== 0 && p < owner.length) {
    const len = owner[p]!;
    labels.push(Buffer.from(owner.subarray(p + 1, p + 1 + len)).toString('latin1').toLowerCase());
    p += len + 1;
  }
  return labels.slice(0, Math.max(0, labels.length - catalogDepth));
}

function txtStrings(rdata: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < rdata.length;) {
    const len = rdata[p]!;
    out.push(Buffer.from(rdata.subarray(p + 1, p + 1 + len)).toString('utf8'));
    p += 1 + len;
  }
  return out;
}
