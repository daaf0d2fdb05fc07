import { lowerName, type WireName } from '../../zones/name.js';
import { readName, skipName } from '../message/names.js';
import { RRType } from '../../zones/rrtype.js';

/** A TSIG RR as found at the end of a message (RFC 8945 §4.2). */
export interface TsigRecord {
  /** Offset of the TSIG RR in the message: the signed data ends here. */
  start: number;
  keyName: WireName;
  algorithm: WireName;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

export type TsigLocation = { kind: 'none' } | { kind: 'malformed'; reason: string } | { kind: 'found'; tsig: TsigRecord };

const CLASS_ANY = 255;

/**
 * Finds the TSIG RR. RFC 8945 §5.1: it must be the last record of the additional section; one
 * anywhere else, or more than one, is a FORMERR.
 */
export function locateTsig(msg: Uint8Array): TsigLocation {
  if (msg.length < 12) return { kind: 'malformed', reason: 'short message' };
  const counts = [0, 1, 2, 3].map((i) => (msg[4 + 2 * i]! << 8) | msg[5 + 2 * i]!);
  let p = 12;
  for (let i = 0; i < counts[0]!; i++) {
    p = skipName(msg, p);
    if (p < 0 || p + 4 > msg.length) return { kind: 'malformed', reason: 'truncated question' };
    p += 4;
  }
  const total = counts[1]! + counts[2]! + counts[3]!;
  for (let i = 0; i < total; i++) {
    const start = p;
    p = skipName(msg, p);
    if (p < 0 || p + 10 > msg.length) return { kind: 'malformed', reason: 'truncated record' };
    const type = (msg[p]! << 8) | msg[p + 1]!;
    const rdlength = (msg[p + 8]! << 8) | msg[p + 9]!;
    const rdata = p + 10;
    const end = rdata + rdlength;
    if (end > msg.length) return { kind: 'malformed', reason: 'record overruns the message' };
    if (type === RRType.TSIG) {
      if (i !== total - 1 || counts[3] === 0) return { kind: 'malformed', reason: 'TSIG is not the last additional record' };
      if (((msg[p + 2]! << 8) | msg[p + 3]!) !== CLASS_ANY) return { kind: 'malformed', reason: 'TSIG class is not ANY' };
      const tsig = parseRdata(msg, start, readName(msg, start), rdata, end);
      return tsig ? { kind: 'found', tsig } : { kind: 'malformed', reason: 'bad TSIG rdata' };
    }
    p = end;
  }
  return { kind: 'none' };
}

function parseRdata(msg: Uint8Array, start: number, keyName: WireName | undefined, rdata: number, end: number): TsigRecord | undefined {
  if (!keyName) return undefined;
  const algEnd = skipName(msg, rdata);
  if (algEnd < 0 || algEnd + 10 > end || (msg[rdata]! & 0xc0) === 0xc0) return undefined;
  const algorithm = Uint8Array.from(msg.subarray(rdata, algEnd));
  const b = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
  let p = algEnd;
  const timeSigned = b.readUIntBE(p, 6);
  const fudge = b.readUInt16BE(p + 6);
  const macSize = b.readUInt16BE(p + 8);
  p += 10;
  if (p + macSize + 6 > end) return undefined;
  const mac = Buffer.from(b.subarray(p, p + macSize));
  p += macSize;
  const originalId = b.readUInt16BE(p);
  const error = b.readUInt16BE(p + 2);
  const otherLen = b.readUInt16BE(p + 4);
  p += 6;
  if (p + otherLen !== end) return undefined;
  return { start, keyName, algorithm, timeSigned, fudge, mac, originalId, error, other: Buffer.from(b.subarray(p, end)) };
}

/** The TSIG variables of RFC 8945 §4.3.3 (names in canonical, lowercase form). */
export function tsigVariables(keyName: WireName, algorithm: WireName, timeSigned: number, fudge: number, error: number, other: Uint8Array): Buffer {
  const key = lowerName(keyName);
  const alg = lowerName(algorithm);
  const out = Buffer.alloc(key.length + 6 + alg.length + 12 + other.length);
  let p = 0;
  out.set(key, p);
  p += key.length;
  out.writeUInt16BE(CLASS_ANY, p);
  out.writeUInt32BE(0, p + 2);
  p += 6;
  out.set(alg, p);
  p += alg.length;
  out.writeUIntBE(timeSigned, p, 6);
  out.writeUInt16BE(fudge, p + 6);
  out.writeUInt16BE(error, p + 8);
  out.writeUInt16BE(other.length, p + 10);
  out.set(other, p + 12);
  return out;
}

/** The TSIG RR in wire form (owner uncompressed, RFC 8945 §4.2). */
export function tsigRecord(keyName: WireName, algorithm: WireName, timeSigned: number, fudge: number, mac: Uint8Array, originalId: number, error: number, other: Uint8Array): Buffer {
  const rdlength = algorithm.length + 10 + mac.length + 6 + other.length;
  const out = Buffer.alloc(keyName.length + 10 + rdlength);
  let p = 0;
  out.set(keyName, p);
  p += keyName.length;
  out.writeUInt16BE(RRType.TSIG, p);
  out.writeUInt16BE(CLASS_ANY, p + 2);
  out.writeUInt32BE(0, p + 4);
  out.writeUInt16BE(rdlength, p + 8);
  p += 10;
  out.set(algorithm, p);
  p += algorithm.length;
  out.writeUIntBE(timeSigned, p, 6);
  out.writeUInt16BE(fudge, p + 6);
  out.writeUInt16BE(mac.length, p + 8);
  p += 10;
  out.set(mac, p);
  p += mac.length;
  out.writeUInt16BE(originalId, p);
  out.writeUInt16BE(error, p + 2);
  out.writeUInt16BE(other.length, p + 4);
  out.set(other, p + 6);
  return out;
}
