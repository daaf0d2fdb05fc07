import { rdataIdentity } from '../rdata-equal.js';
import { isInZone, nameToKey, nameToText, type WireName } from '../name.js';
import { canonicalOrder, forEachName, isPrefixOf, KeySet, relativeKey } from '../table/canonical-order.js';
import { canonicalRdata } from '../rdata/index.js';
import type { ParsedRecord } from '../record.js';
import { RecordTable } from '../table/record-table.js';
import { RRType, typeToText } from '../rrtype.js';
import type { ZoneProblem } from '../zonefile/session.js';

/**
 * Semantic checks on a whole zone, after parsing (what kzonecheck and named-checkzone do):
 *  errors (the zone must not be loaded): no SOA, more than one SOA, SOA or DS placement, no apex NS,
 *    CNAME beside other data or more than one CNAME, more than one DNAME, data below a DNAME,
 *    records out of zone;
 *  warnings: differing TTLs in one RRset (normalised to the first TTL, as Knot does), missing glue
 *    for a delegation, occluded data at or under a delegation.
 * Duplicate RRs are dropped silently (RFC 2181 §5: an RRset has no duplicates).
 * Records keep their order; zone-wide problems (no SOA...) are reported at `file`, line 0.
 */
export interface CheckResult {
  records: ParsedRecord[];
  problems: ZoneProblem[];
}

const CUT = 1; // NS below the apex
const DNAME = 2;
const ADDRESS = 4; // has A or AAAA
const NS_TARGET = 8; // named by some NS record

/** The checks on records given as objects (the admin API); returns the records that remain. */
export function checkZone(origin: WireName, records: readonly ParsedRecord[], file = ''): CheckResult {
  const table = RecordTable.fromRecords(records);
  const problems = checkTable(origin, table, file);
  return { records: table.toRecords(), problems };
}

/**
 * The checks on a parsed zone, as one walk over its canonical order (which the table keeps for the
 * first write to LMDB). Normalised TTLs are written into the table and dropped records are marked
 * there; the problems come back sorted by file and line.
 */
export function checkTable(origin: WireName, t: RecordTable, file = ''): ZoneProblem[] {
  const problems: ZoneProblem[] = [];
  const apexText = nameToText(origin);
  const apexKey = nameToKey(origin);
  const report = (severity: 'error' | 'warning', i: number, message: string): void => {
    problems.push({ severity, file: t.file(i), line: t.line[i]!, message });
  };
  const zoneError = (message: string): void => {
    problems.push({ severity: 'error', file: file === '' ? (t.count > 0 ? t.file(0) : '') : file, line: 0, message });
  };
  const types = t.type;

  const order = canonicalOrder(t, apexKey, (i) => {
    report('error', i, `"${ownerText(i)}" is outside the zone "${apexText}"`);
    t.drop(i);
  });
  t.canonical = order;

  // the names that NS records point to: below a cut, their addresses are glue, not occluded data
  const nsTargets = new KeySet();
  for (let i = 0; i < t.count; i++) {
    if (types[i] !== RRType.NS || t.dropped[i] !== 0) continue;
    const target = relativeKey(t.bytes, t.rdataAt[i]!, apexKey);
    if (target !== undefined) nsTargets.add(target);
  }
  /** Whether each NS target that exists has A or AAAA records. */
  const targetHasAddress = new Map<string, boolean>();
  /** NS records whose target is at or below their own cut, checked for glue after the walk. */
  const glueNeeded: number[] = [];

  // the path of names above the current one: ids (offset, length in the sort's keys) and the
  // nearest cut and DNAME on it
  const keys = order.keys;
  const pathAt: number[] = [];
  const pathLength: number[] = [];
  const pathCut: number[] = [];
  const pathDname: number[] = [];
  let depth = 0;
  let sawApex = false;
  forEachName(order, t, (at, length, members, size) => {
    while (depth > 0 && !isPrefixOf(keys, pathAt[depth - 1]!, pathLength[depth - 1]!, at, length)) depth--;
    const isApex = length === 0;
    const list = size === 1 ? members : members.slice(0, size).sort((a, b) => a - b); // file order
    let flags = 0;
    for (let k = 0; k < size; k++) {
      const type = types[list[k]!]!;
      if (type === RRType.A || type === RRType.AAAA) flags |= ADDRESS;
      else if (type === RRType.NS && !isApex) flags |= CUT;
      else if (type === RRType.DNAME) flags |= DNAME;
    }
    const isNsTarget = nsTargets.has(keys, at, length);
    if (isNsTarget) targetHasAddress.set(keys.toString('latin1', at, at + length), (flags & ADDRESS) !== 0);
    if (size === 1) checkRecord(list[0]!, isApex);
    else checkNode(list, isApex);
    const parentCut = depth > 0 ? pathCut[depth - 1]! : -1;
    const parentDname = depth > 0 ? pathDname[depth - 1]! : -1;
    if (isApex) {
      sawApex = true;
      apexChecks(list.slice(0, size).filter((i) => t.dropped[i] === 0));
    } else if (parentCut >= 0 || parentDname >= 0 || (flags & CUT) !== 0) {
      checkBelowCuts(list.slice(0, size).filter((i) => t.dropped[i] === 0), flags, isNsTarget, parentCut, parentDname);
    }
    const first = list[0]!;
    pathAt[depth] = at;
    pathLength[depth] = length;
    // (NS and DNAME at the apex make no cut and hide nothing below: only names under the apex count)
    pathCut[depth] = (flags & CUT) !== 0 ? first : parentCut;
    pathDname[depth] = (flags & DNAME) !== 0 && !isApex ? first : parentDname;
    depth++;
  });
  if (!sawApex) {
    zoneError(`no SOA record at the zone apex "${apexText}"`);
    zoneError(`no NS records at the zone apex "${apexText}"`);
  }
  for (const i of glueNeeded) {
    if (targetHasAddress.get(relativeKey(t.bytes, t.rdataAt[i]!, apexKey)!) !== true) {
      report('warning', i, `delegation "${ownerText(i)}" has NS "${nameToText(t.bytes, t.rdataAt[i]!)}" inside it but no glue ` +
        `(A or AAAA) for that name`);
    }
  }

  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return problems;

  function ownerText(i: number): string {
    return nameToText(t.names, t.ownerAt[i]!);
  }

  function checkRecord(i: number, isApex: boolean): void {
    const type = types[i]!;
    if (type === RRType.SOA && !isApex) {
      report('error', i, `SOA record at "${ownerText(i)}", which is not the zone apex "${apexText}"`);
    } else if (type === RRType.DS && isApex) {
      report('error', i, `DS record at the zone apex "${apexText}": DS records belong in the parent zone (RFC 4035 §2.4)`);
    }
  }

  function checkNode(list: number[], isApex: boolean): void {
    // RRsets: type → indexes (RRSIGs grouped by the type they cover)
    const sets = new Map<number, number[]>();
    for (const i of list) {
      checkRecord(i, isApex);
      const type = types[i]!;
      const at = t.rdataAt[i]!;
      const setKey = type === RRType.RRSIG && t.rdataLength[i]! >= 2 ? 0x10000 + ((t.bytes[at]! << 8) | t.bytes[at + 1]!) : type;
      const set = sets.get(setKey);
      if (set === undefined) sets.set(setKey, [i]);
      else set.push(i);
    }
    for (const [setKey, set] of sets) {
      if (set.length === 1) continue;
      normaliseSet(set, setKey > 0xffff);
      if (setKey === RRType.CNAME || setKey === RRType.DNAME) {
        const kept = set.filter((i) => t.dropped[i] === 0);
        if (kept.length > 1) {
          const [what, rule] = setKey === RRType.CNAME ? ['CNAME', 'RFC 2181 §10.1'] : ['DNAME', 'RFC 6672 §2.4'];
          report('error', kept[1]!, `"${ownerText(kept[1]!)}" has ${kept.length} ${what} records; there may be only one (${rule})`);
        }
      }
    }
    const cname = sets.get(RRType.CNAME);
    if (cname !== undefined) {
      // RFC 1034 §3.6.2, RFC 4035 §2.5: beside a CNAME only its RRSIG and NSEC may exist
      const others = new Set<string>();
      for (const i of list) {
        const type = types[i]!;
        if (type !== RRType.CNAME && type !== RRType.RRSIG && type !== RRType.NSEC) others.add(typeToText(type));
      }
      if (others.size > 0) {
        report('error', cname[0]!, `"${ownerText(cname[0]!)}" has a CNAME and other data (${[...others].join(', ')}) (RFC 1034 §3.6.2)`);
      }
    }
  }

  /** Drops duplicates and sets every TTL to the first one (warning once per RRset). */
  function normaliseSet(set: number[], isSig: boolean): void {
    const head = set[0]!;
    const headTtl = t.ttl[head]!;
    const seen = new Set<string>([rdataIdentity(types[head]!, t.rdata(head))]);
    let warned = false;
    for (let k = 1; k < set.length; k++) {
      const i = set[k]!;
      if (!isSig && t.ttl[i] !== headTtl) {
        if (!warned) {
          warned = true;
          report('warning', i, `TTL ${t.ttl[i]} of a ${typeToText(types[i]!)} record at "${ownerText(i)}" differs from the TTL ` +
            `${headTtl} of its RRset (line ${t.line[head]}); using ${headTtl} (RFC 2181 §5.2)`);
        }
        t.ttl[i] = headTtl;
      }
      const id = rdataIdentity(types[i]!, t.rdata(i));
      if (seen.has(id)) t.drop(i);
      else seen.add(id);
    }
  }

  function apexChecks(present: readonly number[]): void {
    const soas = present.filter((i) => types[i] === RRType.SOA);
    if (soas.length === 0) zoneError(`no SOA record at the zone apex "${apexText}"`);
    else if (soas.length > 1) report('error', soas[1]!, `more than one SOA record at the zone apex "${apexText}" (RFC 1035 §5.2)`);
    if (!present.some((i) => types[i] === RRType.NS)) zoneError(`no NS records at the zone apex "${apexText}"`);
  }

  /**
   * A name under a DNAME (an error), under a cut (occluded unless glue) or at a cut (only NS, DS
   * and DNSSEC records are authoritative there). `cut` and `dname` are a record of the nearest
   * such ancestor, or -1.
   */
  function checkBelowCuts(recs: number[], flags: number, isNsTarget: boolean, cut: number, dname: number): void {
    if (recs.length === 0) return;
    if (dname >= 0) {
      report('error', recs[0]!, `"${ownerText(recs[0]!)}" is below the DNAME at "${ownerText(dname)}"; ` +
        `no data may exist below a DNAME (RFC 6672 §2.3)`);
      return;
    }
    const isGlue = (i: number): boolean => isNsTarget && (types[i] === RRType.A || types[i] === RRType.AAAA);
    let occluded: number[];
    let where: string;
    if (cut >= 0) {
      occluded = recs.filter((i) => !isGlue(i));
      where = `below the delegation "${ownerText(cut)}"`;
    } else {
      // at a zone cut only NS, DS and the DNSSEC records are authoritative (RFC 4035 §2.2)
      occluded = recs.filter((i) => types[i] !== RRType.NS && types[i] !== RRType.DS && types[i] !== RRType.NSEC &&
        types[i] !== RRType.RRSIG && !isGlue(i));
      where = 'at a delegation point';
      const cutName = t.owner(recs[0]!);
      for (const i of recs) if (types[i] === RRType.NS && isInZone(t.bytes, cutName, t.rdataAt[i]!)) glueNeeded.push(i);
    }
    if (occluded.length > 0) {
      const kinds = [...new Set(occluded.map((i) => typeToText(types[i]!)))].join(', ');
      report('warning', occluded[0]!, `"${ownerText(occluded[0]!)}" is ${where} and is not glue: its ${kinds} ` +
        `${occluded.length === 1 ? 'record is' : 'records are'} occluded and will not be served`);
    }
  }
}


export { rdataIdentity };
