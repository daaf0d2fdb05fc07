// One question of a golden answer table, and its wire form. Shared by the in-process fixture
// (answer-fixture.ts) and the script that asks knotd the same questions (tools/answer-table-from-knotd.ts).
import { buildQuery, OPT_NSID, type EdnsOptions, type QuerySpec } from './dns-client.js';

export interface AnswerQuery {
  /** Presentation form; case is sent as written and must come back in the question. */
  qname: string;
  /** Mnemonic, TYPEnnn, or a number. */
  qtype: string | number;
  /** Default IN. */
  qclass?: string;
  /**
   * Default: EDNS(0) with a 1232-octet payload, DO clear. `false`: no OPT (a 512-octet UDP limit).
   * `nsid`: ask for the server's NSID (RFC 5001).
   */
  edns?: false | { payload?: number; do?: boolean; nsid?: boolean; version?: number };
  /** Over TCP (no size limit) instead of UDP. */
  tcp?: boolean;
  rd?: boolean;
  cd?: boolean;
  opcode?: number;
}

/** The query ID every table query carries (the answer must echo it). */
export const TABLE_QUERY_ID = 0x5a5a;

export function answerQueryWire(q: AnswerQuery): Buffer {
  const spec: QuerySpec = { qname: q.qname, qtype: q.qtype, qclass: q.qclass ?? 'IN', id: TABLE_QUERY_ID };
  if (q.rd === true) spec.rd = true;
  if (q.cd === true) spec.cd = true;
  if (q.opcode !== undefined) spec.opcode = q.opcode;
  if (q.edns !== false) {
    const e = q.edns ?? {};
    const edns: EdnsOptions = { payload: e.payload ?? 1232 };
    if (e.do === true) edns.do = true;
    if (e.version !== undefined) edns.version = e.version;
    if (e.nsid === true) edns.options = [{ code: OPT_NSID }];
    spec.edns = edns;
  }
  return buildQuery(spec);
}

/** A short description of the query variant, for subtest names: `[tcp no-edns do nsid]`. */
export function variantText(q: AnswerQuery): string {
  const parts: string[] = [];
  if (q.tcp === true) parts.push('tcp');
  if (q.edns === false) parts.push('no-edns');
  else if (q.edns !== undefined) {
    if (q.edns.payload !== undefined) parts.push(`edns ${q.edns.payload}`);
    if (q.edns.version !== undefined) parts.push(`edns v${q.edns.version}`);
    if (q.edns.do === true) parts.push('do');
    if (q.edns.nsid === true) parts.push('nsid');
  }
  if (q.rd === true) parts.push('rd');
  if (q.cd === true) parts.push('cd');
  if (q.opcode !== undefined) parts.push(`opcode ${q.opcode}`);
  return parts.length === 0 ? '' : ` [${parts.join(' ')}]`;
}

/**
 * One row of a golden answer table (CoreDNS `test.Case` habit): a query and the answer expected.
 * Records are presentation text, one string per RR, names lowercased (see presentation.ts); the
 * order inside a section does not matter.
 */
export interface AnswerCase {
  /** Category, first part of the subtest name: exact, nodata, nxdomain, cname, wildcard, … */
  cat: string;
  q: AnswerQuery;
  /** Rcode name, extended bits included (NOERROR, NXDOMAIN, REFUSED, BADVERS…). */
  rcode: string;
  aa: boolean;
  /** Default false. When true, sections not listed are not compared (RFC 2181 §9: the client retries over TCP). */
  tc?: boolean;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  /**
   * The OPT RR of the answer. Default: present iff the query had EDNS, with the query's DO bit and
   * an NSID option iff one was asked for. 'none': no OPT at all.
   */
  opt?: 'none' | { do: boolean; nsid: boolean };
  /** The server must not answer at all. */
  silent?: true;
  /** Why the expected answer is what it is, when it is not obvious (RFC section). */
  note?: string;
}
