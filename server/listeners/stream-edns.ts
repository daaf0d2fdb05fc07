import { skipName } from '../message/names.js';
import type { MessageHandler, PeerAddress, TransportId } from '../transports.js';

/**
 * EDNS options that belong to stream transports, added to an answer when the query asked:
 * - edns-tcp-keepalive (RFC 7828 §3.3.2): a query over TCP or TLS carrying the option gets our
 *   idle timeout back, in units of 100 ms;
 * - Padding (RFC 7830 §4, over encrypted transports only): the answer to a padded query is padded
 *   to a multiple of 468 octets (RFC 8467 §4.1, the recommended block length for responses).
 * Done after the answer is made (cached answers are shared, so a copy is made) and only when the
 * query carries an OPT record with one of the two: other queries cost a header read.
 */
export const EDNS_TCP_KEEPALIVE = 11;
export const EDNS_PADDING = 12;
/** RFC 8467 §4.1: responses padded to a multiple of 468 octets. */
export const RESPONSE_PADDING_BLOCK = 468;

const TYPE_OPT = 41;
const MAX_MESSAGE = 65535;

export interface StreamEdnsOptions {
  /** The idle timeout told to keepalive clients (ms). */
  keepaliveMs: number;
  /** Pad answers to padded queries (encrypted transports). */
  pad: boolean;
}

/** A handler whose single-message answers get the stream EDNS options the query asked for. */
export function withStreamEdns(handler: MessageHandler, options: StreamEdnsOptions): MessageHandler {
  const keepaliveUnits = Math.min(0xffff, Math.round(options.keepaliveMs / 100));
  return {
    handle(msg: Buffer, transport: TransportId, peer?: PeerAddress) {
      const response = handler.handle(msg, transport, peer);
      if (!(response instanceof Uint8Array) || msg.length < 12 || msg[11] === 0 && msg[10] === 0) return response;
      const asked = askedOptions(msg);
      if (asked === 0) return response;
      return addOptions(response as Buffer, (asked & ASKED_KEEPALIVE) !== 0 ? keepaliveUnits : -1, options.pad && (asked & ASKED_PADDING) !== 0);
    },
  };
}

const ASKED_KEEPALIVE = 1;
const ASKED_PADDING = 2;

/** Which of the two options the query's OPT record carries (bits), 0 when none or unreadable. */
export function askedOptions(msg: Uint8Array): number {
  const opt = findOpt(msg);
  if (opt === undefined) return 0;
  let asked = 0;
  const end = opt.rdataAt + opt.rdlength;
  for (let p = opt.rdataAt; p + 4 <= end;) {
    const code = (msg[p]! << 8) | msg[p + 1]!;
    const length = (msg[p + 2]! << 8) | msg[p + 3]!;
    if (code === EDNS_TCP_KEEPALIVE) asked |= ASKED_KEEPALIVE;
    else if (code === EDNS_PADDING) asked |= ASKED_PADDING;
    p += 4 + length;
  }
  return asked;
}

interface OptAt {
  /** Offset of the OPT record's RDLENGTH. */
  rdlengthAt: number;
  rdataAt: number;
  rdlength: number;
  /** The OPT record is the message's last: nothing follows it (a TSIG would, and signs what precedes it). */
  last: boolean;
}

/** The OPT record in the additional section, if the message is readable and has one. */
function findOpt(msg: Uint8Array): OptAt | undefined {
  const count = (at: number) => (msg[at]! << 8) | msg[at + 1]!;
  const qd = count(4);
  const records = count(6) + count(8);
  const ar = count(10);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(msg, p);
    if (p < 0) return undefined;
    p += 4;
  }
  let found: OptAt | undefined;
  for (let i = 0; i < records + ar; i++) {
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return undefined;
    const type = count(p);
    const rdlength = count(p + 8);
    if (p + 10 + rdlength > msg.length) return undefined;
    if (type === TYPE_OPT && i >= records) found = { rdlengthAt: p + 8, rdataAt: p + 10, rdlength, last: i === records + ar - 1 };
    p += 10 + rdlength;
  }
  return found;
}

/**
 * The answer with the options appended to its OPT record. An answer without OPT, or whose OPT is
 * not last (a TSIG signs what precedes it), is returned as it is.
 */
function addOptions(response: Buffer, keepaliveUnits: number, pad: boolean): Buffer {
  const opt = findOpt(response);
  if (opt === undefined || !opt.last) return response;
  const keepaliveLength = keepaliveUnits >= 0 ? 6 : 0;
  let padding = -1;
  if (pad) {
    const unpadded = response.length + keepaliveLength + 4;
    padding = (RESPONSE_PADDING_BLOCK - (unpadded % RESPONSE_PADDING_BLOCK)) % RESPONSE_PADDING_BLOCK;
    if (unpadded + padding > MAX_MESSAGE) padding = -1;
  }
  const extra = keepaliveLength + (padding >= 0 ? 4 + padding : 0);
  if (extra === 0 || opt.rdlength + extra > 0xffff) return response;
  const out = Buffer.alloc(response.length + extra);
  response.copy(out, 0);
  out.writeUInt16BE(opt.rdlength + extra, opt.rdlengthAt);
  let p = response.length;
  if (keepaliveLength > 0) {
    out.writeUInt16BE(EDNS_TCP_KEEPALIVE, p);
    out.writeUInt16BE(2, p + 2);
    out.writeUInt16BE(keepaliveUnits, p + 4);
    p += 6;
  }
  if (padding >= 0) {
    out.writeUInt16BE(EDNS_PADDING, p);
    out.writeUInt16BE(padding, p + 2);
    // (the padding octets are zero, RFC 7830 §3: Buffer.alloc filled them)
  }
  return out;
}
