import { RRType } from '../../zones/rrtype.js';
import { EDNS_FLAG_DO, EdnsOption } from './edns.js';
import { Flag, Header, HEADER_LENGTH, OPCODE_MASK, OPCODE_SHIFT } from './header.js';
import type { ParsedQuery } from './question.js';
import { extendedRcodeHigh, Rcode } from './rcode.js';
import { MessageWriter } from './writer.js';

/** What every response's OPT carries; read at each response, so a reload may change them in place. */
export interface ResponseOptions {
  /** Largest UDP payload we offer and send (RFC 6891 §6.2.5; DNS flag day 2020 default 1232). */
  maxUdpPayload: number;
  /** RFC 5001 NSID payload, sent when a client asks for it; undefined: NSID off. */
  nsid: Uint8Array | undefined;
}

const MAX_MESSAGE = 65535;


/**
 * Responses without records (errors, refusals, NOTIFY acknowledgements) and the OPT record every
 * response to an EDNS request carries. Owns the message writer the answer engine shares:
 * synchronous use only, one message at a time.
 */
export class Responses {
  readonly writer = new MessageWriter();

  constructor(private readonly options: ResponseOptions) {}

  get maxUdpPayload(): number {
    return this.options.maxUdpPayload;
  }

  get nsid(): Uint8Array | undefined {
    return this.options.nsid;
  }

  /** A response with no records: the question echoed when it parsed, OPT when the request had a valid one (RFC 6891 §7). */
  bare(msg: Uint8Array, q: ParsedQuery, rcode: number): Buffer {
    const w = this.writer;
    const opt = q.edns ? this.opt(q, 0) : undefined;
    w.begin(MAX_MESSAGE);
    if (q.questionEnd > HEADER_LENGTH) w.question(msg, HEADER_LENGTH, q.questionEnd);
    if (opt) w.raw(opt);
    const echo = ((msg[Header.FLAGS]! << 8) | msg[Header.FLAGS + 1]!) & (OPCODE_MASK | Flag.RD | Flag.CD);
    return w.finish((msg[Header.ID]! << 8) | msg[Header.ID + 1]!, Flag.QR | echo | rcode, opt ? 1 : 0);
  }

  /** RFC 6891 §7: BADVERS carries the extended rcode in an OPT of version 0. */
  badvers(msg: Uint8Array, q: ParsedQuery): Buffer {
    const w = this.writer;
    w.begin(MAX_MESSAGE);
    // (an opcode that may come without a question, RFC 8490 DSO say, has none to echo)
    if (q.questionEnd > HEADER_LENGTH) w.question(msg, HEADER_LENGTH, q.questionEnd);
    w.raw(this.opt(q, extendedRcodeHigh(Rcode.BADVERS)));
    return w.finish(q.id, Flag.QR | (q.opcode << OPCODE_SHIFT) | q.echoFlags, 1);
  }

  /** Our OPT record (RFC 6891 §6.1.2), with NSID when asked for and configured. */
  opt(q: ParsedQuery, extendedRcode: number): Buffer {
    const nsid = q.edns?.nsid ? this.options.nsid : undefined;
    const optLength = nsid ? 4 + nsid.length : 0;
    const out = Buffer.allocUnsafe(11 + optLength);
    out[0] = 0;
    out.writeUInt16BE(RRType.OPT, 1);
    out.writeUInt16BE(this.options.maxUdpPayload, 3);
    out[5] = extendedRcode;
    out[6] = 0; // version
    out.writeUInt16BE(q.edns?.dnssecOk ? EDNS_FLAG_DO : 0, 7); // RFC 3225 §3: DO echoed
    out.writeUInt16BE(optLength, 9);
    if (nsid) {
      out.writeUInt16BE(EdnsOption.NSID, 11);
      out.writeUInt16BE(nsid.length, 13);
      out.set(nsid, 15);
    }
    return out;
  }
}
