import { nameToText, type WireName } from './name.js';
import { canonicalRdata } from './rdata/index.js';
import type { ParsedRecord } from './record.js';
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

export function checkZone(origin: WireName, records: ParsedRecord[], file = ''): CheckResult {
  const problems: ZoneProblem[] = [];
  const apexText = nameToText(origin);
  const report = (severity: 'error' | 'warning', r: ParsedRecord, message: string): void => {
    problems.push({ severity, file: r.file, line: r.line, message });
  };
  const zoneError = (message: string): void => {
    problems.push({ severity: 'error', file: file === '' ? (records[0]?.file ?? '') : file, line: 0, message });
  };

  // nodes: records grouped by owner name (without case), as linked lists of record indexes
  const n = records.length;
  const out: (ParsedRecord | undefined)[] = records.slice();
  const index = new NameIndex(n);
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  const count = new Int32Array(n);
  const next = new Int32Array(n).fill(-1);
  let flags = new Uint8Array(n);
  const nsRecords: number[] = [];
  let prevOwner: WireName | undefined;
  let id = -1;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    if (r.owner !== prevOwner) {
      if (!isInZone(r.owner, origin)) {
        report('error', r, `"${nameToText(r.owner)}" is outside the zone "${apexText}"`);
        out[i] = undefined;
        prevOwner = undefined;
        continue;
      }
      prevOwner = r.owner;
      id = index.add(r.owner);
    }
    if (count[id] === 0) first[id] = i;
    else next[last[id]!] = i;
    last[id] = i;
    count[id]!++;
    if (r.type === RRType.A || r.type === RRType.AAAA) flags[id]! |= ADDRESS;
    else if (r.type === RRType.NS) nsRecords.push(i);
    else if (r.type === RRType.DNAME) flags[id]! |= DNAME;
  }
  flags = flags.subarray(0, index.size);
  const apex = index.find(origin);
  for (const i of nsRecords) {
    const r = records[i]!;
    const owner = index.find(r.owner);
    if (owner !== apex) flags[owner]! |= CUT;
    const target = index.find(r.rdata);
    if (target >= 0) flags[target]! |= NS_TARGET;
  }

  let anyCut = false;
  for (let node = 0; node < index.size; node++) {
    if ((flags[node]! & (CUT | DNAME)) !== 0) anyCut = true;
    if (count[node] === 1) checkRecord(records[first[node]!]!, node === apex);
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
  const kept: ParsedRecord[] = [];
  for (const r of out) if (r !== undefined) kept.push(r);
  return { records: kept, problems };

  function members(node: number): number[] {
    const list: number[] = [];
    for (let i = first[node]!; i >= 0; i = next[i]!) list.push(i);
    return list;
  }

  function live(node: number): ParsedRecord[] {
    const list: ParsedRecord[] = [];
    for (let i = first[node]!; i >= 0; i = next[i]!) if (out[i] !== undefined) list.push(out[i]!);
    return list;
  }

  function checkRecord(r: ParsedRecord, isApex: boolean): void {
    if (r.type === RRType.SOA && !isApex) {
      report('error', r, `SOA record at "${nameToText(r.owner)}", which is not the zone apex "${apexText}"`);
    } else if (r.type === RRType.DS && isApex) {
      report('error', r, `DS record at the zone apex "${apexText}": DS records belong in the parent zone (RFC 4035 §2.4)`);
    }
  }

  function checkNode(list: number[], isApex: boolean): void {
    // RRsets: type → indexes (RRSIGs grouped by the type they cover)
    const sets = new Map<number, number[]>();
    for (const i of list) {
      const r = records[i]!;
      checkRecord(r, isApex);
      const setKey = r.type === RRType.RRSIG && r.rdata.length >= 2 ? 0x10000 + ((r.rdata[0]! << 8) | r.rdata[1]!) : r.type;
      const set = sets.get(setKey);
      if (set === undefined) sets.set(setKey, [i]);
      else set.push(i);
    }
    for (const [setKey, set] of sets) {
      if (set.length === 1) continue;
      normaliseSet(set, setKey > 0xffff);
      if (setKey === RRType.CNAME || setKey === RRType.DNAME) {
        const kept = set.filter((i) => out[i] !== undefined);
        if (kept.length > 1) {
          const [what, rule] = setKey === RRType.CNAME ? ['CNAME', 'RFC 2181 §10.1'] : ['DNAME', 'RFC 6672 §2.4'];
          const second = out[kept[1]!]!;
          report('error', second, `"${nameToText(second.owner)}" has ${kept.length} ${what} records; there may be only one (${rule})`);
        }
      }
    }
    const cname = sets.get(RRType.CNAME);
    if (cname !== undefined) {
      // RFC 1034 §3.6.2, RFC 4035 §2.5: beside a CNAME only its RRSIG and NSEC may exist
      const others = new Set<string>();
      for (const i of list) {
        const t = records[i]!.type;
        if (t !== RRType.CNAME && t !== RRType.RRSIG && t !== RRType.NSEC) others.add(typeToText(t));
      }
      if (others.size > 0) {
        const r = records[cname[0]!]!;
        report('error', r, `"${nameToText(r.owner)}" has a CNAME and other data (${[...others].join(', ')}) (RFC 1034 §3.6.2)`);
      }
    }
  }

  /** Drops duplicates and sets every TTL to the first one (warning once per RRset). */
  function normaliseSet(set: number[], isSig: boolean): void {
    const head = records[set[0]!]!;
    const seen = new Set<string>([rdataIdentity(head.type, head.rdata)]);
    let warned = false;
    for (let k = 1; k < set.length; k++) {
      const i = set[k]!;
      const r = records[i]!;
      if (!isSig && r.ttl !== head.ttl) {
        if (!warned) {
          warned = true;
          report('warning', r, `TTL ${r.ttl} of a ${typeToText(r.type)} record at "${nameToText(r.owner)}" differs from the TTL ` +
            `${head.ttl} of its RRset (line ${head.line}); using ${head.ttl} (RFC 2181 §5.2)`);
        }
        out[i] = { ...r, ttl: head.ttl };
      }
      const id = rdataIdentity(r.type, r.rdata);
      if (seen.has(id)) out[i] = undefined;
      else seen.add(id);
    }
  }

  function apexChecks(present: readonly ParsedRecord[]): void {
    const soas = present.filter((r) => r.type === RRType.SOA);
    if (soas.length === 0) zoneError(`no SOA record at the zone apex "${apexText}"`);
    else if (soas.length > 1) report('error', soas[1]!, `more than one SOA record at the zone apex "${apexText}" (RFC 1035 §5.2)`);
    if (!present.some((r) => r.type === RRType.NS)) zoneError(`no NS records at the zone apex "${apexText}"`);
  }

  function checkBelowCuts(): void {
    for (let node = 0; node < index.size; node++) {
      if (node === apex) continue;
      const name = index.names[node]!;
      // the closest enclosing cut and DNAME, walking up the ancestors below the apex
      let cut = -1;
      let dname = -1;
      for (let p = name[0]! + 1; name.length - p > origin.length; p += name[p]! + 1) {
        const up = index.find(name, p);
        if (up < 0) continue;
        if (dname < 0 && (flags[up]! & DNAME) !== 0) dname = up;
        if (cut < 0 && (flags[up]! & CUT) !== 0) cut = up;
      }
      const recs = live(node);
      if (recs.length === 0) continue;
      if (dname >= 0) {
        report('error', recs[0]!, `"${nameToText(recs[0]!.owner)}" is below the DNAME at "${nameToText(index.names[dname]!)}"; ` +
          `no data may exist below a DNAME (RFC 6672 §2.3)`);
        continue;
      }
      const glue = (flags[node]! & NS_TARGET) !== 0;
      const isGlue = (r: ParsedRecord): boolean => glue && (r.type === RRType.A || r.type === RRType.AAAA);
      let occluded: ParsedRecord[];
      let where: string;
      if (cut >= 0) {
        occluded = recs.filter((r) => !isGlue(r));
        where = `below the delegation "${nameToText(index.names[cut]!)}"`;
      } else if ((flags[node]! & CUT) !== 0) {
        // at a zone cut only NS, DS and the DNSSEC records are authoritative (RFC 4035 §2.2)
        occluded = recs.filter((r) => r.type !== RRType.NS && r.type !== RRType.DS && r.type !== RRType.NSEC &&
          r.type !== RRType.RRSIG && !isGlue(r));
        where = 'at a delegation point';
        checkGlue(name, recs);
      } else {
        continue;
      }
      if (occluded.length > 0) {
        const types = [...new Set(occluded.map((r) => typeToText(r.type)))].join(', ');
        report('warning', occluded[0]!, `"${nameToText(occluded[0]!.owner)}" is ${where} and is not glue: its ${types} ` +
          `${occluded.length === 1 ? 'record is' : 'records are'} occluded and will not be served`);
      }
    }
  }

  /** Warns when a delegation's NS target lies at or below the cut and has no address records. */
  function checkGlue(cutName: WireName, recs: readonly ParsedRecord[]): void {
    for (const r of recs) {
      if (r.type !== RRType.NS || !isInZone(r.rdata, cutName)) continue;
      const target = index.find(r.rdata);
      if (target < 0 || (flags[target]! & ADDRESS) === 0) {
        report('warning', r, `delegation "${nameToText(r.owner)}" has NS "${nameToText(r.rdata)}" inside it but no glue ` +
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
