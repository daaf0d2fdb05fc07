import { RRType } from '../../zones/rrtype.js';
import { EdnsOption } from '../message/edns.js';
import { skipName } from '../message/names.js';
import { siphash24 } from './siphash.js';

/** A client cookie is 8 octets (RFC 7873 §4.1). */
export const CLIENT_COOKIE = 8;
/** Our server cookie, RFC 9018 §4: version, reserved (3), timestamp (4), hash (8). */
export const SERVER_COOKIE = 16;
/** What the COOKIE option adds to a response: option code and length, client and server cookie. */
export const COOKIE_ROOM = 4 + CLIENT_COOKIE + SERVER_COOKIE;
/** RFC 9018 §4.3: a server cookie older than an hour, or more than 5 minutes ahead, is not valid. */
const MAX_AGE = 3600;
const MAX_AHEAD = 300;

/** The secret server cookies are made with and, during a rotation, the one before it (still accepted). */
export interface CookieSecrets {
  current: Uint8Array;
  previous: Uint8Array | undefined;
}

/**
 * DNS COOKIEs (RFC 7873) with interoperable server cookies (RFC 9018): every process of a site
 * that shares the secret accepts the cookies the others made. Scratch buffers only: no allocation
 * but the response that carries the option.
 */
export class ServerCookies {
  /** client cookie | version | reserved | timestamp | client address (at most 16 octets) */
  private readonly input = new Uint8Array(CLIENT_COOKIE + 8 + 16);
  private readonly hash = new Uint8Array(8);

  constructor(public secrets: CookieSecrets, private readonly clock: () => number = Date.now) {}

  /**
   * Whether the COOKIE option at `msg[at, at + length)` (its data) holds a server cookie we made
   * for this client cookie and address, within its lifetime.
   */
  verify(msg: Uint8Array, at: number, length: number, address: Uint32Array, family: 4 | 6): boolean {
    if (length !== CLIENT_COOKIE + SERVER_COOKIE || msg[at + CLIENT_COOKIE] !== 1) return false;
    const s = at + CLIENT_COOKIE;
    const stamp = ((msg[s + 4]! << 24) | (msg[s + 5]! << 16) | (msg[s + 6]! << 8) | msg[s + 7]!) >>> 0;
    // serial number arithmetic (RFC 1982), as RFC 9018 §4.3 asks
    const age = (this.now() - stamp) | 0;
    if (age > MAX_AGE || age < -MAX_AHEAD) return false;
    const n = this.fill(msg, at, s, address, family);
    if (this.matches(this.secrets.current, n, msg, s + 8)) return true;
    const previous = this.secrets.previous;
    return previous !== undefined && this.matches(previous, n, msg, s + 8);
  }

  /**
   * `response` with a COOKIE option (the client's cookie and a fresh server cookie) added to its
   * OPT record, which must be the last record; unchanged when it has none.
   */
  append(response: Buffer, msg: Uint8Array, at: number, address: Uint32Array, family: 4 | 6): Buffer {
    const opt = lastOpt(response);
    if (opt < 0) return response;
    const out = Buffer.allocUnsafe(response.length + COOKIE_ROOM);
    out.set(response, 0);
    const rdlength = ((response[opt + 9]! << 8) | response[opt + 10]!) + COOKIE_ROOM;
    out[opt + 9] = rdlength >>> 8;
    out[opt + 10] = rdlength;
    let p = response.length;
    out[p++] = 0; out[p++] = EdnsOption.COOKIE;
    out[p++] = 0; out[p++] = CLIENT_COOKIE + SERVER_COOKIE;
    out.set(msg.subarray(at, at + CLIENT_COOKIE), p);
    this.make(msg, at, address, family, out, p + CLIENT_COOKIE);
    return out;
  }

  /** Our server cookie for the client cookie at msg[at] and this address, into out[o, o + 16). */
  make(msg: Uint8Array, at: number, address: Uint32Array, family: 4 | 6, out: Uint8Array, o: number): void {
    const now = this.now();
    out[o] = 1; // version
    out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
    out[o + 4] = now >>> 24; out[o + 5] = now >>> 16; out[o + 6] = now >>> 8; out[o + 7] = now;
    const n = this.fill(msg, at, o, address, family, out);
    siphash24(this.secrets.current, this.input, 0, n, out, o + 8);
  }

  private now(): number {
    return (this.clock() / 1000) >>> 0;
  }

  /** Lays out the hash input; the version..timestamp octets come from `head` (in `from`); returns its length. */
  private fill(msg: Uint8Array, at: number, head: number, address: Uint32Array, family: 4 | 6, from: Uint8Array = msg): number {
    const input = this.input;
    for (let i = 0; i < CLIENT_COOKIE; i++) input[i] = msg[at + i]!;
    for (let i = 0; i < 8; i++) input[CLIENT_COOKIE + i] = from[head + i]!;
    let n = CLIENT_COOKIE + 8;
    for (let w = family === 4 ? 3 : 0; w < 4; w++) {
      const word = address[w]!;
      input[n++] = word >>> 24; input[n++] = word >>> 16; input[n++] = word >>> 8; input[n++] = word;
    }
    return n;
  }

  private matches(secret: Uint8Array, n: number, msg: Uint8Array, at: number): boolean {
    siphash24(secret, this.input, 0, n, this.hash, 0);
    let diff = 0;
    for (let i = 0; i < 8; i++) diff |= this.hash[i]! ^ msg[at + i]!;
    return diff === 0;
  }
}

/** Offset of the response's OPT record when it is the last record, else -1. */
function lastOpt(msg: Uint8Array): number {
  const qd = (msg[4]! << 8) | msg[5]!;
  const records = ((msg[6]! << 8) | msg[7]!) + ((msg[8]! << 8) | msg[9]!) + ((msg[10]! << 8) | msg[11]!);
  let p = 12;
  for (let i = 0; i < qd && p >= 0; i++) p = skipName(msg, p) + 4;
  let last = -1;
  for (let i = 0; i < records; i++) {
    if (p < 0) return -1;
    last = p;
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return -1;
    p += 10 + ((msg[p + 8]! << 8) | msg[p + 9]!);
  }
  if (last < 0 || p !== msg.length || msg[last] !== 0) return -1;
  return ((msg[last + 1]! << 8) | msg[last + 2]!) === RRType.OPT ? last : -1;
}
