import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { keyIsSubdomain, nameEquals, nameToKey, nameToText, type WireName } from '../../zones/name.js';
import { rdataFromWire, validateRdata } from '../../zones/rdata/index.js';
import { rdataEqual } from '../../zones/rdata-equal.js';
import { isMetaType, RRClass, RRType, typeToText } from '../../zones/rrtype.js';
import { serialLessThan } from '../../zones/serial.js';
import { soaSerial } from '../../zones/soa.js';
import type { DiffRR } from '../../zones/diff.js';
import type { TsigKey, Keyring } from '../tsig/keys.js';
import { FLAGS_HI_QR, rcodeOf } from '../message/header.js';
import { readName, skipName } from '../message/names.js';
import { RCODE_NAMES } from '../message/rcode.js';
import { signMessage, verifyMessage } from '../tsig/tsig.js';
import { openPrimaryStream, registerPrimaryOpener, type PrimaryEndpoint } from './primary-stream.js';
import { TransferError, TransferTooLarge } from './transfer-error.js';

// the 'quic' opener (XoQ), in the server and in the AXFR child alike; the QUIC stack loads at the first XoQ transfer
registerPrimaryOpener('quic', async (primary, options) => (await import('./quic-primary.js')).openQuic(primary, options));

export { TransferError };

/** A primary as a transfer uses it: where and how to connect (PrimaryEndpoint), the TSIG key, the stall limit. */
export interface Primary extends PrimaryEndpoint {
  key: TsigKey | undefined;
  /** Milliseconds a transfer may go without receiving anything (default 10 s). */
  idleTimeoutMs?: number | undefined;
}

/** Like BIND's max-transfer-idle-in, but in seconds rather than an hour: per primary `idleTimeout`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

const rcodeText = (rcode: number) => `rcode ${rcode}${RCODE_NAMES[rcode] ? ` (${RCODE_NAMES[rcode]})` : ''}`;

/** A query for the zone's SOA or a transfer, signed when the primary has a key. */
function request(id: number, origin: WireName, qtype: number, key: TsigKey | undefined, ourSoa?: DiffRR): { message: Buffer; mac: Buffer | undefined } {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  const parts = [header, Buffer.from(origin), Buffer.from([qtype >> 8, qtype & 0xff, 0, 1])];
  if (ourSoa) {
    // RFC 1995 §3: the client's SOA in the authority section
    header.writeUInt16BE(1, 8);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(RRType.SOA, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(ourSoa.ttl, 4);
    fixed.writeUInt16BE(ourSoa.rdata.length, 8);
    parts.push(Buffer.from(ourSoa.owner), fixed, Buffer.from(ourSoa.rdata));
  }
  const message = Buffer.concat(parts);
  if (!key) return { message, mac: undefined };
  return signMessage(message, key);
}

/**
 * The primary's current serial (RFC 1996 §3.11 / RFC 1034 §4.3.5: a SOA query over UDP). A tls or
 * quic primary is asked over its encrypted transport instead: its configured port is the encrypted
 * one (853), where no UDP DNS answers, and BIND and Knot ask their XoT/XoQ primaries the same way.
 */
export async function querySerial(primary: Primary, origin: WireName, keyring: Keyring): Promise<number> {
  const id = randomInt(0, 65536);
  const { message, mac } = request(id, origin, RRType.SOA, primary.key);
  const serialOf = (msg: Buffer): number => {
    if (primary.key) checkSigned(msg, keyring, mac!, false);
    const rcode = rcodeOf(msg);
    if (rcode !== 0) throw new TransferError(`SOA query answered with ${rcodeText(rcode)}`);
    const soa = parseAnswer(msg).find((r) => r.type === RRType.SOA && nameEquals(r.owner, origin));
    if (!soa) throw new TransferError(`SOA query answered without the SOA of ${nameToText(origin)}`);
    return soaSerial(soa.rdata);
  };
  if ((primary.transport ?? 'tcp') !== 'tcp') return querySerialOverStream(primary, id, message, serialOf);
  try {
    return await querySerialOverUdp(primary, id, message, serialOf);
  } catch (err) {
    // a primary that refuses or ignores the SOA query over UDP may answer it over TCP, as secondaries
    // fall back to (knotd answers a catalog's SOA only over TCP, to clients allowed to transfer it)
    try {
      return await querySerialOverStream({ ...primary, transport: 'tcp' }, id, message, serialOf);
    } catch (tcpErr) {
      throw new TransferError(`${(err as Error).message}; over TCP: ${(tcpErr as Error).message}`);
    }
  }
}

function querySerialOverUdp(primary: Primary, id: number, message: Buffer, serialOf: (msg: Buffer) => number): Promise<number> {
  const socket = dgram.createSocket(isIP(primary.host) === 6 ? 'udp6' : 'udp4');
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => done(new TransferError(`no answer to the SOA query from ${primary.host}:${primary.port}`)), 3000);
    const done = (result: number | Error) => {
      clearTimeout(timer);
      socket.close();
      if (typeof result === 'number') resolve(result);
      else reject(result);
    };
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      // another ID is not an answer to this query (maybe a spoofing attempt): keep waiting
      if (msg.length < 12 || msg.readUInt16BE(0) !== id || !(msg[2]! & FLAGS_HI_QR)) return;
      try {
        done(serialOf(msg));
      } catch (err) {
        done(err as Error);
      }
    });
    socket.send(message, primary.port, primary.host);
  });
}

/** One SOA query over a primary stream (tls, quic): the first framed message back is the answer. */
async function querySerialOverStream(primary: Primary, id: number, message: Buffer, serialOf: (msg: Buffer) => number): Promise<number> {
  const stream = await openPrimaryStream(primary, { idleTimeoutMs: SOA_QUERY_TIMEOUT_MS });
  try {
    stream.write(framed(message));
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of stream) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) continue;
      const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
      if (msg.length < 12 || msg.readUInt16BE(0) !== id || !(msg[2]! & FLAGS_HI_QR)) throw new TransferError('the answer to the SOA query has another ID or is not a response');
      return serialOf(msg);
    }
    throw new TransferError(`no answer to the SOA query from ${primary.host}:${primary.port}`);
  } finally {
    stream.destroy();
  }
}

/** As long as a SOA query over UDP is waited for. */
const SOA_QUERY_TIMEOUT_MS = 3000;

function framed(message: Buffer): Buffer {
  const frame = Buffer.alloc(2);
  frame.writeUInt16BE(message.length);
  return Buffer.concat([frame, message]);
}

/**
 * AXFR over TCP (RFC 5936), or TLS/QUIC (RFC 9103): every record from the first SOA to the last, every signed message
 * verified in sequence (RFC 8945 §5.3.1). Throws on anything inconsistent; the caller keeps the old
 * version of the zone then.
 */
export async function fetchAxfr(primary: Primary, origin: WireName, keyring: Keyring, maxRecords = Infinity): Promise<DiffRR[]> {
  const result = await transfer(primary, origin, keyring, RRType.AXFR, undefined, maxRecords);
  if (result.kind !== 'axfr') throw new TransferError('AXFR answered with something else than a whole zone');
  return result.records;
}

export type IxfrResult =
  | { kind: 'current' }
  | { kind: 'axfr'; records: DiffRR[] }
  | { kind: 'ixfr'; steps: IxfrStep[] };

export interface IxfrStep {
  from: number;
  to: number;
  removed: DiffRR[];
  /** The step's new SOA first. */
  added: DiffRR[];
}

/**
 * IXFR over TCP (RFC 1995): our SOA in the authority section; the answer is our serial already
 * (the SOA alone), the whole zone (AXFR form), or a sequence of differences that starts at our
 * serial, each step to a higher serial, the last one at the serial of the first SOA.
 */
export function fetchIxfr(primary: Primary, origin: WireName, ourSoa: DiffRR, keyring: Keyring): Promise<IxfrResult> {
  return transfer(primary, origin, keyring, RRType.IXFR, ourSoa);
}

async function transfer(
  primary: Primary, origin: WireName, keyring: Keyring, qtype: number, ourSoa: DiffRR | undefined, maxRecords = Infinity,
): Promise<IxfrResult> {
  const id = randomInt(0, 65536);
  const { message, mac } = request(id, origin, qtype, primary.key, ourSoa);
  const socket = await openPrimaryStream(primary, { idleTimeoutMs: primary.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS });
  socket.write(framed(message));
  const reader = new TransferReader(origin, qtype, ourSoa ? soaSerial(ourSoa.rdata) : undefined);
  let priorMac = mac;
  let first = true;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of socket) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        if (msg.length < 12) throw new TransferError('transfer message shorter than a DNS header');
        // RFC 5936 §2.2.1: every message of the answer carries the ID of the query
        if (msg.readUInt16BE(0) !== id) throw new TransferError(`transfer message with another ID (${msg.readUInt16BE(0)}, asked with ${id})`);
        if (!(msg[2]! & FLAGS_HI_QR)) throw new TransferError('transfer message is not a response (QR clear)');
        // RFC 5936 §2.2.1: a non-zero RCODE ends the transfer as failed
        const rcode = rcodeOf(msg);
        if (rcode !== 0) throw new TransferError(`primary answered the transfer with ${rcodeText(rcode)}`);
        if (primary.key) priorMac = checkSigned(msg, keyring, priorMac!, !first);
        first = false;
        for (const rr of parseAnswer(msg)) reader.push(rr);
        if (reader.size > maxRecords) throw new TransferTooLarge(`the zone has more than ${maxRecords} records`);
        const result = reader.afterMessage();
        if (result) return result;
      }
    }
  } finally {
    socket.destroy();
  }
  throw new TransferError(reader.whyIncomplete());
}

/**
 * Follows a transfer record by record, O(1) per record (the state machine of BIND's xfrin): AXFR
 * (RFC 5936 §2.2) is SOA, records, the same SOA; IXFR (RFC 1995 §4) is the new SOA, then for each
 * step the old SOA, the removed records, the step's new SOA, the added records, and the new SOA
 * again — or the AXFR form, or the SOA alone when we are current.
 */
class TransferReader {
  private state: 'start' | 'second' | 'axfr' | 'del' | 'add' | 'done' = 'start';
  private firstSoa: DiffRR | undefined;
  private final = 0;
  private readonly records: DiffRR[] = [];

  /** Records of an AXFR (or AXFR-form IXFR) taken so far. */
  get size(): number {
    return this.records.length;
  }
  private readonly steps: IxfrStep[] = [];
  private step: IxfrStep | undefined;
  /** The last SOA when it might have been meant as the closing one (for the error message). */
  private lastSoaSerial: number | undefined;
  private readonly apexKey: Buffer;

  constructor(private readonly origin: WireName, private readonly qtype: number, private readonly ourSerial: number | undefined) {
    this.apexKey = nameToKey(origin);
  }

  push(rr: DiffRR): void {
    const what = () => `${nameToText(rr.owner)} ${typeToText(rr.type)}`;
    if (this.state === 'done') throw new TransferError(`record ${what()} after the closing SOA`);
    if (this.state === 'start') {
      if (rr.type !== RRType.SOA || !nameEquals(rr.owner, this.origin)) {
        throw new TransferError(`transfer does not start with the SOA of ${nameToText(this.origin)} (first record: ${what()})`);
      }
      this.firstSoa = rr;
      this.records.push(rr);
      this.final = soaSerial(rr.rdata);
      this.state = 'second';
      return;
    }
    // RFC 5936 §6 / RFC 1034 §4.2.1: a zone holds names at or below its apex only; a secondary never
    // takes data from outside it (BIND fails such a transfer too), so the whole transfer is rejected
    if (!keyIsSubdomain(nameToKey(rr.owner), this.apexKey)) throw new TransferError(`record ${what()} is outside the zone`);
    // BIND's xfr_rr: an SOA anywhere but at the apex fails the transfer (DNS_R_NOTZONETOP)
    if (rr.type === RRType.SOA && !nameEquals(rr.owner, this.origin)) throw new TransferError(`SOA record for ${nameToText(rr.owner)}, not the apex`);
    const serial = rr.type === RRType.SOA ? soaSerial(rr.rdata) : 0;
    switch (this.state) {
      case 'second':
        if (this.qtype === RRType.IXFR && rr.type === RRType.SOA && serial !== this.final) {
          // RFC 1995 §4: the differences run from the client's version (ours) to the primary's
          if (serial !== this.ourSerial) throw new TransferError(`IXFR starts at serial ${serial}, ours is ${this.ourSerial}`);
          this.step = { from: serial, to: serial, removed: [], added: [] };
          this.state = 'del';
          return;
        }
        this.state = 'axfr';
        return this.push(rr);
      case 'axfr':
        if (rr.type !== RRType.SOA) {
          this.records.push(rr);
          return;
        }
        // RFC 5936 §2.2: the last record is the same SOA as the first (BIND compares the whole rdata)
        if (!rdataEqual(RRType.SOA, rr.rdata, this.firstSoa!.rdata)) {
          throw new TransferError(`closing SOA (serial ${serial}) differs from the first (serial ${this.final})`);
        }
        this.state = 'done';
        return;
      case 'del':
        if (rr.type !== RRType.SOA) {
          this.step!.removed.push(rr);
          return;
        }
        // RFC 1995 §4 lists versions oldest first: each step raises the serial (RFC 1982 order)
        if (!serialLessThan(this.step!.from, serial)) {
          throw new TransferError(`IXFR step from serial ${this.step!.from} to ${serial}: serials must increase`);
        }
        this.step!.to = serial;
        this.step!.added.push(rr);
        this.state = 'add';
        return;
      case 'add': {
        if (rr.type !== RRType.SOA) {
          this.step!.added.push(rr);
          return;
        }
        const previous = this.step!;
        this.steps.push(previous);
        this.lastSoaSerial = serial;
        if (serial === this.final && previous.to === this.final) {
          this.state = 'done';
          return;
        }
        // the next difference starts where the previous one ended (BIND: "IXFR out of sync")
        if (serial !== previous.to) {
          throw new TransferError(`IXFR out of sync: after the step to serial ${previous.to} comes an SOA with serial ${serial} (the closing SOA would be ${this.final})`);
        }
        this.step = { from: serial, to: serial, removed: [], added: [] };
        this.state = 'del';
        return;
      }
    }
  }

  /** The result once the transfer is complete; undefined while more is to come. */
  afterMessage(): IxfrResult | undefined {
    if (this.state === 'done') return this.steps.length > 0 ? { kind: 'ixfr', steps: this.steps } : { kind: 'axfr', records: this.records };
    // RFC 1995 §4: the SOA alone, not newer than ours, means "you are current"; a newer lone SOA
    // may be followed by the rest of the answer in the next message
    if (this.state === 'second' && this.qtype === RRType.IXFR && this.ourSerial !== undefined && !serialLessThan(this.ourSerial, this.final)) {
      return { kind: 'current' };
    }
    return undefined;
  }

  whyIncomplete(): string {
    if (this.state === 'start') return 'transfer ended before the first record';
    if (this.state === 'del' && this.lastSoaSerial !== undefined && this.step!.removed.length === 0 && this.lastSoaSerial !== this.final) {
      return `transfer ended before the closing SOA: the last SOA has serial ${this.lastSoaSerial}, the first ${this.final}`;
    }
    return 'transfer ended before the closing SOA';
  }
}

/** Verifies a signed message; returns its MAC for the next one. */
function checkSigned(msg: Buffer, keyring: Keyring, priorMac: Buffer, timersOnly: boolean): Buffer {
  const verdict = verifyMessage(msg, keyring, { priorMac, timersOnly });
  if (verdict.status !== 'ok') {
    throw new TransferError(`TSIG of the primary's answer: ${verdict.status === 'error' ? verdict.reason : verdict.status}`);
  }
  return verdict.tsig.mac;
}

/** The answer section's records, names decompressed, rdata checked for its type. */
function parseAnswer(msg: Buffer): DiffRR[] {
  const out: DiffRR[] = [];
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = skipName(msg, p);
    if (p < 0) throw new TransferError('malformed question');
    p += 4;
  }
  for (let i = 0; i < an; i++) {
    const owner = readName(msg, p);
    p = skipName(msg, p);
    if (!owner || p < 0 || p + 10 > msg.length) throw new TransferError('malformed record');
    const type = msg.readUInt16BE(p);
    const rrclass = msg.readUInt16BE(p + 2);
    const ttl = msg.readUInt32BE(p + 4);
    const rdlength = msg.readUInt16BE(p + 8);
    if (p + 10 + rdlength > msg.length) throw new TransferError('record overruns the message');
    // BIND's xfr_rr: meta types (and type 0) never are zone data; other classes are not our zone (BADCLASS)
    if (type === 0 || isMetaType(type)) throw new TransferError(`${typeToText(type)} record in the transfer`);
    if (rrclass !== RRClass.IN) throw new TransferError(`record of class ${rrclass} in the transfer of an IN zone`);
    const rdata = rdataFromWire(type, msg, p + 10, rdlength);
    validateRdata(type, rdata);
    out.push({ owner, type, ttl, rdata });
    p += 10 + rdlength;
  }
  return out;
}
