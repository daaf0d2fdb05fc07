import { Flag } from '../message/header.js';
import type { ParsedQuery } from '../message/question.js';
import { Rcode } from '../message/rcode.js';
import type { Responses } from '../message/responses.js';
import type { PeerAddress } from '../transports.js';
import { parseAddress } from './address.js';
import type { ServerCookies } from './cookies.js';
import { classifyResponse } from './response-class.js';
import { RrlVerdict, type ResponseRateLimiter } from './rrl.js';

/**
 * What happens to a response after it is computed (so the answer cache keeps working): response
 * rate limiting over UDP, then the DNS COOKIE option. A client that presents a valid server cookie
 * is not rate limited (BIND's rule: its address cannot be forged). The pipeline calls `apply` only
 * when one of the two is on; both can be replaced by a reload.
 */
export class ResponseGuard {
  rrl: ResponseRateLimiter | undefined;
  cookies: ServerCookies | undefined;
  /** Responses to valid server cookies, and to client cookies alone (or invalid server cookies). */
  validCookies = 0;
  otherCookies = 0;
  /** Responses rate limiting dropped, and sent as TC=1 instead (kept here: a reload may replace the limiter). */
  rrlDropped = 0;
  rrlSlipped = 0;
  private readonly address = new Uint32Array(4);
  private readonly prefix = new Uint32Array(4);
  private readonly cls = new Int32Array(2);

  constructor(private readonly responses: Responses, rrl?: ResponseRateLimiter, cookies?: ServerCookies) {
    this.rrl = rrl;
    this.cookies = cookies;
  }

  get active(): boolean {
    return this.rrl !== undefined || this.cookies !== undefined;
  }

  /** The response to send: as computed, slipped (TC=1, no records), undefined (dropped), or with a COOKIE option. */
  apply(response: Buffer, msg: Uint8Array, q: ParsedQuery, stream: boolean, peer: PeerAddress): Buffer | undefined {
    const edns = q.edns;
    const cookies = this.cookies;
    const cookieAt = edns !== undefined && cookies !== undefined ? edns.cookieAt : -1;
    const rrl = stream ? undefined : this.rrl;
    if (cookieAt < 0 && rrl === undefined) return response;
    const address = this.address;
    const family = parseAddress(typeof peer === 'string' ? peer : peer(), address);
    if (family === 0) return response;
    let valid = false;
    if (cookieAt >= 0) {
      valid = cookies!.verify(msg, cookieAt, edns!.cookieLength, address, family);
      if (valid) this.validCookies++;
      else this.otherCookies++;
    }
    if (rrl !== undefined && !valid) {
      classifyResponse(response, q.questionEnd, q.hash, this.cls);
      this.prefix.set(address);
      const verdict = rrl.check(this.prefix, family, this.cls[0]!, this.cls[1]!);
      if (verdict === RrlVerdict.DROP) {
        this.rrlDropped++;
        return undefined;
      }
      if (verdict === RrlVerdict.SLIP) {
        this.rrlSlipped++;
        response = this.slip(msg, q);
      }
    }
    // (a signed response ends with its TSIG RR, which covers the OPT: nothing may be added after it)
    if (cookieAt >= 0 && q.tsigAt < 0) response = cookies!.append(response, msg, cookieAt, address, family);
    return response;
  }

  /** A minimal TC=1 answer: the question echoed, no records, so a real client retries over TCP. */
  private slip(msg: Uint8Array, q: ParsedQuery): Buffer {
    const out = this.responses.bare(msg, q, Rcode.NOERROR);
    out[2] = out[2]! | (Flag.TC >> 8);
    return out;
  }
}
