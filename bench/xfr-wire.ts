// DNS wire format for `npm run bench:xfr`, by hand and minimal: the requests the bench sends (SOA,
// AXFR, IXFR, UPDATE) and a walker that reads a transfer's messages without decoding records — it
// skips names and rdata, reading only the header counts, each RR's type and the SOA serials. Decoding
// every record (dns-packet) would make the client, not the server, the bottleneck of a 1M-record AXFR.

export const TYPE_A = 1;
export const TYPE_SOA = 6;
export const TYPE_IXFR = 251;
export const TYPE_AXFR = 252;
const CLASS_IN = 1;
const OPCODE_UPDATE = 5;

/** Wire form of an absolute name in presentation format (no escapes needed for the bench's names). */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new RangeError(`label "${l}" is longer than 63 octets`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

function question(name: string, type: number): Buffer {
  const t = Buffer.alloc(4);
  t.writeUInt16BE(type, 0);
  t.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([encodeName(name), t]);
}

function rr(owner: Buffer, type: number, ttl: number, rdata: Buffer): Buffer {
  const f = Buffer.alloc(10);
  f.writeUInt16BE(type, 0);
  f.writeUInt16BE(CLASS_IN, 2);
  f.writeUInt32BE(ttl >>> 0, 4);
  f.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, f, rdata]);
}

/** A plain query (RD off): SOA or AXFR. */
export function queryMessage(id: number, name: string, type: number): Buffer {
  return Buffer.concat([header(id, 0, 1, 0, 0, 0), question(name, type)]);
}

/** IXFR (RFC 1995 §3): the client's SOA, reduced to its serial, in the authority section. */
export function ixfrQuery(id: number, origin: string, serial: number): Buffer {
  const rdata = Buffer.alloc(2 + 20); // mname ".", rname ".", serial, refresh, retry, expire, minimum
  rdata.writeUInt32BE(serial >>> 0, 2);
  return Buffer.concat([header(id, 0, 1, 0, 1, 0), question(origin, TYPE_IXFR), rr(encodeName(origin), TYPE_SOA, 0, rdata)]);
}

export interface AddA {
  readonly name: string;
  readonly ttl: number;
  readonly address: string;
}

/** RFC 2136 UPDATE of `origin` adding A records (no prerequisites, no TSIG). */
export function updateMessage(id: number, origin: string, adds: readonly AddA[]): Buffer {
  const updates = adds.map((a) => rr(encodeName(a.name), TYPE_A, a.ttl, Buffer.from(a.address.split('.').map(Number))));
  return Buffer.concat([header(id, OPCODE_UPDATE << 11, 1, 0, adds.length, 0), question(origin, TYPE_SOA), ...updates]);
}

/** Position after the (possibly compressed) name at p; -1 when it runs off the message. */
export function skipName(b: Uint8Array, p: number): number {
  for (;;) {
    if (p >= b.length) return -1;
    const len = b[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= b.length ? p + 2 : -1;
    p += len + 1;
  }
}

export const rcodeOf = (msg: Uint8Array): number => msg[3]! & 0x0f;

/** The serial of the first SOA in the answer section of a response (a SOA query's answer). */
export function answerSoaSerial(msg: Uint8Array): number | undefined {
  let p = 12;
  const qd = (msg[4]! << 8) | msg[5]!;
  const an = (msg[6]! << 8) | msg[7]!;
  for (let i = 0; i < qd; i++) p = skipName(msg, p) + 4;
  for (let i = 0; i < an && p > 0; i++) {
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return undefined;
    const type = (msg[p]! << 8) | msg[p + 1]!;
    const rdlen = (msg[p + 8]! << 8) | msg[p + 9]!;
    if (type === TYPE_SOA) return soaSerialAt(msg, p + 10);
    p += 10 + rdlen;
  }
  return undefined;
}

function soaSerialAt(msg: Uint8Array, rdata: number): number | undefined {
  let p = skipName(msg, rdata);
  if (p > 0) p = skipName(msg, p);
  if (p < 0 || p + 4 > msg.length) return undefined;
  return ((msg[p]! << 24) | (msg[p + 1]! << 16) | (msg[p + 2]! << 8) | msg[p + 3]!) >>> 0;
}

/**
 * Follows a zone transfer message by message and says when it is complete:
 * - AXFR, or an IXFR answered with the whole zone: SOA(S), records…, SOA(S) — ends at the 2nd SOA(S);
 * - incremental IXFR: SOA(new), SOA(old), deleted…, SOA, added…, [more differences], SOA(new) —
 *   SOA(new) appears three times (first, heading the last difference's additions, last);
 * - IXFR when the client is current: one message holding SOA(new) alone.
 */
export class TransferTracker {
  messages = 0;
  records = 0;
  /** Bytes of DNS messages (without the 2-byte TCP length prefixes). */
  bytes = 0;
  firstSerial: number | undefined;
  /** IXFR only: the second record was a SOA, i.e. a difference, not the whole zone. */
  incremental = false;
  lastType = -1;
  done = false;
  private newSoaSeen = 0;

  constructor(private readonly id: number, private readonly ixfr: boolean) {}

  /** Feeds one response message; throws on an error rcode, a wrong id or a malformed message. */
  message(msg: Uint8Array): void {
    if (this.done) throw new Error('data after the end of the transfer');
    if (msg.length < 12) throw new Error(`short message (${msg.length} octets)`);
    if (((msg[0]! << 8) | msg[1]!) !== this.id) throw new Error(`response id ${(msg[0]! << 8) | msg[1]!}, expected ${this.id}`);
    const rcode = rcodeOf(msg);
    if (rcode !== 0) throw new Error(`rcode ${rcode} in message ${this.messages + 1}`);
    this.messages++;
    this.bytes += msg.length;
    const qd = (msg[4]! << 8) | msg[5]!;
    const an = (msg[6]! << 8) | msg[7]!;
    let p = 12;
    for (let i = 0; i < qd; i++) {
      p = skipName(msg, p);
      if (p < 0) throw new Error('malformed question');
      p += 4;
    }
    for (let i = 0; i < an; i++) {
      if (this.done) throw new Error(`records after the closing SOA (message ${this.messages})`);
      p = skipName(msg, p);
      if (p < 0 || p + 10 > msg.length) throw new Error(`malformed record ${this.records + 1}`);
      const type = (msg[p]! << 8) | msg[p + 1]!;
      const rdlen = (msg[p + 8]! << 8) | msg[p + 9]!;
      const n = this.records++;
      this.lastType = type;
      if (type === TYPE_SOA) {
        const serial = soaSerialAt(msg, p + 10);
        if (n === 0) this.firstSerial = serial;
        if (n === 1) this.incremental = this.ixfr;
        if (serial === this.firstSerial) this.newSoaSeen++;
        if (this.newSoaSeen === (this.incremental ? 3 : 2)) this.done = true;
      } else if (n === 0) {
        throw new Error(`the transfer does not start with a SOA (type ${type})`);
      }
      p += 10 + rdlen;
      if (p > msg.length) throw new Error(`record ${n + 1} runs past the message`);
    }
    if (this.ixfr && this.messages === 1 && this.records === 1) this.done = true; // client is current
  }
}
