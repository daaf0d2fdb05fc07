/**
 * The sections of an RFC 2136 UPDATE message (§2): zone (the question), prerequisites (answer),
 * updates (authority), additional data (ignored, apart from OPT and TSIG that the pipeline reads).
 */
import { nameToKey, type WireName } from '../../zones/name.js';
import { rdataFromWire, validateRdata } from '../../zones/rdata/index.js';
import { RRClass } from '../../zones/rrtype.js';
import { readName, skipName } from '../message/names.js';

/** One RR of the prerequisite or update section, names decompressed. */
export interface UpdateRR {
  name: WireName;
  key: Buffer;
  type: number;
  cls: number;
  ttl: number;
  /** Uncompressed rdata (empty when RDLENGTH is 0). */
  rdata: Uint8Array;
}

export interface UpdateMessage {
  prerequisites: UpdateRR[];
  updates: UpdateRR[];
}

/** Why a message cannot be processed: FORMERR (RFC 2136 §3.1–§3.4 prescans). */
export class UpdateFormatError extends Error {}

/** Parses the prerequisite and update sections; `questionEnd` is where the zone section ends. */
export function parseUpdate(msg: Uint8Array, questionEnd: number): UpdateMessage {
  const prcount = (msg[6]! << 8) | msg[7]!;
  const upcount = (msg[8]! << 8) | msg[9]!;
  let p = questionEnd;
  const read = (): UpdateRR => {
    const name = readName(msg, p);
    const after = skipName(msg, p);
    if (name === undefined || after < 0 || after + 10 > msg.length) throw new UpdateFormatError('malformed record');
    const view = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
    const type = view.readUInt16BE(after);
    const cls = view.readUInt16BE(after + 2);
    const ttl = view.readUInt32BE(after + 4);
    const rdlength = view.readUInt16BE(after + 8);
    const start = after + 10;
    if (start + rdlength > msg.length) throw new UpdateFormatError('record runs past the message');
    let rdata: Uint8Array = new Uint8Array(0);
    if (rdlength > 0) {
      try {
        // class ANY never carries rdata; IN and NONE carry the type's rdata (names may be compressed)
        rdata = Uint8Array.from(rdataFromWire(type, msg, start, rdlength));
        if (cls === RRClass.IN || cls === RRClass.NONE) validateRdata(type, rdata);
      } catch (err) {
        throw new UpdateFormatError(`bad rdata: ${(err as Error).message}`);
      }
    }
    p = start + rdlength;
    return { name, key: nameToKey(name), type, cls, ttl, rdata };
  };
  const prerequisites: UpdateRR[] = [];
  for (let i = 0; i < prcount; i++) prerequisites.push(read());
  const updates: UpdateRR[] = [];
  for (let i = 0; i < upcount; i++) updates.push(read());
  return { prerequisites, updates };
}
