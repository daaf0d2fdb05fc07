// A DNS response decoded for golden tables: header fields, the echoed question, and every RR as one
// presentation-format string (`owner TTL CLASS TYPE rdata`, as kdig prints it). Written apart from the
// server's own rdata codecs on purpose: a codec bug must not be able to hide itself in the test.
//
// Names (owners and names inside rdata) are lowercased: RFC 4343 makes case insignificant in a
// comparison, and compression may carry either spelling. The echoed question keeps its case
// (`question.wire`), so case preservation is checked there. Types the renderer does not know are
// printed in the RFC 3597 generic form `\# LEN HEX`.
import { className, typeName } from './dns-client.js';
import { Reader } from './wire-reader.js';

export interface DecodedQuestion {
  /** Uncompressed wire form, case as sent. */
  wire: Buffer;
  name: string;
  type: string;
  class: string;
}

export interface DecodedOpt {
  payload: number;
  version: number;
  do: boolean;
  options: { code: number; data: Buffer }[];
}

export interface Decoded {
  id: number;
  /** Full rcode name, OPT extended bits included: NOERROR, NXDOMAIN, BADVERS, RCODE23… */
  rcode: string;
  opcode: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  question: DecodedQuestion[];
  answer: string[];
  authority: string[];
  /** Without the OPT pseudo-RR (see `opt`). */
  additional: string[];
  opt: DecodedOpt | undefined;
  size: number;
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const EXT_RCODES: Readonly<Record<number, string>> = { 16: 'BADVERS', 17: 'BADKEY', 18: 'BADTIME', 23: 'BADCOOKIE' };

export function rcodeText(code: number): string {
  return RCODES[code] ?? EXT_RCODES[code] ?? `RCODE${code}`;
}


/** Wire name → presentation form with RFC 1035 §5.1 escapes and the trailing dot. */
export function nameText(wire: Buffer, lower = false): string {
  if (wire.length === 0 || wire[0] === 0) return '.';
  let out = '';
  for (let pos = 0; pos < wire.length && wire[pos] !== 0; pos += wire[pos]! + 1) {
    for (let c of wire.subarray(pos + 1, pos + 1 + wire[pos]!)) {
      if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c <= 0x20 || c >= 0x7f) out += `\\${c.toString().padStart(3, '0')}`;
      else if ('.\\"();@$'.includes(String.fromCharCode(c))) out += `\\${String.fromCharCode(c)}`;
      else out += String.fromCharCode(c);
    }
    out += '.';
  }
  return out;
}

function characterString(r: Reader): string {
  let s = '';
  for (const c of r.bytes(r.u8())) {
    if (c < 0x20 || c >= 0x7f) s += `\\${c.toString().padStart(3, '0')}`;
    else if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else s += String.fromCharCode(c);
  }
  return `"${s}"`;
}

function ipv6(b: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  // RFC 5952 §4.2: the longest run (first on a tie) of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const hexUpper = (b: Buffer): string => b.toString('hex').toUpperCase();

/** rdata at r.pos (length `len`) in presentation form; unknown types in RFC 3597 form. */
function rdataText(msg: Buffer, start: number, len: number, type: number): string {
  const r = new Reader(msg);
  r.pos = start;
  const end = start + len;
  const rest = (): Buffer => r.bytes(end - r.pos);
  let text: string;
  switch (type) {
    case 1: text = [...r.bytes(4)].join('.'); break; // A
    case 28: text = ipv6(r.bytes(16)); break; // AAAA
    case 2: case 5: case 12: case 39: text = nameText(r.name(), true); break; // NS CNAME PTR DNAME
    case 6: text = `${nameText(r.name(), true)} ${nameText(r.name(), true)} ${[r.u32(), r.u32(), r.u32(), r.u32(), r.u32()].join(' ')}`; break; // SOA
    case 15: text = `${r.u16()} ${nameText(r.name(), true)}`; break; // MX
    case 13: text = `${characterString(r)} ${characterString(r)}`; break; // HINFO
    case 17: text = `${nameText(r.name(), true)} ${nameText(r.name(), true)}`; break; // RP
    case 16: { // TXT
      const parts: string[] = [];
      while (r.pos < end) parts.push(characterString(r));
      text = parts.join(' ');
      break;
    }
    case 33: text = `${r.u16()} ${r.u16()} ${r.u16()} ${nameText(r.name(), true)}`; break; // SRV
    case 35: text = `${r.u16()} ${r.u16()} ${characterString(r)} ${characterString(r)} ${characterString(r)} ${nameText(r.name(), true)}`; break; // NAPTR
    case 43: case 59: text = `${r.u16()} ${r.u8()} ${r.u8()} ${hexUpper(rest())}`; break; // DS CDS
    case 44: text = `${r.u8()} ${r.u8()} ${hexUpper(rest())}`; break; // SSHFP
    case 52: text = `${r.u8()} ${r.u8()} ${r.u8()} ${hexUpper(rest())}`; break; // TLSA
    case 257: { // CAA
      const flags = r.u8();
      const tag = r.bytes(r.u8()).toString('latin1');
      text = `${flags} ${tag} "${rest().toString('latin1').replace(/["\\]/g, '\\$&')}"`;
      break;
    }
    default:
      return len === 0 ? '\\# 0' : `\\# ${len} ${hexUpper(msg.subarray(start, end))}`;
  }
  if (r.pos !== end) throw new RangeError(`rdata of type ${typeName(type)} has ${end - r.pos} octets left over`);
  return text;
}

/** Decode a whole response; throws RangeError on a malformed one (a golden test wants to know). */
export function decodeResponse(buf: Buffer): Decoded {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const question: DecodedQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const wire = r.name();
    question.push({ wire, name: nameText(wire), type: typeName(r.u16()), class: className(r.u16()) });
  }
  const sections: [string[], string[], string[]] = [[], [], []];
  let opt: DecodedOpt | undefined;
  let extRcode = 0;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const owner = nameText(r.name(), true);
      const type = r.u16();
      const cls = r.u16();
      const ttl = r.u32();
      const len = r.u16();
      const start = r.pos;
      r.need(len);
      r.pos += len;
      if (type === 41) {
        const o = new Reader(buf.subarray(start, start + len));
        const options: DecodedOpt['options'] = [];
        while (o.pos < len) {
          const code = o.u16();
          options.push({ code, data: Buffer.from(o.bytes(o.u16())) });
        }
        extRcode = ttl >>> 24;
        opt = { payload: cls, version: (ttl >>> 16) & 0xff, do: (ttl & 0x8000) !== 0, options };
        continue;
      }
      sections[s]!.push(`${owner} ${ttl} ${className(cls)} ${typeName(type)} ${rdataText(buf, start, len, type)}`);
    }
  }
  if (r.pos !== buf.length) throw new RangeError(`${buf.length - r.pos} octets after the last record`);
  return {
    id, rcode: rcodeText((extRcode << 4) | (flags & 0xf)), opcode: (flags >> 11) & 0xf,
    qr: (flags & 0x8000) !== 0, aa: (flags & 0x0400) !== 0, tc: (flags & 0x0200) !== 0, rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0, ad: (flags & 0x0020) !== 0, cd: (flags & 0x0010) !== 0,
    question, answer: sections[0], authority: sections[1], additional: sections[2], opt, size: buf.length,
  };
}
