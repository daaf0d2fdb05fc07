import { timingSafeEqual } from 'node:crypto';
import { algorithmFromWire, hmac, TSIG_ALGORITHMS, type Keyring, type TsigKey } from './keys.js';
import { Rcode } from '../message/rcode.js';
import { locateTsig, tsigRecord, tsigVariables, type TsigRecord } from './record.js';

/** RFC 8945 §3 error codes carried in the TSIG RR (the rcode is NOTAUTH). */
export const TsigError = {
  NOERROR: Rcode.NOERROR, BADSIG: Rcode.BADSIG, BADKEY: Rcode.BADKEY, BADTIME: Rcode.BADTIME, BADTRUNC: Rcode.BADTRUNC,
} as const;
export type TsigErrorCode = (typeof TsigError)[keyof typeof TsigError];

/** RFC 8945 §5.2.3: the recommended fudge. */
export const DEFAULT_FUDGE = 300;

/**
 * The most fudge we honour, whatever the signer asked for: a fudge of 65535 s would keep a
 * captured message replayable for 18 hours (RFC 8945 §10: the fudge bounds replay).
 */
export const MAX_FUDGE = 300;

export type VerifyResult =
  | { status: 'unsigned' }
  | { status: 'formerr'; reason: string }
  | { status: 'ok'; key: TsigKey; tsig: TsigRecord }
  | { status: 'error'; error: TsigErrorCode; reason: string; key: TsigKey | undefined; tsig: TsigRecord };

export interface VerifyOptions {
  /** Seconds since the epoch (tests pin it). */
  now?: number;
  /** MAC of the request (verifying its response) or of the previous message of a stream. */
  priorMac?: Buffer;
  /** Subsequent message of a multi-message stream: only the timers are digested (§5.3.1). */
  timersOnly?: boolean;
}

/** RFC 8945 §5.2 (requests) and §5.3 (responses, streams). */
export function verifyMessage(msg: Uint8Array, keyring: Keyring, options: VerifyOptions = {}): VerifyResult {
  const found = locateTsig(msg);
  if (found.kind === 'none') return { status: 'unsigned' };
  if (found.kind === 'malformed') return { status: 'formerr', reason: found.reason };
  const tsig = found.tsig;
  const key = keyring.find(tsig.keyName);
  if (!key) return { status: 'error', error: TsigError.BADKEY, reason: 'unknown key', key, tsig };
  if (algorithmFromWire(tsig.algorithm) !== key.algorithm) {
    return { status: 'error', error: TsigError.BADKEY, reason: 'algorithm differs from the key\'s', key: undefined, tsig };
  }
  const size = TSIG_ALGORITHMS[key.algorithm].size;
  // §5.2.2.1: a MAC longer than the hash, or shorter than max(10, half the hash), is malformed
  if (tsig.mac.length > size || tsig.mac.length < Math.max(10, size / 2)) {
    return { status: 'formerr', reason: `MAC of ${tsig.mac.length} octets for ${key.algorithm}` };
  }
  const expected = hmac(key, signedParts(msg, tsig, options));
  if (!timingSafeEqual(expected.subarray(0, tsig.mac.length), tsig.mac)) {
    return { status: 'error', error: TsigError.BADSIG, reason: 'MAC does not match', key, tsig };
  }
  const now = Math.floor(options.now ?? Date.now() / 1000);
  // RFC 8945 §5.2.3: outside Time Signed ± Fudge is BADTIME; their fudge is capped at ours
  const fudge = Math.min(tsig.fudge, MAX_FUDGE);
  if (Math.abs(now - tsig.timeSigned) > fudge) {
    const capped = fudge < tsig.fudge ? ` (their fudge ${tsig.fudge} s capped at ${MAX_FUDGE} s)` : '';
    return { status: 'error', error: TsigError.BADTIME, reason: `time signed ${tsig.timeSigned} is ${now - tsig.timeSigned} s from ours${capped}`, key, tsig };
  }
  return { status: 'ok', key, tsig };
}

/** The data the MAC covers: [prior MAC], the message as it was before the TSIG RR was added, variables. */
function signedParts(msg: Uint8Array, tsig: TsigRecord, options: VerifyOptions): Uint8Array[] {
  const body = Buffer.from(msg.subarray(0, tsig.start));
  body.writeUInt16BE(tsig.originalId, 0);
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
  const parts: Uint8Array[] = [];
  if (options.priorMac) parts.push(macLength(options.priorMac), options.priorMac);
  parts.push(body);
  parts.push(options.timersOnly ? timers(tsig.timeSigned, tsig.fudge) : tsigVariables(tsig.keyName, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other));
  return parts;
}

export interface SignOptions {
  now?: number;
  fudge?: number;
  priorMac?: Buffer;
  timersOnly?: boolean;
  error?: TsigErrorCode;
  other?: Buffer;
  /** BADKEY / BADSIG answers carry a TSIG RR without a MAC (§5.3.2). */
  unsigned?: boolean;
}

/** Appends a TSIG RR to a finished message; returns the new message and its MAC (for the next one). */
export function signMessage(msg: Buffer, key: TsigKey, options: SignOptions = {}): { message: Buffer; mac: Buffer } {
  const now = Math.floor(options.now ?? Date.now() / 1000);
  const fudge = options.fudge ?? DEFAULT_FUDGE;
  const error = options.error ?? TsigError.NOERROR;
  const other = options.other ?? Buffer.alloc(0);
  let mac: Buffer = Buffer.alloc(0);
  if (!options.unsigned) {
    const parts: Uint8Array[] = [];
    if (options.priorMac) parts.push(macLength(options.priorMac), options.priorMac);
    parts.push(msg);
    parts.push(options.timersOnly ? timers(now, fudge) : tsigVariables(key.name, key.algorithmName, now, fudge, error, other));
    mac = hmac(key, parts);
  }
  const rr = tsigRecord(key.name, key.algorithmName, now, fudge, mac, msg.readUInt16BE(0), error, other);
  const message = Buffer.concat([msg, rr]);
  message.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message, mac };
}

/** RFC 8945 §5.2.3: a BADTIME answer carries the server's time in "other data". */
export function timeOther(now = Date.now() / 1000): Buffer {
  const out = Buffer.alloc(6);
  out.writeUIntBE(Math.floor(now), 0, 6);
  return out;
}

function macLength(mac: Buffer): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(mac.length);
  return out;
}

function timers(timeSigned: number, fudge: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUIntBE(timeSigned, 0, 6);
  out.writeUInt16BE(fudge, 6);
  return out;
}
