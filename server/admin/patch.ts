import { checkZone } from '../../zones/import/checks.js';
import type { ZoneDiff } from '../../zones/diff.js';
import { keyToName, nameToKey, nameToText, parentKey, type WireName } from '../../zones/name.js';
import { rdataIdentity } from '../../zones/rdata-equal.js';
import { reconcile } from '../../zones/reconcile.js';
import { rdataToText } from '../../zones/rdata/index.js';
import type { ParsedRecord } from '../../zones/record.js';
import { RRType, typeToText } from '../../zones/rrtype.js';
import type { ZoneMeta } from '../../zones/store/zone-meta.js';
import type { ZoneReader } from '../../zones/store/reader.js';
import { latin1 } from '../../zones/store/working-set.js';
import { invalid } from './errors.js';
import { MAX_TTL, parseContent, parseOwner, parseType } from './input.js';

/** One rrset of a PATCH body (PowerDNS shape). */
export interface RRsetInput {
  name: string;
  type: string;
  ttl?: number;
  changetype?: string;
  records?: { content: string; disabled?: boolean }[];
  comments?: unknown[];
}

export interface ParsedRRset {
  index: number;
  owner: WireName;
  key: Buffer;
  type: number;
  ttl: number;
  /** REPLACE (the RRset becomes `rdatas`) or DELETE (the RRset goes). */
  replace: boolean;
  rdatas: Uint8Array[];
  /** `www.example.test. A`, for messages. */
  label: string;
}

/** The API's provenance name: RRs it writes belong to it (ARCHITECTURE.md "Provenance"). */
export const API_SOURCE = 'api';

/**
 * Checks every rrset of a request before anything is applied; throws a 422 ApiError naming the
 * rrset, field, value and reason at the first problem.
 */
export function parseRRsets(rrsets: readonly RRsetInput[], apexKey: Buffer, origin: string, defaultChangetype?: 'REPLACE'): ParsedRRset[] {
  const out: ParsedRRset[] = [];
  const seen = new Map<string, number>();
  rrsets.forEach((rs, i) => {
    const at = `rrsets[${i}]`;
    const owner = parseOwner(rs.name, apexKey, origin, `${at}.name`);
    const type = parseType(rs.type, `${at}.type`);
    const changetype = rs.changetype ?? defaultChangetype;
    if (changetype === undefined) throw invalid(`${at}.changetype`, undefined, 'is required (REPLACE or DELETE)');
    const replace = changetype === 'REPLACE';
    const key = nameToKey(owner);
    const label = `${nameToText(owner)} ${typeToText(type)}`;
    const id = `${latin1(key)}|${type}`;
    const before = seen.get(id);
    if (before !== undefined) throw invalid(at, label, `appears twice in one request (also rrsets[${before}]); send one rrset per name and type`);
    seen.set(id, i);
    if (rs.comments !== undefined && rs.comments.length > 0) throw invalid(`${at}.comments`, rs.comments, 'are not stored by meshdns; send an empty list or none');
    let ttl = 0;
    const rdatas: Uint8Array[] = [];
    if (replace) {
      if (rs.ttl === undefined) throw invalid(`${at}.ttl`, undefined, 'is required for REPLACE');
      if (!Number.isInteger(rs.ttl) || rs.ttl < 0 || rs.ttl > MAX_TTL) throw invalid(`${at}.ttl`, rs.ttl, `must be a whole number from 0 to ${MAX_TTL} (RFC 2181 §8)`);
      ttl = rs.ttl;
      const seenRdata = new Map<string, number>();
      (rs.records ?? []).forEach((r, j) => {
        const field = `${at}.records[${j}]`;
        if (r.disabled === true) throw invalid(`${field}.disabled`, true, 'disabled records are not supported; leave the record out instead');
        const rdata = parseContent(type, r.content, `${field}.content`);
        const identity = rdataIdentity(type, rdata);
        const dup = seenRdata.get(identity) ?? -1;
        seenRdata.set(identity, j);
        if (dup >= 0) throw invalid(`${field}.content`, r.content, `is the same record as ${at}.records[${dup}] (an RRset has no duplicates, RFC 2181 §5)`);
        rdatas.push(rdata);
      });
    } else if (rs.records !== undefined && rs.records.length > 0) {
      throw invalid(`${at}.records`, rs.records.length, 'must be empty for DELETE (the whole RRset is removed)');
    }
    out.push({ index: i, owner, key, type, ttl, replace, rdatas, label });
  });
  return out;
}

interface ViewRR {
  rdata: Uint8Array;
  owners: number[];
}
interface ViewNode {
  owner: WireName;
  rrsets: { type: number; ttl: number; rrs: ViewRR[] }[];
  /** The request rrset a problem at this node is reported against. */
  blame: string;
}

/**
 * A PATCH as one ZoneDiff from the API, checked the way a zone file is (zones/import/checks.ts) on the
 * names it touches, their ancestors up to the apex, the apex, and a descendant of any new DNAME —
 * so a CNAME beside other data, a zone without its SOA or NS, or data below a DNAME is refused
 * before anything is applied.
 *
 * REPLACE follows PowerDNS: the RRset becomes exactly the records sent, whoever wrote the old ones,
 * and they belong to the API afterwards. The diff stays as small as it can: records that stay only
 * gain the API as an owner; records the API alone owned are withdrawn one by one; when a record of
 * another source (a zone file) must go, the whole RRset is removed and the new one added in the same
 * commit. The apex NS RRset is the exception: the write door keeps apex NS records (RFC 2136
 * §3.4.2.3), so a REPLACE that would drop a zone file's apex NS record is refused with the reason.
 */
export function planPatch(store: ZoneReader, apexKey: Buffer, meta: ZoneMeta, rrsets: readonly ParsedRRset[]): ZoneDiff {
  const apiId = store.sourceId(API_SOURCE);
  const view = new Map<string, ViewNode>();
  const load = (key: Uint8Array, blame: string): ViewNode => {
    const id = latin1(key);
    let v = view.get(id);
    if (v) return v;
    const node = store.getNode(meta.id, key);
    v = {
      owner: keyToName(key),
      blame,
      rrsets: node ? node.rrsets.map((s) => ({ type: s.type, ttl: s.ttl, rrs: s.rrs.map((r) => ({ rdata: r.rdata, owners: [...r.owners] })) })) : [],
    };
    view.set(id, v);
    return v;
  };
  const diff: ZoneDiff = { source: API_SOURCE, remove: [], add: [], removeRRsets: [] };
  let apexBlame = 'rrsets';
  for (const rs of rrsets) {
    const at = `rrsets[${rs.index}]`;
    const isApex = rs.key.equals(apexKey);
    if (isApex && (rs.type === RRType.SOA || rs.type === RRType.NS) && apexBlame === 'rrsets') apexBlame = at;
    const node = load(rs.key, at);
    const old = node.rrsets.find((s) => s.type === rs.type);
    node.rrsets = node.rrsets.filter((s) => s !== old);
    if (rs.replace && rs.rdatas.length > 0) {
      node.rrsets.push({ type: rs.type, ttl: rs.ttl, rrs: rs.rdatas.map((rdata) => ({ rdata, owners: [] })) });
    }
    const add = (rdata: Uint8Array) => diff.add.push({ owner: rs.owner, type: rs.type, ttl: rs.ttl, rdata });
    if (rs.type === RRType.SOA) {
      // adding an SOA replaces the zone's SOA; the checks below refuse a DELETE or a second SOA
      for (const rdata of rs.rdatas) add(rdata);
      continue;
    }
    if (!old) {
      for (const rdata of rs.rdatas) add(rdata);
      continue;
    }
    const wantedIds = new Set(rs.rdatas.map((rdata) => rdataIdentity(rs.type, rdata)));
    const going = old.rrs.filter((rr) => !wantedIds.has(rdataIdentity(rs.type, rr.rdata)));
    const foreign = going.filter((rr) => rr.owners.some((o) => o !== apiId));
    if (foreign.length === 0 && rs.replace) {
      // the API's own records of this RRset against what it wants: the shared reconcile step
      const wanted = rs.rdatas.map((rdata) => ({ owner: rs.owner, type: rs.type, ttl: rs.ttl, rdata }));
      const owned = old.rrs.filter((rr) => apiId !== undefined && rr.owners.includes(apiId)).map((rr) => ({ owner: rs.owner, type: rs.type, ttl: old.ttl, rdata: rr.rdata }));
      // (a record another source wrote counts as not owned: it is added, and so gains the API as an owner too)
      const own = reconcile(API_SOURCE, wanted, owned);
      diff.remove.push(...own.remove);
      diff.add.push(...own.add);
      continue;
    }
    if (isApex && rs.type === RRType.NS && rs.replace) {
      const rr = foreign[0]!;
      const sources = rr.owners.filter((o) => o !== apiId).map((o) => store.sourceName(o)).join(', ');
      throw invalid(`${at}.records`, rs.label, `would drop the apex NS record "${rdataText(rs.type, rr.rdata)}", which ${sources} ` +
        'wrote; apex NS records are only removed by the source that wrote them (edit the zone file), so include it or change it there');
    }
    // DELETE, or a REPLACE that drops another source's records: the whole RRset goes and the new one comes
    diff.removeRRsets!.push({ owner: rs.owner, type: rs.type });
    for (const rdata of rs.rdatas) add(rdata);
  }

  // the neighbourhood the checks need: ancestors (DNAME above, cuts), the apex, below a new DNAME
  for (const rs of rrsets) {
    const at = `rrsets[${rs.index}]`;
    for (let k = parentKey(rs.key); k && k.length >= apexKey.length; k = parentKey(k)) load(k, at);
    if (rs.replace && rs.type === RRType.DNAME && rs.rdatas.length > 0) {
      const below = firstDescendantWithData(store, meta.id, rs.key);
      if (below) load(below, at);
    }
  }
  load(apexKey, apexBlame);
  const records: ParsedRecord[] = [];
  for (const node of view.values()) {
    for (const set of node.rrsets) {
      for (const rr of set.rrs) {
        records.push({ owner: node.owner, type: set.type, rclass: 1, ttl: set.ttl, rdata: rr.rdata, file: node.blame, line: 0 });
      }
    }
  }
  const problems = checkZone(keyToName(apexKey), records, apexBlame).problems.filter((p) => p.severity === 'error');
  if (problems.length > 0) {
    const first = problems[0]!;
    const rs = rrsets.find((r) => `rrsets[${r.index}]` === first.file);
    throw invalid(first.file, rs?.label, first.message, problems.slice(1).map((p) => ({ field: p.file, reason: p.message })));
  }
  return diff;
}

function firstDescendantWithData(store: ZoneReader, zoneId: number, key: Buffer): Buffer | undefined {
  for (const { nameKey, node } of store.nodesBelow(zoneId, key)) if (node.rrsets.length > 0) return nameKey;
  return undefined;
}

function rdataText(type: number, rdata: Uint8Array): string {
  try {
    return rdataToText(type, rdata);
  } catch {
    return Buffer.from(rdata).toString('hex');
  }
}
