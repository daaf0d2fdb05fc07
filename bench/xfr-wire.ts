// DNS wire format for `npm run bench:xfr`: the requests the bench sends (SOA, AXFR, IXFR, UPDATE),
// encoded with dns-packet, and a walker that reads a transfer's messages without decoding records —
// it skips names and rdata, reading only the header counts, each RR's type and the SOA serials.
// Decoding every record (dns-packet) would make the client, not the server, the bottleneck of a
// 1M-record AXFR.

import dnsPacket from 'dns-packet';

const TYPE_SOA = 6;
const OPCODE_UPDATE = 5;

/** A plain query (RD off): SOA or AXFR. */
export function queryMessage(id: number, name: string, type: 'SOA' | 'AXFR'): Buffer {
  return dnsPacket.encode({ id, type: 'query', questions: [{ name, type }] });
}

/** IXFR (RFC 1995 §3): the client's SOA, reduced to its serial, in the authority section. */
export function ixfrQuery(id: number, origin: string, serial: number): Buffer {
  return dnsPacket.encode({
    id, type: 'query', questions: [{ name: origin, type: 'IXFR' }],
    authorities: [{ name: origin, type: 'SOA', ttl: 0, data: { mname: '.', rname: '.', serial, refresh: 0, retry: 0, expire: 0, minimum: 0 } }],
  });
}

export interface AddA {
  readonly name: string;
  readonly ttl: number;
  readonly address: string;
}

/** RFC 2136 UPDATE of `origin` adding A records (no prerequisites, no TSIG): the updates travel as authorities. */
export function updateMessage(id: number, origin: string, adds: readonly AddA[]): Buffer {
  return dnsPacket.encode({
    id, type: 'query', flags: OPCODE_UPDATE << 11, questions: [{ name: origin, type: 'SOA' }],
    authorities: adds.map((a) => ({ name: a.name, type: 'A' as const, ttl: a.ttl, data: a.address })),
  });
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
