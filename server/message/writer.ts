import { LOWER, type WireName } from '../../zones/name.js';
import { RRType } from '../../zones/rrtype.js';
import { Header, HEADER_LENGTH } from './header.js';

/** An RRset on its way into a message (the resolver's output). */
export interface OutRRset {
  owner: WireName;
  type: number;
  ttl: number;
  rdatas: Uint8Array[];
  /** Additional-section data whose absence makes the answer unusable (RFC 9471 in-domain glue). */
  mandatory?: boolean;
}

const MAX_POINTER = 0x3fff;

/**
 * Writes one DNS message into a reused scratch buffer: names compressed (RFC 1035 §4.1.4), whole
 * RRsets only — an RRset that does not fit is rolled back and reported, the caller sets TC.
 * Synchronous use only: `finish()` copies the message out before the next one starts.
 */
export class MessageWriter {
  private readonly buf = Buffer.allocUnsafe(65535);
  private pos = 0;
  private limit = 512;
  /** Offsets of every label written uncompressed: the places a later name may point to. */
  private readonly labels: number[] = [];
  readonly counts = [0, 0, 0, 0];

  /** Starts a message; `limit` is the size it may not exceed (room for OPT already taken off). */
  begin(limit: number): void {
    this.pos = HEADER_LENGTH;
    this.limit = Math.min(limit, 65535);
    this.labels.length = 0;
    this.counts[0] = this.counts[1] = this.counts[2] = this.counts[3] = 0;
  }

  get length(): number {
    return this.pos;
  }

  /** Copies the question from the query verbatim (the qname's case is echoed exactly). */
  question(query: Uint8Array, start: number, end: number): void {
    this.buf.set(query.subarray(start, end), this.pos);
    for (let p = this.pos; this.buf[p]! !== 0 && p <= MAX_POINTER; p += this.buf[p]! + 1) this.labels.push(p);
    this.pos += end - start;
    this.counts[0] = 1;
  }

  /** Writes a whole RRset into section 1..3; false (and nothing written) when it does not fit. */
  rrset(section: 1 | 2 | 3, set: OutRRset): boolean {
    const mark = this.pos;
    const labelCount = this.labels.length;
    try {
      for (const rdata of set.rdatas) {
        this.name(set.owner);
        this.need(10);
        this.buf.writeUInt16BE(set.type, this.pos);
        this.buf.writeUInt16BE(1, this.pos + 2);
        this.buf.writeUInt32BE(set.ttl >>> 0, this.pos + 4);
        const rdlengthAt = this.pos + 8;
        this.pos += 10;
        this.rdata(set.type, rdata);
        this.buf.writeUInt16BE(this.pos - rdlengthAt - 2, rdlengthAt);
      }
    } catch (err) {
      if (err !== NO_ROOM) throw err;
      this.pos = mark;
      this.labels.length = labelCount;
      return false;
    }
    this.counts[section]! += set.rdatas.length;
    return true;
  }

  /** Appends raw bytes that were reserved for (OPT) outside the limit. */
  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Header fields, counts from what was written; returns a copy of the finished message. */
  finish(id: number, flags: number, extraAdditional = 0): Buffer {
    const b = this.buf;
    b.writeUInt16BE(id, Header.ID);
    b.writeUInt16BE(flags, Header.FLAGS);
    b.writeUInt16BE(this.counts[0]!, Header.QDCOUNT);
    b.writeUInt16BE(this.counts[1]!, Header.ANCOUNT);
    b.writeUInt16BE(this.counts[2]!, Header.NSCOUNT);
    b.writeUInt16BE(this.counts[3]! + extraAdditional, Header.ARCOUNT);
    const out = Buffer.allocUnsafe(this.pos);
    b.copy(out, 0, 0, this.pos);
    return out;
  }

  private rdata(type: number, rdata: Uint8Array): void {
    // RFC 3597 §4: only the RFC 1035 types may have their rdata names compressed
    switch (type) {
      case RRType.NS:
      case RRType.CNAME:
      case RRType.PTR:
        this.name(rdata);
        return;
      case RRType.MX:
        this.need(2);
        this.buf[this.pos++] = rdata[0]!;
        this.buf[this.pos++] = rdata[1]!;
        this.name(rdata.subarray(2));
        return;
      case RRType.SOA: {
        const first = nameLength(rdata, 0);
        const second = nameLength(rdata, first);
        this.name(rdata.subarray(0, first));
        this.name(rdata.subarray(first, first + second));
        this.bytes(rdata.subarray(first + second));
        return;
      }
      default:
        this.bytes(rdata);
    }
  }

  private bytes(data: Uint8Array): void {
    this.need(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Writes a name, replacing its longest already-written suffix by a pointer. */
  private name(name: WireName): void {
    let p = 0;
    for (;;) {
      const len = name[p]!;
      if (len === 0) {
        this.need(1);
        this.buf[this.pos++] = 0;
        return;
      }
      const target = this.findSuffix(name, p);
      if (target >= 0) {
        this.need(2);
        this.buf.writeUInt16BE(0xc000 | target, this.pos);
        this.pos += 2;
        return;
      }
      if (this.pos <= MAX_POINTER) this.labels.push(this.pos);
      this.need(len + 1);
      this.buf.set(name.subarray(p, p + len + 1), this.pos);
      this.pos += len + 1;
      p += len + 1;
    }
  }

  /** An offset in the message where the suffix of `name` starting at `p` is already written. */
  private findSuffix(name: WireName, p: number): number {
    const labels = this.labels;
    for (let i = 0; i < labels.length; i++) if (this.equalsAt(labels[i]!, name, p)) return labels[i]!;
    return -1;
  }

  /** Case-insensitive comparison of the message's name at `o` (pointers followed) with name[p..]. */
  private equalsAt(o: number, name: WireName, p: number): boolean {
    const b = this.buf;
    for (;;) {
      let len = b[o]!;
      while ((len & 0xc0) === 0xc0) {
        o = ((len & 0x3f) << 8) | b[o + 1]!;
        len = b[o]!;
      }
      if (len !== name[p]) return false;
      if (len === 0) return true;
      for (let i = 1; i <= len; i++) if (LOWER[b[o + i]!] !== LOWER[name[p + i]!]) return false;
      o += len + 1;
      p += len + 1;
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.limit) throw NO_ROOM;
  }
}

const NO_ROOM = Symbol('no room');

function nameLength(rdata: Uint8Array, offset: number): number {
  let p = offset;
  while (rdata[p]! !== 0) p += rdata[p]! + 1;
  return p - offset + 1;
}
