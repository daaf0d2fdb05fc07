// Normalisation and comparison of two DNS responses "identical in meaning".
//
// What is compared (each difference becomes one Diff with a field name the allowlist can refer to):
// - presence: both silent is a match; one silent and the other answering is a difference.
// - id: each response must carry the query's ID (checked per server, not between them).
// - header flags: QR, opcode, AA, TC, RD (echo), RA, Z, AD, CD (echo).
// - rcode: the full 12-bit rcode (header rcode plus the OPT extended rcode bits).
// - question: QDCOUNT and every question byte for byte, so the qname's case must be echoed exactly.
// - OPT: presence, count, owner, EDNS version, DO bit, advertised UDP payload size, the set of option codes,
//   and NSID content (a separate field, `opt.nsid`, so a policy entry can excuse the content alone).
// - size: a UDP response larger than the client allowed (512 without EDNS, else max(512, payload)).
// - answer / authority / additional: compared as multisets of RRs, order within a section ignored.
//   An RR is (owner, type, class, TTL, rdata); owner names and names inside rdata are decompressed and
//   lowercased (RFC 4034 §6.2 list), so compression and case choices do not matter; TTLs do. OPT
//   is not part of the additional section here (it has its own fields above).
// When both responses have TC=1 the three sections are NOT compared: RFC 2181 §9 says a truncated
// answer is discarded and retried over TCP, and each server may fit a different prefix; header,
// rcode, question, OPT and size are still compared. When only one has TC=1, flags.tc reports it and
// the sections are not compared either (they are expected to differ).
import { className, typeName } from '../helpers/dns-client.js';
import { Reader } from '../helpers/wire-reader.js';

export interface Rr {
  /** Owner, lowercased presentation form. */
  owner: string;
  type: number;
  cls: number;
  ttl: number;
  /** Canonical rdata: embedded names decompressed and lowercased. */
  rdata: Buffer;
}

export interface Opt {
  /** Owner name (presentation form); RFC 6891 §6.1.2 requires the root. */
  owner: string;
  payload: number;
  extRcode: number;
  version: number;
  do: boolean;
  zFlags: number;
  options: { code: number; data: Buffer }[];
}

export interface Question {
  wire: Buffer;
  /** Presentation form with the case as sent. */
  name: string;
  type: number;
  cls: number;
}

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
  counts: [number, number, number, number];
  question: Question[];
  answer: Rr[];
  authority: Rr[];
  additional: Rr[];
  opts: Opt[];
  size: number;
  /** Set when the message could not be parsed completely; fields hold what was read. */
  error?: string;
}

const COMPRESSIBLE = new Set([2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 17, 18, 21, 26, 33, 35, 36, 39]);


function lowerWire(wire: Buffer): Buffer {
  const out = Buffer.from(wire);
  let pos = 0;
  while (pos < out.length) {
    const len = out[pos]!;
    for (let i = pos + 1; i <= pos + len && i < out.length; i++) {
      const c = out[i]!;
      if (c >= 0x41 && c <= 0x5a) out[i] = c + 0x20;
    }
    pos += len + 1;
    if (len === 0) break;
  }
  return out;
}

/** Wire name → presentation form (RFC 1035 §5.1 escapes), trailing dot included. */
export function wireToName(wire: Buffer): string {
  if (wire.length === 0 || wire[0] === 0) return '.';
  let out = '';
  let pos = 0;
  while (pos < wire.length) {
    const len = wire[pos]!;
    if (len === 0) break;
    for (const c of wire.subarray(pos + 1, pos + 1 + len)) {
      if (c <= 0x20 || c >= 0x7f) out += `\\${c.toString().padStart(3, '0')}`;
      else if ('.\\"();@$'.includes(String.fromCharCode(c))) out += `\\${String.fromCharCode(c)}`;
      else out += String.fromCharCode(c);
    }
    out += '.';
    pos += len + 1;
  }
  return out;
}

/** Canonical rdata: names in the RFC 3597 / RFC 4034 §6.2 list decompressed and lowercased. */
function canonicalRdata(msg: Buffer, type: number, start: number, length: number): Buffer {
  const raw = msg.subarray(start, start + length);
  if (!COMPRESSIBLE.has(type)) return Buffer.from(raw);
  const r = new Reader(msg, start);
  const parts: Buffer[] = [];
  const name = (): void => void parts.push(lowerWire(r.name()));
  const fixed = (n: number): void => void parts.push(Buffer.from(r.bytes(n)));
  switch (type) {
    case 6: // SOA
      name();
      name();
      fixed(20);
      break;
    case 14: // MINFO
    case 17: // RP
      name();
      name();
      break;
    case 15: // MX
    case 18: // AFSDB
    case 21: // RT
    case 36: // KX
      fixed(2);
      name();
      break;
    case 26: // PX
      fixed(2);
      name();
      name();
      break;
    case 33: // SRV
      fixed(6);
      name();
      break;
    case 35: {
      // NAPTR: order, preference, then three character-strings, then the replacement name
      fixed(4);
      for (let i = 0; i < 3; i++) fixed(1 + (msg[r.pos] ?? 0));
      name();
      break;
    }
    default:
      name();
  }
  if (r.pos !== start + length) throw new Error(`rdata of type ${typeName(type)} has ${start + length - r.pos} stray octets`);
  return Buffer.concat(parts);
}

/** Parse a DNS message leniently: never throws; `error` says where parsing stopped. */
export function parseMessage(buf: Buffer): Message {
  const msg: Message = {
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false,
    rcode: 0, counts: [0, 0, 0, 0], question: [], answer: [], authority: [], additional: [], opts: [], size: buf.length,
  };
  const r = new Reader(buf);
  try {
    msg.id = r.u16();
    const flags = r.u16();
    msg.qr = (flags & 0x8000) !== 0;
    msg.opcode = (flags >> 11) & 0xf;
    msg.aa = (flags & 0x0400) !== 0;
    msg.tc = (flags & 0x0200) !== 0;
    msg.rd = (flags & 0x0100) !== 0;
    msg.ra = (flags & 0x0080) !== 0;
    msg.z = (flags & 0x0040) !== 0;
    msg.ad = (flags & 0x0020) !== 0;
    msg.cd = (flags & 0x0010) !== 0;
    msg.rcode = flags & 0xf;
    msg.counts = [r.u16(), r.u16(), r.u16(), r.u16()];
    for (let i = 0; i < msg.counts[0]; i++) {
      const wire = r.name();
      msg.question.push({ wire, name: wireToName(wire), type: r.u16(), cls: r.u16() });
    }
    const sections = [msg.answer, msg.authority, msg.additional] as const;
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < msg.counts[s + 1]!; i++) {
        const owner = r.name();
        const type = r.u16();
        const cls = r.u16();
        const ttl = r.u32();
        const rdlength = r.u16();
        const start = r.pos;
        r.need(rdlength);
        r.pos += rdlength;
        if (type === 41) {
          const options: { code: number; data: Buffer }[] = [];
          const o = new Reader(buf.subarray(start, start + rdlength));
          while (o.pos < rdlength) {
            const code = o.u16();
            options.push({ code, data: Buffer.from(o.bytes(o.u16())) });
          }
          msg.opts.push({
            owner: wireToName(owner),
            payload: cls, extRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff, do: (ttl & 0x8000) !== 0,
            zFlags: ttl & 0x7fff, options,
          });
          continue;
        }
        sections[s]!.push({ owner: wireToName(lowerWire(owner)), type, cls, ttl, rdata: canonicalRdata(buf, type, start, rdlength) });
      }
    }
    if (r.pos !== buf.length) msg.error = `${buf.length - r.pos} trailing octets`;
  } catch (error) {
    msg.error = error instanceof Error ? error.message : String(error);
  }
  return msg;
}

/** The full rcode: header bits plus the OPT extended bits (RFC 6891 §6.1.3). */
export function fullRcode(msg: Message): number {
  return ((msg.opts[0]?.extRcode ?? 0) << 4) | msg.rcode;
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
export function rcodeName(rcode: number): string {
  if (rcode === 16) return 'BADVERS';
  return RCODES[rcode] ?? `RCODE${rcode}`;
}

function txtStrings(rdata: Buffer): string {
  const out: string[] = [];
  let pos = 0;
  while (pos < rdata.length) {
    const len = rdata[pos]!;
    let s = '';
    for (const c of rdata.subarray(pos + 1, pos + 1 + len)) {
      if (c < 0x20 || c >= 0x7f) s += `\\${c.toString().padStart(3, '0')}`;
      else if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
      else s += String.fromCharCode(c);
    }
    out.push(`"${s}"`);
    pos += len + 1;
  }
  return out.join(' ');
}

function namesAt(rdata: Buffer, pos: number, count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = pos;
    while (pos < rdata.length && rdata[pos] !== 0) pos += rdata[pos]! + 1;
    pos += 1;
    names.push(wireToName(rdata.subarray(start, pos)));
  }
  return names;
}

/** Presentation of canonical rdata for reports (known common types, else RFC 3597 generic). */
export function rdataText(type: number, rdata: Buffer): string {
  try {
    switch (type) {
      case 1:
        if (rdata.length === 4) return [...rdata].join('.');
        break;
      case 28:
        if (rdata.length === 16) {
          const groups: string[] = [];
          for (let i = 0; i < 16; i += 2) groups.push(rdata.readUInt16BE(i).toString(16));
          return groups.join(':');
        }
        break;
      case 2: case 5: case 12: case 39:
        return namesAt(rdata, 0, 1)[0]!;
      case 15:
        return `${rdata.readUInt16BE(0)} ${namesAt(rdata, 2, 1)[0]}`;
      case 33:
        return `${rdata.readUInt16BE(0)} ${rdata.readUInt16BE(2)} ${rdata.readUInt16BE(4)} ${namesAt(rdata, 6, 1)[0]}`;
      case 6: {
        const [mname, rname] = namesAt(rdata, 0, 2);
        const tail = rdata.subarray(rdata.length - 20);
        const nums = [0, 4, 8, 12, 16].map((o) => tail.readUInt32BE(o));
        return `${mname} ${rname} ${nums.join(' ')}`;
      }
      case 16:
        return txtStrings(rdata);
    }
  } catch {
    // fall through to the generic form
  }
  return `\\# ${rdata.length} ${rdata.toString('hex')}`;
}

function rrText(rr: Rr): string {
  return `${rr.owner} ${rr.ttl} ${className(rr.cls)} ${typeName(rr.type)} ${rdataText(rr.type, rr.rdata)}`;
}

/** dig-like rendering of a response (or of silence) for failure reports. */
export function formatResponse(buf: Buffer | null): string {
  if (buf === null) return '  (no response)';
  const m = parseMessage(buf);
  const flags = (['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const).filter((f) => m[f]).join(' ');
  const lines = [
    `  id ${m.id} opcode ${m.opcode} rcode ${rcodeName(fullRcode(m))} flags [${flags}] counts ${m.counts.join('/')} size ${m.size}`,
  ];
  for (const opt of m.opts) {
    const options = opt.options.map((o) => `${o.code}=${o.data.toString('hex')}`).join(',');
    lines.push(`  OPT version ${opt.version} payload ${opt.payload} do ${opt.do ? 1 : 0} ext-rcode ${opt.extRcode} options [${options}]`);
  }
  for (const q of m.question) lines.push(`  Q  ${q.name} ${className(q.cls)} ${typeName(q.type)}`);
  for (const [label, rrs] of [['AN', m.answer], ['NS', m.authority], ['AR', m.additional]] as const) {
    for (const rr of rrs) lines.push(`  ${label} ${rrText(rr)}`);
  }
  if (m.error !== undefined) lines.push(`  PARSE ERROR: ${m.error}`);
  return lines.join('\n');
}

export interface Diff {
  /** e.g. `presence`, `flags.aa`, `rcode`, `question`, `opt.nsid`, `answer`, `size.b` */
  field: string;
  detail: string;
}

export interface CompareContext {
  transport: 'udp' | 'tcp';
  /** The ID the query carried, or null for a packet without a readable header. */
  queryId: number | null;
  /** The limit a UDP response must respect, or null when not applicable (TCP). */
  udpLimit: number | null;
}

function rrKey(rr: Rr): string {
  return `${rr.owner}|${rr.type}|${rr.cls}|${rr.ttl}|${rr.rdata.toString('hex')}`;
}

function sectionDiff(name: string, a: Rr[], b: Rr[]): Diff | null {
  const count = new Map<string, { rr: Rr; n: number }>();
  for (const rr of a) {
    const key = rrKey(rr);
    const entry = count.get(key) ?? { rr, n: 0 };
    entry.n += 1;
    count.set(key, entry);
  }
  for (const rr of b) {
    const key = rrKey(rr);
    const entry = count.get(key) ?? { rr, n: 0 };
    entry.n -= 1;
    count.set(key, entry);
  }
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const { rr, n } of count.values()) {
    for (let i = 0; i < n; i++) onlyA.push(rrText(rr));
    for (let i = 0; i < -n; i++) onlyB.push(rrText(rr));
  }
  if (onlyA.length === 0 && onlyB.length === 0) return null;
  const lines = [...onlyA.sort().map((t) => `- ${t}`), ...onlyB.sort().map((t) => `+ ${t}`)];
  return { field: name, detail: lines.join('\n') };
}

/**
 * Compare two responses. `a` is the reference (knotd), `b` the subject (meshdns). Returns every
 * difference found; an empty list means identical in meaning.
 */
export function compareResponses(a: Buffer | null, b: Buffer | null, ctx: CompareContext): Diff[] {
  const diffs: Diff[] = [];
  if (a === null && b === null) return diffs;
  if (a === null || b === null) {
    diffs.push({ field: 'presence', detail: a === null ? 'reference silent, subject answered' : 'reference answered, subject silent' });
    return diffs;
  }
  const ma = parseMessage(a);
  const mb = parseMessage(b);
  if (ma.error !== undefined || mb.error !== undefined) {
    if (ma.error !== undefined) diffs.push({ field: 'parse.a', detail: ma.error });
    if (mb.error !== undefined) diffs.push({ field: 'parse.b', detail: mb.error });
  }
  if (ctx.queryId !== null) {
    if (ma.id !== ctx.queryId) diffs.push({ field: 'id.a', detail: `reference id ${ma.id}, query id ${ctx.queryId}` });
    if (mb.id !== ctx.queryId) diffs.push({ field: 'id.b', detail: `subject id ${mb.id}, query id ${ctx.queryId}` });
  }
  if (ctx.udpLimit !== null) {
    if (ma.size > ctx.udpLimit) diffs.push({ field: 'size.a', detail: `reference sent ${ma.size} > ${ctx.udpLimit} octets over UDP` });
    if (mb.size > ctx.udpLimit) diffs.push({ field: 'size.b', detail: `subject sent ${mb.size} > ${ctx.udpLimit} octets over UDP` });
  }
  for (const flag of ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const) {
    if (ma[flag] !== mb[flag]) diffs.push({ field: `flags.${flag}`, detail: `${flag}: reference ${ma[flag] ? 1 : 0}, subject ${mb[flag] ? 1 : 0}` });
  }
  if (ma.opcode !== mb.opcode) diffs.push({ field: 'opcode', detail: `reference ${ma.opcode}, subject ${mb.opcode}` });
  const ra = fullRcode(ma);
  const rb = fullRcode(mb);
  if (ra !== rb) diffs.push({ field: 'rcode', detail: `reference ${rcodeName(ra)}, subject ${rcodeName(rb)}` });

  const qa = ma.question.map((q) => `${q.wire.toString('hex')}/${q.type}/${q.cls}`).join(' ');
  const qb = mb.question.map((q) => `${q.wire.toString('hex')}/${q.type}/${q.cls}`).join(' ');
  if (qa !== qb) {
    const show = (m: Message): string => m.question.map((q) => `${q.name} ${className(q.cls)} ${typeName(q.type)}`).join(', ') || '(none)';
    diffs.push({ field: 'question', detail: `reference [${show(ma)}], subject [${show(mb)}]` });
  }

  if (ma.opts.length !== mb.opts.length) {
    diffs.push({ field: ma.opts.length === 0 || mb.opts.length === 0 ? 'opt' : 'opt.count', detail: `OPT RRs: reference ${ma.opts.length}, subject ${mb.opts.length}` });
  }
  const oa = ma.opts[0];
  const ob = mb.opts[0];
  if (oa !== undefined && ob !== undefined) {
    if (oa.owner !== ob.owner) diffs.push({ field: 'opt.owner', detail: `OPT owner: reference ${oa.owner}, subject ${ob.owner}` });
    if (oa.version !== ob.version) diffs.push({ field: 'opt.version', detail: `reference ${oa.version}, subject ${ob.version}` });
    if (oa.do !== ob.do) diffs.push({ field: 'opt.do', detail: `reference ${oa.do ? 1 : 0}, subject ${ob.do ? 1 : 0}` });
    if (oa.payload !== ob.payload) diffs.push({ field: 'opt.payload', detail: `reference ${oa.payload}, subject ${ob.payload}` });
    if (oa.zFlags !== ob.zFlags) diffs.push({ field: 'opt.z', detail: `reference ${oa.zFlags}, subject ${ob.zFlags}` });
    const codes = (o: Opt): string => o.options.map((x) => x.code).sort((x, y) => x - y).join(',');
    if (codes(oa) !== codes(ob)) diffs.push({ field: 'opt.options', detail: `option codes: reference [${codes(oa)}], subject [${codes(ob)}]` });
    const nsid = (o: Opt): Buffer | undefined => o.options.find((x) => x.code === 3)?.data;
    const na = nsid(oa);
    const nb = nsid(ob);
    if (na !== undefined && nb !== undefined && !na.equals(nb)) {
      diffs.push({ field: 'opt.nsid', detail: `NSID: reference "${na.toString('latin1')}", subject "${nb.toString('latin1')}"` });
    }
  }

  if (!ma.tc && !mb.tc) {
    for (const [name, sa, sb] of [['answer', ma.answer, mb.answer], ['authority', ma.authority, mb.authority], ['additional', ma.additional, mb.additional]] as const) {
      const d = sectionDiff(name, sa, sb);
      if (d !== null) diffs.push(d);
    }
  }
  return diffs;
}
