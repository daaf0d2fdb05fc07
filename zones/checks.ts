import { nameToText, wireNameLength, type WireName } from './name.js';
import { canonicalRdata } from './rdata/index.js';
import type { ParsedRecord } from './record.js';
import { RecordTable } from './record-table.js';
import { RRType, typeToText } from './rrtype.js';
import { isInZone, NameIndex } from './zonefile/name-index.js';
import type { ZoneProblem } from './zonefile/session.js';

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
 * The checks on a parsed zone. Normalised TTLs are written into the table and dropped records
 * are marked there; the problems come back sorted by file and line.
 */
export function checkTable(origin: WireName, t: RecordTable, file = ''): ZoneProblem[] {
  const problems: ZoneProblem[] = [];
  const apexText = nameToText(origin);
  const report = (severity: 'error' | 'warning', i: number, message: string): void => {
    problems.push({ severity, file: t.file(i), line: t.line[i]!, message });
  };
  const zoneError = (message: string): void => {
    problems.push({ severity: 'error', file: file === '' ? (t.count > 0 ? t.file(0) : '') : file, line: 0, message });
  };
  const types = t.type;
  const names = t.names;

  // nodes: records grouped by owner name (without case), as linked lists of record indexes
  const n = t.count;
  const index = new NameIndex(names, n);
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  const count = new Int32Array(n);
  const next = new Int32Array(n).fill(-1);
  let flags = new Uint8Array(n);
  const nsRecords: number[] = [];
  let prevOwnerAt = -1;
  let id = -1;
  for (let i = 0; i < n; i++) {
    const ownerAt = t.ownerAt[i]!;
    if (ownerAt !== prevOwnerAt) {
      if (!isInZone(names, origin, ownerAt)) {
        report('error', i, `"${nameToText(names, ownerAt)}" is outside the zone "${apexText}"`);
        t.drop(i);
        prevOwnerAt = -1;
        continue;
      }
      prevOwnerAt = ownerAt;
      id = index.add(ownerAt);
    }
    if (count[id] === 0) first[id] = i;
    else next[last[id]!] = i;
    last[id] = i;
    count[id]!++;
    const type = types[i]!;
    if (type === RRType.A || type === RRType.AAAA) flags[id]! |= ADDRESS;
    else if (type === RRType.NS) nsRecords.push(i);
    else if (type === RRType.DNAME) flags[id]! |= DNAME;
  }
  flags = flags.subarray(0, index.size);
  const apex = index.find(origin);
  for (const i of nsRecords) {
    const owner = index.find(names, t.ownerAt[i]!);
    if (owner !== apex) flags[owner]! |= CUT;
    const target = index.find(t.bytes, t.rdataAt[i]!);
    if (target >= 0) flags[target]! |= NS_TARGET;
  }

  let anyCut = false;
  for (let node = 0; node < index.size; node++) {
    if ((flags[node]! & (CUT | DNAME)) !== 0) anyCut = true;
    if (count[node] === 1) checkRecord(first[node]!, node === apex);
    else checkNode(members(node), node === apex);
  }
  if (apex < 0) {
    zoneError(`no SOA record at the zone apex "${apexText}"`);
    zoneError(`no NS records at the zone apex "${apexText}"`);
  } else {
    apexChecks(live(apex));
  }
  if (anyCut) checkBelowCuts();

  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return problems;

  function ownerText(i: number): string {
    return nameToText(names, t.ownerAt[i]!);
  }

  function members(node: number): number[] {
    const list: number[] = [];
    for (let i = first[node]!; i >= 0; i = next[i]!) list.push(i);
    return list;
  }

  function live(node: number): number[] {
    const list: number[] = [];
    for (let i = first[node]!; i >= 0; i = next[i]!) if (t.dropped[i] === 0) list.push(i);
    return list;
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

  function checkBelowCuts(): void {
    for (let node = 0; node < index.size; node++) {
      if (node === apex) continue;
      const at = index.offsetOf(node);
      const end = at + wireNameLength(names, at);
      // the closest enclosing cut and DNAME, walking up the ancestors below the apex
      let cut = -1;
      let dname = -1;
      for (let p = at + names[at]! + 1; end - p > origin.length; p += names[p]! + 1) {
        const up = index.find(names, p);
        if (up < 0) continue;
        if (dname < 0 && (flags[up]! & DNAME) !== 0) dname = up;
        if (cut < 0 && (flags[up]! & CUT) !== 0) cut = up;
      }
      const recs = live(node);
      if (recs.length === 0) continue;
      if (dname >= 0) {
        report('error', recs[0]!, `"${ownerText(recs[0]!)}" is below the DNAME at "${nameToText(index.name(dname))}"; ` +
          `no data may exist below a DNAME (RFC 6672 §2.3)`);
        continue;
      }
      const glue = (flags[node]! & NS_TARGET) !== 0;
      const isGlue = (i: number): boolean => glue && (types[i] === RRType.A || types[i] === RRType.AAAA);
      let occluded: number[];
      let where: string;
      if (cut >= 0) {
        occluded = recs.filter((i) => !isGlue(i));
        where = `below the delegation "${nameToText(index.name(cut))}"`;
      } else if ((flags[node]! & CUT) !== 0) {
        // at a zone cut only NS, DS and the DNSSEC records are authoritative (RFC 4035 §2.2)
        occluded = recs.filter((i) => types[i] !== RRType.NS && types[i] !== RRType.DS && types[i] !== RRType.NSEC &&
          types[i] !== RRType.RRSIG && !isGlue(i));
        where = 'at a delegation point';
        checkGlue(index.name(node), recs);
      } else {
        continue;
      }
      if (occluded.length > 0) {
        const kinds = [...new Set(occluded.map((i) => typeToText(types[i]!)))].join(', ');
        report('warning', occluded[0]!, `"${ownerText(occluded[0]!)}" is ${where} and is not glue: its ${kinds} ` +
          `${occluded.length === 1 ? 'record is' : 'records are'} occluded and will not be served`);
      }
    }
  }

  /** Warns when a delegation's NS target lies at or below the cut and has no address records. */
  function checkGlue(cutName: WireName, recs: readonly number[]): void {
    for (const i of recs) {
      if (types[i] !== RRType.NS || !isInZone(t.bytes, cutName, t.rdataAt[i]!)) continue;
      const target = index.find(t.bytes, t.rdataAt[i]!);
      if (target < 0 || (flags[target]! & ADDRESS) === 0) {
        report('warning', i, `delegation "${ownerText(i)}" has NS "${nameToText(t.bytes, t.rdataAt[i]!)}" inside it but no glue ` +
          `(A or AAAA) for that name`);
      }
    }
  }
}

/**
 * What makes two rdatas the same RR: the RFC 4034 §6.2 canonical form (embedded names lowercased
 * for the types listed there), as a latin1 string so a Set can hold it.
 */
export function rdataIdentity(type: number, rdata: Uint8Array): string {
  let canonical: Uint8Array;
  try {
    canonical = canonicalRdata(type, rdata);
  } catch {
    canonical = rdata; // malformed rdata never comes from the parser; compare the bytes then
  }
  return Buffer.from(canonical.buffer, canonical.byteOffset, canonical.length).toString('latin1');
}
